/* vms.c - the VMs list: the libvirt connection's domains, their actions, and the libvirt side of the panes. */
#include "config.h"

#include <string.h>

#include "actions.h"
#include "cells.h"
#include "conhub.h"
#include "console.h"
#include "keys.h"
#include "virt.h"

#define STATS_INTERVAL_MS 1000
/* Polls in a row that changed nothing on the list before the poll pauses (see virtcon(1)). */
#define STATS_QUIET_AFTER 2

static void panes_refresh(struct console *c)
{
	for (int i = 0; i < c->n_panes; i++)
		pane_refresh(c->panes[i]);
}

/* What the list shows, as text: the poll pauses while it stays the same. With figures FALSE
 * only the domains and their states (what the panes care about). */
static char *shown_text(const struct virt *virt, gboolean figures)
{
	const GPtrArray *doms = virt ? virt_domains(virt) : NULL;
	GString *s = g_string_new(NULL);

	for (guint i = 0; doms && i < doms->len; i++) {
		const struct virt_domain *d = g_ptr_array_index(doms, i);

		g_string_append_printf(s, "%s %d", d->name, d->state);
		/* CPU% as the list shows it: unknown until the driver tells CPU time */
		if (figures)
			g_string_append_printf(s, " %u %" G_GUINT64_FORMAT " %.0f", d->vcpus, d->memory_kib,
					       d->cpu_time_ns > 0 && d->state == VIR_DOMAIN_RUNNING ? d->cpu_percent : -1.0);
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

static void vms_wake(struct console *c)
{
	c->vms_quiet = FALSE;
	c->vms_same = 0;
	vms_sync_stats(c);
}

static void on_state(struct virt *virt, enum virt_conn_state state, const char *message, void *user_data)
{
	struct console *c = user_data;

	if (virt == c->virt) {
		if (state == VIRT_CONN_DOWN && message)
			console_message(c, TRUE, "libvirt: %s (reconnecting)", message);
		vms_wake(c);
	}
	panes_refresh(c);
	console_dirty(c);
}

static void on_domains(struct virt *virt, void *user_data)
{
	struct console *c = user_data;
	g_autofree char *now = NULL, *states = shown_text(virt, FALSE);
	char **seen = virt == c->virt ? &c->vms_states : (char **)&c->other_states;

	/* a domain came or went, or changed state (the events say so before the model has it) */
	if (g_strcmp0(states, *seen) != 0) {
		g_free(*seen);
		*seen = g_steal_pointer(&states);
		panes_refresh(c);
	}
	if (virt != c->virt)
		return;
	now = shown_text(c->virt, TRUE);
	if (g_strcmp0(now, c->vms_shown) == 0) {
		if (++c->vms_same >= STATS_QUIET_AFTER && !c->vms_quiet) {
			c->vms_quiet = TRUE;
			vms_sync_stats(c);
		}
		return; /* nothing to draw */
	}
	g_free(c->vms_shown);
	c->vms_shown = g_steal_pointer(&now);
	c->vms_same = 0;
	c->vms_quiet = FALSE;
	console_dirty(c);
}

static void on_lifecycle(struct virt *virt, const char *domain, int event, int detail, void *user_data)
{
	struct console *c = user_data;

	if (virt == c->virt)
		vms_wake(c);
	panes_refresh(c);
	console_dirty(c);
}

static const struct virt_ops vms_virt_ops = { on_state, on_domains, on_lifecycle };

void vms_start(struct console *c)
{
	c->hub = conhub_new();
	c->actions_cancel = g_cancellable_new();
	c->other_virts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)virt_free);
	c->virt = virt_new(c->uri, &vms_virt_ops, c);
	c->vms_lv.cursor = -1;
}

void vms_stop(struct console *c)
{
	if (c->actions_cancel)
		g_cancellable_cancel(c->actions_cancel);
	g_clear_object(&c->actions_cancel);
	/* the streams first: they belong to the connections */
	g_clear_pointer(&c->hub, conhub_free);
	g_clear_pointer(&c->other_virts, g_hash_table_unref);
	g_clear_pointer(&c->virt, virt_free);
	g_clear_pointer(&c->vms_shown, g_free);
	g_clear_pointer(&c->vms_states, g_free);
	g_clear_pointer(&c->other_states, g_free);
	c->stats_ms = 0;
}

struct virt *vms_virt_for(struct console *c, const char *uri)
{
	struct virt *v;

	if (!c->virt)
		return NULL;
	if (!uri || g_strcmp0(uri, c->uri) == 0 || g_strcmp0(uri, virt_uri(c->virt)) == 0)
		return c->virt;
	v = g_hash_table_lookup(c->other_virts, uri);
	if (!v) {
		v = virt_new(uri, &vms_virt_ops, c);
		g_hash_table_insert(c->other_virts, g_strdup(uri), v);
	}
	return v;
}

static int n_vms(const struct console *c)
{
	const GPtrArray *doms = c->virt ? virt_domains(c->virt) : NULL;

	return doms ? (int)doms->len : 0;
}

static const struct virt_domain *selected_vm(const struct console *c)
{
	const GPtrArray *doms = c->virt ? virt_domains(c->virt) : NULL;

	if (!doms || c->vms_lv.cursor < 0 || c->vms_lv.cursor >= (int)doms->len)
		return NULL;
	return g_ptr_array_index(doms, c->vms_lv.cursor);
}

int vms_rows_wanted(const struct console *c)
{
	return MAX(n_vms(c), 1);
}

int view_vms_width(const struct console *c)
{
	const GPtrArray *doms = c->virt ? virt_domains(c->virt) : NULL;
	int w = 4;

	for (guint i = 0; doms && i < doms->len; i++)
		w = MAX(w, cells_text_width(((const struct virt_domain *)g_ptr_array_index(doms, i))->name));
	return MAX(MIN(w, 16), 6) + 2 + 23 + 2; /* cursor, the figures, borders */
}

void vms_sync_stats(struct console *c)
{
	const GPtrArray *doms;
	gboolean running = FALSE;
	guint want;

	if (!c->virt)
		return;
	doms = virt_domains(c->virt);
	for (guint i = 0; doms && i < doms->len; i++)
		running |= ((const struct virt_domain *)g_ptr_array_index(doms, i))->state == VIR_DOMAIN_RUNNING;
	/* only while the list shows, the connection is up, something runs and the figures move */
	want = c->layout.vms.h > 2 && !c->layout.too_small && c->zoomed < 0 && virt_state(c->virt) == VIRT_CONN_UP &&
	       running && !c->vms_quiet && !c->quitting
		       ? STATS_INTERVAL_MS
		       : 0;
	if (want != c->stats_ms) {
		c->stats_ms = want;
		virt_set_stats_interval(c->virt, want);
	}
}

char *vms_status_text(const struct console *c)
{
	const char *uri = c->virt ? virt_uri(c->virt) : NULL;
	const char *origin = c->virt ? virt_uri_origin(c->virt) : NULL;

	if (!c->virt)
		return g_strdup("no libvirt");
	switch (virt_state(c->virt)) {
	case VIRT_CONN_CONNECTING:
		return g_strdup_printf("connecting to %s", uri ? uri : c->uri ? c->uri : "libvirt");
	case VIRT_CONN_DOWN:
		return g_strdup_printf("%s: connection lost, reconnecting", uri ? uri : "libvirt");
	default:
		if (origin && *origin)
			return g_strdup_printf("%s (%s)", uri, origin);
		return g_strdup(uri ? uri : "libvirt");
	}
}

/* "256M", "1.5G" */
static void memory_text(guint64 kib, char *out, gsize len)
{
	if (kib >= 1024 * 1024)
		g_snprintf(out, len, "%.1fG", (double)kib / (1024.0 * 1024.0));
	else
		g_snprintf(out, len, "%" G_GUINT64_FORMAT "M", kib / 1024);
}

void view_vms_draw(struct console *c, WINDOW *w, struct rect r)
{
	struct rect in = rect_inner(r);
	const GPtrArray *doms = c->virt ? virt_domains(c->virt) : NULL;
	int n = n_vms(c), namew;
	gboolean show_mem, show_cpus;
	g_autofree char *title = NULL;

	title = c->vms_quiet && c->stats_ms == 0 && n ? g_strdup("VMs (CPU% paused)") : g_strdup("VMs");
	draw_box(&c->draw, w, r, title, c->focus == FOCUS_VMS);
	if (in.h <= 0 || in.w <= 0)
		return;
	if (!c->virt || virt_state(c->virt) != VIRT_CONN_UP) {
		g_autofree char *s = vms_status_text(c);

		draw_text_cut(&c->draw, w, in.y, in.x, in.w, s, draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	if (!n) {
		/* a newcomer's first screen: say how to get a VM here */
		draw_text_cut(&c->draw, w, in.y, in.x, in.w, "(no domains)", draw_attr(&c->draw, ROLE_DIM));
		if (in.h > 1)
			draw_text_cut(&c->draw, w, in.y + 1, in.x, in.w, "testbed/console-agent boots one",
				      draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	/* name, then state (9), vCPUs (3), memory (6), CPU% (5): memory and vCPUs go first when narrow */
	show_mem = in.w >= 2 + 6 + 9 + 3 + 6 + 5;
	show_cpus = in.w >= 2 + 6 + 9 + 3 + 5;
	namew = in.w - 2 - 9 - 5 - (show_cpus ? 3 : 0) - (show_mem ? 6 : 0);
	if (namew < 1)
		namew = 1;
	{
		g_autofree char *head = g_strdup_printf("  %-*s %-8s%s%s%5s", namew - 1, "name", "state", show_cpus ? "cpu" : "",
							show_mem ? "   mem" : "", "%");

		draw_text_cut(&c->draw, w, in.y, in.x, in.w, head, draw_attr(&c->draw, ROLE_DIM));
	}
	listview_clamp(&c->vms_lv, n, in.h - 1);
	for (int row = 0; row < in.h - 1; row++) {
		int i = listview_item_at(&c->vms_lv, row, n), y = in.y + 1 + row, x = in.x;
		const struct virt_domain *d;
		gboolean sel = i == c->vms_lv.cursor;
		attr_t a = !sel ? A_NORMAL : draw_attr(&c->draw, c->focus == FOCUS_VMS ? ROLE_SELECTED : ROLE_SELECTED_OTHER);
		char mem[16], cpu[16], cpus[16];
		g_autofree char *figs = NULL;

		if (i < 0)
			break;
		d = g_ptr_array_index(doms, i);
		draw_fill(w, y, in.x, in.w, a);
		x += draw_text(&c->draw, w, y, x, 1, sel ? draw_glyph(&c->draw, GLYPH_CURSOR) : " ", a);
		x += draw_text(&c->draw, w, y, x, 1, " ", a);
		draw_text_cut(&c->draw, w, y, x, namew - 1, d->name, a | (d->state == VIR_DOMAIN_RUNNING ? A_BOLD : 0));
		memory_text(d->memory_kib, mem, sizeof(mem));
		g_snprintf(cpus, sizeof(cpus), "%3u", d->vcpus);
		if (d->cpu_percent >= 0 && d->cpu_time_ns > 0 && d->state == VIR_DOMAIN_RUNNING)
			g_snprintf(cpu, sizeof(cpu), "%.0f%%", d->cpu_percent);
		else
			g_strlcpy(cpu, "-", sizeof(cpu));
		figs = g_strdup_printf(" %-8.8s%s%*s%5s", virt_state_name(d->state), show_cpus ? cpus : "",
				       show_mem ? 6 : 0, show_mem ? mem : "", cpu);
		draw_text_cut(&c->draw, w, y, x + namew - 1, in.x + in.w - x - namew + 1, figs, a);
	}
}

/* ---- actions ---- */

struct vm_action {
	struct console *c;
	char *domain;
	char *action;
};

static void action_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct vm_action *va = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = action_run_finish(res, &error);

	if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		if (text)
			console_message(va->c, FALSE, "%s: %s: %s", va->domain, va->action,
					*text ? text : "done");
		else
			console_message(va->c, TRUE, "%s", error->message);
	}
	g_free(va->domain);
	g_free(va->action);
	g_free(va);
}

static void vm_action(struct console *c, const char *action, const char *domain)
{
	virConnectPtr conn = c->virt ? virt_connection(c->virt) : NULL;
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = action, .domain = domain, .opts = opts, .timeout_ms = 0 };
	struct vm_action *va;

	if (!conn) {
		console_message(c, TRUE, "%s: not connected to libvirt yet", domain);
		return;
	}
	va = g_new0(struct vm_action, 1);
	va->c = c;
	va->domain = g_strdup(domain);
	va->action = g_strdup(action);
	/* on a worker: the loop never waits for libvirt */
	action_run_async(conn, &spec, c->actions_cancel, action_done, va);
	console_message(c, FALSE, "%s: %s ...", domain, action);
}

static void destroy_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	const struct virt_domain *d = selected_vm(c);

	if (answer == 'y' && d && p->index == c->vms_lv.cursor)
		vm_action(c, "destroy", d->name);
}

static void open_pane(struct console *c, const char *kind, const char *domain)
{
	struct pane *p = session_add_pane(c, kind, domain);

	if (p) {
		c->focus = FOCUS_PANE + c->n_panes - 1;
		console_message(c, FALSE, "%s pane for %s opened (w closes it)", kind, domain);
	}
}

gboolean vms_key(struct console *c, int key)
{
	const struct virt_domain *d;
	int n = n_vms(c), rows = MAX(rect_inner(c->layout.vms).h - 1, 1);
	g_autofree char *label = NULL;

	vms_wake(c); /* the operator looks at the list: its figures move again */
	switch (key) {
	case UI_KEY_FN(KEY_UP):
	case 'k':
		listview_move(&c->vms_lv, -1, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		listview_move(&c->vms_lv, 1, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_HOME):
	case 'g':
		listview_set(&c->vms_lv, 0, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_END):
	case 'G':
		listview_set(&c->vms_lv, n - 1, n, rows);
		return TRUE;
	default:
		break;
	}
	if (!strchr("SdDcm\r\n", key > 0 && key < 128 ? key : 1) && key != UI_KEY_FN(KEY_ENTER))
		return FALSE;
	d = selected_vm(c);
	if (!d) {
		console_message(c, TRUE, "no VM selected%s", c->virt && virt_state(c->virt) == VIRT_CONN_UP
								? "" : ": not connected to libvirt yet");
		return TRUE;
	}
	switch (key) {
	case 'S':
		vm_action(c, "start", d->name);
		break;
	case 'd':
		vm_action(c, "shutdown", d->name);
		break;
	case 'D':
		label = g_strdup_printf("Destroy %s (power it off at once)? (y/n)", d->name);
		console_prompt(c, PROMPT_CONFIRM, label, NULL, destroy_answered);
		c->prompt.index = c->vms_lv.cursor;
		break;
	case 'm':
		open_pane(c, "migration", d->name);
		break;
	default: /* c, Enter */
		open_pane(c, "console", d->name);
		break;
	}
	return TRUE;
}
