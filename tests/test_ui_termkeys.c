/* test_ui_termkeys.c - keys of an interactive console pane as the bytes a terminal sends. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "keys.h"
#include "termkeys.h"

static void expect_bytes(int key, const char *bytes)
{
	char out[TERMKEYS_MAX];
	gsize n = termkeys_encode(key, out);

	assert_int_equal(n, strlen(bytes));
	assert_memory_equal(out, bytes, n);
}

static void test_characters(void **state)
{
	(void)state;
	expect_bytes('a', "a");
	expect_bytes(' ', " ");
	expect_bytes(0xe9, "\xc3\xa9");     /* é */
	expect_bytes(0x1f600, "\xf0\x9f\x98\x80");
	expect_bytes('\r', "\r");
	expect_bytes('\n', "\r");            /* Enter as a terminal sends it */
	expect_bytes(UI_CTRL('c'), "\003");
	expect_bytes(UI_CTRL('h'), "\177");
	expect_bytes(0x7f, "\177");
	expect_bytes('\t', "\t");
	expect_bytes(UI_KEY_ESC, "\033");
}

static void test_function_keys(void **state)
{
	(void)state;
	expect_bytes(UI_KEY_FN(KEY_UP), "\033[A");
	expect_bytes(UI_KEY_FN(KEY_LEFT), "\033[D");
	expect_bytes(UI_KEY_FN(KEY_HOME), "\033[H");
	expect_bytes(UI_KEY_FN(KEY_DC), "\033[3~");
	expect_bytes(UI_KEY_FN(KEY_NPAGE), "\033[6~");
	expect_bytes(UI_KEY_FN(KEY_BACKSPACE), "\177");
	expect_bytes(UI_KEY_FN(KEY_ENTER), "\r");
	expect_bytes(UI_KEY_FN(KEY_F(1)), "\033OP");
	expect_bytes(UI_KEY_FN(KEY_F(12)), "\033[24~");
	expect_bytes(UI_KEY_FN(KEY_BTAB), "\033[Z");
}

static void test_nothing(void **state)
{
	char out[TERMKEYS_MAX];

	(void)state;
	assert_int_equal(termkeys_encode(UI_KEY_FN(KEY_RESIZE), out), 0);
	assert_int_equal(termkeys_encode(UI_KEY_FN(KEY_MOUSE), out), 0);
	assert_int_equal(termkeys_encode(0xd800, out), 0);   /* a lone surrogate */
	assert_int_equal(termkeys_encode(0x110000, out), 0);
	assert_int_equal(termkeys_encode(-1, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_characters),
		cmocka_unit_test(test_function_keys),
		cmocka_unit_test(test_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
