/* timeline_console.c - `virtcon timeline FILE`: a console showing only the timeline pane, full screen. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "keys.h"
#include "pane_timeline.h"
#include "timeline.h"
#include "timelinecmd.h"

#define REDRAW_MS 16
#define KEYS_PER_WAKEUP 512

struct tlcon {
	GMainLoop *loop;
	struct draw draw;
	struct pane *pane;
	guint redraw_id;
	gboolean help;
	gboolean quitting;
};

static const char *const help_lines[] = {
	"timeline keys",
	"",
	"  +  -          zoom in / out around the cursor",
	"  Left Right    pan by an eighth of the width",
	"  h  l          move the cursor one cell (pans at the edges)",
	"  Up Down j k   move between tracks (PgUp PgDn by a page)",
	"  Home End      the start / the end of the log",
	"  f             fit the whole log",
	"  g             go to a time (seconds, as the header shows them)",
	"  /             find a track by name or pid",
	"  Enter         the spans under the cursor",
	"  ?             this help        q  quit",
	"",
	"A cell's block grows by eighths with the time it is covered by spans;",
	"critical sections are highlighted, overruns (spans over --budget) in red and '!'.",
};

static void tlcon_redraw(struct tlcon *t)
{
	int rows, cols;
	struct rect r;

	getmaxyx(stdscr, rows, cols);
	erase();
	r = (struct rect){ 0, 0, rows, cols };
	if (rows < 6 || cols < 30) {
		draw_text_cut(&t->draw, stdscr, 0, 0, cols, "the terminal is too small (q quits)", A_BOLD);
	} else {
		g_autofree char *title = g_strdup_printf("%s  ? help  q quits", t->pane->title);

		draw_box(&t->draw, stdscr, r, title, TRUE);
		pane_draw(t->pane, stdscr, rect_inner(r));
	}
	if (t->help) {
		int h = (int)G_N_ELEMENTS(help_lines) + 2, w = 0;

		for (gsize i = 0; i < G_N_ELEMENTS(help_lines); i++)
			w = MAX(w, (int)strlen(help_lines[i]) + 4);
		w = MIN(w, cols);
		h = MIN(h, rows);
		r = (struct rect){ MAX((rows - h) / 2, 0), MAX((cols - w) / 2, 0), h, w };
		for (int y = 0; y < h; y++)
			draw_fill(stdscr, r.y + y, r.x, w, A_NORMAL);
		draw_box(&t->draw, stdscr, r, "help (any key closes)", FALSE);
		for (int i = 0; i < h - 2; i++)
			draw_text_cut(&t->draw, stdscr, r.y + 1 + i, r.x + 2, w - 4, help_lines[i], A_NORMAL);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static gboolean redraw_cb(gpointer data)
{
	struct tlcon *t = data;

	t->redraw_id = 0;
	if (!t->quitting)
		tlcon_redraw(t);
	return G_SOURCE_REMOVE;
}

static void tlcon_dirty(void *data)
{
	struct tlcon *t = data;

	if (!t->redraw_id)
		t->redraw_id = g_timeout_add(REDRAW_MS, redraw_cb, t);
}

static void tlcon_quit(struct tlcon *t)
{
	t->quitting = TRUE;
	g_main_loop_quit(t->loop);
}

static void tlcon_key(struct tlcon *t, int key)
{
	tlcon_dirty(t);
	if (key == UI_KEY_FN(KEY_RESIZE))
		return;
	if (t->help) {
		t->help = FALSE;
		return;
	}
	if (pane_key(t->pane, key))
		return;
	if (key == 'q' || key == 'Q')
		tlcon_quit(t);
	else if (key == '?' || key == UI_KEY_FN(KEY_F(1)))
		t->help = TRUE;
}

static gboolean stdin_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct tlcon *t = data;

	(void)fd;
	for (int i = 0; i < KEYS_PER_WAKEUP && !t->quitting; i++) {
		wint_t wc;
		int r = get_wch(&wc);

		if (r == ERR)
			break;
		tlcon_key(t, r == KEY_CODE_YES ? UI_KEY_FN((int)wc) : (int)wc);
	}
	if (cond & (G_IO_HUP | G_IO_ERR)) {
		tlcon_quit(t);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean winch_cb(gpointer data)
{
	struct tlcon *t = data;

	draw_term_resize();
	tlcon_dirty(t);
	return G_SOURCE_CONTINUE;
}

static gboolean quit_cb(gpointer data)
{
	tlcon_quit(data);
	return G_SOURCE_CONTINUE;
}

static void log_ignore(const char *domain, GLogLevelFlags level, const char *text, gpointer data)
{
	(void)domain;
	(void)level;
	(void)text;
	(void)data;
}

int ui_timeline_main(struct timeline_view *view)
{
	struct tlcon t = { 0 };
	struct pane_timeline_config cfg = { view->follow, view->budget_ns, 0, tlcon_dirty, &t };
	SCREEN *screen;
	guint src[5];

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "virtcon timeline: the console needs a terminal (--summary prints without one)\n");
		timeline_source_free(view->src);
		return 2;
	}
	screen = draw_term_start(&t.draw, view->ascii);
	if (!screen) {
		fprintf(stderr, "virtcon timeline: cannot use the terminal (TERM=%s)\n",
			g_getenv("TERM") ? g_getenv("TERM") : "");
		timeline_source_free(view->src);
		return 2;
	}
	g_log_set_default_handler(log_ignore, NULL);

	t.loop = g_main_loop_new(NULL, FALSE);
	t.pane = pane_new(&pane_timeline_ops, NULL, &t.draw, NULL);
	pane_timeline_set_source(t.pane, view->src, &cfg);
	view->src = NULL;

	src[0] = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &t);
	src[1] = g_unix_signal_add(SIGWINCH, winch_cb, &t);
	src[2] = g_unix_signal_add(SIGINT, quit_cb, &t);
	src[3] = g_unix_signal_add(SIGTERM, quit_cb, &t);
	src[4] = g_unix_signal_add(SIGHUP, quit_cb, &t);
	tlcon_dirty(&t);
	g_main_loop_run(t.loop);
	for (gsize i = 0; i < G_N_ELEMENTS(src); i++)
		g_source_remove(src[i]);
	if (t.redraw_id)
		g_source_remove(t.redraw_id);
	endwin();
	delscreen(screen);
	g_log_set_default_handler(g_log_default_handler, NULL);
	pane_free(t.pane);
	g_main_loop_unref(t.loop);
	return 0;
}
