/* linebuf.h - raw terminal output into a bounded ring of plain text lines (escapes and CRs resolved). */
#ifndef VIRTCON_UI_LINEBUF_H
#define VIRTCON_UI_LINEBUF_H

#include <glib.h>

/*
 * Bytes in, lines out. Escape sequences and controls are dropped as ansi.h says (with
 * ANSI_LINE_EDITS); CR LF ends a line, a lone CR returns to the start of the line (what follows
 * overwrites it), BS moves back, TAB goes to the next multiple of 8. UTF-8 split across feeds is
 * joined; invalid bytes become U+FFFD. At most max_lines lines are kept (the oldest go first) and
 * a line longer than LINEBUF_MAX_COLS is broken.
 * A terminal grid (vtgrid) will replace this for panes that need cursor addressing.
 */
#define LINEBUF_MAX_COLS 4096

struct linebuf;

struct linebuf *linebuf_new(guint max_lines);
void linebuf_free(struct linebuf *lb);
void linebuf_feed(struct linebuf *lb, const char *data, gsize len);
void linebuf_clear(struct linebuf *lb);
/* Lines, counting the unfinished last line when it has text. */
guint linebuf_n_lines(const struct linebuf *lb);
/* Line i (0 is the oldest kept) as UTF-8; valid until the next feed or clear. */
const char *linebuf_line(struct linebuf *lb, guint i);
/* Lines dropped from the front since the last clear (to keep a scroll position steady). */
guint64 linebuf_dropped(const struct linebuf *lb);

#endif
