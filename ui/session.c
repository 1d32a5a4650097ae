/* session.c - the console's session: suites list, the open suite, its run and journal, exports. */
#include "config.h"

#include <string.h>

#include "catalog.h"
#include "console.h"
#include "virt.h"
#include "pane_timeline.h"
#include "pane_interrupts.h"
#include "irqmon.h"
#include "export.h"
#include "journal.h"
#include "runner.h"
#include "suite.h"
#include "vars.h"

/* "demo/host-basics" for SUITEDIR/demo/host-basics.yaml; the path itself outside the dirs. */
static char *suite_display_name(const char *path, char **dirs)
{
	gsize len = strlen(path);
	char *name = NULL;

	for (char **d = dirs; *d && !name; d++) {
		gsize dl = strlen(*d);

		if (len > dl + 1 && strncmp(path, *d, dl) == 0 && path[dl] == G_DIR_SEPARATOR)
			name = g_strdup(path + dl + 1);
	}
	if (!name)
		name = g_strdup(path);
	if (g_str_has_suffix(name, ".yaml"))
		name[strlen(name) - 5] = '\0';
	else if (g_str_has_suffix(name, ".yml"))
		name[strlen(name) - 4] = '\0';
	return name;
}

static gboolean same_file(const char *a, const char *b)
{
	g_autofree char *ca = g_canonicalize_filename(a, NULL);
	g_autofree char *cb = g_canonicalize_filename(b, NULL);

	return g_str_equal(ca, cb);
}

void session_load_catalog(struct console *c, const char *given_path)
{
	g_auto(GStrv) dirs = catalog_dirs();
	GPtrArray *all = catalog_list();
	int given = -1, pick = -1;

	c->suite_paths = g_ptr_array_new_with_free_func(g_free);
	c->suite_names = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < all->len; i++) {
		const char *p = g_ptr_array_index(all, i);

		g_ptr_array_add(c->suite_paths, g_strdup(p));
		g_ptr_array_add(c->suite_names, suite_display_name(p, dirs));
		if (given_path && given < 0 && same_file(p, given_path))
			given = (int)i;
	}
	g_ptr_array_unref(all);
	if (given_path && given < 0) {
		g_ptr_array_insert(c->suite_paths, 0, g_strdup(given_path));
		g_ptr_array_insert(c->suite_names, 0, suite_display_name(given_path, dirs));
		given = 0;
	}
	if (given >= 0) {
		pick = given;
	} else {
		for (guint i = 0; i < c->suite_names->len && pick < 0; i++)
			if (g_str_equal(g_ptr_array_index(c->suite_names, i), "demo/host-basics"))
				pick = (int)i;
		for (guint i = 0; i < c->suite_names->len && pick < 0; i++)
			if (g_str_has_prefix(g_ptr_array_index(c->suite_names, i), "demo/"))
				pick = (int)i;
		if (pick < 0 && c->suite_names->len)
			pick = 0;
	}
	c->suites_lv.cursor = pick;
	c->suites_lv.top = 0;
	c->open_index = -1;
	if (pick >= 0)
		session_open(c, (guint)pick);
}

struct pane *session_pane(struct console *c, const char *kind)
{
	for (int i = 0; i < c->n_panes; i++)
		if (g_str_equal(c->panes[i]->ops->name, kind))
			return c->panes[i];
	return NULL;
}

static void add_pane(struct console *c, const struct pane_ops *ops, const char *target)
{
	if (c->n_panes < LAYOUT_MAX_PANES)
		c->panes[c->n_panes++] = pane_new(ops, target, &c->draw, c);
}

/* A pane of that kind on that target (kinds without a target: of that kind). */
static struct pane *find_pane(struct console *c, const char *kind, const char *target)
{
	for (int i = 0; i < c->n_panes; i++)
		if (g_str_equal(c->panes[i]->ops->name, kind) && g_strcmp0(c->panes[i]->target, target) == 0)
			return c->panes[i];
	return NULL;
}

struct pane *session_add_pane(struct console *c, const char *kind, const char *target)
{
	const struct pane_ops *ops = pane_lookup(kind);
	struct pane *p = find_pane(c, kind, target);

	if (!ops)
		return NULL;
	if (p) {
		for (int i = 0; i < c->n_panes; i++)
			if (c->panes[i] == p)
				c->focus = FOCUS_PANE + i;
		console_message(c, FALSE, "the %s pane of %s is open already", kind, target ? target : "");
		return NULL;
	}
	if (c->n_panes >= LAYOUT_MAX_PANES) {
		console_message(c, TRUE, "%d panes are open, the most there can be: w closes the focused one",
				LAYOUT_MAX_PANES);
		return NULL;
	}
	add_pane(c, ops, target);
	if (c->zoomed >= 0)
		c->zoomed = c->n_panes - 1;
	console_dirty(c);
	return c->panes[c->n_panes - 1];
}

void session_close_pane(struct console *c, int index)
{
	if (index < 0 || index >= c->n_panes)
		return;
	pane_free(c->panes[index]);
	memmove(&c->panes[index], &c->panes[index + 1], sizeof(c->panes[0]) * (gsize)(c->n_panes - index - 1));
	c->n_panes--;
	c->panes[c->n_panes] = NULL;
	c->zoomed = -1;
	if (c->focus >= FOCUS_PANE + c->n_panes)
		c->focus = c->n_panes ? FOCUS_PANE + c->n_panes - 1 : FOCUS_STEPS;
	if (c->output_step >= 0 && !session_pane(c, "output"))
		c->output_step = -1;
	console_dirty(c);
}

/* The suite's panes that this version has; output and journal when it names none. */
static void pane_changed(void *data)
{
	console_dirty(data);
}

/* What a suite's pane needs beyond its target: the timeline's file and options, the
 * interrupts pane's filter and its sampling of the machine. */
static void setup_suite_pane(struct console *c, struct pane *pane, const struct suite_pane *sp)
{
	g_autoptr(GError) error = NULL;
	const char *file = g_hash_table_lookup(sp->opts, "file");

	if (g_str_equal(sp->kind, "timeline") && file) {
		g_autofree char *path = vars_expand(c->vars, file, VARS_RAW, &error);

		if (!path || !pane_timeline_open(pane, path, sp->opts, pane_changed, c, &error))
			console_message(c, TRUE, "timeline pane: %s", error->message);
	} else if (g_str_equal(sp->kind, "interrupts")) {
		const struct suite_machine *m = suite_find_machine(c->suite, sp->target);
		const char *match = g_hash_table_lookup(sp->opts, "match");
		virConnectPtr conn = NULL;
		g_autofree char *domain = NULL;
		struct irqmon *mon = NULL;

		{
			g_autofree char *title = g_strdup_printf("interrupts: %s", sp->target);

			pane_set_title(pane, title);
		}
		if (match && !pane_interrupts_set_match(pane, match, &error)) {
			console_message(c, TRUE, "interrupts pane: %s", error->message);
			g_clear_error(&error);
		}
		if (m && m->agent && m->domain) {
			struct virt *virt = vms_virt_for(c, m->uri);

			conn = virt ? virt_connection(virt) : NULL;
			domain = vars_expand(c->vars, m->domain, VARS_RAW, NULL);
		}
		if (m && !m->local && !m->agent && !m->ssh) {
			/* typing into the console every second would mix with what steps send and expect */
			g_set_error(&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "%s: the pane does not type into a console-only machine's console (steps use it): "
				    "give it 'agent: true' or 'ssh:'; a step's check reads it there, and so does "
				    "virtcon watch interrupts --on %s", m->name, m->name);
		} else if (m) {
			g_autofree char *dir = g_path_get_dirname(c->suite->file);

			mon = irqmon_new_for_machine(m, domain, conn, c->vars, dir, &error);
		}
		if (mon)
			pane_interrupts_watch(pane, mon, 1000, pane_changed, c);
		else
			pane_interrupts_error(pane, error ? error->message : "no such machine");
	}
}

static void build_panes(struct console *c)
{
	g_autoptr(GString) later = g_string_new(NULL);

	for (int i = 0; i < c->n_panes; i++)
		pane_free(c->panes[i]);
	c->n_panes = 0;
	c->zoomed = -1;
	for (guint i = 0; c->suite && i < c->suite->panes->len; i++) {
		const struct suite_pane *sp = g_ptr_array_index(c->suite->panes, i);
		const struct pane_ops *ops = pane_lookup(sp->kind);

		if (ops && !find_pane(c, sp->kind, sp->target)) {
			add_pane(c, ops, sp->target);
			if (c->panes[c->n_panes - 1]->ops == ops)
				setup_suite_pane(c, c->panes[c->n_panes - 1], sp);
		} else if (!ops)
			g_string_append_printf(later, "%s%s%s%s", later->len ? ", " : "", sp->kind,
					       sp->target ? " " : "", sp->target ? sp->target : "");
	}
	if (!c->n_panes) {
		add_pane(c, &pane_output_ops, NULL);
		add_pane(c, &pane_journal_ops, NULL);
	} else if (!session_pane(c, "output")) {
		add_pane(c, &pane_output_ops, NULL); /* the steps' output always has a place */
	}
	if (later->len)
		console_message(c, FALSE, "panes not in this version yet: %s", later->str);
	if (c->focus >= FOCUS_PANE + c->n_panes)
		c->focus = FOCUS_STEPS;
}

void session_close(struct console *c)
{
	if (c->run) {
		run_finish(c->run);
		g_clear_pointer(&c->run, run_free);
	}
	if (c->journal) {
		const GError *e = journal_error(c->journal);

		if (e)
			console_message(c, TRUE, "journal: %s", e->message);
		g_clear_pointer(&c->journal, journal_close);
	}
	g_clear_pointer(&c->journal_path, g_free);
	g_clear_pointer(&c->vars, vars_free);
	g_clear_pointer(&c->suite, suite_free);
	g_clear_pointer(&c->suite_path, g_free);
	g_clear_pointer(&c->load_error, g_free);
	g_clear_pointer(&c->seen, g_free);
	g_clear_pointer(&c->exports, g_free);
	c->output_step = -1;
	c->steps_lv.cursor = -1;
	c->steps_lv.top = 0;
}

gboolean session_open(struct console *c, guint index)
{
	g_autoptr(GError) error = NULL;
	const char *path;
	struct pane *jp;

	if (index >= c->suite_paths->len)
		return FALSE;
	session_close(c);
	path = g_ptr_array_index(c->suite_paths, index);
	c->open_index = (int)index;
	c->suite_path = g_strdup(path);
	c->suite = run_load_suite(path, &error);
	if (!c->suite) {
		c->load_error = g_strdup(error->message);
		console_message(c, TRUE, "%s: the suite has problems (see the steps box)",
				(char *)g_ptr_array_index(c->suite_names, index));
		build_panes(c);
		console_dirty(c);
		return FALSE;
	}
	c->vars = vars_new(c->suite);
	for (char **v = c->var_args; v && *v; v++) {
		if (!vars_assign(c->vars, *v, &error)) {
			console_message(c, TRUE, "--var %s: %s", *v, error->message);
			g_clear_error(&error);
		}
	}
	c->seen = g_new0(struct step_seen, MAX(c->suite->steps->len, 1));
	build_panes(c);
	jp = session_pane(c, "journal");
	if (jp)
		pane_clear(jp);
	c->steps_lv.cursor = c->suite->steps->len ? 0 : -1;
	c->steps_lv.top = 0;
	session_show_output(c, c->steps_lv.cursor, TRUE);
	console_dirty(c);
	return TRUE;
}

void session_journal_line(struct console *c, const char *mark, int step, const char *fmt, ...)
{
	struct pane *jp = session_pane(c, "journal");
	g_autoptr(GDateTime) now = NULL;
	g_autofree char *stamp = NULL, *text = NULL, *line = NULL;
	va_list ap;

	if (!jp)
		return;
	now = g_date_time_new_now_local();
	stamp = g_date_time_format(now, "%H:%M:%S");
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (step >= 0)
		line = g_strdup_printf("%s %s %2d %s\n", stamp, mark, step + 1, text);
	else
		line = g_strdup_printf("%s %s    %s\n", stamp, mark, text);
	pane_feed(jp, line, strlen(line));
}

void session_show_output(struct console *c, int step, gboolean force)
{
	struct pane *op = session_pane(c, "output");
	const struct run_step *st;
	g_autofree char *title = NULL;

	if (!op || (step == c->output_step && !force))
		return;
	c->output_step = step;
	pane_clear(op);
	if (step < 0) {
		pane_set_title(op, "output");
		return;
	}
	title = g_strdup_printf("output: step %d", step + 1);
	pane_set_title(op, title);
	st = console_step(c, (guint)step);
	if (st && st->output->len)
		pane_feed(op, st->output->str, st->output->len);
}

static gboolean tick_cb(gpointer data)
{
	struct console *c = data;

	if (!c->run || !run_busy(c->run)) {
		c->tick_id = 0;
		return G_SOURCE_REMOVE;
	}
	console_dirty(c);
	return G_SOURCE_CONTINUE;
}

static void on_step_changed(struct run *run, guint step, void *user_data)
{
	struct console *c = user_data;
	const struct run_step *st = run_get_step(run, step);
	const struct suite_step *ss = g_ptr_array_index(run_suite(run)->steps, step);
	struct step_seen *seen = &c->seen[step];
	const char *mark = draw_status_mark(&c->draw, st->status);

	if (st->status == STEP_RUNNING && (seen->status != STEP_RUNNING || seen->runs != st->runs)) {
		session_journal_line(c, mark, (int)step, "%s", ss->name);
		listview_set(&c->steps_lv, (int)step, (int)run_n_steps(run), MAX(rect_inner(c->layout.steps).h, 1));
		session_show_output(c, (int)step, TRUE);
		/* the interrupts panes count from the start of the step */
		for (int i = 0; i < c->n_panes; i++)
			if (g_str_equal(c->panes[i]->ops->name, "interrupts"))
				pane_clear(c->panes[i]);
		if (!c->tick_id)
			c->tick_id = g_timeout_add(250, tick_cb, c);
	}
	if (st->waiting_verdict && !seen->waiting) {
		session_journal_line(c, "?", (int)step, "manual: waiting for a verdict");
		console_message(c, FALSE, "step %u is a manual step: follow it, then press v to give a verdict", step + 1);
	}
	if (step_status_done(st->status) && (seen->status != st->status || seen->runs != st->runs ||
					      seen->waiting)) {
		g_autofree char *dur = view_duration(st->end_us - st->start_us);

		session_journal_line(c, mark, (int)step, "%s %s%s%s%s%s", step_status_name(st->status), dur,
				     st->reason ? ": " : "", st->reason ? st->reason : "",
				     st->note && g_strcmp0(st->note, st->reason) ? " - note: " : "",
				     st->note && g_strcmp0(st->note, st->reason) ? st->note : "");
	}
	if (st->breakpoint != seen->breakpoint)
		session_journal_line(c, draw_glyph(&c->draw, GLYPH_BREAK), (int)step, "breakpoint %s",
				     st->breakpoint ? "set" : "removed");
	if ((st->edited != NULL) != seen->edited)
		session_journal_line(c, draw_glyph(&c->draw, GLYPH_EDITED), (int)step, "command %s",
				     st->edited ? "edited" : "restored");
	seen->status = st->status;
	seen->runs = st->runs;
	seen->waiting = st->waiting_verdict;
	seen->breakpoint = st->breakpoint;
	seen->edited = st->edited != NULL;
	console_dirty(c);
}

static void on_output(struct run *run, guint step, const char *data, gsize len, void *user_data)
{
	struct console *c = user_data;
	struct pane *op = session_pane(c, "output");

	if (op && (int)step == c->output_step) {
		pane_feed(op, data, len);
		console_dirty(c);
	}
}

static void on_idle(struct run *run, void *user_data)
{
	struct console *c = user_data;

	if (c->quit_pending && !run_busy(run))
		console_quit(c);
	console_dirty(c);
}

static void on_message(struct run *run, const char *text, void *user_data)
{
	struct console *c = user_data;

	session_journal_line(c, draw_glyph(&c->draw, GLYPH_CURSOR), -1, "%s", text);
	console_message(c, FALSE, "%s", text);
}

gboolean session_ensure_run(struct console *c)
{
	static const struct run_ops ops = { on_step_changed, on_output, on_idle, on_message };
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	if (c->run)
		return TRUE;
	if (!c->suite) {
		console_message(c, TRUE, "%s", c->load_error ? "this suite cannot run: fix the problems shown"
							     : "no suite is open: pick one on the left and press Enter");
		return FALSE;
	}
	path = runner_default_journal_path(c->suite->name, &error);
	if (path)
		c->journal = journal_open(path, &error);
	if (!c->journal) {
		console_message(c, TRUE, "cannot start a session: %s", error->message);
		return FALSE;
	}
	c->journal_path = g_steal_pointer(&path);
	g_ptr_array_add(c->journals, g_strdup(c->journal_path));
	{
		struct run_options opts = { .uri = c->uri, .hub = c->hub };

		c->run = run_new(c->suite, c->vars, c->journal, &opts, &ops, c);
	}
	session_journal_line(c, draw_glyph(&c->draw, GLYPH_CURSOR), -1, "session: %s (%u steps)", c->suite->name,
			     c->suite->steps->len);
	return TRUE;
}

void session_export(struct console *c)
{
	static const char *const ext[] = { ".xml", ".tap", ".md" };
	char *(*makers[])(const struct journal_log *) = { export_junit, export_tap, export_markdown };
	g_autoptr(GError) error = NULL;
	g_autofree char *base = NULL;
	struct journal_log *log;

	if (!c->journal_path) {
		console_message(c, TRUE, "nothing to export yet: run a step first");
		return;
	}
	base = g_strdup(c->journal_path);
	if (g_str_has_suffix(base, ".jsonl"))
		base[strlen(base) - 6] = '\0';
	log = journal_read(c->journal_path, &error);
	if (!log) {
		console_message(c, TRUE, "export: %s", error->message);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(ext); i++) {
		g_autofree char *path = g_strconcat(base, ext[i], NULL);
		g_autofree char *doc = makers[i](log);

		if (!export_write(path, doc, &error)) {
			console_message(c, TRUE, "export: %s", error->message);
			journal_log_free(log);
			return;
		}
	}
	journal_log_free(log);
	g_free(c->exports);
	c->exports = g_strdup_printf("%s.{xml,tap,md}", base);
	console_message(c, FALSE, "exported JUnit, TAP and Markdown: %s", c->exports);
	session_journal_line(c, draw_glyph(&c->draw, GLYPH_CURSOR), -1, "exported %s", c->exports);
}

void session_counts_text(const struct console *c, GString *out)
{
	guint counts[STEP_STATUS_COUNT] = { 0 };
	guint n = c->suite ? c->suite->steps->len : 0;

	if (!c->suite) {
		g_string_append(out, c->load_error ? "the suite has problems" : "no suite open");
		return;
	}
	if (c->run)
		run_counts(c->run, counts);
	g_string_append_printf(out, "%u/%u passed, %u failed, %u blocked", counts[STEP_PASS], n, counts[STEP_FAIL],
			       counts[STEP_BLOCKED]);
	if (counts[STEP_SKIP])
		g_string_append_printf(out, ", %u skipped", counts[STEP_SKIP]);
	if (counts[STEP_ERROR])
		g_string_append_printf(out, ", %u error%s", counts[STEP_ERROR], counts[STEP_ERROR] == 1 ? "" : "s");
}
