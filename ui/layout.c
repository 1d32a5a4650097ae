/* layout.c - where each part of the console goes for a terminal size (pure arithmetic). */
#include "config.h"

#include <string.h>

#include "layout.h"

#define PANE_MIN_COLS 30 /* narrower panes are stacked instead of put side by side */
#define PANE_MIN_ROWS 5

static struct rect mk(int y, int x, int h, int w)
{
	struct rect r = { y, x, MAX(h, 0), MAX(w, 0) };
	return r;
}

struct rect rect_inner(struct rect r)
{
	return mk(r.y + 1, r.x + 1, r.h - 2, r.w - 2);
}

gboolean rect_contains(struct rect r, int y, int x)
{
	return y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
}

/* Splits length len into n parts starting at start; the first parts get the remainder. */
static void split(int start, int len, int n, int *pos, int *size)
{
	for (int i = 0; i < n; i++) {
		size[i] = len / n + (i < len % n ? 1 : 0);
		pos[i] = i ? pos[i - 1] + size[i - 1] : start;
	}
}

void layout_tile(struct rect area, int n, struct rect *out)
{
	int pos[LAYOUT_MAX_PANES], size[LAYOUT_MAX_PANES];

	n = CLAMP(n, 0, LAYOUT_MAX_PANES);
	if (n == 0)
		return;
	if (area.w >= n * PANE_MIN_COLS || area.h < 2 * PANE_MIN_ROWS) {
		split(area.x, area.w, n, pos, size); /* side by side */
		for (int i = 0; i < n; i++)
			out[i] = mk(area.y, pos[i], area.h, size[i]);
		return;
	}
	if (n == 2 || area.w < 2 * PANE_MIN_COLS) {
		split(area.y, area.h, n, pos, size); /* stacked */
		for (int i = 0; i < n; i++)
			out[i] = mk(pos[i], area.x, size[i], area.w);
		return;
	}
	/* 3: one on the left, two stacked on the right; 4: a 2x2 grid */
	{
		int cx[2], cw[2], ry[2], rh[2];

		split(area.x, area.w, 2, cx, cw);
		split(area.y, area.h, 2, ry, rh);
		if (n == 3) {
			out[0] = mk(area.y, cx[0], area.h, cw[0]);
			out[1] = mk(ry[0], cx[1], rh[0], cw[1]);
			out[2] = mk(ry[1], cx[1], rh[1], cw[1]);
		} else {
			for (int i = 0; i < 4; i++)
				out[i] = mk(ry[i / 2], cx[i % 2], rh[i / 2], cw[i % 2]);
		}
	}
}

void layout_compute(struct layout *l, int rows, int cols, int n_steps, int n_panes, int zoomed, int left_want)
{
	int main_h = rows - 2, left_w, right_w, details_h, steps_h, steps_max;

	memset(l, 0, sizeof(*l));
	l->zoomed = -1;
	n_panes = CLAMP(n_panes, 0, LAYOUT_MAX_PANES);
	l->n_panes = n_panes;
	l->status = mk(rows - 2, 0, 1, cols);
	l->hints = mk(rows - 1, 0, 1, cols);
	if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
		l->too_small = TRUE;
		return;
	}
	if (zoomed >= 0 && zoomed < n_panes) {
		l->zoomed = zoomed;
		l->panes[zoomed] = mk(0, 0, main_h, cols);
		return;
	}
	left_w = CLAMP(left_want > 0 ? left_want : cols / 4, 18, MAX(cols / 3, 18));
	right_w = cols - left_w;
	l->left = mk(0, 0, main_h, left_w);
	details_h = main_h >= 26 ? 6 : main_h >= 18 ? 5 : 3;
	steps_max = MAX(4, (main_h - details_h) / 2);
	steps_h = CLAMP(n_steps + 2, 4, steps_max);
	if (n_panes == 0)
		details_h = main_h - steps_h;
	l->steps = mk(0, left_w, steps_h, right_w);
	l->details = mk(steps_h, left_w, details_h, right_w);
	layout_tile(mk(steps_h + details_h, left_w, main_h - steps_h - details_h, right_w), n_panes, l->panes);
}

void layout_split_left(struct layout *l, int want)
{
	int h;

	l->vms = mk(0, 0, 0, 0);
	if (l->too_small || l->zoomed >= 0 || l->left.h < 10)
		return;
	h = CLAMP(want + 3, 4, l->left.h / 2);
	l->vms = mk(l->left.y + l->left.h - h, l->left.x, h, l->left.w);
	l->left.h -= h;
}
