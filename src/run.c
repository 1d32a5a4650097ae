/* run.c - the run state machine: step queue, operator commands, expectations, timeouts, verdicts. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>

#include "host_proc.h"
#include "journal.h"
#include "requires.h"
#include "run.h"
#include "suite.h"
#include "vars.h"

/* Output kept for expect: match / no-match; beyond it the head is dropped (and said so). */
#define RUN_MATCH_KEEP (16 * 1024 * 1024)

struct run {
	const struct suite *suite;
	struct vars *vars;
	struct journal *journal;
	struct run_options opts;
	const struct run_ops *ops;
	void *user_data;

	struct run_step *steps;
	guint n_steps;

	gint current;          /* running step or -1 */
	gboolean all_active;   /* "run all" in progress */
	gboolean finished;     /* session-end written */
	guint continue_id;     /* idle source that starts the next step of "run all" */

	/* the running step */
	struct host_proc *proc;
	struct host_proc *ended_proc; /* the last step's process, freed outside its own callback */
	GCancellable *req_cancel; /* a requirements check in flight */
	guint timeout_id;
	gboolean timed_out;
	gboolean aborted;
	GString *match_buf;       /* output for expect: match (up to RUN_MATCH_KEEP) */
	gboolean match_truncated;
};

const char *step_status_name(enum step_status status)
{
	static const char *const names[STEP_STATUS_COUNT] = {
		"pending", "running", "pass", "fail", "skip", "blocked", "error",
	};
	return (unsigned)status < STEP_STATUS_COUNT ? names[status] : "unknown";
}

gboolean step_status_done(enum step_status status)
{
	return status >= STEP_PASS && status < STEP_STATUS_COUNT;
}

static const struct suite_step *suite_step_at(const struct run *run, guint step)
{
	return g_ptr_array_index(run->suite->steps, step);
}

static void notify_step(struct run *run, guint step)
{
	if (run->ops && run->ops->step_changed)
		run->ops->step_changed(run, step, run->user_data);
}

static void notify_message(struct run *run, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void notify_message(struct run *run, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	if (!run->ops || !run->ops->message)
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	run->ops->message(run, text, run->user_data);
}

static void notify_idle(struct run *run)
{
	if (run->ops && run->ops->idle)
		run->ops->idle(run, run->user_data);
}

struct run *run_new(const struct suite *suite, struct vars *vars, struct journal *journal,
		    const struct run_options *options, const struct run_ops *ops, void *user_data)
{
	struct run *run = g_new0(struct run, 1);

	run->suite = suite;
	run->vars = vars;
	run->journal = journal;
	if (options)
		run->opts = *options;
	if (!run->opts.kill_grace_ms)
		run->opts.kill_grace_ms = 2000;
	run->ops = ops;
	run->user_data = user_data;
	run->n_steps = suite->steps->len;
	run->steps = g_new0(struct run_step, run->n_steps ? run->n_steps : 1);
	for (guint i = 0; i < run->n_steps; i++) {
		run->steps[i].status = STEP_PENDING;
		run->steps[i].exit_status = -1;
		run->steps[i].output = g_string_new(NULL);
	}
	run->current = -1;

	if (journal) {
		GHashTable *shown = vars_public_table(vars);
		const GPtrArray *secrets = vars_secret_values(vars);

		for (guint i = 0; secrets && i < secrets->len; i++)
			journal_add_secret(journal, g_ptr_array_index(secrets, i));
		journal_session_start(journal, suite->file, suite->name, suite->title, run->n_steps, shown);
		g_hash_table_unref(shown);
	}
	return run;
}

static void step_clear_run_state(struct run *run)
{
	if (run->timeout_id) {
		g_source_remove(run->timeout_id);
		run->timeout_id = 0;
	}
	if (run->req_cancel) {
		g_cancellable_cancel(run->req_cancel);
		g_clear_object(&run->req_cancel);
	}
	g_clear_pointer(&run->proc, host_proc_free);
	if (run->match_buf) {
		g_string_free(run->match_buf, TRUE);
		run->match_buf = NULL;
	}
	run->match_truncated = FALSE;
	run->timed_out = FALSE;
	run->aborted = FALSE;
}

void run_free(struct run *run)
{
	if (!run)
		return;
	if (run->continue_id)
		g_source_remove(run->continue_id);
	step_clear_run_state(run);
	g_clear_pointer(&run->ended_proc, host_proc_free);
	for (guint i = 0; i < run->n_steps; i++) {
		struct run_step *st = &run->steps[i];

		g_free(st->reason);
		g_free(st->command);
		g_free(st->edited);
		g_free(st->note);
		g_string_free(st->output, TRUE);
	}
	g_free(run->steps);
	g_free(run);
}

const struct suite *run_suite(const struct run *run)
{
	return run->suite;
}

guint run_n_steps(const struct run *run)
{
	return run->n_steps;
}

const struct run_step *run_get_step(const struct run *run, guint step)
{
	return step < run->n_steps ? &run->steps[step] : NULL;
}

gboolean run_busy(const struct run *run)
{
	return run->current >= 0;
}

gint run_current(const struct run *run)
{
	return run->current;
}

gint run_next_pending(const struct run *run)
{
	for (guint i = 0; i < run->n_steps; i++)
		if (run->steps[i].status == STEP_PENDING)
			return (gint)i;
	return -1;
}

gboolean run_all_active(const struct run *run)
{
	return run->all_active;
}

void run_counts(const struct run *run, guint counts[STEP_STATUS_COUNT])
{
	memset(counts, 0, sizeof(counts[0]) * STEP_STATUS_COUNT);
	for (guint i = 0; i < run->n_steps; i++)
		counts[run->steps[i].status]++;
}

static gboolean check_step_index(const struct run *run, guint step, GError **error)
{
	if (step < run->n_steps)
		return TRUE;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "there is no step %u (the suite has %u)",
		    step + 1, run->n_steps);
	return FALSE;
}

static gboolean check_not_busy(const struct run *run, GError **error)
{
	if (run->current < 0)
		return TRUE;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "step %d is still running (abort it with x first)",
		    run->current + 1);
	return FALSE;
}

static void run_continue(struct run *run, guint ended);

/* Ends the running step with its final status: journal, front end, then "run all" goes on. */
static void step_finish(struct run *run, enum step_status status, int exit_status, const char *reason)
{
	guint idx = (guint)run->current;
	struct run_step *st = &run->steps[idx];

	step_clear_run_state(run);
	st->status = status;
	st->exit_status = exit_status;
	st->waiting_verdict = FALSE;
	g_free(st->reason);
	st->reason = g_strdup(reason);
	st->end_us = g_get_monotonic_time();
	run->current = -1;
	if (run->journal)
		journal_step_end(run->journal, idx, step_status_name(status), exit_status, reason,
				 st->end_us - st->start_us);
	notify_step(run, idx);
	run_continue(run, idx);
}

static void step_finishf(struct run *run, enum step_status status, int exit_status, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static void step_finishf(struct run *run, enum step_status status, int exit_status, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *reason = NULL;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	step_finish(run, status, exit_status, reason);
}

static gboolean continue_cb(gpointer data)
{
	struct run *run = data;
	g_autoptr(GError) error = NULL;
	gint next;

	run->continue_id = 0;
	if (!run->all_active || run->current >= 0)
		return G_SOURCE_REMOVE;
	next = run_next_pending(run);
	if (next < 0) {
		run->all_active = FALSE;
		notify_idle(run);
		return G_SOURCE_REMOVE;
	}
	if (run->steps[next].breakpoint) {
		run->all_active = FALSE;
		notify_message(run, "stopped at the breakpoint before step %d", next + 1);
		notify_idle(run);
		return G_SOURCE_REMOVE;
	}
	if (!run_start_step(run, (guint)next, &error)) {
		run->all_active = FALSE;
		notify_message(run, "%s", error->message);
		notify_idle(run);
	}
	return G_SOURCE_REMOVE;
}

/* After a step ends: "run all" goes on (from an idle callback, so long suites don't recurse),
 * or stops at a failure of a step that says on-failure: stop. */
static void run_continue(struct run *run, guint ended)
{
	const struct run_step *st = &run->steps[ended];

	if (run->all_active && (st->status == STEP_FAIL || st->status == STEP_ERROR) &&
	    suite_step_at(run, ended)->on_failure == SUITE_ON_FAILURE_STOP) {
		run->all_active = FALSE;
		notify_message(run, "step %u %s: run all stopped (on-failure: stop)", ended + 1,
			       step_status_name(st->status));
	}
	if (run->all_active) {
		if (!run->continue_id)
			run->continue_id = g_idle_add(continue_cb, run);
		return;
	}
	notify_idle(run);
}

/* Output from the running step. */
static void proc_output(const char *data, gsize len, void *user_data)
{
	struct run *run = user_data;
	guint idx = (guint)run->current;
	struct run_step *st = &run->steps[idx];

	g_string_append_len(st->output, data, (gssize)len);
	if (st->output->len > RUN_OUTPUT_KEEP)
		g_string_erase(st->output, 0, (gssize)(st->output->len - RUN_OUTPUT_KEEP / 2));
	if (run->match_buf) {
		g_string_append_len(run->match_buf, data, (gssize)len);
		if (run->match_buf->len > RUN_MATCH_KEEP) {
			g_string_erase(run->match_buf, 0, (gssize)(run->match_buf->len - RUN_MATCH_KEEP / 2));
			run->match_truncated = TRUE;
		}
	}
	if (run->journal)
		journal_output(run->journal, idx, "pty", data, len);
	if (run->ops && run->ops->output)
		run->ops->output(run, idx, data, len, run->user_data);
}

/* Terminal output with CR LF turned into LF, so patterns can use ^ and $ per line. */
static char *output_for_matching(const GString *out)
{
	char *text = g_malloc(out->len + 1);
	gsize n = 0;

	for (gsize i = 0; i < out->len; i++) {
		if (out->str[i] == '\r' && (i + 1 == out->len || out->str[i + 1] == '\n'))
			continue;
		text[n++] = out->str[i];
	}
	text[n] = '\0';
	return text;
}

/* The first line of text holding byte offset pos, for messages. */
static char *line_at(const char *text, gint pos, guint *lineno)
{
	const char *start = text + pos, *end;

	*lineno = 1;
	for (const char *p = text; p < text + pos; p++)
		if (*p == '\n')
			(*lineno)++;
	while (start > text && start[-1] != '\n')
		start--;
	end = strchr(text + pos, '\n');
	if (!end)
		end = text + strlen(text);
	if (end - start > 120)
		end = start + 120;
	return g_utf8_make_valid(start, end - start);
}

/* Checks expect: match / no-match against the output; NULL when all hold, else the reason. */
static char *check_output(struct run *run, const struct suite_step *ss)
{
	const struct suite_expect *ex = &ss->expect;
	g_autofree char *text = NULL;

	if ((!ex->match || !ex->match->len) && (!ex->no_match || !ex->no_match->len))
		return NULL;
	text = output_for_matching(run->match_buf);
	for (guint i = 0; ex->match && i < ex->match->len; i++) {
		const char *pat = g_ptr_array_index(ex->match, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(GRegex) re = g_regex_new(pat, G_REGEX_MULTILINE | G_REGEX_RAW, 0, &error);

		if (!re)
			return g_strdup_printf("expect match '%s' is not a valid pattern: %s", pat, error->message);
		if (!g_regex_match(re, text, 0, NULL))
			return g_strdup_printf("output did not match '%s'%s", pat,
					       run->match_truncated ? " (only the last 8 MiB were kept)" : "");
	}
	for (guint i = 0; ex->no_match && i < ex->no_match->len; i++) {
		const char *pat = g_ptr_array_index(ex->no_match, i);
		g_autoptr(GError) error = NULL;
		g_autoptr(GRegex) re = g_regex_new(pat, G_REGEX_MULTILINE | G_REGEX_RAW, 0, &error);
		g_autoptr(GMatchInfo) mi = NULL;

		if (!re)
			return g_strdup_printf("expect no-match '%s' is not a valid pattern: %s", pat, error->message);
		if (g_regex_match(re, text, 0, &mi)) {
			gint start = 0, end = 0;
			guint lineno;
			g_autofree char *line = NULL;

			g_match_info_fetch_pos(mi, 0, &start, &end);
			line = line_at(text, start, &lineno);
			return g_strdup_printf("output matched '%s' (no-match) at line %u: %s", pat, lineno, line);
		}
	}
	return NULL;
}

static char *format_duration_ms(gint64 ms)
{
	if (ms % 1000 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "s", ms / 1000);
	if (ms < 1000)
		return g_strdup_printf("%" G_GINT64_FORMAT "ms", ms);
	return g_strdup_printf("%.1fs", (double)ms / 1000.0);
}

static gint64 step_timeout_ms(const struct run *run, const struct suite_step *ss)
{
	return ss->timeout_ms > 0 ? ss->timeout_ms : run->suite->timeout_ms;
}

static void proc_exited(int wait_status, void *user_data)
{
	struct run *run = user_data;
	const struct suite_step *ss = suite_step_at(run, (guint)run->current);
	const struct suite_expect *ex = &ss->expect;
	g_autofree char *limit = format_duration_ms(step_timeout_ms(run, ss));
	g_autofree char *mismatch = NULL;
	int code = -1;

	/* step_finish() clears the run state; this process is freed later, not inside its callback */
	run->ended_proc = run->proc;
	run->proc = NULL;
	if (WIFEXITED(wait_status))
		code = WEXITSTATUS(wait_status);
	if (run->aborted) {
		step_finish(run, STEP_ERROR, code, "aborted by the operator");
		return;
	}
	if (run->timed_out) {
		if (ex->timeout)
			step_finishf(run, STEP_PASS, code, "timed out after %s, as expected", limit);
		else
			step_finishf(run, STEP_FAIL, code, "timed out after %s", limit);
		return;
	}
	if (ex->timeout) {
		step_finishf(run, STEP_FAIL, code, "expected to time out after %s, but it ended first", limit);
		return;
	}
	if (WIFSIGNALED(wait_status)) {
		int sig = WTERMSIG(wait_status);

		step_finishf(run, STEP_FAIL, -1, "killed by signal %d (%s)", sig, g_strsignal(sig));
		return;
	}
	if (ex->has_exit && code != ex->exit_status) {
		step_finishf(run, STEP_FAIL, code, "exit status %d, expected %d", code, ex->exit_status);
		return;
	}
	mismatch = check_output(run, ss);
	if (mismatch) {
		step_finish(run, STEP_FAIL, code, mismatch);
		return;
	}
	step_finish(run, STEP_PASS, code, NULL);
}

static gboolean timeout_cb(gpointer data)
{
	struct run *run = data;

	run->timeout_id = 0;
	run->timed_out = TRUE;
	if (run->proc)
		host_proc_kill(run->proc, run->opts.kill_grace_ms);
	return G_SOURCE_REMOVE;
}

static char **step_environment(const struct run *run, guint idx)
{
	char **env = g_get_environ();
	g_autofree char *num = g_strdup_printf("%u", idx + 1);

	env = g_environ_setenv(env, "VIRTCON_STEP", num, TRUE);
	env = g_environ_setenv(env, "VIRTCON_SUITE", run->suite->name, TRUE);
	if (run->journal)
		env = g_environ_setenv(env, "VIRTCON_JOURNAL", journal_path(run->journal), TRUE);
	if (!g_environ_getenv(env, "TERM"))
		env = g_environ_setenv(env, "TERM", "xterm-256color", TRUE);
	return env;
}

/* The step's requirements are met: do it. */
static void step_execute(struct run *run)
{
	guint idx = (guint)run->current;
	struct run_step *st = &run->steps[idx];
	const struct suite_step *ss = suite_step_at(run, idx);
	const struct suite_machine *m = suite_find_machine(run->suite, ss->on);
	static const struct host_proc_ops proc_ops = { proc_output, proc_exited };
	struct host_proc_options popts = { 0 };
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) env = NULL;
	g_autofree char *command = NULL;

	if (ss->kind == SUITE_STEP_MANUAL) {
		const char *given = NULL;
		g_autofree char *num = g_strdup_printf("%u", idx + 1);

		if (run->opts.verdicts) {
			given = g_hash_table_lookup(run->opts.verdicts, num);
			if (!given)
				given = g_hash_table_lookup(run->opts.verdicts, ss->name);
		}
		if (given) {
			enum step_status v = g_str_equal(given, "pass") ? STEP_PASS
					     : g_str_equal(given, "fail") ? STEP_FAIL : STEP_SKIP;

			if (run->journal)
				journal_verdict(run->journal, idx, given, "given with --verdict");
			g_free(st->note);
			st->note = g_strdup("given with --verdict");
			step_finishf(run, v, -1, "manual step: %s given with --verdict", given);
			return;
		}
		if (run->opts.headless) {
			step_finish(run, STEP_SKIP, -1, "manual step: no verdict given (use --verdict)");
			return;
		}
		st->waiting_verdict = TRUE;
		notify_step(run, idx);
		return;
	}

	if (!m || !m->local) {
		step_finishf(run, STEP_ERROR, -1,
			     "step runs on machine '%s'%s%s%s, and this version of virtcon can only run commands on the local host",
			     ss->on, m && m->ssh ? " (ssh " : "", m && m->ssh ? m->ssh : "", m && m->ssh ? ")" : "");
		return;
	}
	command = vars_expand(run->vars, st->edited ? st->edited : ss->run, VARS_SHELL, &error);
	if (!command) {
		step_finishf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	env = step_environment(run, idx);
	popts.envp = env;
	popts.cols = run->opts.pty_cols;
	popts.rows = run->opts.pty_rows;
	run->match_buf = g_string_new(NULL);
	run->proc = host_proc_spawn(command, &popts, &proc_ops, run, &error);
	if (!run->proc) {
		step_finishf(run, STEP_ERROR, -1, "could not start the command: %s", error->message);
		return;
	}
	run->timeout_id = g_timeout_add((guint)MIN(step_timeout_ms(run, ss), G_MAXUINT), timeout_cb, run);
}

static void requires_done(GObject *source G_GNUC_UNUSED, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *reason = requires_check_finish(result, &error);
	struct run *run;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the run or the step is gone; user_data may be too */
	run = user_data;
	g_clear_object(&run->req_cancel);
	if (error) {
		step_finishf(run, STEP_ERROR, -1, "checking requirements failed: %s", error->message);
		return;
	}
	if (reason) {
		step_finish(run, STEP_BLOCKED, -1, reason);
		return;
	}
	step_execute(run);
}

/* The requirements a step has: the suite's, the step's, and its machine being reachable. */
static struct suite_requires *step_requirements(const struct run *run, const struct suite_step *ss)
{
	struct suite_requires *req = g_new0(struct suite_requires, 1);
	const struct suite_requires *parts[2] = { run->suite->requires, ss->requires };
	const struct suite_machine *m = suite_find_machine(run->suite, ss->on);

	req->commands = g_ptr_array_new();
	req->files = g_ptr_array_new();
	req->modules = g_ptr_array_new();
	req->machines = g_ptr_array_new();
	for (guint p = 0; p < G_N_ELEMENTS(parts); p++) {
		const struct suite_requires *r = parts[p];

		if (!r)
			continue;
#define ADD_ALL(field)                                                                  \
	for (guint i = 0; r->field && i < r->field->len; i++)                            \
		g_ptr_array_add(req->field, g_ptr_array_index(r->field, i));
		ADD_ALL(commands)
		ADD_ALL(files)
		ADD_ALL(modules)
		ADD_ALL(machines)
#undef ADD_ALL
		if (r->libvirt)
			req->libvirt = r->libvirt; /* the step's wins */
	}
	if (m && !m->local) {
		gboolean listed = FALSE;

		for (guint i = 0; i < req->machines->len; i++)
			listed |= g_str_equal(g_ptr_array_index(req->machines, i), m->name);
		if (!listed)
			g_ptr_array_add(req->machines, m->name);
	}
	return req;
}

static void step_requirements_free(struct suite_requires *req)
{
	g_ptr_array_unref(req->commands);
	g_ptr_array_unref(req->files);
	g_ptr_array_unref(req->modules);
	g_ptr_array_unref(req->machines);
	g_free(req);
}

static gboolean requirements_empty(const struct suite_requires *req)
{
	return !req->commands->len && !req->files->len && !req->modules->len && !req->machines->len &&
	       !req->libvirt;
}

gboolean run_start_step(struct run *run, guint step, GError **error)
{
	struct run_step *st;
	const struct suite_step *ss;
	struct suite_requires *req;

	if (!check_step_index(run, step, error) || !check_not_busy(run, error))
		return FALSE;
	st = &run->steps[step];
	ss = suite_step_at(run, step);
	step_clear_run_state(run);
	g_clear_pointer(&run->ended_proc, host_proc_free);
	run->current = (gint)step;
	st->status = STEP_RUNNING;
	st->exit_status = -1;
	st->runs++;
	st->waiting_verdict = FALSE;
	g_clear_pointer(&st->reason, g_free);
	g_string_truncate(st->output, 0);
	st->start_us = g_get_monotonic_time();
	st->end_us = 0;
	g_free(st->command);
	if (ss->kind == SUITE_STEP_RUN) {
		g_autofree char *expanded = vars_expand(run->vars, st->edited ? st->edited : ss->run, VARS_SHELL, NULL);

		st->command = vars_mask(run->vars, expanded ? expanded : (st->edited ? st->edited : ss->run));
	} else {
		g_autofree char *expanded = vars_expand(run->vars, ss->manual, VARS_RAW, NULL);

		st->command = vars_mask(run->vars, expanded ? expanded : ss->manual);
	}
	if (run->journal)
		journal_step_start(run->journal, step, ss->name, ss->on, suite_step_kind_name(ss->kind), st->command);
	notify_step(run, step);

	req = step_requirements(run, ss);
	if (requirements_empty(req)) {
		step_requirements_free(req);
		step_execute(run);
		return TRUE;
	}
	run->req_cancel = g_cancellable_new();
	requires_check_async(run->suite, req, run->vars, run->req_cancel, requires_done, run);
	step_requirements_free(req);
	return TRUE;
}

gboolean run_next(struct run *run, GError **error)
{
	gint next;

	if (!check_not_busy(run, error))
		return FALSE;
	next = run_next_pending(run);
	if (next < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no pending step left");
		return FALSE;
	}
	if (run->journal)
		journal_input(run->journal, (guint)next, "command", "next");
	return run_start_step(run, (guint)next, error);
}

gboolean run_all(struct run *run, GError **error)
{
	gint next;

	if (!check_not_busy(run, error))
		return FALSE;
	next = run_next_pending(run);
	if (next < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no pending step left");
		return FALSE;
	}
	if (run->journal)
		journal_input(run->journal, (guint)next, "command", "all");
	run->all_active = TRUE;
	/* "run all" starting at a breakpoint runs that step: the operator asked for it */
	return run_start_step(run, (guint)next, error);
}

gboolean run_skip(struct run *run, guint step, const char *note, GError **error)
{
	struct run_step *st;
	const struct suite_step *ss;

	if (!check_step_index(run, step, error))
		return FALSE;
	st = &run->steps[step];
	ss = suite_step_at(run, step);
	if (run->current == (gint)step && st->waiting_verdict)
		return run_verdict(run, step, STEP_SKIP, note, error);
	if (!check_not_busy(run, error))
		return FALSE;
	if (run->journal) {
		journal_input(run->journal, step, "command", "skip");
		journal_step_start(run->journal, step, ss->name, ss->on, suite_step_kind_name(ss->kind), NULL);
	}
	st->start_us = g_get_monotonic_time();
	run->current = (gint)step;
	g_free(st->note);
	st->note = g_strdup(note);
	step_finish(run, STEP_SKIP, -1, note && *note ? note : "skipped by the operator");
	return TRUE;
}

gboolean run_retry(struct run *run, guint step, GError **error)
{
	if (!check_step_index(run, step, error) || !check_not_busy(run, error))
		return FALSE;
	if (run->journal)
		journal_input(run->journal, step, "command", "retry");
	run->steps[step].status = STEP_PENDING;
	return run_start_step(run, step, error);
}

gboolean run_abort(struct run *run, GError **error)
{
	run->all_active = FALSE;
	if (run->current < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no step is running");
		return FALSE;
	}
	if (run->journal)
		journal_input(run->journal, (guint)run->current, "command", "abort");
	run->aborted = TRUE;
	if (run->proc && host_proc_running(run->proc)) {
		host_proc_kill(run->proc, run->opts.kill_grace_ms);
		return TRUE;
	}
	step_finish(run, STEP_ERROR, -1, "aborted by the operator");
	return TRUE;
}

gboolean run_verdict(struct run *run, guint step, enum step_status verdict, const char *note, GError **error)
{
	struct run_step *st;
	const struct suite_step *ss;

	if (!check_step_index(run, step, error))
		return FALSE;
	st = &run->steps[step];
	ss = suite_step_at(run, step);
	if (verdict != STEP_PASS && verdict != STEP_FAIL && verdict != STEP_SKIP) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a verdict is pass, fail or skip");
		return FALSE;
	}
	if (ss->kind != SUITE_STEP_MANUAL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "step %u is not a manual step: its result comes from its command", step + 1);
		return FALSE;
	}
	if (!(run->current == (gint)step && st->waiting_verdict)) {
		if (!check_not_busy(run, error))
			return FALSE;
		/* a verdict on a manual step that was not started (or is done): record it as a run */
		if (run->journal)
			journal_step_start(run->journal, step, ss->name, ss->on, "manual", st->command);
		st->start_us = g_get_monotonic_time();
		st->runs++;
		run->current = (gint)step;
	}
	if (run->journal)
		journal_verdict(run->journal, step, step_status_name(verdict), note);
	g_free(st->note);
	st->note = g_strdup(note);
	step_finish(run, verdict, -1, note && *note ? note : NULL);
	return TRUE;
}

gboolean run_note(struct run *run, guint step, const char *note, GError **error)
{
	struct run_step *st;

	if (!check_step_index(run, step, error))
		return FALSE;
	st = &run->steps[step];
	if (run->journal)
		journal_note(run->journal, step, note);
	if (st->note) {
		char *joined = g_strconcat(st->note, "; ", note, NULL);

		g_free(st->note);
		st->note = joined;
	} else {
		st->note = g_strdup(note);
	}
	notify_step(run, step);
	return TRUE;
}

gboolean run_edit(struct run *run, guint step, const char *command, GError **error)
{
	struct run_step *st;
	const struct suite_step *ss;

	if (!check_step_index(run, step, error))
		return FALSE;
	st = &run->steps[step];
	ss = suite_step_at(run, step);
	if (ss->kind != SUITE_STEP_RUN) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "step %u has no command to edit", step + 1);
		return FALSE;
	}
	if (run->current == (gint)step) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "step %u is running", step + 1);
		return FALSE;
	}
	g_free(st->edited);
	st->edited = g_strcmp0(command, ss->run) == 0 ? NULL : g_strdup(command);
	if (run->journal)
		journal_input(run->journal, step, "edit", command);
	notify_step(run, step);
	return TRUE;
}

void run_toggle_breakpoint(struct run *run, guint step)
{
	if (step >= run->n_steps)
		return;
	run->steps[step].breakpoint = !run->steps[step].breakpoint;
	notify_step(run, step);
}

void run_finish(struct run *run)
{
	guint counts[STEP_STATUS_COUNT];
	const char *result;

	if (run->finished)
		return;
	run->finished = TRUE;
	run_counts(run, counts);
	if (counts[STEP_FAIL] || counts[STEP_ERROR])
		result = "fail";
	else if (counts[STEP_BLOCKED])
		result = "blocked";
	else if (counts[STEP_PENDING] || counts[STEP_RUNNING])
		result = "incomplete";
	else
		result = "pass";
	if (run->journal)
		journal_session_end(run->journal, result, counts[STEP_PASS], counts[STEP_FAIL], counts[STEP_SKIP],
				    counts[STEP_BLOCKED], counts[STEP_ERROR]);
}
