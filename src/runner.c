/* runner.c - the headless front ends: `virtcon run` (the engine without a screen) and `virtcon check`. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "catalog.h"
#include "expect.h"
#include "export.h"
#include "journal.h"
#include "run.h"
#include "runner.h"
#include "suite.h"
#include "vars.h"

#define RUNNER_TAIL_LINES 12

struct runner {
	GMainLoop *loop;
	struct run *run;
	gboolean quiet;
	gboolean verbose;
	gboolean interrupted;
	gboolean color;
	guint n_steps;
	gint64 t0;
};

char *runner_default_journal_path(const char *suite_name, GError **error)
{
	g_autofree char *dir = g_build_filename(g_get_user_state_dir(), "virtcon", "journals", NULL);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");

	if (g_mkdir_with_parents(dir, 0700) < 0) {
		int e = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create the journal directory %s: %s",
			    dir, g_strerror(e));
		return NULL;
	}
	for (int n = 0; n < 1000; n++) {
		g_autofree char *base = n ? g_strdup_printf("%s-%s-%d.jsonl", suite_name, stamp, n)
					  : g_strdup_printf("%s-%s.jsonl", suite_name, stamp);
		char *path = g_build_filename(dir, base, NULL);

		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			return path;
		g_free(path);
	}
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "too many journals named %s-%s in %s", suite_name,
		    stamp, dir);
	return NULL;
}

static const char *status_word(const struct runner *r, enum step_status s)
{
	static const char *const plain[STEP_STATUS_COUNT] = {
		"pending", "running", "pass", "FAIL", "skip", "BLOCKED", "ERROR",
	};
	static const char *const colored[STEP_STATUS_COUNT] = {
		"pending", "running", "\033[32mpass\033[0m", "\033[1;31mFAIL\033[0m", "\033[33mskip\033[0m",
		"\033[1;35mBLOCKED\033[0m", "\033[1;31mERROR\033[0m",
	};
	return (r->color ? colored : plain)[s];
}

/* The last lines of a step's output, indented, as a terminal would have shown them (escape
 * sequences and carriage returns out: the send/expect cleaner does that). */
static void print_tail(const GString *out)
{
	struct expect *ex = expect_new();
	g_autofree char *tail = NULL;
	g_auto(GStrv) lines = NULL;

	expect_feed(ex, out->str, out->len);
	tail = expect_tail(ex, RUNNER_TAIL_LINES);
	expect_free(ex);
	g_strchomp(tail);
	if (!*tail)
		return;
	lines = g_strsplit(tail, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		g_autofree char *valid = g_utf8_make_valid(lines[i], -1);

		for (char *p = valid; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t')
				*p = '?';
		fprintf(stderr, "      | %s\n", valid);
	}
}

static void on_step_changed(struct run *run, guint step, void *user_data)
{
	struct runner *r = user_data;
	const struct run_step *st = run_get_step(run, step);
	const struct suite_step *ss = g_ptr_array_index(run_suite(run)->steps, step);

	if (r->quiet || !step_status_done(st->status))
		return;
	fprintf(stderr, "[%u/%u] %-50s %s %6.2fs%s%s\n", step + 1, r->n_steps, ss->name, status_word(r, st->status),
		(double)(st->end_us - st->start_us) / 1e6, st->reason ? "  " : "", st->reason ? st->reason : "");
	if ((st->status == STEP_FAIL || st->status == STEP_ERROR) && !r->verbose)
		print_tail(st->output);
}

static void on_output(struct run *run, guint step, const char *data, gsize len, void *user_data)
{
	struct runner *r = user_data;

	if (r->verbose && fwrite(data, 1, len, stderr) != len)
		r->verbose = FALSE;
}

static void on_idle(struct run *run, void *user_data)
{
	struct runner *r = user_data;

	/* "run all" stops at failures and breakpoints; headless, everything still pending is
	 * reported as not run, so the loop ends when the engine goes idle */
	g_main_loop_quit(r->loop);
}

static void on_message(struct run *run, const char *text, void *user_data)
{
	struct runner *r = user_data;

	if (!r->quiet)
		fprintf(stderr, "virtcon: %s\n", text);
}

static gboolean on_signal(gpointer user_data)
{
	struct runner *r = user_data;

	if (r->interrupted) {
		g_main_loop_quit(r->loop);
		return G_SOURCE_CONTINUE;
	}
	r->interrupted = TRUE;
	fprintf(stderr, "\nvirtcon: interrupted: aborting the running step (again to quit at once)\n");
	if (!run_busy(r->run) || !run_abort(r->run, NULL))
		g_main_loop_quit(r->loop);
	return G_SOURCE_CONTINUE;
}

/* --verdict STEP=pass|fail|skip */
static gboolean parse_verdicts(char **given, GHashTable *out, GError **error)
{
	for (char **v = given; v && *v; v++) {
		const char *eq = strrchr(*v, '=');

		if (!eq || eq == *v || (!g_str_equal(eq + 1, "pass") && !g_str_equal(eq + 1, "fail") &&
					 !g_str_equal(eq + 1, "skip"))) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--verdict '%s': expected STEP=pass, STEP=fail or STEP=skip (STEP a number or a step name)",
				    *v);
			return FALSE;
		}
		g_hash_table_insert(out, g_strndup(*v, (gsize)(eq - *v)), g_strdup(eq + 1));
	}
	return TRUE;
}

/* Checks every --verdict names a manual step of the suite. */
static gboolean check_verdict_steps(const struct suite *suite, GHashTable *verdicts, GError **error)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, verdicts);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		gboolean found = FALSE;
		g_autoptr(GString) named = g_string_new(NULL);
		guint n_named = 0;

		/* a name that several steps share does not say which */
		for (guint i = 0; i < suite->steps->len; i++) {
			const struct suite_step *ss = g_ptr_array_index(suite->steps, i);

			if (g_str_equal(key, ss->name)) {
				g_string_append_printf(named, "%s%u", n_named ? ", " : "", i + 1);
				n_named++;
			}
		}
		if (n_named > 1) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--verdict '%s': steps %s are all named so; give the step's number", (char *)key,
				    named->str);
			return FALSE;
		}

		for (guint i = 0; i < suite->steps->len && !found; i++) {
			const struct suite_step *ss = g_ptr_array_index(suite->steps, i);
			g_autofree char *num = g_strdup_printf("%u", i + 1);

			if (g_str_equal(key, num) || g_str_equal(key, ss->name)) {
				if (ss->kind != SUITE_STEP_MANUAL) {
					g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
						    "--verdict %s: step %u (%s) is not a manual step", (char *)key,
						    i + 1, ss->name);
					return FALSE;
				}
				found = TRUE;
			}
		}
		if (!found) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--verdict %s: %s has no step of that number or name", (char *)key, suite->file);
			return FALSE;
		}
	}
	return TRUE;
}

static int write_exports(const char *journal, const char *junit, const char *tap, const char *markdown, gboolean quiet)
{
	const char *paths[3] = { junit, tap, markdown };
	char *(*makers[3])(const struct journal_log *) = { export_junit, export_tap, export_markdown };
	g_autoptr(GError) error = NULL;
	struct journal_log *log;
	int rc = 0;

	if (!junit && !tap && !markdown)
		return 0;
	log = journal_read(journal, &error);
	if (!log) {
		fprintf(stderr, "virtcon: %s\n", error->message);
		return -1;
	}
	for (guint i = 0; i < G_N_ELEMENTS(paths); i++) {
		g_autofree char *doc = NULL;

		if (!paths[i])
			continue;
		doc = makers[i](log);
		if (!export_write(paths[i], doc, &error)) {
			fprintf(stderr, "virtcon: %s\n", error->message);
			g_clear_error(&error);
			rc = -1;
		} else if (!quiet) {
			fprintf(stderr, "virtcon: wrote %s\n", paths[i]);
		}
	}
	journal_log_free(log);
	return rc;
}

static int exit_status_of(const struct run *run, gboolean interrupted)
{
	guint c[STEP_STATUS_COUNT];

	run_counts(run, c);
	if (interrupted)
		return RUNNER_EXIT_INTERRUPTED;
	if (c[STEP_FAIL] || c[STEP_ERROR])
		return RUNNER_EXIT_FAIL;
	if (c[STEP_BLOCKED])
		return RUNNER_EXIT_BLOCKED;
	return RUNNER_EXIT_PASS;
}

int runner_run_main(int argc, char **argv)
{
	g_auto(GStrv) var_args = NULL, verdict_args = NULL, rest = NULL;
	g_autofree char *journal_arg = NULL, *junit = NULL, *tap = NULL, *markdown = NULL, *uri = NULL;
	gboolean quiet = FALSE, verbose = FALSE;
	GOptionEntry entries[] = {
		{ "var", 0, 0, G_OPTION_ARG_STRING_ARRAY, &var_args, "Set a suite variable", "NAME=VALUE" },
		{ "verdict", 0, 0, G_OPTION_ARG_STRING_ARRAY, &verdict_args,
		  "Verdict for a manual step (number or name)", "STEP=pass|fail|skip" },
		{ "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI for machines without uri: (as virsh -c)",
		  "URI" },
		{ "journal", 0, 0, G_OPTION_ARG_FILENAME, &journal_arg, "Write the journal here", "FILE" },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit, "Export JUnit XML", "FILE" },
		{ "tap", 0, 0, G_OPTION_ARG_FILENAME, &tap, "Export TAP 13", "FILE" },
		{ "markdown", 0, 0, G_OPTION_ARG_FILENAME, &markdown, "Export Markdown", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the result", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print every step's output as it comes", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "SUITE" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SUITE - run a suite without the console");
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) verdicts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autofree char *path = NULL, *journal_path_s = NULL;
	struct suite *suite = NULL;
	struct vars *vars = NULL;
	struct journal *journal = NULL;
	struct run_options ropts = { 0 };
	static const struct run_ops ops = { on_step_changed, on_output, on_idle, on_message };
	struct runner r = { 0 };
	guint c[STEP_STATUS_COUNT];
	guint sigint, sigterm;
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "Exit status: 0 passed, 1 a step failed or errored, 2 usage or suite "
					      "error, 3 a step was blocked, 130 interrupted.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon run: %s\n", error->message);
		return RUNNER_EXIT_USAGE;
	}
	if (!rest || !rest[0] || rest[1]) {
		fprintf(stderr, "virtcon run: give exactly one SUITE (see virtcon run --help)\n");
		return RUNNER_EXIT_USAGE;
	}
	if (!parse_verdicts(verdict_args, verdicts, &error)) {
		fprintf(stderr, "virtcon run: %s\n", error->message);
		return RUNNER_EXIT_USAGE;
	}
	path = catalog_resolve(rest[0], &error);
	if (path)
		suite = run_load_suite(path, &error);
	if (!suite) {
		fprintf(stderr, "%s\n", error->message);
		return RUNNER_EXIT_USAGE;
	}
	vars = vars_new(suite);
	for (char **v = var_args; v && *v && !error; v++)
		vars_assign(vars, *v, &error);
	if (!error)
		check_verdict_steps(suite, verdicts, &error);
	if (!error)
		journal_path_s = journal_arg ? g_strdup(journal_arg) : runner_default_journal_path(suite->name, &error);
	if (!error)
		journal = journal_open(journal_path_s, &error);
	if (error) {
		fprintf(stderr, "virtcon run: %s\n", error->message);
		vars_free(vars);
		suite_free(suite);
		return RUNNER_EXIT_USAGE;
	}

	r.loop = g_main_loop_new(NULL, FALSE);
	r.quiet = quiet;
	r.verbose = verbose && !quiet;
	r.color = isatty(STDERR_FILENO) && !g_getenv("NO_COLOR");
	r.n_steps = suite->steps->len;
	r.t0 = g_get_monotonic_time();
	ropts.headless = TRUE;
	ropts.verdicts = verdicts;
	ropts.uri = uri;
	r.run = run_new(suite, vars, journal, &ropts, &ops, &r);
	if (!quiet)
		fprintf(stderr, "virtcon: %s (%s), %u steps, journal %s\n", suite->name, path, r.n_steps,
			journal_path_s);
	sigint = g_unix_signal_add(SIGINT, on_signal, &r);
	sigterm = g_unix_signal_add(SIGTERM, on_signal, &r);
	if (run_all(r.run, &error))
		g_main_loop_run(r.loop);
	else
		fprintf(stderr, "virtcon: %s\n", error->message);
	g_source_remove(sigint);
	g_source_remove(sigterm);

	/* steps "run all" did not reach (it stopped at a failure) are reported as not run */
	run_counts(r.run, c);
	run_finish(r.run);
	rc = exit_status_of(r.run, r.interrupted);
	fprintf(stderr, "result: %u passed, %u failed, %u errors, %u blocked, %u skipped, %u not run (%.1fs)\n",
		c[STEP_PASS], c[STEP_FAIL], c[STEP_ERROR], c[STEP_BLOCKED], c[STEP_SKIP],
		c[STEP_PENDING] + c[STEP_RUNNING], (double)(g_get_monotonic_time() - r.t0) / 1e6);
	if (journal_error(journal))
		fprintf(stderr, "virtcon: journal: %s\n", journal_error(journal)->message);
	run_free(r.run);
	journal_close(journal);
	fprintf(stderr, "journal: %s\n", journal_path_s);
	if (write_exports(journal_path_s, junit, tap, markdown, quiet) < 0 && rc == RUNNER_EXIT_PASS)
		rc = RUNNER_EXIT_FAIL;
	g_main_loop_unref(r.loop);
	vars_free(vars);
	suite_free(suite);
	return rc;
}

int runner_check_main(int argc, char **argv)
{
	gboolean quiet = FALSE;
	g_auto(GStrv) rest = NULL;
	GOptionEntry entries[] = {
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only problems", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "SUITE..." },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SUITE... - check suite files");
	g_autoptr(GError) error = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "Problems are printed as FILE:LINE:COL: message. "
					      "Exit status: 0 all valid, 2 a problem was found.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon check: %s\n", error->message);
		return RUNNER_EXIT_USAGE;
	}
	if (!rest || !rest[0]) {
		fprintf(stderr, "virtcon check: give one or more SUITE files (see virtcon check --help)\n");
		return RUNNER_EXIT_USAGE;
	}
	for (char **s = rest; *s; s++) {
		g_autofree char *path = catalog_resolve(*s, &error);
		struct suite *suite = path ? run_load_suite(path, &error) : NULL;

		if (!suite) {
			fprintf(stderr, "%s\n", error->message);
			g_clear_error(&error);
			rc = RUNNER_EXIT_USAGE;
			continue;
		}
		if (!quiet)
			printf("%s: ok, suite %s, %u steps\n", path, suite->name, suite->steps->len);
		suite_free(suite);
	}
	return rc;
}
