/* pane_timeline.h - the timeline pane's set-up calls (its ops are pane_timeline_ops in pane.h). */
#ifndef VIRTCON_UI_PANE_TIMELINE_H
#define VIRTCON_UI_PANE_TIMELINE_H

#include <glib.h>

#include "pane.h"

struct timeline_source;
struct timeline_view;

struct pane_timeline_config {
	gboolean follow;             /* poll the file for what it gains */
	gint64 budget_ns;            /* spans longer than this are overruns; -1: none */
	guint poll_ms;               /* 0: 500 */
	void (*changed)(void *data); /* the pane wants a redraw (follow mode); may be NULL */
	void *data;
};

/* Shows src (the pane takes it); the view fits the whole log. */
void pane_timeline_set_source(struct pane *pane, struct timeline_source *src, const struct pane_timeline_config *cfg);
/*
 * For a suite's `- timeline: { file: F, format: rk, follow: true, budget: 1ms }`: file is the
 * expanded path, opts the pane's scalar options (format, follow, budget). FALSE with error for
 * a bad option; a file that cannot be read yet is shown in the pane and tried again.
 */
gboolean pane_timeline_open(struct pane *pane, const char *file, GHashTable *opts, void (*changed)(void *data),
			    void *data, GError **error);

/* The standalone console of `virtcon timeline FILE`: only this pane, full screen. */
int ui_timeline_main(struct timeline_view *view);

/* For benchmarks: draws into win as the console would, without the box. */
void pane_timeline_render(struct pane *pane, WINDOW *win, struct rect r);
/* Zoom so that one cell is ns_per_cell, the left edge at t0 (benchmarks, tests). */
void pane_timeline_set_view(struct pane *pane, gint64 t0, gint64 ns_per_cell);

#endif
