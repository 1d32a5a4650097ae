/* termkeys.c - a key press as the bytes an xterm sends for it, for a console pane in interactive mode. */
#include "config.h"

#include <string.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "keys.h"
#include "termkeys.h"

/* curses keys to the grid's keys; the bytes come from the grid, which knows the guest's modes */
static const struct {
	int key;
	enum vtgrid_key vkey;
} fn_keys[] = {
	{ KEY_UP, VTGRID_KEY_UP },
	{ KEY_DOWN, VTGRID_KEY_DOWN },
	{ KEY_RIGHT, VTGRID_KEY_RIGHT },
	{ KEY_LEFT, VTGRID_KEY_LEFT },
	{ KEY_HOME, VTGRID_KEY_HOME },
	{ KEY_END, VTGRID_KEY_END },
	{ KEY_IC, VTGRID_KEY_INSERT },
	{ KEY_DC, VTGRID_KEY_DELETE },
	{ KEY_PPAGE, VTGRID_KEY_PAGE_UP },
	{ KEY_NPAGE, VTGRID_KEY_PAGE_DOWN },
	{ KEY_BTAB, VTGRID_KEY_BACKTAB },
	{ KEY_BACKSPACE, VTGRID_KEY_BACKSPACE },
	/* the keypad keys curses reports (the outer terminal is in application keypad mode) */
	{ KEY_ENTER, VTGRID_KEY_KP_ENTER },
	{ KEY_A1, VTGRID_KEY_KP(7) },
	{ KEY_A3, VTGRID_KEY_KP(9) },
	{ KEY_B2, VTGRID_KEY_KP(5) },
	{ KEY_C1, VTGRID_KEY_KP(1) },
	{ KEY_C3, VTGRID_KEY_KP(3) },
};

gsize termkeys_encode(int key, struct vtgrid *grid, char out[TERMKEYS_MAX])
{
	if (UI_KEY_IS_FN(key)) {
		int k = key & ~0x200000;

		if (k >= KEY_F(1) && k <= KEY_F(12))
			return vtgrid_key_bytes(grid, VTGRID_KEY_F(k - KEY_F(0)), out);
		for (gsize i = 0; i < G_N_ELEMENTS(fn_keys); i++)
			if (fn_keys[i].key == k)
				return vtgrid_key_bytes(grid, fn_keys[i].vkey, out);
		return 0;
	}
	if (key < 0 || key > 0x10ffff || (key >= 0xd800 && key <= 0xdfff))
		return 0;
	if (key == '\r' || key == '\n')
		return vtgrid_key_bytes(grid, VTGRID_KEY_ENTER, out); /* a terminal's Enter */
	if (key == UI_CTRL('h')) {
		out[0] = 0x7f; /* Backspace as most terminals send it */
		return 1;
	}
	return (gsize)g_unichar_to_utf8((gunichar)key, out);
}
