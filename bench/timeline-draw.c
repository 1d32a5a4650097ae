/* timeline-draw.c - benchmark: the timeline pane's redraw time on an event log, drawn off screen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "pane_timeline.h"
#include "timeline.h"

/*
 * bench/timeline-draw FILE [FORMAT [COLSxROWS]]: loads the log, then draws the timeline pane into
 * an ncurses screen opened with newterm() on /dev/null (TERM xterm-256color when unset), 200x50
 * by default, and prints per zoom level the time of one pane draw (the cells of every visible
 * track from evlog_query, the glyphs and the curses calls that put them in the window) and of
 * the terminal update with clearok(curscr) (every cell of the screen written out, to /dev/null):
 * at full zoom-out (the whole log) and at 1 µs per cell (in the middle of the log). Each figure
 * is the median and the maximum of 50 draws.
 */

#define ROUNDS 50

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void measure(const char *what, struct pane *pane, struct rect r)
{
	double draw[ROUNDS], update[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		gint64 t0 = g_get_monotonic_time(), t1;

		werase(stdscr);
		pane_timeline_render(pane, stdscr, r);
		wnoutrefresh(stdscr);
		t1 = g_get_monotonic_time();
		clearok(curscr, TRUE); /* the whole screen written out, not only what changed */
		doupdate();
		draw[i] = (double)(t1 - t0) / 1000.0;
		update[i] = (double)(g_get_monotonic_time() - t1) / 1000.0;
	}
	qsort(draw, ROUNDS, sizeof(double), cmp_double);
	qsort(update, ROUNDS, sizeof(double), cmp_double);
	printf("timeline pane %s: draw %.3f ms (max %.3f), terminal update %.3f ms (max %.3f), %dx%d cells\n", what,
	       draw[ROUNDS / 2], draw[ROUNDS - 1], update[ROUNDS / 2], update[ROUNDS - 1], r.w, r.h);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	const char *format = argc > 2 ? argv[2] : NULL;
	int cols = 200, rows = 50;
	g_autoptr(GError) error = NULL;
	struct evlog_options o;
	struct timeline_source *src;
	struct pane_timeline_config cfg = { FALSE, 1000000, 0, NULL, NULL };
	struct draw d = { 0 };
	const struct evlog_stats *st;
	struct pane *pane;
	SCREEN *screen;
	FILE *out, *in;
	struct rect r;
	double t_load;
	gint64 t0;

	if (!path) {
		fprintf(stderr, "usage: bench/timeline-draw FILE [FORMAT [COLSxROWS]]\n");
		return 2;
	}
	if (argc > 3 && sscanf(argv[3], "%dx%d", &cols, &rows) != 2)
		return 2;
	evlog_options_init(&o);
	o.format = format;
	t0 = g_get_monotonic_time();
	src = timeline_source_new(path, &o, &error);
	if (!src || !timeline_source_poll(src, NULL, &error) || !timeline_source_finish(src, &error)) {
		fprintf(stderr, "timeline-draw: %s\n", error->message);
		return 1;
	}
	evlog_index(timeline_source_log(src));
	t_load = (double)(g_get_monotonic_time() - t0) / 1e6;
	st = evlog_get_stats(timeline_source_log(src));
	printf("timeline pane: %s, %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " spans in %u tracks "
	       "(read in 1 MiB chunks and indexed in %.2f s)\n", path, st->events, st->spans,
	       evlog_n_tracks(timeline_source_log(src)), t_load);

	if (!g_getenv("TERM"))
		g_setenv("TERM", "xterm-256color", TRUE);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	screen = out && in ? newterm(NULL, out, in) : NULL;
	if (!screen) {
		fprintf(stderr, "timeline-draw: no curses screen on /dev/null (TERM=%s)\n", g_getenv("TERM"));
		return 1;
	}
	set_term(screen);
	resize_term(rows, cols);
	draw_init(&d, TRUE, TRUE, TRUE);
	pane = pane_new(&pane_timeline_ops, NULL, &d);
	pane_timeline_set_source(pane, src, &cfg);
	r = (struct rect){ 0, 0, rows, cols };

	pane_timeline_render(pane, stdscr, r); /* fits the whole log */
	measure("whole log", pane, r);
	pane_timeline_set_view(pane, st->t_min + (st->t_max - st->t_min) / 2, 1000);
	measure("1us/cell", pane, r);

	pane_free(pane);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	return 0;
}
