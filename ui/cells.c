/* cells.c - terminal cell widths of UTF-8 text: measuring and cutting to fit a width. */
#include "config.h"

#include "cells.h"

int cells_char_width(gunichar c)
{
	if (c < 0x20 || c == 0x7f)
		return 1;
	if (g_unichar_iszerowidth(c))
		return 0;
	return g_unichar_iswide(c) ? 2 : 1;
}

/* One step through text: the character at p (U+FFFD for an invalid byte) and its length. */
static gunichar next_char(const char *p, gsize *len)
{
	gunichar c = g_utf8_get_char_validated(p, -1);

	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*len = 1;
		return 0xfffd;
	}
	*len = (gsize)(g_utf8_next_char(p) - p);
	return c;
}

int cells_text_width(const char *text)
{
	int w = 0;

	for (const char *p = text; p && *p;) {
		gsize len;
		gunichar c = next_char(p, &len);

		w += cells_char_width(c);
		p += len;
	}
	return w;
}

gsize cells_fit(const char *text, int max_cells, int *used_cells)
{
	const char *p = text;
	int w = 0;

	while (p && *p) {
		gsize len;
		gunichar c = next_char(p, &len);
		int cw = cells_char_width(c);

		if (w + cw > max_cells)
			break;
		w += cw;
		p += len;
	}
	if (used_cells)
		*used_cells = w;
	return p ? (gsize)(p - text) : 0;
}
