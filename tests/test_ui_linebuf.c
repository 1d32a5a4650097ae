/* test_ui_linebuf.c - the console's line buffer: raw terminal bytes in, plain lines out. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "ansi.h"
#include "linebuf.h"

static void feed(struct linebuf *lb, const char *s)
{
	linebuf_feed(lb, s, strlen(s));
}

/* All lines joined with '|', for compact expectations. */
static char *lines_of(struct linebuf *lb)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < linebuf_n_lines(lb); i++)
		g_string_append_printf(out, "%s%s", i ? "|" : "", linebuf_line(lb, i));
	return g_string_free(out, FALSE);
}

static void expect_lines(struct linebuf *lb, const char *want)
{
	g_autofree char *got = lines_of(lb);

	assert_string_equal(got, want);
}

static void test_plain_and_crlf(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "one\r\ntwo\nthree");
	expect_lines(lb, "one|two|three");
	assert_int_equal(linebuf_n_lines(lb), 3);
	feed(lb, "\r\n");
	expect_lines(lb, "one|two|three");
	linebuf_free(lb);
}

static void test_cr_overwrites(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "progress 10%\rprogress 100%\r\n");
	feed(lb, "abcdef\rXY\n");
	feed(lb, "abc\b\bZ\n");
	expect_lines(lb, "progress 100%|XYcdef|aZc");
	linebuf_free(lb);
}

static void test_escapes_dropped(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "\033[1;31mred\033[0m plain\033[K\n");
	feed(lb, "\033]0;window title\007after osc\n");
	feed(lb, "\033]8;;http://x\033\\link\033]8;;\033\\\n");
	feed(lb, "\033(Bcharset\0337saved\0338\n");
	feed(lb, "\033P1$r0m\033\\dcs gone\n");
	expect_lines(lb, "red plain|after osc|link|charsetsaved|dcs gone");
	linebuf_free(lb);
}

/* C1 controls as UTF-8 are controls (ansi.h): U+009B is a CSI, U+0085 is dropped, not drawn. */
static void test_c1_controls(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "a\xc2\x9b" "31mred\xc2\x9b" "0m\xc2\x85!\n");
	feed(lb, "\xc2\x9d" "0;title\xc2\x9c" "after\n");
	expect_lines(lb, "ared!|after");
	linebuf_free(lb);
}

static void test_split_across_feeds(void **state)
{
	struct linebuf *lb = linebuf_new(100);
	const char *text = "caf\xc3\xa9 \033[32mok\033[0m \xe2\x9c\x94\n";

	/* one byte at a time: escapes and UTF-8 split anywhere */
	for (const char *p = text; *p; p++)
		linebuf_feed(lb, p, 1);
	expect_lines(lb, "caf\xc3\xa9 ok \xe2\x9c\x94");
	linebuf_free(lb);
}

static void test_invalid_utf8_and_controls(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "a\xff" "b\xc3(c\x01\x07" "d\n");
	expect_lines(lb, "a\xef\xbf\xbd" "b\xef\xbf\xbd(cd");
	linebuf_free(lb);
}

static void test_tabs(void **state)
{
	struct linebuf *lb = linebuf_new(100);

	feed(lb, "a\tb\n\tc\n");
	expect_lines(lb, "a       b|        c");
	linebuf_free(lb);
}

static void test_ring_drops_oldest(void **state)
{
	struct linebuf *lb = linebuf_new(3);

	for (int i = 0; i < 10; i++) {
		char line[16];

		g_snprintf(line, sizeof(line), "l%d\n", i);
		feed(lb, line);
	}
	expect_lines(lb, "l7|l8|l9");
	assert_int_equal(linebuf_dropped(lb), 7);
	linebuf_clear(lb);
	assert_int_equal(linebuf_n_lines(lb), 0);
	assert_int_equal(linebuf_dropped(lb), 0);
	linebuf_free(lb);
}

static void test_long_line_broken(void **state)
{
	struct linebuf *lb = linebuf_new(10);
	char *big = g_malloc(LINEBUF_MAX_COLS + 11);

	memset(big, 'x', LINEBUF_MAX_COLS + 10);
	big[LINEBUF_MAX_COLS + 10] = '\0';
	feed(lb, big);
	assert_int_equal(linebuf_n_lines(lb), 2);
	assert_int_equal(strlen(linebuf_line(lb, 0)), LINEBUF_MAX_COLS);
	assert_int_equal(strlen(linebuf_line(lb, 1)), 10);
	g_free(big);
	linebuf_free(lb);
}

static void test_unterminated_escape_bounded(void **state)
{
	struct linebuf *lb = linebuf_new(10);
	char junk[ANSI_STRING_MAX];

	/* an OSC swallows its bytes without keeping them, up to ANSI_STRING_MAX of them */
	memset(junk, 'j', sizeof(junk));
	feed(lb, "before\n\033]");
	linebuf_feed(lb, junk, sizeof(junk) - 2);
	feed(lb, "\007after\n");
	expect_lines(lb, "before|after");
	linebuf_free(lb);
	/* one with no end is given up there: what follows shows */
	lb = linebuf_new(10);
	feed(lb, "before\n\033]");
	linebuf_feed(lb, junk, sizeof(junk) - 2);
	feed(lb, "xyz\nafter\n");
	expect_lines(lb, "before|z|after");
	linebuf_free(lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_crlf),
		cmocka_unit_test(test_cr_overwrites),
		cmocka_unit_test(test_escapes_dropped),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_split_across_feeds),
		cmocka_unit_test(test_invalid_utf8_and_controls),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_ring_drops_oldest),
		cmocka_unit_test(test_long_line_broken),
		cmocka_unit_test(test_unterminated_escape_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
