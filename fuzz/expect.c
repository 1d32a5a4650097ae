/* expect.c - libFuzzer target: guest output, split into feeds at fuzzer-chosen points, through the expect cleaner and matcher. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "expect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static GRegex *prompt, *raw_any, *line;
	struct expect *ex;
	size_t pos = 0;

	if (!prompt) {
		prompt = g_regex_new("testbed# $", G_REGEX_MULTILINE, 0, NULL);
		raw_any = g_regex_new("[^a]\\w+", G_REGEX_RAW, 0, NULL);
		line = g_regex_new("^é.*$", G_REGEX_MULTILINE, 0, NULL);
	}
	ex = expect_new();
	/* the first byte of each chunk is its length (0..63): splits at arbitrary points */
	while (pos < size) {
		size_t n = MIN((size_t)(data[pos] & 63), size - pos - 1);
		char *m = NULL;

		expect_feed(ex, (const char *)data + pos + 1, n);
		pos += 1 + n;
		const char *text = expect_text(ex);
		/* the cleaned text never holds escape sequences' ESC or a CR */
		if (strchr(text, '\x1b') || strchr(text, '\r'))
			__builtin_trap();
		if (strlen(text) > EXPECT_KEEP)
			__builtin_trap();
		switch (data[pos - 1 - n] >> 6) {
		case 0:
			expect_match(ex, prompt, &m);
			break;
		case 1:
			expect_match(ex, raw_any, &m);
			break;
		case 2:
			expect_match(ex, line, &m);
			break;
		default:
			g_free(expect_tail(ex, 3));
			break;
		}
		g_free(m);
	}
	expect_free(ex);
	return 0;
}
