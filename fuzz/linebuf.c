/* fuzz/linebuf.c - libFuzzer target: raw terminal bytes into the console's line buffer, split anywhere. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "lineedit.h"
#include "linebuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_LINES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf *lb = linebuf_new(FUZZ_MAX_LINES);
	struct lineedit *le;
	size_t pos = 0, chunk = size ? (size_t)data[0] % 7 + 1 : 1;
	int col;
	char *text, *view;

	/* the same bytes in chunks of a size the input picks: splits land inside sequences */
	while (pos < size) {
		size_t n = MIN(chunk, size - pos);

		linebuf_feed(lb, (const char *)data + pos, n);
		pos += n;
	}
	g_assert(linebuf_n_lines(lb) <= FUZZ_MAX_LINES + 1);
	for (guint i = 0; i < linebuf_n_lines(lb); i++) {
		const char *line = linebuf_line(lb, i);

		g_assert(g_utf8_validate(line, -1, NULL));
		g_assert(g_utf8_strlen(line, -1) <= LINEBUF_MAX_COLS);
		for (const char *p = line; *p; p++)
			g_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
	}
	/* the prompt editor takes any text too */
	text = g_strndup((const char *)data, size);
	le = lineedit_new(text);
	lineedit_kill_word(le);
	lineedit_home(le);
	lineedit_insert(le, 0x1f600);
	view = lineedit_view(le, 20, "|", &col);
	g_assert(col >= 0 && col <= 20);
	g_assert(g_utf8_validate(view, -1, NULL));
	g_free(view);
	lineedit_free(le);
	g_free(text);
	linebuf_free(lb);
	return 0;
}
