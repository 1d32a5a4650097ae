/* pane_timeline.c - the timeline pane: an event log's tracks as rows of spans over a zoomable time axis. */
#include "config.h"

#include <string.h>

#include "cells.h"
#include "keys.h"
#include "pane.h"
#include "pane_timeline.h"
#include "timeline.h"

#define POLL_MS 500
#define MAX_NS_PER_CELL ((gint64)1 << 50)
#define MAX_T ((gint64)1 << 61) /* the left edge stays within +-73 years */
#define DETAILS_MAX 200
#define LABEL_MIN 8
#define LABEL_MAX 22

/* A row of the pane: a group's heading or a track. */
struct tl_row {
	int track;         /* -1: heading */
	const char *group; /* heading text */
};

/* A track's spans longer than the budget, in time order (scanned once as the log grows). */
struct tl_over {
	GArray *spans;     /* struct evlog_span */
	gsize scanned;     /* closed spans looked at */
};

struct tl {
	struct timeline_source *src;
	char *error;              /* why the log does not show (or stopped growing) */
	gboolean follow;
	gint64 budget_ns;
	guint poll_ms, poll_id;
	gint64 last_poll;         /* monotonic us, when polled from draw (no changed callback) */
	void (*changed)(void *data);
	void *changed_data;

	/* the view */
	gint64 t0, npc;           /* left edge, ns per cell (>= 1) */
	gboolean fitted;          /* the operator has not zoomed or panned: fit as the log grows */
	int cols;                 /* cells of the last draw */
	int cur_col, cur_row, top;
	int body_rows;

	guint seen_resets;        /* of the source when rows and overruns were made (a reset makes a new log) */
	GArray *rows;             /* struct tl_row */
	guint rows_tracks;        /* tracks when rows were built */
	GArray *over;             /* struct tl_over per track */
	guint64 over_generation;
	struct evlog_cell *cells;
	guint n_cells;

	int prompt;               /* 0, 'g' (go to a time) or '/' (find a track) */
	GString *input;
	char *message;
	GPtrArray *details;       /* char *: the spans under the cursor, or NULL */
	int details_top;
};

static const char *const eighths[9] = { " ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█" };
/* A span that begins inside a cell covers its right part: the right-aligned blocks there are. */
static const char *const right_eighths[9] = { " ", "▕", "▕", "▐", "▐", "▐", "▐", "█", "█" };

static struct evlog *tl_log(struct tl *tl)
{
	return tl->src ? timeline_source_log(tl->src) : NULL;
}

static void tl_message(struct tl *tl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void tl_message(struct tl *tl, const char *fmt, ...)
{
	va_list ap;

	g_free(tl->message);
	va_start(ap, fmt);
	tl->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* ---- rows and overruns ---- */

static int kind_order(enum evlog_track_kind k)
{
	switch (k) {
	case EVLOG_TRACK_VCPU:
		return 0;
	case EVLOG_TRACK_TASK:
	case EVLOG_TRACK_CS:
		return 1;
	case EVLOG_TRACK_THREAD:
	case EVLOG_TRACK_RUNNABLE:
		return 2;
	default:
		return 3;
	}
}

static const char *const group_names[4] = { "vCPUs on pCPUs", "tasks (run, critical section)",
					     "threads (run, runnable)", "tracks" };

static gboolean is_heading(const struct tl *tl, int i)
{
	return i >= 0 && i < (int)tl->rows->len && g_array_index(tl->rows, struct tl_row, i).track < 0;
}

/* Moves the cursor by delta rows, then on to a track (headings are not stops). */
static void row_move(struct tl *tl, int delta)
{
	int n = (int)tl->rows->len;
	int dir = delta < 0 ? -1 : 1;

	if (!n)
		return;
	tl->cur_row = CLAMP(tl->cur_row + delta, 0, n - 1);
	while (is_heading(tl, tl->cur_row) && tl->cur_row + dir >= 0 && tl->cur_row + dir < n)
		tl->cur_row += dir;
	while (is_heading(tl, tl->cur_row) && tl->cur_row - dir >= 0 && tl->cur_row - dir < n)
		tl->cur_row -= dir;
}

/* Groups: vCPUs, then tasks each with its critical section, threads each with its waits, CSV. */
static void rows_build(struct tl *tl)
{
	struct evlog *log = tl_log(tl);
	guint n = evlog_n_tracks(log);
	g_autofree gboolean *placed = g_new0(gboolean, n + 1);

	g_array_set_size(tl->rows, 0);
	for (int g = 0; g < 4; g++) {
		gboolean heading = FALSE;

		for (guint i = 0; i < n; i++) {
			struct evlog_track_info info;
			struct tl_row row = { (int)i, NULL };
			int partner = -1;

			if (placed[i] || !evlog_track_get_info(log, i, &info) || kind_order(info.kind) != g)
				continue;
			if (!heading) {
				struct tl_row h = { -1, group_names[g] };
				g_array_append_val(tl->rows, h);
				heading = TRUE;
			}
			/* a task's critical section (a thread's waits) goes just after it */
			if (info.kind == EVLOG_TRACK_CS || info.kind == EVLOG_TRACK_RUNNABLE) {
				int owner = evlog_find_track(log, info.kind == EVLOG_TRACK_CS ? EVLOG_TRACK_TASK
											: EVLOG_TRACK_THREAD, info.key);
				if (owner >= 0 && !placed[owner])
					continue; /* placed with its owner */
			} else if (info.kind == EVLOG_TRACK_TASK || info.kind == EVLOG_TRACK_THREAD) {
				partner = evlog_find_track(log, info.kind == EVLOG_TRACK_TASK ? EVLOG_TRACK_CS
											: EVLOG_TRACK_RUNNABLE, info.key);
			}
			g_array_append_val(tl->rows, row);
			placed[i] = TRUE;
			if (partner >= 0 && !placed[partner]) {
				struct tl_row p = { partner, NULL };
				g_array_append_val(tl->rows, p);
				placed[partner] = TRUE;
			}
		}
	}
	tl->rows_tracks = n;
	if (tl->cur_row >= (int)tl->rows->len)
		tl->cur_row = MAX((int)tl->rows->len - 1, 0);
	row_move(tl, 0);
}

static void over_clear(struct tl *tl)
{
	for (guint i = 0; i < tl->over->len; i++)
		g_array_unref(g_array_index(tl->over, struct tl_over, i).spans);
	g_array_set_size(tl->over, 0);
}

/* Scans the spans closed since the last scan (all again when the log was made anew). */
static void over_update(struct tl *tl)
{
	struct evlog *log = tl_log(tl);
	guint64 gen = timeline_source_generation(tl->src);

	if (tl->budget_ns < 0 || gen == tl->over_generation)
		return;
	if (tl->over->len > evlog_n_tracks(log))
		over_clear(tl);
	while (tl->over->len < evlog_n_tracks(log)) {
		struct tl_over o = { g_array_new(FALSE, FALSE, sizeof(struct evlog_span)), 0 };
		g_array_append_val(tl->over, o);
	}
	for (guint i = 0; i < tl->over->len; i++) {
		struct tl_over *o = &g_array_index(tl->over, struct tl_over, i);
		struct evlog_track_info info;

		evlog_track_get_info(log, i, &info);
		if (info.n_spans < o->scanned) {
			g_array_set_size(o->spans, 0);
			o->scanned = 0;
		}
		for (gsize k = o->scanned; k < info.n_spans; k++) {
			struct evlog_span s;

			if (evlog_get_span(log, i, k, &s) && s.end - s.start > tl->budget_ns) {
				/* spans closed late (out of order) may land before others: keep time order */
				guint at = o->spans->len;
				while (at > 0 && g_array_index(o->spans, struct evlog_span, at - 1).start > s.start)
					at--;
				g_array_insert_val(o->spans, at, s);
			}
		}
		o->scanned = info.n_spans;
	}
	tl->over_generation = gen;
}

/* Does an overrun of the track touch [a, b)? */
static gboolean over_in(const struct tl *tl, int track, gint64 a, gint64 b)
{
	const GArray *sp;
	guint lo = 0, hi;

	if (tl->budget_ns < 0 || track < 0 || (guint)track >= tl->over->len)
		return FALSE;
	sp = g_array_index(tl->over, struct tl_over, track).spans;
	hi = sp->len;
	while (lo < hi) { /* first ending after a (overruns of one track do not overlap) */
		guint mid = lo + (hi - lo) / 2;
		if (g_array_index(sp, struct evlog_span, mid).end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sp->len && g_array_index(sp, struct evlog_span, lo).start < b;
}

/* ---- the view ---- */

static void view_fit(struct tl *tl)
{
	const struct evlog_stats *st = evlog_get_stats(tl_log(tl));
	int cols = MAX(tl->cols, 1);

	if (st->t_min > st->t_max) {
		tl->t0 = 0;
		tl->npc = 1000;
		return;
	}
	tl->t0 = st->t_min;
	/* the spans end at t_max at the latest, and cells are [a, b): t_max itself needs no cell */
	tl->npc = CLAMP(((guint64)st->t_max - (guint64)st->t_min + (guint64)cols - 1) / (guint64)cols, 1,
			(guint64)MAX_NS_PER_CELL);
}

/* Zooms by num/den keeping the cursor's time (its cell's left edge) under the cursor. */
static void view_zoom(struct tl *tl, gint64 num, gint64 den)
{
	gint64 tc = tl->t0 + tl->cur_col * tl->npc;
	gint64 npc = tl->npc * num / den;

	if (npc == tl->npc)
		npc += num > den ? 1 : -1;
	tl->npc = CLAMP(npc, 1, MAX_NS_PER_CELL);
	tl->t0 = tc - tl->cur_col * tl->npc;
	tl->fitted = FALSE;
}

static void view_center(struct tl *tl, gint64 t)
{
	tl->cur_col = MAX(tl->cols / 2, 0);
	tl->t0 = t - tl->cur_col * tl->npc;
	tl->fitted = FALSE;
}

static gint64 cursor_time(const struct tl *tl)
{
	return tl->t0 + tl->cur_col * tl->npc;
}

/* ---- set-up ---- */

static gboolean poll_cb(gpointer data);

static void tl_init(struct pane *pane)
{
	struct tl *tl = g_new0(struct tl, 1);

	tl->budget_ns = -1;
	tl->npc = 1000;
	tl->fitted = TRUE;
	tl->rows = g_array_new(FALSE, FALSE, sizeof(struct tl_row));
	tl->over = g_array_new(FALSE, FALSE, sizeof(struct tl_over));
	tl->input = g_string_new(NULL);
	pane->priv = tl;
	if (pane->target) {
		/* the scalar form `- timeline: FILE`: followed, as a test writes it */
		struct pane_timeline_config cfg = { TRUE, -1, 0, NULL, NULL };
		g_autoptr(GError) error = NULL;
		struct timeline_source *src = timeline_source_new(pane->target, NULL, &error);

		if (src)
			pane_timeline_set_source(pane, src, &cfg);
		else
			tl->error = g_strdup(error->message);
	}
}

static void tl_destroy(struct pane *pane)
{
	struct tl *tl = pane->priv;

	if (tl->poll_id)
		g_source_remove(tl->poll_id);
	timeline_source_free(tl->src);
	over_clear(tl);
	g_array_unref(tl->over);
	g_array_unref(tl->rows);
	g_free(tl->cells);
	g_string_free(tl->input, TRUE);
	if (tl->details)
		g_ptr_array_unref(tl->details);
	g_free(tl->message);
	g_free(tl->error);
	g_free(tl);
}

/* Reads what the file gained; TRUE when the log changed. */
static gboolean tl_poll(struct tl *tl)
{
	g_autoptr(GError) error = NULL;
	gboolean changed = FALSE;

	if (!tl->src)
		return FALSE;
	if (!timeline_source_poll(tl->src, &changed, &error)) {
		gboolean was = tl->error != NULL;
		g_free(tl->error);
		tl->error = g_strdup(error->message);
		return !was;
	}
	if (tl->error) {
		g_clear_pointer(&tl->error, g_free);
		changed = TRUE;
	}
	return changed;
}

static gboolean poll_cb(gpointer data)
{
	struct tl *tl = data;

	if (tl_poll(tl) && tl->changed)
		tl->changed(tl->changed_data);
	return G_SOURCE_CONTINUE;
}

void pane_timeline_set_source(struct pane *pane, struct timeline_source *src, const struct pane_timeline_config *cfg)
{
	struct tl *tl = pane->priv;

	if (tl->poll_id)
		g_source_remove(tl->poll_id);
	tl->poll_id = 0;
	timeline_source_free(tl->src);
	over_clear(tl);
	tl->src = src;
	tl->over_generation = G_MAXUINT64;
	tl->follow = cfg->follow;
	tl->budget_ns = cfg->budget_ns;
	tl->poll_ms = cfg->poll_ms ? cfg->poll_ms : POLL_MS;
	tl->changed = cfg->changed;
	tl->changed_data = cfg->data;
	tl->fitted = TRUE;
	tl->rows_tracks = G_MAXUINT;
	tl->seen_resets = timeline_source_resets(src);
	g_clear_pointer(&tl->error, g_free);
	if (tl->follow && tl->changed)
		tl->poll_id = g_timeout_add(tl->poll_ms, poll_cb, tl);
	{
		g_autofree char *base = g_path_get_basename(timeline_source_path(src));
		g_autofree char *title = g_strdup_printf("timeline %s%s", base, tl->follow ? " (following)" : "");
		pane_set_title(pane, title);
	}
}

gboolean pane_timeline_open(struct pane *pane, const char *file, GHashTable *opts, void (*changed)(void *data),
			    void *data, GError **error)
{
	struct pane_timeline_config cfg = { FALSE, -1, 0, changed, data };
	const char *v;
	struct evlog_options o;
	struct timeline_source *src;

	evlog_options_init(&o);
	if (opts && (v = g_hash_table_lookup(opts, "format")))
		o.format = v;
	if (opts && (v = g_hash_table_lookup(opts, "follow")))
		cfg.follow = g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 || g_str_equal(v, "1");
	if (opts && (v = g_hash_table_lookup(opts, "budget")) && !timeline_parse_duration(v, &cfg.budget_ns)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "timeline pane: budget '%s' is not a duration (1ms, 500us)", v);
		return FALSE;
	}
	src = timeline_source_new(file, &o, error);
	if (!src)
		return FALSE;
	pane_set_title(pane, "timeline");
	pane_timeline_set_source(pane, src, &cfg);
	tl_poll(pane->priv);
	return TRUE;
}

void pane_timeline_set_view(struct pane *pane, gint64 t0, gint64 ns_per_cell)
{
	struct tl *tl = pane->priv;

	tl->t0 = CLAMP(t0, -MAX_T, MAX_T);
	tl->npc = CLAMP(ns_per_cell, 1, MAX_NS_PER_CELL);
	tl->fitted = FALSE;
}

/* ---- drawing ---- */

static int label_width(struct tl *tl, int w)
{
	struct evlog *log = tl_log(tl);
	int lw = LABEL_MIN;

	for (guint i = 0; i < tl->rows->len; i++) {
		const struct tl_row *row = &g_array_index(tl->rows, struct tl_row, i);
		struct evlog_track_info info;

		if (row->track >= 0 && evlog_track_get_info(log, (guint)row->track, &info))
			lw = MAX(lw, cells_text_width(info.name) + 4 +
					     (info.kind == EVLOG_TRACK_VCPU || info.kind == EVLOG_TRACK_THREAD ? 4 : 0));
	}
	return MIN(MIN(lw, LABEL_MAX), w / 3);
}

/* A tick every 1, 2 or 5 x 10^k ns, at least 12 cells apart. */
static gint64 tick_step(gint64 npc)
{
	gint64 want = npc * 12;

	for (gint64 p = 1; p <= G_MAXINT64 / 10; p *= 10)
		for (int m = 0; m < 3; m++) {
			gint64 s = p * (m == 0 ? 1 : m == 1 ? 2 : 5);
			if (s >= want)
				return s;
		}
	return want;
}

static void draw_axis(struct tl *tl, const struct draw *d, WINDOW *win, int y, int x, int lw)
{
	gint64 step = tick_step(tl->npc);
	gboolean ascii = !d->unicode;

	for (gint64 i = 0;; i++) {
		gint64 off = step * i;
		int col = (int)(off / tl->npc);
		g_autofree char *label = NULL;
		g_autofree char *text = NULL;

		if (col >= tl->cols || i > 1000)
			break;
		label = i ? timeline_format_duration(off, ascii) : g_strdup("0");
		text = g_strdup_printf("%s+%s", ascii ? "|" : "╵", label);
		if (col + cells_text_width(text) > tl->cols)
			break; /* no label cut short */
		draw_text(d, win, y, x + lw + col, tl->cols - col, text, draw_attr(d, ROLE_DIM));
	}
}

static void draw_header(struct tl *tl, const struct draw *d, WINDOW *win, struct rect r)
{
	g_autofree char *a = timeline_format_time(tl->t0);
	g_autofree char *per = timeline_format_duration(tl->npc, !d->unicode);
	g_autofree char *cur = timeline_format_time(cursor_time(tl));
	g_autoptr(GString) s = g_string_new(NULL);
	const char *track = "";
	struct evlog_track_info info;

	if (tl->cur_row < (int)tl->rows->len) {
		const struct tl_row *row = &g_array_index(tl->rows, struct tl_row, tl->cur_row);
		if (row->track >= 0 && evlog_track_get_info(tl_log(tl), (guint)row->track, &info))
			track = info.name;
	}
	g_string_append_printf(s, "from %s, %s/cell  cursor %s %s", a, per, cur, track);
	draw_text_cut(d, win, r.y, r.x, r.w, s->str, draw_attr(d, ROLE_TITLE));
}

static int cell_eighths(const struct evlog_cell *c)
{
	int n = (int)(c->coverage * 8.0f + 0.5f);

	if (n == 0 && c->n_spans > 0)
		n = 1; /* something happened here: never invisible */
	return CLAMP(n, 0, 8);
}

/* c is the cell, prev and next its neighbours (NULL at the edges). */
static const char *cell_glyph(const struct draw *d, const struct evlog_cell *c, const struct evlog_cell *prev,
			      const struct evlog_cell *next, enum evlog_track_kind kind, gboolean over)
{
	int n = cell_eighths(c);

	if (d->unicode) {
		/* a span beginning here (nothing before, more after) fills the cell's right side */
		if (n > 0 && n < 8 && next && next->coverage > 0.0f && (!prev || prev->coverage <= 0.0f))
			return right_eighths[n];
		return eighths[n];
	}
	if (n == 0)
		return " ";
	if (over)
		return "!";
	if (kind == EVLOG_TRACK_CS || kind == EVLOG_TRACK_RUNNABLE)
		return n <= 3 ? "." : n <= 6 ? "-" : "=";
	return n <= 3 ? "." : n <= 6 ? "+" : "#";
}

/* One track's cells: runs of the same attribute drawn as one string. */
static void draw_track(struct tl *tl, const struct draw *d, WINDOW *win, int y, int x, int track,
		       enum evlog_track_kind kind, gboolean cursor_row, gboolean *any_over, guint32 *aux_min,
		       guint32 *aux_max)
{
	struct evlog *log = tl_log(tl);
	g_autoptr(GString) run = g_string_sized_new((gsize)tl->cols * 3);
	attr_t base = (kind == EVLOG_TRACK_CS || kind == EVLOG_TRACK_RUNNABLE) ? draw_attr(d, ROLE_TITLE_FOCUS)
									      : A_NORMAL;
	attr_t run_attr = base;
	int run_x = x;
	gint64 width = (gint64)tl->cols * tl->npc; /* <= 2^50 per cell: no overflow for any screen */
	gint64 t1 = tl->t0 > G_MAXINT64 - width ? G_MAXINT64 : tl->t0 + width;

	if (!evlog_query(log, (guint)track, tl->t0, t1, (guint)tl->cols, tl->cells))
		return;
	for (int c = 0; c < tl->cols; c++) {
		gint64 a = tl->t0 + (gint64)c * tl->npc;
		gboolean over = tl->cells[c].n_spans > 0 && over_in(tl, track, a, a + tl->npc);
		attr_t attr = over ? draw_attr(d, ROLE_ERROR) : base;

		if (over)
			*any_over = TRUE;
		if (cursor_row && c == tl->cur_col)
			attr |= A_REVERSE;
		if (attr != run_attr && run->len) {
			draw_text(d, win, y, run_x, c - (run_x - x), run->str, run_attr);
			g_string_truncate(run, 0);
		}
		if (!run->len) {
			run_x = x + c;
			run_attr = attr;
		}
		g_string_append(run, cell_glyph(d, &tl->cells[c], c > 0 ? &tl->cells[c - 1] : NULL,
						c + 1 < tl->cols ? &tl->cells[c + 1] : NULL, kind, over));
		if (tl->cells[c].n_spans) {
			*aux_min = MIN(*aux_min, tl->cells[c].aux_min);
			*aux_max = MAX(*aux_max, tl->cells[c].aux_max);
		}
	}
	if (run->len)
		draw_text(d, win, y, run_x, tl->cols - (run_x - x), run->str, run_attr);
}

static void draw_label(struct tl *tl, const struct draw *d, WINDOW *win, int y, int x, int lw,
		       const struct tl_row *row, gboolean cursor_row, gboolean over, guint32 aux_min, guint32 aux_max)
{
	struct evlog_track_info info;
	g_autoptr(GString) s = g_string_new(NULL);
	attr_t attr = cursor_row ? draw_attr(d, ROLE_SELECTED) : A_NORMAL;

	if (row->track < 0) {
		draw_text_cut(d, win, y, x, lw + tl->cols, row->group, draw_attr(d, ROLE_TITLE));
		return;
	}
	evlog_track_get_info(tl_log(tl), (guint)row->track, &info);
	g_string_append(s, info.kind == EVLOG_TRACK_CS || info.kind == EVLOG_TRACK_RUNNABLE ? "  " : " ");
	g_string_append(s, info.name);
	if ((info.kind == EVLOG_TRACK_VCPU || info.kind == EVLOG_TRACK_THREAD) && aux_min <= aux_max) {
		/* the physical CPUs it ran on in view */
		if (aux_min == aux_max)
			g_string_append_printf(s, " @%u", aux_min);
		else
			g_string_append_printf(s, " @%u-%u", aux_min, aux_max);
	}
	draw_text_cut(d, win, y, x, lw - 2, s->str, attr);
	if (over)
		draw_text(d, win, y, x + lw - 2, 1, "!", draw_attr(d, ROLE_ERROR));
}

static void draw_details(struct tl *tl, const struct draw *d, WINDOW *win, struct rect r)
{
	int h = MIN((int)tl->details->len + 1, MAX(r.h / 2, 3));
	int y0 = r.y + r.h - 1 - h;

	for (int i = 0; i < h; i++) {
		int k = tl->details_top + i - 1;

		draw_fill(win, y0 + i, r.x, r.w, A_NORMAL);
		if (i == 0)
			draw_text_cut(d, win, y0, r.x, r.w, "spans under the cursor (Up/Down scroll, Enter or Esc closes):",
				      draw_attr(d, ROLE_TITLE));
		else if (k < (int)tl->details->len)
			draw_text_cut(d, win, y0 + i, r.x + 1, r.w - 1, g_ptr_array_index(tl->details, k), A_NORMAL);
	}
}

static void draw_bottom(struct tl *tl, const struct draw *d, WINDOW *win, struct rect r)
{
	int y = r.y + r.h - 1;
	const struct evlog_stats *st = tl->src ? evlog_get_stats(tl_log(tl)) : NULL;

	draw_fill(win, y, r.x, r.w, A_NORMAL);
	if (tl->prompt) {
		g_autofree char *p = g_strdup_printf("%s %s", tl->prompt == 'g' ? "go to time (s, or 12.5ms; Ctrl-G cancels):"
										: "find track (name or pid; Ctrl-G cancels):", tl->input->str);
		int n = draw_text_cut(d, win, y, r.x, r.w, p, draw_attr(d, ROLE_PROMPT));
		if (n < r.w)
			draw_text(d, win, y, r.x + n, 1, "_", A_BLINK);
	} else if (tl->message) {
		draw_text_cut(d, win, y, r.x, r.w, tl->message, A_NORMAL);
	} else if (tl->error) {
		draw_text_cut(d, win, y, r.x, r.w, tl->error, draw_attr(d, ROLE_ERROR));
	} else {
		g_autoptr(GString) s = g_string_new("+/- zoom  Left/Right pan  h/l cursor  f fit  g go to  / find  "
						     "Enter spans");
		if (st && st->malformed)
			g_string_append_printf(s, "  [%" G_GUINT64_FORMAT " malformed]", st->malformed);
		draw_text_cut(d, win, y, r.x, r.w, s->str, draw_attr(d, ROLE_DIM));
	}
}

static void tl_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	struct tl *tl = pane->priv;
	struct evlog *log;
	int lw;

	if (tl->src && tl->follow && !tl->changed) {
		/* no timer: poll when drawn, at most every poll_ms */
		gint64 now = g_get_monotonic_time();
		if (now - tl->last_poll >= (gint64)tl->poll_ms * 1000) {
			tl->last_poll = now;
			tl_poll(tl);
		}
	}
	if (!tl->src) {
		draw_text_cut(pane->draw, win, r.y, r.x, r.w, tl->error ? tl->error : "(no event log)",
			      draw_attr(pane->draw, tl->error ? ROLE_ERROR : ROLE_DIM));
		return;
	}
	log = tl_log(tl);
	if (timeline_source_resets(tl->src) != tl->seen_resets) {
		tl->seen_resets = timeline_source_resets(tl->src);
		tl->rows_tracks = G_MAXUINT;
		over_clear(tl);
	}
	if (tl->rows_tracks != evlog_n_tracks(log))
		rows_build(tl);
	over_update(tl);
	lw = label_width(tl, r.w);
	tl->cols = MAX(r.w - lw, 0);
	if (tl->cols < 4 || r.h < 4) {
		draw_text_cut(pane->draw, win, r.y, r.x, r.w, "(too small for a timeline)", draw_attr(pane->draw, ROLE_DIM));
		return;
	}
	if ((guint)tl->cols > tl->n_cells) {
		g_free(tl->cells);
		tl->cells = g_new(struct evlog_cell, (gsize)tl->cols);
		tl->n_cells = (guint)tl->cols;
	}
	if (tl->fitted)
		view_fit(tl);
	tl->cur_col = CLAMP(tl->cur_col, 0, tl->cols - 1);
	tl->body_rows = r.h - 3;
	if (tl->cur_row < tl->top)
		tl->top = tl->cur_row;
	if (tl->cur_row >= tl->top + tl->body_rows)
		tl->top = tl->cur_row - tl->body_rows + 1;
	draw_header(tl, pane->draw, win, r);
	draw_axis(tl, pane->draw, win, r.y + 1, r.x, lw);
	if (!tl->rows->len)
		draw_text_cut(pane->draw, win, r.y + 2, r.x, r.w, "(no events yet)", draw_attr(pane->draw, ROLE_DIM));
	for (int i = 0; i < tl->body_rows && tl->top + i < (int)tl->rows->len; i++) {
		const struct tl_row *row = &g_array_index(tl->rows, struct tl_row, tl->top + i);
		gboolean cur = tl->top + i == tl->cur_row;
		gboolean over = FALSE;
		guint32 aux_min = G_MAXUINT32, aux_max = 0;
		struct evlog_track_info info;

		if (row->track >= 0 && evlog_track_get_info(log, (guint)row->track, &info))
			draw_track(tl, pane->draw, win, r.y + 2 + i, r.x + lw, row->track, info.kind, cur, &over, &aux_min,
				   &aux_max);
		draw_label(tl, pane->draw, win, r.y + 2 + i, r.x, lw, row, cur, over, aux_min, aux_max);
	}
	if (tl->details)
		draw_details(tl, pane->draw, win, r);
	draw_bottom(tl, pane->draw, win, r);
}

void pane_timeline_render(struct pane *pane, WINDOW *win, struct rect r)
{
	pane_draw(pane, win, r);
}

/* ---- keys ---- */

static void details_open(struct tl *tl, gboolean ascii)
{
	struct evlog *log = tl_log(tl);
	const struct tl_row *row;
	struct evlog_track_info info;
	gint64 a = cursor_time(tl), b = a + tl->npc;
	gsize lo = 0, hi;

	if (tl->cur_row >= (int)tl->rows->len)
		return;
	row = &g_array_index(tl->rows, struct tl_row, tl->cur_row);
	if (row->track < 0 || !evlog_track_get_info(log, (guint)row->track, &info))
		return;
	hi = info.n_spans;
	while (lo < hi) { /* first span ending after a */
		gsize mid = lo + (hi - lo) / 2;
		struct evlog_span s;
		evlog_get_span(log, (guint)row->track, mid, &s);
		if (s.end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	tl->details = g_ptr_array_new_with_free_func(g_free);
	for (gsize k = lo; k < info.n_spans && tl->details->len < DETAILS_MAX; k++) {
		struct evlog_span s;
		g_autofree char *t0 = NULL, *t1 = NULL, *dur = NULL;

		evlog_get_span(log, (guint)row->track, k, &s);
		if (s.start >= b)
			break;
		t0 = timeline_format_time(s.start);
		t1 = timeline_format_time(s.end);
		dur = timeline_format_duration(s.end - s.start, ascii);
		g_ptr_array_add(tl->details, g_strdup_printf("%s: %s to %s  %s  %s %u%s", info.name, t0, t1, dur,
							      info.kind == EVLOG_TRACK_VCPU || info.kind == EVLOG_TRACK_THREAD
								      ? "cpu" : info.kind == EVLOG_TRACK_CSV ? "aux" : "vcpu",
							      s.aux,
							      tl->budget_ns >= 0 && s.end - s.start > tl->budget_ns
								      ? "  OVERRUN" : ""));
	}
	if (info.open && info.open_start < b) {
		g_autofree char *t0 = timeline_format_time(info.open_start);
		g_ptr_array_add(tl->details, g_strdup_printf("%s: %s to (still running)  aux %u", info.name, t0,
							      info.open_aux));
	}
	if (!tl->details->len)
		g_ptr_array_add(tl->details, g_strdup_printf("%s: no span in this cell", info.name));
	tl->details_top = 0;
}

static gboolean details_key(struct tl *tl, int key)
{
	switch (key) {
	case UI_KEY_FN(KEY_UP):
	case 'k':
		tl->details_top = MAX(tl->details_top - 1, 0);
		break;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		tl->details_top = MIN(tl->details_top + 1, MAX((int)tl->details->len - 1, 0));
		break;
	case '\n':
	case '\r':
	case UI_KEY_FN(KEY_ENTER):
	case UI_KEY_ESC:
	case 'x':
		g_clear_pointer(&tl->details, g_ptr_array_unref);
		break;
	default:
		return FALSE;
	}
	return TRUE;
}

/* "3.1", "3.1s", "3100ms": an absolute time like the header shows. */
static void prompt_goto(struct tl *tl, const char *text)
{
	gint64 t;

	if (!timeline_parse_duration(text, &t)) {
		tl_message(tl, "not a time: '%s' (seconds as the header shows them, or 3100ms)", text);
		return;
	}
	view_center(tl, t);
}

static void prompt_find(struct tl *tl, const char *text)
{
	struct evlog *log = tl_log(tl);
	int n = (int)tl->rows->len;

	if (!*text)
		return;
	for (int k = 1; k <= n; k++) {
		int i = (tl->cur_row + k) % n;
		const struct tl_row *row = &g_array_index(tl->rows, struct tl_row, i);
		struct evlog_track_info info;
		char key[16];

		if (row->track < 0 || !evlog_track_get_info(log, (guint)row->track, &info))
			continue;
		g_snprintf(key, sizeof(key), "%u", info.key);
		if (strstr(info.name, text) || g_str_equal(key, text)) {
			tl->cur_row = i;
			return;
		}
	}
	tl_message(tl, "no track matches '%s'", text);
}

static gboolean prompt_key(struct tl *tl, int key)
{
	if (key == UI_KEY_ESC || key == UI_CTRL('g') || key == UI_CTRL('c')) {
		tl->prompt = 0;
	} else if (key == '\n' || key == '\r' || key == UI_KEY_FN(KEY_ENTER)) {
		int p = tl->prompt;
		g_autofree char *text = g_strdup(tl->input->str);

		tl->prompt = 0;
		if (p == 'g')
			prompt_goto(tl, text);
		else
			prompt_find(tl, text);
	} else if (key == UI_KEY_FN(KEY_BACKSPACE) || key == 0x7f || key == UI_CTRL('h')) {
		const char *prev = tl->input->len ? g_utf8_find_prev_char(tl->input->str, tl->input->str + tl->input->len)
						  : NULL;
		if (prev)
			g_string_truncate(tl->input, (gsize)(prev - tl->input->str));
	} else if (!UI_KEY_IS_FN(key) && key >= 0x20 && key != 0x7f && g_unichar_validate((gunichar)key) &&
		   tl->input->len < 64) {
		g_string_append_unichar(tl->input, (gunichar)key);
	}
	return TRUE;
}

static gboolean tl_key_view(struct pane *pane, int key);

/* Keys; the view is kept where time arithmetic cannot overflow. */
static gboolean tl_key(struct pane *pane, int key)
{
	struct tl *tl = pane->priv;
	gboolean used = tl_key_view(pane, key);

	tl->t0 = CLAMP(tl->t0, -MAX_T, MAX_T);
	return used;
}

static gboolean tl_key_view(struct pane *pane, int key)
{
	struct tl *tl = pane->priv;
	int step = MAX(tl->cols / 8, 1);

	if (!tl->src)
		return FALSE;
	if (tl->prompt)
		return prompt_key(tl, key);
	g_clear_pointer(&tl->message, g_free);
	if (tl->details && details_key(tl, key))
		return TRUE;
	switch (key) {
	case '+':
	case '=':
		view_zoom(tl, 1, 2);
		return TRUE;
	case '-':
	case '_':
		view_zoom(tl, 2, 1);
		return TRUE;
	case UI_KEY_FN(KEY_LEFT):
		tl->t0 -= step * tl->npc;
		tl->fitted = FALSE;
		return TRUE;
	case UI_KEY_FN(KEY_RIGHT):
		tl->t0 += step * tl->npc;
		tl->fitted = FALSE;
		return TRUE;
	case 'h':
		if (tl->cur_col == 0) {
			tl->t0 -= tl->npc;
			tl->fitted = FALSE;
		}
		tl->cur_col = MAX(tl->cur_col - 1, 0);
		return TRUE;
	case 'l':
		if (tl->cur_col >= tl->cols - 1) {
			tl->t0 += tl->npc;
			tl->fitted = FALSE;
		}
		tl->cur_col = MIN(tl->cur_col + 1, MAX(tl->cols - 1, 0));
		return TRUE;
	case UI_KEY_FN(KEY_UP):
	case 'k':
		row_move(tl, -1);
		return TRUE;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		row_move(tl, 1);
		return TRUE;
	case UI_KEY_FN(KEY_PPAGE):
		row_move(tl, -MAX(tl->body_rows - 1, 1));
		return TRUE;
	case UI_KEY_FN(KEY_NPAGE):
		row_move(tl, MAX(tl->body_rows - 1, 1));
		return TRUE;
	case UI_KEY_FN(KEY_HOME):
		tl->t0 = evlog_get_stats(tl_log(tl))->t_min;
		tl->cur_col = 0;
		tl->fitted = FALSE;
		return TRUE;
	case UI_KEY_FN(KEY_END):
		tl->t0 = evlog_get_stats(tl_log(tl))->t_max - (gint64)(tl->cols - 1) * tl->npc;
		tl->cur_col = MAX(tl->cols - 1, 0);
		tl->fitted = FALSE;
		return TRUE;
	case 'f':
		tl->fitted = TRUE;
		return TRUE;
	case 'g':
	case '/':
		tl->prompt = key;
		g_string_truncate(tl->input, 0);
		return TRUE;
	case '\n':
	case '\r':
	case UI_KEY_FN(KEY_ENTER):
		details_open(tl, !pane->draw->unicode);
		return TRUE;
	default:
		return FALSE;
	}
}

static void tl_reset(struct pane *pane)
{
	struct tl *tl = pane->priv;

	tl->fitted = TRUE;
	g_clear_pointer(&tl->details, g_ptr_array_unref);
}

const struct pane_ops pane_timeline_ops = {
	.name = "timeline",
	.init = tl_init,
	.destroy = tl_destroy,
	.draw = tl_draw,
	.key = tl_key,
	.reset = tl_reset,
};
