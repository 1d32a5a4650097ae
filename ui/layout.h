/* layout.h - where each part of the console goes for a terminal size (pure arithmetic). */
#ifndef VIRTCON_UI_LAYOUT_H
#define VIRTCON_UI_LAYOUT_H

#include <glib.h>

#define LAYOUT_MAX_PANES 4
#define LAYOUT_MIN_ROWS 12
#define LAYOUT_MIN_COLS 50

struct rect {
	int y, x, h, w;
};

/* Boxes include their border; status and hints are one row each at the bottom. */
struct layout {
	gboolean too_small;   /* below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS: only a message fits */
	struct rect left;     /* the left column: suites */
	struct rect vms;      /* under the suites: the VMs list (h 0 when there is no room) */
	struct rect steps;
	struct rect details;
	struct rect panes[LAYOUT_MAX_PANES];
	int n_panes;
	int zoomed;           /* -1, or the pane that has the whole main area */
	struct rect status;
	struct rect hints;
};

/* zoomed: -1 or a pane index. n_steps sizes the steps box (it shrinks for short suites);
 * left_want is the width the left column would like (its longest name), 0 for a default. */
void layout_compute(struct layout *l, int rows, int cols, int n_steps, int n_panes, int zoomed, int left_want);
/* Splits the left column: the VMs list takes want rows (plus its border and header) at the
 * bottom, at most half the column, when the column has room for both. */
void layout_split_left(struct layout *l, int want);
/* n tiles of area: side by side when wide enough, else stacked or a 2x2 grid. */
void layout_tile(struct rect area, int n, struct rect *out);
struct rect rect_inner(struct rect r);
gboolean rect_contains(struct rect r, int y, int x);

#endif
