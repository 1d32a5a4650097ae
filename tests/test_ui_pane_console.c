/* test_ui_pane_console.c - the console pane drawn by ncurses off-screen: text, colours, scrollback that stays still. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "draw.h"
#include "keys.h"
#include "pane.h"
#include "vtgrid.h"

#define ROWS 10
#define COLS 40

struct fixture {
	FILE *out, *in;
	SCREEN *screen;
	struct draw d;
	struct pane *pane;
};

static int setup_with(void **state, gboolean color)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->out = fopen("/dev/null", "w");
	f->in = fopen("/dev/null", "r");
	f->screen = newterm("xterm-256color", f->out, f->in);
	if (!f->screen) {
		print_message("no xterm-256color terminfo\n");
		return -1;
	}
	set_term(f->screen);
	resize_term(ROWS + 2, COLS + 2);
	draw_init(&f->d, TRUE, TRUE, color);
	f->pane = pane_new(&pane_console_ops, "vm1", &f->d, NULL);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, TRUE);
}

static int setup_no_color(void **state)
{
	return setup_with(state, FALSE);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pane_free(f->pane);
	endwin();
	delscreen(f->screen);
	fclose(f->out);
	fclose(f->in);
	draw_free(&f->d);
	g_free(f);
	return 0;
}

static void draw(struct fixture *f)
{
	struct rect r = { 1, 1, ROWS, COLS };

	werase(stdscr);
	pane_draw(f->pane, stdscr, r);
}

/* The text of a pane row as drawn (trailing blanks trimmed). */
static char *row_text(int row)
{
	char buf[COLS + 1];

	for (int x = 0; x < COLS; x++)
		buf[x] = (char)(mvwinch(stdscr, 1 + row, 1 + x) & A_CHARTEXT);
	buf[COLS] = '\0';
	return g_strchomp(g_strdup(buf));
}

static void feed(struct fixture *f, const char *s)
{
	pane_feed(f->pane, s, strlen(s));
}

static void test_text_and_title(void **state)
{
	struct fixture *f = *state;
	g_autofree char *r0 = NULL, *r1 = NULL;

	assert_string_equal(f->pane->title, "console: vm1");
	feed(f, "hello\r\nworld");
	draw(f);
	r0 = row_text(0);
	r1 = row_text(1);
	assert_string_equal(r0, "hello");
	assert_string_equal(r1, "world");
	/* the grid took the pane's rows and at least 80 columns (serial guests assume 80) */
	assert_int_equal(vtgrid_rows(pane_console_grid(f->pane)), ROWS);
	assert_int_equal(vtgrid_cols(pane_console_grid(f->pane)), 80);
}

static void test_colours(void **state)
{
	struct fixture *f = *state;
	short fg = -2, bg = -2;
	chtype ch;

	if (!has_colors()) {
		skip();
		return;
	}
	feed(f, "\033[1;31mred\033[0m plain");
	draw(f);
	ch = mvwinch(stdscr, 1, 1);
	assert_int_equal((char)(ch & A_CHARTEXT), 'r');
	assert_true(ch & A_BOLD);
	assert_int_not_equal(PAIR_NUMBER(ch), 0);
	pair_content((short)PAIR_NUMBER(ch), &fg, &bg);
	assert_int_equal(fg, COLOR_RED);
	assert_int_equal(bg, -1);
	ch = mvwinch(stdscr, 1, 5);
	assert_int_equal((char)(ch & A_CHARTEXT), 'p');
	assert_int_equal(PAIR_NUMBER(ch), 0);
	assert_false(ch & A_BOLD);
}

static void test_no_color(void **state)
{
	struct fixture *f = *state;
	chtype ch;

	/* NO_COLOR: attributes stay, colours go */
	feed(f, "\033[1;4;31mred\033[0m");
	draw(f);
	ch = mvwinch(stdscr, 1, 1);
	assert_int_equal((char)(ch & A_CHARTEXT), 'r');
	assert_int_equal(PAIR_NUMBER(ch), 0);
	assert_true(ch & A_BOLD);
	assert_true(ch & A_UNDERLINE);
}

static void test_scrollback_stays_still(void **state)
{
	struct fixture *f = *state;
	g_autofree char *top = NULL, *top2 = NULL, *live = NULL;

	for (int i = 0; i < 100; i++) {
		g_autofree char *line = g_strdup_printf("line %d\r\n", i);

		feed(f, line);
	}
	draw(f);
	live = row_text(ROWS - 2);
	assert_string_equal(live, "line 99");
	/* PgUp: a page back (rows - 1 lines) */
	assert_true(pane_key(f->pane, UI_KEY_FN(KEY_PPAGE)));
	draw(f);
	top = row_text(0);
	assert_string_equal(top, "line 82");
	assert_non_null(strstr(f->pane->title, "lines back"));
	/* output goes on: the view does not move */
	feed(f, "line 100\r\nline 101\r\n");
	draw(f);
	top2 = row_text(0);
	assert_string_equal(top2, "line 82");
	/* End: the live screen again */
	assert_true(pane_key(f->pane, UI_KEY_FN(KEY_END)));
	draw(f);
	g_free(live);
	live = row_text(ROWS - 2);
	assert_string_equal(live, "line 101");
	assert_null(strstr(f->pane->title, "lines back"));
	/* Home: the oldest line kept */
	assert_true(pane_key(f->pane, UI_KEY_FN(KEY_HOME)));
	draw(f);
	g_free(top);
	top = row_text(0);
	assert_string_equal(top, "line 0");
}

static void test_no_console_no_typing(void **state)
{
	struct fixture *f = *state;

	/* no stream attached: i does not start interactive mode; keys are not taken */
	assert_true(pane_key(f->pane, 'i'));
	assert_false(pane_grabs_keys(f->pane));
	assert_false(pane_key(f->pane, 'q'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_and_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_color, setup_no_color, teardown),
		cmocka_unit_test_setup_teardown(test_scrollback_stays_still, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_console_no_typing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
