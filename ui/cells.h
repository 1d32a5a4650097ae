/* cells.h - terminal cell widths of UTF-8 text: measuring and cutting to fit a width. */
#ifndef VIRTCON_UI_CELLS_H
#define VIRTCON_UI_CELLS_H

#include <glib.h>

/* Cells a character takes: 0 (combining, zero-width), 1, or 2 (wide). Controls count 1
 * (they are drawn as a replacement character). */
int cells_char_width(gunichar c);
/* Cells of a whole UTF-8 string (invalid bytes count 1 each). */
int cells_text_width(const char *text);
/* Bytes of text that fit in max_cells cells (never splitting a character). */
gsize cells_fit(const char *text, int max_cells, int *used_cells);

#endif
