/* test_ui_lineedit.c - the one-line editor of the console's prompts: editing keys and scrolling. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "cells.h"
#include "lineedit.h"

static void expect_text(struct lineedit *le, const char *want)
{
	g_autofree char *got = lineedit_text(le);

	assert_string_equal(got, want);
}

static void type(struct lineedit *le, const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p))
		lineedit_insert(le, g_utf8_get_char(p));
}

static void test_prefill_and_edit(void **state)
{
	struct lineedit *le = lineedit_new("uname -s");

	assert_int_equal(lineedit_cursor(le), 8);
	type(le, "r");
	expect_text(le, "uname -sr");
	lineedit_home(le);
	lineedit_delete(le);
	type(le, "U");
	expect_text(le, "Uname -sr");
	lineedit_end(le);
	lineedit_backspace(le);
	lineedit_backspace(le);
	expect_text(le, "Uname -");
	lineedit_left(le);
	lineedit_kill_to_end(le);
	expect_text(le, "Uname ");
	lineedit_free(le);
}

static void test_words_and_kills(void **state)
{
	struct lineedit *le = lineedit_new("echo one two  three");

	lineedit_kill_word(le);
	expect_text(le, "echo one two  ");
	lineedit_word_left(le);
	assert_int_equal(lineedit_cursor(le), 9);
	lineedit_kill_to_start(le);
	expect_text(le, "two  ");
	assert_int_equal(lineedit_cursor(le), 0);
	lineedit_word_right(le);
	assert_int_equal(lineedit_cursor(le), 3);
	/* at the edges nothing breaks */
	lineedit_home(le);
	lineedit_backspace(le);
	lineedit_left(le);
	lineedit_end(le);
	lineedit_delete(le);
	lineedit_right(le);
	expect_text(le, "two  ");
	lineedit_free(le);
}

static void test_unicode(void **state)
{
	struct lineedit *le = lineedit_new("");

	type(le, "caf\xc3\xa9 \xe6\x97\xa5");
	assert_int_equal(lineedit_length(le), 6);
	lineedit_backspace(le);
	expect_text(le, "caf\xc3\xa9 ");
	lineedit_set(le, "bad\xff" "x");
	expect_text(le, "bad\xef\xbf\xbdx");
	lineedit_free(le);
}

static void test_view_scrolls_to_cursor(void **state)
{
	struct lineedit *le = lineedit_new("0123456789abcdefghij");
	int col = -1;
	g_autofree char *v1 = NULL, *v2 = NULL, *v3 = NULL;

	/* cursor at the end of 20 chars in 10 cells: the end is shown, cursor in view */
	v1 = lineedit_view(le, 10, "|", &col);
	assert_true(col >= 0 && col <= 9);
	assert_true(g_str_has_suffix(v1, "j"));
	assert_true(cells_text_width(v1) <= 10);
	lineedit_home(le);
	v2 = lineedit_view(le, 10, "|", &col);
	assert_int_equal(col, 0);
	assert_string_equal(v2, "0123456789");
	/* a newline inside shows as the given glyph */
	lineedit_set(le, "a\nb");
	v3 = lineedit_view(le, 10, "\xe2\x86\xb5", &col);
	assert_string_equal(v3, "a\xe2\x86\xb5" "b");
	assert_int_equal(col, 3);
	lineedit_free(le);
}

static void test_capped(void **state)
{
	struct lineedit *le = lineedit_new("");

	for (int i = 0; i < LINEEDIT_MAX_CHARS + 100; i++)
		lineedit_insert(le, 'x');
	assert_int_equal(lineedit_length(le), LINEEDIT_MAX_CHARS);
	lineedit_free(le);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefill_and_edit),
		cmocka_unit_test(test_words_and_kills),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_view_scrolls_to_cursor),
		cmocka_unit_test(test_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
