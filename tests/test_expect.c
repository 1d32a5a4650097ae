/* test_expect.c - the expect buffer: cleaning split escape sequences, consumption, the cap, tails. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "expect.h"

static GRegex *re(const char *pattern)
{
	GRegex *r = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);

	assert_non_null(r);
	return r;
}

static void feed_str(struct expect *ex, const char *s)
{
	expect_feed(ex, s, strlen(s));
}

/* Feeds s one byte at a time (every escape sequence split across feeds). */
static void feed_bytewise(struct expect *ex, const char *s)
{
	for (const char *p = s; *p; p++)
		expect_feed(ex, p, 1);
}

static void test_match_across_chunks(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) r = re("6\\.1\\.0-[0-9]+-cloud");
	g_autofree char *m = NULL;

	feed_str(ex, "uname -r\r\n6.1");
	assert_false(expect_match(ex, r, NULL));
	feed_str(ex, ".0-56-clo");
	assert_false(expect_match(ex, r, NULL));
	feed_str(ex, "ud-amd64\r\n");
	assert_true(expect_match(ex, r, &m));
	assert_string_equal(m, "6.1.0-56-cloud");
	/* consumed up to the end of the match */
	assert_string_equal(expect_text(ex), "-amd64\n");
	expect_free(ex);
}

static void test_consumption(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) r = re("testbed# ");

	feed_str(ex, "boot\r\ntestbed# ");
	assert_true(expect_match(ex, r, NULL));
	/* the same text is not matched twice */
	assert_false(expect_match(ex, r, NULL));
	feed_str(ex, "ls\r\n");
	assert_false(expect_match(ex, r, NULL));
	feed_str(ex, "bin\r\ntestbed# ");
	assert_true(expect_match(ex, r, NULL));
	assert_false(expect_match(ex, r, NULL));
	/* expect_clear drops what was there */
	feed_str(ex, "testbed# ");
	expect_clear(ex);
	assert_false(expect_match(ex, r, NULL));
	assert_string_equal(expect_text(ex), "");
	expect_free(ex);
}

static void test_noise_removed(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) r = re("^testbed# uname$");

	/* busybox: the prompt, then ESC[6n; an OSC title ended by BEL and one by ESC \ */
	feed_bytewise(ex, "\x1b]0;title\atestbed# \x1b[6n\x1b]2;t\x1b\\\x1b[1;32mu\x1b[0mname\r\n");
	assert_string_equal(expect_text(ex), "testbed# uname\n");
	assert_true(expect_match(ex, r, NULL));
	expect_clear(ex);
	/* ESC ( B, ESC =, and a DCS string */
	feed_bytewise(ex, "a\x1b(Bb\x1b=c\x1bPq#0\x1b\\d\r\r\n");
	assert_string_equal(expect_text(ex), "abcd\n");
	expect_clear(ex);
	/* a CSI as UTF-8 C1, controls but LF and TAB (BS too), a newline after a truncated CSI */
	feed_bytewise(ex, "\xc2\x9b" "1ma\bb\x01\tc\x1b[12\nd");
	assert_string_equal(expect_text(ex), "ab\tc\nd");
	expect_free(ex);
}

static void test_carriage_returns(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) r = re("^50%$");

	/* CR LF split across feeds is one LF */
	feed_str(ex, "line\r");
	feed_str(ex, "\nnext\r\n");
	assert_string_equal(expect_text(ex), "line\nnext\n");
	expect_clear(ex);
	/* a lone CR redraws the line: each version is a line of its own */
	feed_str(ex, "10%\r50%\r\x1b[K100%\r\n");
	assert_string_equal(expect_text(ex), "10%\n50%\n100%\n");
	assert_true(expect_match(ex, r, NULL));
	expect_free(ex);
}

static void test_invalid_utf8(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) r = re("b.c");
	g_autoptr(GRegex) r2 = re("é!");
	g_autofree char *m = NULL;

	feed_str(ex, "a\xff\xfe b\xff" "c tail");
	assert_true(expect_match(ex, r, &m));
	assert_memory_equal(m, "b\xff" "c", 3);
	assert_string_equal(expect_text(ex), " tail");
	/* a character split across feeds still matches a UTF-8 pattern */
	expect_clear(ex);
	feed_str(ex, "caf\xc3");
	assert_false(expect_match(ex, r2, NULL));
	feed_str(ex, "\xa9!");
	assert_true(expect_match(ex, r2, NULL));
	expect_free(ex);
}

static void test_cap(void **state)
{
	struct expect *ex = expect_new();
	g_autoptr(GRegex) first = re("FIRST");
	g_autoptr(GRegex) last = re("LAST");
	char chunk[4096];

	memset(chunk, 'x', sizeof chunk);
	chunk[sizeof chunk - 1] = '\n';
	feed_str(ex, "FIRST\n");
	for (int i = 0; i < (EXPECT_KEEP / (int)sizeof chunk) + 10; i++)
		expect_feed(ex, chunk, sizeof chunk);
	feed_str(ex, "LAST\n");
	assert_true(strlen(expect_text(ex)) <= EXPECT_KEEP);
	assert_true(strlen(expect_text(ex)) >= EXPECT_KEEP - 8);
	assert_false(expect_match(ex, first, NULL));
	assert_true(expect_match(ex, last, NULL));
	/* one huge feed is capped too */
	{
		gsize big = (gsize)EXPECT_KEEP * 3;
		char *mem = g_malloc(big);

		memset(mem, 'y', big);
		expect_feed(ex, mem, big);
		g_free(mem);
		assert_int_equal(strlen(expect_text(ex)), EXPECT_KEEP);
	}
	expect_free(ex);
}

static void test_tail(void **state)
{
	struct expect *ex = expect_new();
	g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;

	feed_str(ex, "one\r\ntwo\r\nthree\r\nfour\r\n");
	t1 = expect_tail(ex, 2);
	assert_string_equal(t1, "three\nfour\n");
	t2 = expect_tail(ex, 10);
	assert_string_equal(t2, "one\ntwo\nthree\nfour\n");
	feed_str(ex, "testbed# ");
	t3 = expect_tail(ex, 1);
	assert_string_equal(t3, "testbed# ");
	t4 = expect_tail(ex, 0);
	assert_string_equal(t4, "");
	expect_free(ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_across_chunks),
		cmocka_unit_test(test_consumption),
		cmocka_unit_test(test_noise_removed),
		cmocka_unit_test(test_carriage_returns),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
