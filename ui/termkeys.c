/* termkeys.c - a key press as the bytes an xterm sends for it, for a console pane in interactive mode. */
#include "config.h"

#include <string.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "keys.h"
#include "termkeys.h"

struct seq {
	int key;
	const char *bytes;
};

static const struct seq fn_seqs[] = {
	{ KEY_UP, "\033[A" },     { KEY_DOWN, "\033[B" },   { KEY_RIGHT, "\033[C" },  { KEY_LEFT, "\033[D" },
	{ KEY_HOME, "\033[H" },   { KEY_END, "\033[F" },    { KEY_IC, "\033[2~" },    { KEY_DC, "\033[3~" },
	{ KEY_PPAGE, "\033[5~" }, { KEY_NPAGE, "\033[6~" }, { KEY_BTAB, "\033[Z" },   { KEY_ENTER, "\r" },
	{ KEY_BACKSPACE, "\177" }, { KEY_F(1), "\033OP" },  { KEY_F(2), "\033OQ" },   { KEY_F(3), "\033OR" },
	{ KEY_F(4), "\033OS" },   { KEY_F(5), "\033[15~" }, { KEY_F(6), "\033[17~" }, { KEY_F(7), "\033[18~" },
	{ KEY_F(8), "\033[19~" }, { KEY_F(9), "\033[20~" }, { KEY_F(10), "\033[21~" }, { KEY_F(11), "\033[23~" },
	{ KEY_F(12), "\033[24~" },
};

gsize termkeys_encode(int key, char out[TERMKEYS_MAX])
{
	if (UI_KEY_IS_FN(key)) {
		int k = key & ~0x200000;

		for (gsize i = 0; i < G_N_ELEMENTS(fn_seqs); i++) {
			if (fn_seqs[i].key == k) {
				gsize n = strlen(fn_seqs[i].bytes);

				memcpy(out, fn_seqs[i].bytes, n);
				return n;
			}
		}
		return 0;
	}
	if (key < 0 || key > 0x10ffff || (key >= 0xd800 && key <= 0xdfff))
		return 0;
	if (key == '\n') {
		out[0] = '\r'; /* a terminal's Enter */
		return 1;
	}
	if (key == UI_CTRL('h')) {
		out[0] = 0x7f; /* Backspace as most terminals send it */
		return 1;
	}
	return (gsize)g_unichar_to_utf8((gunichar)key, out);
}
