/* vtgrid.c - libFuzzer target: arbitrary bytes fed to a vtgrid in random chunks, with resizes and reads. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vtgrid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(struct vtgrid *g)
{
	int rows = vtgrid_rows(g), cols = vtgrid_cols(g), r, c;

	vtgrid_cursor(g, &r, &c, NULL);
	if (r < 0 || r >= rows || c < 0 || c >= cols)
		abort();
	if (vtgrid_scrollback_count(g) > vtgrid_scrollback_limit(g))
		abort();
	for (int row = -vtgrid_scrollback_count(g); row < rows; row++) {
		int n = 0;
		const struct vtgrid_cell *cells = vtgrid_line(g, row, &n);
		if (!cells || (row >= 0 && n != cols))
			abort();
		for (int i = 0; i < n; i++)
			if (cells[i].ch > 0x10ffff || cells[i].width > 2)
				abort();
		char *t = vtgrid_line_text(g, row);
		free(t);
	}
	/* keys in whatever modes the input set: bounded, 7-bit */
	for (int k = VTGRID_KEY_NONE; k < VTGRID_KEY_COUNT; k++) {
		char out[VTGRID_KEY_BYTES_MAX];
		gsize n = vtgrid_key_bytes(g, (enum vtgrid_key)k, out);
		if (n > sizeof(out))
			abort();
		for (gsize j = 0; j < n; j++)
			if ((unsigned char)out[j] >= 0x80)
				abort();
	}
}

/*
 * Layout: 3 header bytes (rows, cols, scrollback), then records: a control byte c; c < 0xf0
 * feeds the next (c % 97) + 1 bytes; 0xf0-0xf7 resizes from the next 2 bytes; 0xf8-0xfb
 * checks the whole grid, encodes keys and searches; 0xfc resets; others feed one byte.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	struct vtgrid *g = vtgrid_new(1 + data[0] % 40, 1 + data[1] % 120, data[2] % 64);
	size_t i = 3;

	while (i < size) {
		uint8_t c = data[i++];
		if (c < 0xf0) {
			size_t n = (size_t)(c % 97) + 1;
			if (n > size - i)
				n = size - i;
			vtgrid_feed(g, (const char *)data + i, n);
			i += n;
		} else if (c < 0xf8) {
			if (size - i < 2)
				break;
			vtgrid_resize(g, 1 + data[i] % 40, 1 + data[i + 1] % 120);
			i += 2;
		} else if (c < 0xfc) {
			int row, col;
			check(g);
			vtgrid_search(g, "a", 0, -vtgrid_scrollback_count(g), 0, &row, &col, NULL);
			vtgrid_search(g, "[^ ]+x", VTGRID_SEARCH_REGEX | VTGRID_SEARCH_BACKWARD, vtgrid_rows(g), -1, &row,
				      &col, NULL);
			vtgrid_clear_dirty(g);
		} else if (c == 0xfc) {
			vtgrid_reset(g);
		} else {
			vtgrid_feed(g, (const char *)data + i - 1, 1);
		}
	}
	check(g);
	vtgrid_free(g);
	return 0;
}
