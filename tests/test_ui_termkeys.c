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
#include "vtgrid.h"

static struct vtgrid *grid;

static void expect_bytes(int key, const char *bytes)
{
	char out[TERMKEYS_MAX];
	gsize n = termkeys_encode(key, grid, out);

	assert_int_equal(n, strlen(bytes));
	assert_memory_equal(out, bytes, n);
}

static void feed(const char *s)
{
	vtgrid_feed(grid, s, strlen(s));
}

static int setup(void **state)
{
	(void)state;
	grid = vtgrid_new(24, 80, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vtgrid_free(grid);
	grid = NULL;
	return 0;
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
	expect_bytes(UI_KEY_FN(KEY_END), "\033[F");
	expect_bytes(UI_KEY_FN(KEY_IC), "\033[2~");
	expect_bytes(UI_KEY_FN(KEY_A1), "7"); /* the keypad, numeric */
	expect_bytes(UI_KEY_FN(KEY_C3), "3");
}

/* What the guest set decides: vim and less set application cursor keys (and often the keypad). */
static void test_guest_modes(void **state)
{
	(void)state;
	feed("\033[?1h");
	expect_bytes(UI_KEY_FN(KEY_UP), "\033OA");
	expect_bytes(UI_KEY_FN(KEY_DOWN), "\033OB");
	expect_bytes(UI_KEY_FN(KEY_HOME), "\033OH");
	expect_bytes(UI_KEY_FN(KEY_END), "\033OF");
	expect_bytes(UI_KEY_FN(KEY_NPAGE), "\033[6~");
	expect_bytes('\r', "\r");
	feed("\033=");
	expect_bytes(UI_KEY_FN(KEY_A1), "\033Ow");
	expect_bytes(UI_KEY_FN(KEY_B2), "\033Ou");
	expect_bytes(UI_KEY_FN(KEY_ENTER), "\033OM");
	expect_bytes('\r', "\r"); /* the main Enter key is not on the keypad */
	feed("\033[?1l\033>");
	expect_bytes(UI_KEY_FN(KEY_UP), "\033[A");
	expect_bytes(UI_KEY_FN(KEY_HOME), "\033[H");
	expect_bytes(UI_KEY_FN(KEY_ENTER), "\r");
	feed("\033[20h"); /* newline mode */
	expect_bytes('\r', "\r\n");
	feed("\033[20l");
	expect_bytes('\r', "\r");
}

static void test_nothing(void **state)
{
	char out[TERMKEYS_MAX];

	(void)state;
	assert_int_equal(termkeys_encode(UI_KEY_FN(KEY_RESIZE), grid, out), 0);
	assert_int_equal(termkeys_encode(UI_KEY_FN(KEY_MOUSE), grid, out), 0);
	assert_int_equal(termkeys_encode(0xd800, grid, out), 0);   /* a lone surrogate */
	assert_int_equal(termkeys_encode(0x110000, grid, out), 0);
	assert_int_equal(termkeys_encode(-1, grid, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
