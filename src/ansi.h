/* ansi.h - strips terminal escape sequences from captured output (expect, exports, text panes). */
#ifndef VIRTCON_ANSI_H
#define VIRTCON_ANSI_H

#include <glib.h>

/*
 * Captured terminal output in, text out, in chunks of any size: a sequence, a CR LF or a UTF-8
 * C1 control split across feeds is handled as if it came whole, so feeding a text in pieces
 * gives the same output as feeding it at once (after ansi_finish()).
 *
 * Removed whole, as an ECMA-48 / DEC VT parser reads them:
 *  - CSI: ESC [ (or U+009B), parameter bytes 0x30-0x3f (private ones too: ? < = >),
 *    intermediate bytes 0x20-0x2f, one final byte 0x40-0x7e;
 *  - OSC: ESC ] (or U+009D) up to BEL or ST (ESC \ or U+009C);
 *  - DCS, SOS, PM, APC: ESC P, ESC X, ESC ^, ESC _ (or U+0090, U+0098, U+009E, U+009F) up to
 *    ST only (a BEL inside is part of the string);
 *  - other escapes: ESC, intermediates 0x20-0x2f, one final byte 0x30-0x7e (ESC 7, ESC =,
 *    ESC ( B, ESC # 8, ESC SP G).
 * Inside a sequence, DEL is ignored. CAN and SUB cancel any sequence (and are dropped). An ESC
 * ends a string and starts a new sequence (ESC \ is that sequence: ST). A sequence before its
 * final byte is cut short by a C0 control or a byte >= 0x80: what was read of it is dropped and
 * the byte counts on its own (a newline after a truncated sequence is kept). A string with no
 * end after ANSI_STRING_MAX bytes is given up: what follows is text again (a stray ESC ] in a
 * program's output hides at most that much, not the rest of the session); nothing of strings
 * is stored.
 *
 * C1 controls as UTF-8 (U+0080-U+009F) start sequences as above (CSI, OSC, DCS, SOS, PM, APC)
 * or end strings (ST) anywhere; the others are dropped (and end a string, as a C1 does on a VT).
 * Bytes 0x80-0x9f that are not UTF-8 (a stray byte, Latin-1) are not controls: they pass like
 * any other byte, and so does invalid UTF-8 (callers decide: a raw regex, U+FFFD).
 *
 * Line ends: CR LF (CRs before LF, with sequences or dropped controls between) is LF. A lone CR
 * (followed by anything else) depends on the caller:
 *  - by default it becomes LF: the text before the CR and the text that overwrote it are both
 *    kept, each a line of its own ("10%\r50%\r\n" is "10%\n50%\n"). For expect matching (each
 *    version of a redrawn line is matchable, a prompt after a lone CR starts a line) and for
 *    exports (the evidence is kept, not the overwritten mix a terminal would show);
 *  - with ANSI_LINE_EDITS it stays a CR, for a caller that draws lines as a terminal does
 *    (ui/linebuf.c: back to the start of the line, what follows overwrites).
 * BS is kept with ANSI_LINE_EDITS (the caller moves back), dropped otherwise. TAB and LF are
 * kept; every other C0 control (NUL, BEL, VT, FF ...) and DEL are dropped.
 */
#define ANSI_STRING_MAX 4096 /* bytes of an OSC/DCS/SOS/PM/APC string before it is given up */

enum ansi_flags {
	ANSI_LINE_EDITS = 1 << 0, /* keep lone CR and BS */
};

/* The parser state, embedded by its user; ansi_init() it. Fields are private. */
struct ansi {
	guint8 state;
	guint8 flags;
	gboolean osc;        /* the string is an OSC (BEL ends it) */
	gboolean cr_pending; /* a CR whose meaning depends on what comes next */
	gboolean c2_pending; /* 0xc2: a C1 control if a byte 0x80-0x9f follows */
	guint string_len;    /* bytes of the string so far */
};

void ansi_init(struct ansi *a, unsigned flags);
/* Strips len bytes, appending the text to out. */
void ansi_feed(struct ansi *a, const char *data, gsize len, GString *out);
/* The input ended: a pending CR (as LF, or CR with ANSI_LINE_EDITS) and a held 0xc2 go to out,
 * an unfinished sequence is dropped; a is ready for new input. */
void ansi_finish(struct ansi *a, GString *out);
/* A whole text at once (feed and finish): a new string, *out_len (may be NULL) its length. */
char *ansi_strip(const char *data, gsize len, unsigned flags, gsize *out_len);

#endif
