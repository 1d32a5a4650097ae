/* test_ui_layout.c - the console's layout and list scrolling: every part inside the screen, no overlaps. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "layout.h"
#include "listview.h"

static gboolean overlap(struct rect a, struct rect b)
{
	if (!a.h || !a.w || !b.h || !b.w)
		return FALSE;
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void check_layout(int rows, int cols, int n_steps, int n_panes)
{
	struct layout l;
	struct rect parts[4 + LAYOUT_MAX_PANES + 2];
	int n = 0, area = 0;

	layout_compute(&l, rows, cols, n_steps, n_panes, -1, 0);
	assert_false(l.too_small);
	parts[n++] = l.left;
	parts[n++] = l.steps;
	parts[n++] = l.details;
	for (int i = 0; i < n_panes; i++)
		parts[n++] = l.panes[i];
	parts[n++] = l.status;
	parts[n++] = l.hints;
	for (int i = 0; i < n; i++) {
		assert_true(parts[i].y >= 0 && parts[i].x >= 0);
		assert_true(parts[i].y + parts[i].h <= rows);
		assert_true(parts[i].x + parts[i].w <= cols);
		area += parts[i].h * parts[i].w;
		for (int j = i + 1; j < n; j++)
			assert_false(overlap(parts[i], parts[j]));
	}
	/* the parts tile the whole screen */
	assert_int_equal(area, rows * cols);
	/* every box has room for at least a line of content */
	assert_true(l.steps.h >= 3);
	assert_true(l.details.h >= 3);
	for (int i = 0; i < n_panes; i++)
		assert_true(l.panes[i].h >= 3 && l.panes[i].w >= (cols >= 80 ? 10 : 3));
}

static void test_sizes(void **state)
{
	static const int sizes[][2] = { { 24, 80 }, { 30, 100 }, { 50, 200 }, { 12, 50 }, { 25, 81 }, { 60, 90 } };

	for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++)
		for (int steps = 0; steps < 40; steps += 7)
			for (int panes = 1; panes <= LAYOUT_MAX_PANES; panes++)
				check_layout(sizes[s][0], sizes[s][1], steps, panes);
}

static void test_steps_box_fits_short_suites(void **state)
{
	struct layout l;

	layout_compute(&l, 30, 100, 3, 2, -1, 0);
	assert_int_equal(l.steps.h, 5); /* 3 steps and the border */
	layout_compute(&l, 30, 100, 50, 2, -1, 0);
	assert_true(l.steps.h < 30 / 2);
}

static void test_left_column_follows_names(void **state)
{
	struct layout l;

	layout_compute(&l, 30, 100, 5, 2, -1, 28);
	assert_int_equal(l.left.w, 28);
	layout_compute(&l, 30, 100, 5, 2, -1, 90); /* never more than a third */
	assert_int_equal(l.left.w, 33);
	layout_compute(&l, 30, 100, 5, 2, -1, 4); /* never less than 18 */
	assert_int_equal(l.left.w, 18);
}

static void test_zoom_and_too_small(void **state)
{
	struct layout l;

	layout_compute(&l, 24, 80, 10, 2, 1, 0);
	assert_int_equal(l.zoomed, 1);
	assert_int_equal(l.panes[1].h, 22);
	assert_int_equal(l.panes[1].w, 80);
	assert_int_equal(l.panes[0].h, 0);
	assert_int_equal(l.steps.h, 0);
	layout_compute(&l, 24, 80, 10, 2, 5, 0); /* no such pane: not zoomed */
	assert_int_equal(l.zoomed, -1);
	layout_compute(&l, 10, 80, 10, 2, -1, 0);
	assert_true(l.too_small);
	assert_int_equal(l.hints.y, 9);
}

static void test_tile(void **state)
{
	struct rect area = { 10, 20, 12, 80 }, out[4];

	layout_tile(area, 2, out); /* wide: side by side */
	assert_int_equal(out[0].w + out[1].w, 80);
	assert_int_equal(out[1].x, 60);
	assert_int_equal(out[0].h, 12);
	layout_tile(area, 4, out); /* 4 x 30 does not fit 80: a 2x2 grid */
	assert_int_equal(out[3].x, 60);
	assert_int_equal(out[3].y, 16);
	area.w = 50;
	layout_tile(area, 2, out); /* narrow: stacked */
	assert_int_equal(out[1].y, 16);
	assert_int_equal(out[1].w, 50);
}

static void test_split_left(void **state)
{
	struct layout l;

	(void)state;
	/* the VMs list at the bottom of the left column: its rows plus border and header */
	layout_compute(&l, 30, 100, 5, 2, -1, 0);
	layout_split_left(&l, 1);
	assert_int_equal(l.vms.h, 4);
	assert_int_equal(l.vms.y + l.vms.h, 28);
	assert_int_equal(l.left.y + l.left.h, l.vms.y);
	assert_int_equal(l.vms.w, l.left.w);
	/* never more than half the column */
	layout_split_left(&l, 50);
	assert_true(l.vms.h <= 14);
	/* zoomed, or too short: no VMs list */
	layout_compute(&l, 30, 100, 5, 2, 1, 0);
	layout_split_left(&l, 1);
	assert_int_equal(l.vms.h, 0);
	layout_compute(&l, 10, 80, 5, 2, -1, 0);
	layout_split_left(&l, 1);
	assert_int_equal(l.vms.h, 0);
}

static void test_listview(void **state)
{
	struct listview lv = { -1, 0 };

	listview_clamp(&lv, 0, 5);
	assert_int_equal(lv.cursor, -1);
	listview_clamp(&lv, 20, 5);
	assert_int_equal(lv.cursor, 0);
	listview_move(&lv, 7, 20, 5);
	assert_int_equal(lv.cursor, 7);
	assert_int_equal(lv.top, 3); /* the cursor is on the last row */
	listview_move(&lv, 100, 20, 5);
	assert_int_equal(lv.cursor, 19);
	assert_int_equal(lv.top, 15);
	assert_int_equal(listview_item_at(&lv, 0, 20), 15);
	assert_int_equal(listview_item_at(&lv, 5, 20), -1);
	listview_move(&lv, -100, 20, 5);
	assert_int_equal(lv.cursor, 0);
	assert_int_equal(lv.top, 0);
	/* the list shrank: the cursor comes back inside, no empty rows at the end */
	listview_set(&lv, 19, 20, 5);
	listview_clamp(&lv, 6, 5);
	assert_int_equal(lv.cursor, 5);
	assert_int_equal(lv.top, 1);
	/* the view grew: items hidden above come back */
	listview_clamp(&lv, 6, 10);
	assert_int_equal(lv.top, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_steps_box_fits_short_suites),
		cmocka_unit_test(test_left_column_follows_names),
		cmocka_unit_test(test_zoom_and_too_small),
		cmocka_unit_test(test_tile),
		cmocka_unit_test(test_split_left),
		cmocka_unit_test(test_listview),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
