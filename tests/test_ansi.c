/* test_ansi.c - the escape-sequence stripper: exact cases, each also fed split at every byte. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "ansi.h"

struct strip_case {
	const char *name;
	const char *in;
	const char *text;  /* the output by default */
	const char *edits; /* with ANSI_LINE_EDITS, NULL: the same as text */
};

static const struct strip_case cases[] = {
	{ "plain", "hello, world", "hello, world", NULL },
	{ "utf8 text", "caf\xc3\xa9 \xe2\x9c\x94 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x9c\x94 \xf0\x9f\x98\x80",
	  NULL },
	/* CSI */
	{ "sgr", "\033[1;31mred\033[0m plain\033[K", "red plain", NULL },
	{ "csi private", "a\033[?25lb\033[?1049h\033[>0;1c\033[=5uc", "abc", NULL },
	{ "csi intermediates", "a\033[2 qb\033[0\"pc\033[!pd", "abcd", NULL },
	{ "csi colon subparams", "\033[38:2::255:0:0mx", "x", NULL },
	{ "busybox dsr", "testbed# \033[6n", "testbed# ", NULL },
	{ "csi del ignored", "\033[1\1772mx", "x", NULL },
	{ "csi cut by newline", "a\033[12\nb", "a\nb", NULL },
	{ "csi cut by utf8", "\033[3\xc3\xa9x", "\xc3\xa9x", NULL },
	{ "csi cut by esc", "\033[1\033[2mx", "x", NULL },
	{ "csi cancelled", "\033[1\030x\033[2\032y", "xy", NULL },
	/* OSC */
	{ "osc bel", "\033]0;window title\007after", "after", NULL },
	{ "osc st", "\033]8;;http://x/\033\\link\033]8;;\033\\", "link", NULL },
	{ "osc with controls", "\033]2;a\nb\tc\007d", "d", NULL },
	{ "osc cancelled", "\033]0;t\030x", "x", NULL },
	{ "osc ended by esc", "\033]0;t\033[1mx", "x", NULL },
	/* DCS, SOS, PM, APC: ST only */
	{ "dcs", "\033P1$r0m\033\\dcs gone", "dcs gone", NULL },
	{ "dcs bel inside", "\033Pq#0\007;\033\\x", "x", NULL },
	{ "sos pm apc", "a\033Xsos\033\\b\033^pm\033\\c\033_apc\007still\033\\d", "abcd", NULL },
	/* two-byte and intermediate escapes */
	{ "two byte", "a\0337b\0338c\033=d\033>e\033Mf\033cg", "abcdefg", NULL },
	{ "charset", "\033(Bx\033)0y", "xy", NULL },
	{ "intermediates", "\033#8a\033 Gb\033%Gc", "abc", NULL },
	{ "lone st", "a\033\\b", "ab", NULL },
	{ "esc esc", "\033\033[1mx", "x", NULL },
	{ "esc then newline", "a\033\nb", "a\nb", NULL },
	{ "esc then utf8", "\033\xc3\xa9", "\xc3\xa9", NULL },
	{ "esc del", "\033\177[1mx", "x", NULL },
	{ "unfinished at the end", "text\033[1;3", "text", NULL },
	{ "unfinished string at the end", "text\033]0;no end", "text", NULL },
	/* C1 controls as UTF-8 */
	{ "c1 csi", "a\xc2\x9b" "1;31mb", "ab", NULL },
	{ "c1 osc st", "a\xc2\x9d" "0;t\xc2\x9c" "b", "ab", NULL },
	{ "c1 osc bel", "a\xc2\x9d" "0;t\007b", "ab", NULL },
	{ "c1 dcs esc st", "a\xc2\x90q\033\\b", "ab", NULL },
	{ "c1 st after esc string", "a\033]0;t\xc2\x9c" "b", "ab", NULL },
	{ "c1 others dropped", "a\xc2\x85" "b\xc2\x80" "c\xc2\x9a" "d", "abcd", NULL },
	{ "c1 ends a string", "\033Pq\xc2\x85" "x", "x", NULL },
	{ "c2 text", "\xc2\xa9 \xc2\xa0x", "\xc2\xa9 \xc2\xa0x", NULL },
	{ "c2 then esc", "\xc2\033[mx", "\xc2x", NULL },
	{ "c2 c2 c1", "\xc2\xc2\x85x", "\xc2x", NULL },
	{ "c2 at the end", "x\xc2", "x\xc2", NULL },
	{ "c2 in a string", "\033]0;\xc2\xa9\007x", "x", NULL },
	{ "raw c1 byte is not a control", "a\x9b" "1mb", "a\x9b" "1mb", NULL },
	{ "invalid utf8 passes", "a\xff\xfe b\xff" "c", "a\xff\xfe b\xff" "c", NULL },
	/* line ends */
	{ "crlf", "one\r\ntwo\nthree\r\n", "one\ntwo\nthree\n", NULL },
	{ "cr cr lf", "line\r\r\nnext", "line\nnext", NULL },
	{ "cr sequence lf", "line\r\033[K\nnext", "line\nnext", NULL },
	{ "lone cr", "10%\r50%\r\033[K100%\r\n", "10%\n50%\n100%\n", "10%\r50%\r100%\n" },
	{ "cr cr text", "a\r\rb", "a\nb", "a\rb" },
	{ "cr at the end", "prompt\r", "prompt\n", "prompt\r" },
	{ "cr before c1", "a\r\xc2\x85\nb", "a\nb", NULL },
	{ "cr before lone c2", "a\r\xc2x", "a\n\xc2x", "a\r\xc2x" },
	/* other controls */
	{ "backspace", "abc\b\bZ", "abcZ", "abc\b\bZ" },
	{ "tab kept", "\ta\tb", "\ta\tb", NULL },
	{ "c0 dropped", "a\001\002\003\007\013\014\016\017\177b", "ab", NULL },
	{ "can sub alone", "a\030b\032c", "abc", NULL },
	{ "empty", "", "", NULL },
};

static GString *strip_pieces(const char *in, gsize len, unsigned flags, gsize split)
{
	struct ansi a;
	GString *out = g_string_new(NULL);

	ansi_init(&a, flags);
	if (split == 0) {
		/* one byte at a time */
		for (gsize i = 0; i < len; i++)
			ansi_feed(&a, in + i, 1, out);
	} else {
		ansi_feed(&a, in, split, out);
		ansi_feed(&a, in + split, len - split, out);
	}
	ansi_finish(&a, out);
	return out;
}

static void assert_text(const struct strip_case *c, unsigned flags, const char *how, const char *got,
			gsize got_len, const char *want)
{
	if (got_len != strlen(want) || memcmp(got, want, got_len) != 0) {
		g_autofree char *g = g_strescape(got, NULL), *w = g_strescape(want, NULL);

		fail_msg("%s (flags %u, %s): got \"%s\", expected \"%s\"", c->name, flags, how, g, w);
	}
}

static void check_case(const struct strip_case *c, unsigned flags, const char *want)
{
	gsize len = strlen(c->in), got_len;
	g_autofree char *whole = ansi_strip(c->in, len, flags, &got_len);

	assert_text(c, flags, "whole", whole, got_len, want);
	/* any split, and byte by byte, gives the same text */
	for (gsize split = 0; split <= len; split++) {
		g_autoptr(GString) out = strip_pieces(c->in, len, flags, split);
		g_autofree char *how = split ? g_strdup_printf("split at %zu", split) : g_strdup("bytewise");

		assert_text(c, flags, how, out->str, out->len, want);
	}
}

static void test_cases(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct strip_case *c = &cases[i];

		check_case(c, 0, c->text);
		check_case(c, ANSI_LINE_EDITS, c->edits ? c->edits : c->text);
	}
}

/*
 * A string is stripped whole up to ANSI_STRING_MAX bytes, in any chunks; one with no end after
 * that is given up: a stray ESC ] hides at most that much of what follows.
 */
static void test_unterminated_string(void **state)
{
	struct ansi a;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) want = g_string_new("before\n");
	char junk[ANSI_STRING_MAX];

	(void)state;
	memset(junk, 'j', sizeof(junk));
	/* the longest string kept whole, fed in pieces, ended by BEL */
	ansi_init(&a, 0);
	ansi_feed(&a, "before\n\033]0;", 11, out);
	ansi_feed(&a, junk, sizeof(junk) - 2 - 1000, out);
	ansi_feed(&a, junk, 1000, out);
	ansi_feed(&a, "\007after\n", 7, out);
	ansi_finish(&a, out);
	assert_string_equal(out->str, "before\nafter\n");
	/* one byte more and no end: the string is given up, the rest is text */
	g_string_truncate(out, 0);
	ansi_feed(&a, "before\n\033]0;", 11, out);
	ansi_feed(&a, junk, sizeof(junk) - 2, out);
	ansi_feed(&a, "!log in:\n", 10, out);
	ansi_finish(&a, out);
	g_string_append(want, "!log in:\n");
	assert_string_equal(out->str, want->str);
}

/* NUL padding is dropped, and does not make a CR before LF a lone one. */
static void test_nul(void **state)
{
	static const char in[] = "a\000b\r\000\nc";
	gsize len;
	g_autofree char *out = ansi_strip(in, sizeof(in) - 1, 0, &len);

	(void)state;
	assert_int_equal(len, 4);
	assert_string_equal(out, "ab\nc");
}

/* ansi_finish() leaves the parser as new: a sequence cut at the end does not eat the next input. */
static void test_finish_resets(void **state)
{
	struct ansi a;
	g_autoptr(GString) out = g_string_new(NULL);

	(void)state;
	ansi_init(&a, 0);
	ansi_feed(&a, "x\033]0;title", 10, out);
	ansi_finish(&a, out);
	ansi_feed(&a, "y\r", 2, out);
	ansi_finish(&a, out);
	assert_string_equal(out->str, "xy\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_unterminated_string),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_finish_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
