/* pane_migration.c - the migration pane: a domain's migration job stats (migmon) as figures and a progress bar. */
#include "config.h"

#include "console.h"
#include "migmon.h"
#include "suite.h"
#include "vars.h"
#include "virt.h"

#define MIGRATION_INTERVAL_MS 500

struct migration_pane {
	struct pane *pane;
	struct console *c;
	char *machine;
	char *domain;
	char *uri;
	struct migmon *mon;
	gboolean done;          /* the monitor said the job ended: its last figures stay */
	struct migmon_sample last;
	char *last_status;      /* last.status points into the monitor: kept here */
	gboolean have;
	char *state;            /* why there is no monitor, or NULL */
};

static void on_sample(const struct migmon_sample *s, void *user_data)
{
	struct migration_pane *mp = user_data;

	mp->last = *s;
	g_free(mp->last_status);
	mp->last_status = g_strdup(s->status ? s->status : "none");
	mp->last.status = mp->last_status;
	mp->have = TRUE;
	if (mp->c)
		console_dirty(mp->c);
}

static void on_done(const struct migmon_sample *last, void *user_data)
{
	struct migration_pane *mp = user_data;

	if (last)
		on_sample(last, mp);
	mp->done = TRUE;
}

static void stop(struct migration_pane *mp)
{
	g_clear_pointer(&mp->mon, migmon_stop);
}

static void migration_refresh(struct pane *pane)
{
	static const struct migmon_ops ops = { on_sample, on_done };
	struct migration_pane *mp = pane->priv;
	struct virt *virt;

	if (!mp->c)
		return;
	if (mp->mon && !mp->done)
		return;
	virt = vms_virt_for(mp->c, mp->uri);
	g_clear_pointer(&mp->state, g_free);
	if (!virt || virt_state(virt) != VIRT_CONN_UP) {
		stop(mp);
		mp->state = g_strdup("waiting for the libvirt connection");
	} else if (!virt_find_domain(virt, mp->domain)) {
		stop(mp);
		mp->state = g_strdup_printf("no domain '%s' on %s", mp->domain, virt_uri(virt));
	} else {
		/* a new monitor after a job ended: the next migration shows too */
		stop(mp);
		mp->done = FALSE;
		mp->mon = migmon_start(virt_connection(virt), mp->domain, MIGRATION_INTERVAL_MS, &ops, mp);
	}
	console_dirty(mp->c);
}

static void migration_init(struct pane *pane)
{
	struct migration_pane *mp = g_new0(struct migration_pane, 1);
	const struct suite_machine *m = NULL;

	pane->priv = mp;
	mp->pane = pane;
	mp->c = pane->host;
	mp->machine = g_strdup(pane->target ? pane->target : "?");
	if (mp->c && mp->c->suite)
		m = suite_find_machine(mp->c->suite, mp->machine);
	if (m && m->domain && mp->c->vars)
		mp->domain = vars_expand(mp->c->vars, m->domain, VARS_RAW, NULL);
	if (!mp->domain)
		mp->domain = g_strdup(m && m->domain ? m->domain : mp->machine);
	if (m && m->uri && mp->c->vars)
		mp->uri = vars_expand(mp->c->vars, m->uri, VARS_RAW, NULL);
	if (!mp->uri && mp->c && mp->c->uri)
		mp->uri = g_strdup(mp->c->uri);
	{
		g_autofree char *title = g_strdup_printf("migration: %s", mp->machine);

		pane_set_title(pane, title);
	}
	migration_refresh(pane);
}

static void migration_destroy(struct pane *pane)
{
	struct migration_pane *mp = pane->priv;

	stop(mp);
	g_free(mp->machine);
	g_free(mp->domain);
	g_free(mp->uri);
	g_free(mp->last_status);
	g_free(mp->state);
	g_free(mp);
}

/* 1.5 GiB, 120 MiB, 12 KiB, 300 B */
static char *bytes_text(guint64 n)
{
	return g_format_size_full(n, G_FORMAT_SIZE_IEC_UNITS);
}

static void migration_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	struct migration_pane *mp = pane->priv;
	const struct draw *d = pane->draw;
	const struct migmon_sample *s = &mp->last;
	g_autofree char *line = NULL, *proc = NULL, *rem = NULL, *tot = NULL, *bw = NULL;
	int y = r.y, bar_w;
	double frac = 0;

	if (mp->state) {
		draw_text_cut(d, win, y, r.x, r.w, mp->state, draw_attr(d, ROLE_DIM));
		return;
	}
	if (!mp->have) {
		draw_text_cut(d, win, y, r.x, r.w, "(no sample yet)", draw_attr(d, ROLE_DIM));
		return;
	}
	line = g_strdup_printf("status: %s%s   elapsed %.1f s", s->status,
			       g_strcmp0(s->status, "none") == 0 ? " (no migration job)" : "",
			       (double)s->elapsed_ms / 1000.0);
	draw_text_cut(d, win, y++, r.x, r.w, line, A_BOLD);
	if (y >= r.y + r.h)
		return;
	if (s->data_total)
		frac = CLAMP((double)s->data_processed / (double)s->data_total, 0.0, 1.0);
	if (g_strcmp0(s->status, "completed") == 0)
		frac = 1.0;
	bar_w = MAX(r.w - 7, 1);
	{
		GString *bar = g_string_new("[");
		int full = (int)(frac * (bar_w - 2) + 0.5);

		for (int i = 0; i < bar_w - 2; i++)
			g_string_append_c(bar, i < full ? '#' : '-');
		g_string_append_printf(bar, "] %3d%%", (int)(frac * 100.0 + 0.5));
		draw_text_cut(d, win, y++, r.x, r.w, bar->str, A_NORMAL);
		g_string_free(bar, TRUE);
	}
	proc = bytes_text(s->data_processed);
	rem = bytes_text(s->data_remaining);
	tot = bytes_text(s->data_total);
	bw = bytes_text(s->memory_bps);
	g_free(line);
	line = g_strdup_printf("data: %s processed, %s remaining of %s", proc, rem, tot);
	if (y < r.y + r.h)
		draw_text_cut(d, win, y++, r.x, r.w, line, A_NORMAL);
	g_free(line);
	line = g_strdup_printf("bandwidth: %s/s   dirty rate: %" G_GUINT64_FORMAT " pages/s", bw, s->dirty_rate_pps);
	if (y < r.y + r.h)
		draw_text_cut(d, win, y++, r.x, r.w, line, A_NORMAL);
	g_free(line);
	line = g_strdup_printf("iterations: %" G_GUINT64_FORMAT "   expected downtime: %" G_GUINT64_FORMAT " ms",
			       s->iterations, s->downtime_ms);
	if (y < r.y + r.h)
		draw_text_cut(d, win, y++, r.x, r.w, line, A_NORMAL);
	if (mp->done && y < r.y + r.h)
		draw_text_cut(d, win, y, r.x, r.w, "(the job ended: these are its final figures)", draw_attr(d, ROLE_DIM));
}

const struct pane_ops pane_migration_ops = {
	.name = "migration",
	.init = migration_init,
	.destroy = migration_destroy,
	.draw = migration_draw,
	.virt_changed = migration_refresh,
};
