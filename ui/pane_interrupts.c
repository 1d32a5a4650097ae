/* pane_interrupts.c - the interrupts pane: per-IRQ per-CPU deltas since the step started, and rates. */
#include "config.h"

#include <string.h>

#include "irq.h"
#include "irqmon.h"
#include "keys.h"
#include "pane_interrupts.h"

#define NAME_W 20
#define CELL_W 7

struct irqpane {
	GRegex *re;
	char *match_error;
	char *error;              /* the last sampling error, until a sample comes */
	char *last;               /* the latest sample's bytes (a base made from it on reset) */
	gsize last_len;
	struct irq_table *base, *prev, *cur;
	struct irq_table *spare;  /* the next sample is parsed into it (tables and diffs are reused) */
	gint64 base_us, prev_us, cur_us;
	struct irq_diff *since;   /* base -> cur */
	struct irq_diff *recent;  /* prev -> cur: rates and changed cells */
	GArray *order;            /* guint: diff rows shown, in display order */
	gboolean number_order;    /* 'o': IRQ number order instead of activity */
	gboolean moved_only;      /* 'c': only the CPUs whose counters of the rows shown moved */
	guint first_col;          /* Left/Right: the first of the CPU columns shown */
	GArray *cols;             /* guint: the CPU columns shown, in order (rebuilt with the rows) */
	struct irqmon *mon;       /* the pane's own sampling, or NULL */
	void (*changed)(void *user_data);
	void *changed_data;
	int top;                  /* first row shown */
};

static void irqpane_clear_diffs(struct irqpane *ip)
{
	g_clear_pointer(&ip->since, irq_diff_free);
	g_clear_pointer(&ip->recent, irq_diff_free);
	g_array_set_size(ip->order, 0);
}

static void interrupts_init(struct pane *pane)
{
	struct irqpane *ip = g_new0(struct irqpane, 1);

	ip->order = g_array_new(FALSE, FALSE, sizeof(guint));
	ip->cols = g_array_new(FALSE, FALSE, sizeof(guint));
	pane->priv = ip;
}

static void interrupts_destroy(struct pane *pane)
{
	struct irqpane *ip = pane->priv;

	irqmon_free(ip->mon);
	irqpane_clear_diffs(ip);
	g_array_unref(ip->order);
	g_array_unref(ip->cols);
	irq_table_free(ip->base);
	irq_table_free(ip->prev);
	irq_table_free(ip->cur);
	irq_table_free(ip->spare);
	if (ip->re)
		g_regex_unref(ip->re);
	g_free(ip->match_error);
	g_free(ip->error);
	g_free(ip->last);
	g_free(ip);
}

static const struct irq_row *diff_row(const struct irq_diff *d, guint r)
{
	return &d->after->rows[d->rows[r].after_row];
}

/* The rows shown: matching, by activity since the base (then rate, then number), or by number. */
static int by_activity(const void *a, const void *b, void *p)
{
	const struct irqpane *ip = p;
	guint ra = *(const guint *)a, rb = *(const guint *)b;
	const struct irq_diff_row *da = &ip->since->rows[ra], *db = &ip->since->rows[rb];

	if (!ip->number_order && da->total != db->total)
		return da->total > db->total ? -1 : 1;
	return ra < rb ? -1 : ra > rb;
}

/* diff of before -> after into *d, reusing it */
static void diff_into(struct irq_diff **d, const struct irq_table *before, const struct irq_table *after,
		      double interval_s)
{
	if (*d)
		irq_diff_into(*d, before, after, interval_s);
	else
		*d = irq_diff(before, after, interval_s);
}

/* The CPU columns shown: all, or those where a row shown moved ('c'), from first_col on. */
static void irqpane_columns(struct irqpane *ip)
{
	guint n = ip->cur ? ip->cur->n_cpus : 0, kept = 0;

	g_array_set_size(ip->cols, 0);
	for (guint c = 0; c < n; c++) {
		gboolean moved = !ip->moved_only;

		for (guint i = 0; i < ip->order->len && !moved; i++) {
			const struct irq_diff_row *dr = &ip->since->rows[g_array_index(ip->order, guint, i)];

			moved = c < dr->n_cells && dr->deltas[c] > 0 && ip->since->after->rows[dr->after_row].per_cpu;
		}
		if (moved)
			g_array_append_val(ip->cols, c);
	}
	kept = ip->cols->len;
	ip->first_col = kept ? MIN(ip->first_col, kept - 1) : 0;
	g_array_remove_range(ip->cols, 0, ip->first_col);
}

static void irqpane_rebuild(struct irqpane *ip)
{
	g_array_set_size(ip->order, 0);
	g_array_set_size(ip->cols, 0);
	if (!ip->cur) {
		irqpane_clear_diffs(ip);
		return;
	}
	diff_into(&ip->since, ip->base, ip->cur, (double)(ip->cur_us - ip->base_us) / 1e6);
	if (ip->prev)
		diff_into(&ip->recent, ip->prev, ip->cur, (double)(ip->cur_us - ip->prev_us) / 1e6);
	else
		g_clear_pointer(&ip->recent, irq_diff_free);
	for (guint r = 0; r < ip->since->n_rows; r++)
		if (irqmon_row_matches(diff_row(ip->since, r), ip->re))
			g_array_append_val(ip->order, r);
	g_qsort_with_data(ip->order->data, (gint)ip->order->len, sizeof(guint), by_activity, ip);
	irqpane_columns(ip);
}

void pane_interrupts_sample(struct pane *pane, const char *data, gsize len, gint64 mono_us)
{
	struct irqpane *ip = pane->priv;
	g_autoptr(GError) error = NULL;
	struct irq_table *t;

	if (!ip->spare)
		ip->spare = irq_table_new();
	if (!irq_parse_into(ip->spare, data, len, &error)) {
		pane_interrupts_error(pane, error->message);
		return;
	}
	g_clear_pointer(&ip->error, g_free);
	/* the oldest table becomes the spare: the diffs are rebuilt below before anything reads them */
	t = ip->spare;
	ip->spare = ip->prev;
	ip->prev = ip->cur;
	ip->prev_us = ip->cur_us;
	ip->cur = t;
	ip->cur_us = mono_us;
	g_free(ip->last);
	ip->last = g_memdup2(data, len);
	ip->last_len = len;
	if (!ip->base) {
		ip->base = irq_parse(data, len, NULL);
		ip->base_us = mono_us;
	}
	irqpane_rebuild(ip);
}

void pane_interrupts_error(struct pane *pane, const char *message)
{
	struct irqpane *ip = pane->priv;

	g_free(ip->error);
	ip->error = g_strdup(message);
}

gboolean pane_interrupts_set_match(struct pane *pane, const char *regex, GError **error)
{
	struct irqpane *ip = pane->priv;
	GError *err = NULL;

	if (ip->re)
		g_regex_unref(ip->re);
	ip->re = NULL;
	g_clear_pointer(&ip->match_error, g_free);
	if (regex && !(ip->re = g_regex_new(regex, 0, 0, &err))) {
		ip->match_error = g_strdup_printf("match /%s/: %s", regex, err->message);
		g_propagate_error(error, err);
	}
	irqpane_rebuild(ip);
	return ip->re || !regex;
}

static void on_sample(struct irqmon *mon G_GNUC_UNUSED, const struct irqmon_sample *prev G_GNUC_UNUSED,
		      const struct irqmon_sample *cur, const struct irq_diff *diff G_GNUC_UNUSED, const GError *error,
		      void *p)
{
	struct pane *pane = p;
	struct irqpane *ip = pane->priv;

	if (error)
		pane_interrupts_error(pane, error->message);
	else
		pane_interrupts_sample(pane, g_bytes_get_data(cur->raw, NULL), g_bytes_get_size(cur->raw), cur->mono_us);
	if (ip->changed)
		ip->changed(ip->changed_data);
}

void pane_interrupts_watch(struct pane *pane, struct irqmon *mon, guint interval_ms, void (*changed)(void *user_data),
			   void *user_data)
{
	struct irqpane *ip = pane->priv;

	irqmon_free(ip->mon);
	ip->mon = mon;
	ip->changed = changed;
	ip->changed_data = user_data;
	irqmon_watch(mon, interval_ms, on_sample, pane);
}

static void interrupts_feed(struct pane *pane, const char *data, gsize len)
{
	pane_interrupts_sample(pane, data, len, g_get_monotonic_time());
}

/* A step started: count from the latest sample. */
static void interrupts_reset(struct pane *pane)
{
	struct irqpane *ip = pane->priv;

	if (ip->last) {
		if (!ip->base)
			ip->base = irq_table_new();
		if (!irq_parse_into(ip->base, ip->last, ip->last_len, NULL))
			g_clear_pointer(&ip->base, irq_table_free); /* cannot be: it parsed before */
	} else {
		g_clear_pointer(&ip->base, irq_table_free);
	}
	ip->base_us = ip->cur_us;
	ip->top = 0;
	irqpane_rebuild(ip);
}

/* ---- the table's text, shared by drawing and pane_interrupts_text() ---- */

static guint64 recent_delta(const struct irqpane *ip, guint r, guint c)
{
	guint64 d = 0;

	if (ip->recent && r < ip->recent->n_rows && c < ip->recent->rows[r].n_cells)
		d = ip->recent->rows[r].deltas[c];
	return d;
}

static double row_rate(const struct irqpane *ip, guint r)
{
	return ip->recent && ip->recent->interval_s > 0 && r < ip->recent->n_rows
		       ? (double)ip->recent->rows[r].total / ip->recent->interval_s : 0;
}

/* IRQ, name, total and rate, then the CPU columns shown (the total stays in view however many). */
static void header_text(const struct irqpane *ip, GString *out)
{
	g_string_append_printf(out, "%4s %-*s %*s %*s", "IRQ", NAME_W, "name", CELL_W + 1, "total", CELL_W, "/s");
	for (guint i = 0; i < ip->cols->len; i++) {
		char col[16];

		g_snprintf(col, sizeof(col), "CPU%u", ip->cur->cpu_ids[g_array_index(ip->cols, guint, i)]);
		g_string_append_printf(out, " %*s", CELL_W, col);
	}
}

static void row_head_text(const struct irqpane *ip, guint r, GString *out)
{
	const struct irq_row *row = diff_row(ip->since, r);

	g_string_append_printf(out, "%4s %-*.*s %*" G_GUINT64_FORMAT " %*.1f", row->id, NAME_W, NAME_W,
			       *row->name ? row->name : row->text, CELL_W + 1, ip->since->rows[r].total, CELL_W,
			       row_rate(ip, r));
}

static void cell_text(guint64 v, gboolean changed, char *buf, gsize size)
{
	if (v)
		g_snprintf(buf, size, "%" G_GUINT64_FORMAT "%s", v, changed ? "*" : "");
	else
		g_snprintf(buf, size, ".");
}

static const char *empty_text(const struct irqpane *ip)
{
	if (ip->error)
		return ip->error;
	if (!ip->cur)
		return "(no sample yet)";
	return ip->re ? "(no IRQ matches)" : "(no IRQs)";
}

void pane_interrupts_text(struct pane *pane, GString *out)
{
	struct irqpane *ip = pane->priv;

	if (ip->match_error)
		g_string_append_printf(out, "%s\n", ip->match_error);
	if (!ip->cur || !ip->order->len || ip->error) {
		g_string_append_printf(out, "%s\n", empty_text(ip));
		return;
	}
	header_text(ip, out);
	g_string_append_c(out, '\n');
	for (guint i = 0; i < ip->order->len; i++) {
		guint r = g_array_index(ip->order, guint, i);
		const struct irq_diff_row *dr = &ip->since->rows[r];
		const struct irq_row *row = diff_row(ip->since, r);
		char cell[32];

		row_head_text(ip, r, out);
		for (guint k = 0; k < ip->cols->len && row->per_cpu; k++) {
			guint c = g_array_index(ip->cols, guint, k);

			cell_text(c < dr->n_cells ? dr->deltas[c] : 0, recent_delta(ip, r, c) > 0, cell, sizeof(cell));
			g_string_append_printf(out, " %*s", CELL_W, cell);
		}
		g_string_append_c(out, '\n');
	}
}

/* ---- drawing ---- */

static void interrupts_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	struct irqpane *ip = pane->priv;
	const struct draw *d = pane->draw;
	attr_t normal = draw_attr(d, ROLE_NORMAL), dim = draw_attr(d, ROLE_DIM);
	attr_t hot = draw_attr(d, ROLE_HINT_KEY) | A_BOLD;
	g_autoptr(GString) line = g_string_new(NULL);
	int y = r.y, rows;

	for (int i = 0; i < r.h; i++)
		draw_fill(win, r.y + i, r.x, r.w, normal);
	if (ip->match_error && y < r.y + r.h)
		draw_text_cut(d, win, y++, r.x, r.w, ip->match_error, draw_attr(d, ROLE_ERROR));
	if (!ip->cur || !ip->order->len || ip->error) {
		if (y < r.y + r.h)
			draw_text_cut(d, win, y, r.x, r.w, empty_text(ip), ip->error ? draw_attr(d, ROLE_ERROR) : dim);
		return;
	}
	header_text(ip, line);
	g_string_append(line, ip->number_order ? "  [o: by number]" : "  [o: by activity]");
	if (ip->moved_only)
		g_string_append(line, " [c: CPUs that moved]");
	draw_text_cut(d, win, y++, r.x, r.w, line->str, dim);
	rows = r.y + r.h - y;
	pane->rows = MAX(rows, 1);
	ip->top = CLAMP(ip->top, 0, MAX((int)ip->order->len - rows, 0));
	for (guint i = (guint)ip->top; i < ip->order->len && y < r.y + r.h; i++, y++) {
		guint ri = g_array_index(ip->order, guint, i);
		const struct irq_diff_row *dr = &ip->since->rows[ri];
		const struct irq_row *row = diff_row(ip->since, ri);
		int x = r.x, end = r.x + r.w;
		char cell[48];

		g_string_truncate(line, 0);
		row_head_text(ip, ri, line);
		x += draw_text(d, win, y, x, end - x, line->str, dr->total ? normal : dim);
		for (guint k = 0; k < ip->cols->len && row->per_cpu && x < end; k++) {
			guint c = g_array_index(ip->cols, guint, k);
			guint64 v = c < dr->n_cells ? dr->deltas[c] : 0;
			gboolean changed = recent_delta(ip, ri, c) > 0;
			char text[32];

			cell_text(v, FALSE, text, sizeof(text));
			g_snprintf(cell, sizeof(cell), " %*s", CELL_W, text);
			x += draw_text(d, win, y, x, end - x, cell, changed ? hot : v ? normal : dim);
		}
	}
}

static gboolean interrupts_key(struct pane *pane, int key)
{
	struct irqpane *ip = pane->priv;

	switch (key) {
	case 'o':
		ip->number_order = !ip->number_order;
		irqpane_rebuild(ip);
		return TRUE;
	case 'j':
	case UI_KEY_FN(KEY_DOWN):
		ip->top++;
		return TRUE;
	case 'k':
	case UI_KEY_FN(KEY_UP):
		ip->top = MAX(ip->top - 1, 0);
		return TRUE;
	case UI_KEY_FN(KEY_NPAGE):
		ip->top += MAX(pane->rows - 1, 1);
		return TRUE;
	case UI_KEY_FN(KEY_PPAGE):
		ip->top = MAX(ip->top - MAX(pane->rows - 1, 1), 0);
		return TRUE;
	case 'g':
	case UI_KEY_FN(KEY_HOME):
		ip->top = 0;
		return TRUE;
	case 'c':
		ip->moved_only = !ip->moved_only;
		ip->first_col = 0;
		irqpane_rebuild(ip);
		return TRUE;
	case 'h':
	case UI_KEY_FN(KEY_LEFT):
		ip->first_col = ip->first_col ? ip->first_col - 1 : 0;
		irqpane_rebuild(ip);
		return TRUE;
	case 'l':
	case UI_KEY_FN(KEY_RIGHT):
		ip->first_col++; /* clamped to the last column by the rebuild */
		irqpane_rebuild(ip);
		return TRUE;
	default:
		return FALSE;
	}
}

const struct pane_ops pane_interrupts_ops = {
	.name = "interrupts",
	.init = interrupts_init,
	.destroy = interrupts_destroy,
	.draw = interrupts_draw,
	.key = interrupts_key,
	.feed = interrupts_feed,
	.reset = interrupts_reset,
};
