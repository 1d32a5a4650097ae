/* watchcmd.c - `virtcon watch interrupts`: per-IRQ per-CPU deltas of a machine or of snapshots. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "irqmon.h"
#include "run.h"
#include "suite.h"
#include "vars.h"
#include "virt.h"
#include "watchcmd.h"

struct watch {
	GMainLoop *loop;
	GRegex *re;
	gboolean json;
	gint count;     /* diffs still to print; < 0: no limit */
	gint64 t0;
	int status;
};

/* One line: what moved since the previous sample. */
static void print_diff(struct watch *w, const struct irq_diff *diff, double t, const char *label)
{
	if (w->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autofree char *text = NULL;

		json_builder_begin_object(b);
		if (label) {
			json_builder_set_member_name(b, "file");
			json_builder_add_string_value(b, label);
		} else {
			json_builder_set_member_name(b, "t_ms");
			json_builder_add_int_value(b, (gint64)(t * 1000.0 + 0.5));
		}
		irqmon_diff_build(diff, w->re, b);
		json_builder_end_object(b);
		text = irqmon_builder_text(b);
		printf("%s\n", text);
	} else {
		g_autoptr(GString) lines = g_string_new(NULL);
		g_autoptr(GString) out = g_string_new(NULL);
		g_auto(GStrv) parts = NULL;

		irqmon_format_moved(diff, w->re, FALSE, lines);
		if (label)
			g_string_append_printf(out, "%s:", label);
		else
			g_string_append_printf(out, "%8.3fs", t);
		parts = g_strsplit(lines->str, "\n", -1);
		for (guint i = 0, n = 0; parts[i]; i++) {
			g_strstrip(parts[i]);
			if (!*parts[i])
				continue;
			g_string_append_printf(out, "%s %s", n++ ? " |" : "", parts[i]);
		}
		if (!lines->len)
			g_string_append(out, " (nothing moved)");
		if (diff->n_resets)
			g_string_append_printf(out, " (%u counters went back: reset)", diff->n_resets);
		/* runs of spaces from the table layout are noise on one line */
		while (strstr(out->str, "  ")) {
			char *p = strstr(out->str, "  ");

			g_string_erase(out, p - out->str, 1);
		}
		printf("%s\n", out->str);
	}
	fflush(stdout);
	if (w->count > 0)
		w->count--;
}

static void on_sample(struct irqmon *mon, const struct irqmon_sample *prev G_GNUC_UNUSED,
		      const struct irqmon_sample *cur, const struct irq_diff *diff, const GError *error, void *p)
{
	struct watch *w = p;

	if (error) {
		fprintf(stderr, "virtcon watch: %s\n", error->message); /* it names the machine or file */
		w->status = 1;
		g_main_loop_quit(w->loop);
		return;
	}
	if (diff)
		print_diff(w, diff, (double)(cur->mono_us - w->t0) / 1e6, NULL);
	if (w->count == 0)
		g_main_loop_quit(w->loop);
}

/* --file A B C: the snapshots diffed in order (no rates: their times are unknown). */
static int diff_files(struct watch *w, char **files)
{
	struct irqmon_sample *prev = NULL;
	int status = 0;

	for (guint i = 0; files[i] && w->count != 0; i++) {
		g_autoptr(GError) error = NULL;
		struct irqmon *mon = irqmon_new_local(files[i]);
		struct irqmon_sample *cur = irqmon_sample_now(mon, &error);

		irqmon_free(mon);
		if (!cur) {
			fprintf(stderr, "virtcon watch: %s\n", error->message);
			status = 1;
			break;
		}
		if (prev) {
			struct irq_diff *diff = irq_diff(prev->table, cur->table, 0);

			print_diff(w, diff, 0, files[i]);
			irq_diff_free(diff);
		}
		irqmon_sample_free(prev);
		prev = cur;
	}
	irqmon_sample_free(prev);
	return status;
}

/* The monitor of --on MACHINE of --suite SUITE. */
static struct irqmon *machine_monitor(const char *suite_arg, const char *machine, const char *uri, char **var_args,
				      struct virt **virt, GError **error)
{
	g_autofree char *path = catalog_resolve(suite_arg, error);
	struct suite *suite = path ? run_load_suite(path, error) : NULL;
	const struct suite_machine *m;
	struct irqmon *mon = NULL;
	struct vars *vars;
	g_autofree char *domain = NULL;

	if (!suite)
		return NULL;
	m = suite_find_machine(suite, machine);
	if (!m) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no machine '%s'", suite->file, machine);
		suite_free(suite);
		return NULL;
	}
	vars = vars_new(suite);
	for (char **v = var_args; v && *v; v++)
		if (!vars_assign(vars, *v, error))
			goto out;
	if (!m->local && (m->agent || (!m->ssh && m->domain))) {
		g_autofree char *muri = m->uri ? vars_expand(vars, m->uri, VARS_RAW, error) : g_strdup(uri);

		domain = vars_expand(vars, m->domain, VARS_RAW, error);
		if (!domain || (m->uri && !muri))
			goto out;
		*virt = virt_new(muri, NULL, NULL);
		if (!virt_wait_connected(*virt, 60000, error))
			goto out;
		mon = irqmon_new_for_machine(m, domain, virt_connection(*virt), NULL, NULL, error);
	} else {
		g_autofree char *dir = g_path_get_dirname(suite->file);

		mon = irqmon_new_for_machine(m, NULL, NULL, vars, dir, error);
	}
out:
	vars_free(vars);
	suite_free(suite);
	return mon;
}

int watch_main(int argc, char **argv)
{
	g_autofree char *on = NULL, *suite_arg = NULL, *match = NULL, *uri = NULL;
	g_auto(GStrv) files = NULL, rest = NULL, var_args = NULL;
	double interval = 1.0;
	gint count = -1;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "on", 0, 0, G_OPTION_ARG_STRING, &on, "the machine whose /proc/interrupts is sampled", "MACHINE" },
		{ "suite", 0, 0, G_OPTION_ARG_FILENAME, &suite_arg, "the suite declaring MACHINE", "SUITE" },
		{ "file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
		  "a file in /proc/interrupts format (repeat: the snapshots are diffed in order)", "PATH" },
		{ "interval", 0, 0, G_OPTION_ARG_DOUBLE, &interval, "seconds between samples (default 1)", "S" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &count, "stop after N lines", "N" },
		{ "match", 0, 0, G_OPTION_ARG_STRING, &match, "only IRQs whose name (or whole number) matches", "REGEX" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object per line", NULL },
		{ "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI for agent machines", "URI" },
		{ "var", 0, 0, G_OPTION_ARG_STRING_ARRAY, &var_args, "set a suite variable", "NAME=VALUE" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "interrupts" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- per-CPU interrupt deltas");
	g_autoptr(GError) error = NULL;
	struct watch w = { 0 };
	struct virt *virt = NULL;
	struct irqmon *mon = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "virtcon watch interrupts (--on MACHINE --suite SUITE | --file PATH...)\n"
					  "One line per sample: the IRQs that moved and by how much on which CPU.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon watch: %s\n", error->message);
		return 2;
	}
	if (!rest || g_strcmp0(rest[0], "interrupts") != 0 || rest[1]) {
		fprintf(stderr, "virtcon watch: only 'virtcon watch interrupts' exists in this version\n");
		return 2;
	}
	if (!files == !on || (on && !suite_arg)) {
		fprintf(stderr, "virtcon watch: give --on MACHINE --suite SUITE, or --file PATH...\n");
		return 2;
	}
	if (!(interval >= 0.01 && interval <= 3600) || count == 0 || count < -1) {
		fprintf(stderr, "virtcon watch: --interval takes 0.01 to 3600 seconds, --count a positive number\n");
		return 2;
	}
	if (match && !(w.re = g_regex_new(match, 0, 0, &error))) {
		fprintf(stderr, "virtcon watch: --match: %s\n", error->message);
		return 2;
	}
	w.json = json;
	w.count = count;
	if (files && files[0] && files[1]) {
		w.status = diff_files(&w, files);
		g_clear_pointer(&w.re, g_regex_unref);
		return w.status;
	}
	w.loop = g_main_loop_new(NULL, FALSE);
	mon = files ? irqmon_new_local(files[0]) : machine_monitor(suite_arg, on, uri, var_args, &virt, &error);
	if (!mon) {
		fprintf(stderr, "virtcon watch: %s\n", error->message);
		w.status = 2;
	} else {
		w.t0 = g_get_monotonic_time();
		irqmon_watch(mon, (guint)(interval * 1000), on_sample, &w);
		g_main_loop_run(w.loop);
		irqmon_free(mon);
	}
	/* let a cancelled sample's callback come before the connection goes */
	while (g_main_context_iteration(NULL, FALSE))
		;
	virt_free(virt);
	g_main_loop_unref(w.loop);
	g_clear_pointer(&w.re, g_regex_unref);
	return w.status;
}
