/* run.c - the run state machine: step queue, operator commands, expectations, timeouts, verdicts. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>

#include "check.h"
#include "journal.h"
#include "requires.h"
#include "run_private.h"
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
	const struct step_kind *kind; /* its kind, once started */
	void *kind_data;              /* the kind's state, freed by kind->cleanup */
	const struct step_kind *ended_kind; /* the last step's kind, whose state is freed later */
	void *ended_data;                   /* (not inside the kind's own callbacks) */
	guint generation;         /* changes when a step starts or ends: late callbacks check it */
	gint last_started;        /* the last step started, or -1 */
	GCancellable *req_cancel; /* a requirements check in flight */
	guint timeout_id;
	gboolean timed_out;
	gboolean aborted;
	GString *match_buf;       /* output for expect: match (up to RUN_MATCH_KEEP) */
	gboolean match_truncated;

	char *uri;      /* options->uri, copied */
	char *base_dir; /* options->base_dir, copied, or the suite's directory */
	struct run_virtpool *virtpool; /* libvirt connections and console sessions (run_virt.c) */
	void (*console_waiter)(struct run *run, struct session *session);
	struct check *check; /* the running step's check: (check.c), or NULL */
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
	run->uri = g_strdup(run->opts.uri);
	run->base_dir = run->opts.base_dir ? g_strdup(run->opts.base_dir) : g_path_get_dirname(suite->file);
	run->opts.uri = NULL;
	run->opts.base_dir = NULL;
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
	run->last_started = -1;

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

/* Frees the state of the step that ended before. */
static void run_free_ended(struct run *run)
{
	const struct step_kind *kind = run->ended_kind;
	void *data = run->ended_data;

	run->ended_kind = NULL;
	run->ended_data = NULL;
	if (kind && kind->cleanup && data) {
		void *saved = run->kind_data;

		run->kind_data = data;
		kind->cleanup(run);
		run->kind_data = saved;
	}
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
	if (run->kind_data) {
		/* kept until the next step starts: the kind may be inside its own callback now */
		run_free_ended(run);
		run->ended_kind = run->kind;
		run->ended_data = run->kind_data;
		run->kind_data = NULL;
	}
	g_clear_pointer(&run->check, check_free);
	run->kind = NULL;
	run->console_waiter = NULL;
	run->generation++;
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
	run_free_ended(run);
	run_virtpool_free(run->virtpool);
	g_free(run->uri);
	g_free(run->base_dir);
	for (guint i = 0; i < run->n_steps; i++) {
		struct run_step *st = &run->steps[i];

		g_free(st->reason);
		g_free(st->key_machine);
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

	/* a passing step with a check: passes only if the check holds (check_end ends it later) */
	if (status == STEP_PASS && run->check && check_end(run->check, exit_status, reason))
		return;
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
		if (run_next_pending(run) >= 0)
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

/* ---- what the kinds use ---- */

guint run_cur(const struct run *run)
{
	return (guint)run->current;
}

const struct suite_step *run_cur_def(const struct run *run)
{
	return suite_step_at(run, (guint)run->current);
}

struct run_step *run_cur_state(struct run *run)
{
	return &run->steps[run->current];
}

const struct suite_machine *run_cur_machine(const struct run *run)
{
	return suite_find_machine(run->suite, run_cur_def(run)->on);
}

struct vars *run_vars(const struct run *run)
{
	return run->vars;
}

struct journal *run_journal(const struct run *run)
{
	return run->journal;
}

const struct run_options *run_options(const struct run *run)
{
	return &run->opts;
}

void *run_kind_data(const struct run *run)
{
	return run->kind_data;
}

void run_set_kind_data(struct run *run, void *data)
{
	run->kind_data = data;
}

gboolean run_step_timed_out(const struct run *run)
{
	return run->timed_out;
}

gboolean run_step_aborted(const struct run *run)
{
	return run->aborted;
}

guint run_generation(const struct run *run)
{
	return run->generation;
}

gint run_journal_step(const struct run *run)
{
	return run->current >= 0 ? run->current : run->last_started;
}

void run_console_bytes(struct run *run, const char *machine, const char *data, gsize len)
{
	if (run->ops && run->ops->console)
		run->ops->console(run, machine, data, len, run->user_data);
}

void run_notify_cur(struct run *run)
{
	if (run->current >= 0)
		notify_step(run, (guint)run->current);
}

const char *run_default_uri(const struct run *run)
{
	return run->uri;
}

const char *run_base_dir(const struct run *run)
{
	return run->base_dir;
}

struct run_virtpool **run_virtpool_slot(struct run *run)
{
	return &run->virtpool;
}

void run_step_key_machine(struct run *run, const char *machine)
{
	if (run->current < 0)
		return;
	g_free(run->steps[run->current].key_machine);
	run->steps[run->current].key_machine = g_strdup(machine);
}

void run_set_console_waiter(struct run *run, void (*fn)(struct run *run, struct session *session))
{
	run->console_waiter = fn;
}

void run_console_changed(struct run *run, struct session *session)
{
	if (run->current >= 0 && run->console_waiter)
		run->console_waiter(run, session);
}

/* Shown in the step's output, not matched nor journaled (the caller journals it its way). */
void run_step_show(struct run *run, const char *data, gsize len)
{
	guint idx = (guint)run->current;
	struct run_step *st = &run->steps[idx];

	g_string_append_len(st->output, data, (gssize)len);
	if (st->output->len > RUN_OUTPUT_KEEP)
		g_string_erase(st->output, 0, (gssize)(st->output->len - RUN_OUTPUT_KEEP / 2));
	if (run->ops && run->ops->output)
		run->ops->output(run, idx, data, len, run->user_data);
}

void run_step_notice(struct run *run, const char *text)
{
	const GString *out = run->steps[run->current].output;
	gboolean mid_line = out->len && out->str[out->len - 1] != '\n';
	g_autofree char *line = g_strdup_printf("%s[virtcon: %s]\n", mid_line ? "\n" : "", text);

	run_step_show(run, line, strlen(line));
	if (run->journal)
		journal_output(run->journal, (guint)run->current, "virtcon", line, strlen(line));
}

void run_step_output(struct run *run, const char *stream, const char *data, gsize len)
{
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
	if (run->journal && stream)
		journal_output(run->journal, idx, stream, data, len);
	if (run->ops && run->ops->output)
		run->ops->output(run, idx, data, len, run->user_data);
}

void run_step_end(struct run *run, enum step_status status, int exit_status, const char *reason)
{
	if (run->current >= 0)
		step_finish(run, status, exit_status, reason);
}

void run_step_endf(struct run *run, enum step_status status, int exit_status, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *reason = NULL;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	run_step_end(run, status, exit_status, reason);
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

gint64 run_cur_timeout_ms(const struct run *run)
{
	return step_timeout_ms(run, run_cur_def(run));
}

char *run_format_duration_ms(gint64 ms)
{
	return format_duration_ms(ms);
}

void run_step_complete(struct run *run, int code, int sig)
{
	const struct suite_step *ss;
	const struct suite_expect *ex;
	g_autofree char *limit = NULL;
	g_autofree char *mismatch = NULL;

	if (run->current < 0)
		return;
	ss = run_cur_def(run);
	ex = &ss->expect;
	limit = format_duration_ms(step_timeout_ms(run, ss));
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
	if (sig > 0) {
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
	if (run->kind && run->kind->stop)
		run->kind->stop(run, TRUE);
	else
		run_step_complete(run, -1, 0);
	return G_SOURCE_REMOVE;
}

const struct step_kind *run_kind_of(const struct suite *suite, const struct suite_step *ss)
{
	const struct suite_machine *m = suite_find_machine(suite, ss->on);

	switch (ss->kind) {
	case SUITE_STEP_MANUAL:
		return &kind_manual;
	case SUITE_STEP_SEND:
		return &kind_console;
	case SUITE_STEP_ACTION:
		return &kind_action;
	case SUITE_STEP_WAIT:
		return ss->wait_console ? &kind_console : &kind_wait;
	case SUITE_STEP_RUN:
		break;
	}
	if (m && m->agent)
		return &kind_agent;
	if (!m || m->local)
		return &kind_host;
	return &kind_ssh; /* ssh:, or a domain without agent (it says how to reach it) */
}

gboolean run_check_suite(const struct suite *suite, GError **error)
{
	g_autoptr(GString) problems = g_string_new(NULL);

	for (guint i = 0; i < suite->steps->len; i++) {
		const struct suite_step *ss = g_ptr_array_index(suite->steps, i);
		const struct step_kind *kind = run_kind_of(suite, ss);
		g_autoptr(GError) err = NULL;

		if (kind->validate && !kind->validate(suite, ss, &err))
			g_string_append_printf(problems, "%s%s:%u:%u: %s", problems->len ? "\n" : "", suite->file,
					       ss->kind_loc.line, ss->kind_loc.col, err->message);
	}
	if (!problems->len)
		return TRUE;
	g_set_error_literal(error, SUITE_ERROR, SUITE_ERROR_INVALID, problems->str);
	return FALSE;
}

struct suite *run_load_suite(const char *path, GError **error)
{
	struct suite *suite = suite_load_file(path, error);

	if (suite && !run_check_suite(suite, error)) {
		suite_free(suite);
		return NULL;
	}
	return suite;
}

/* Starts the step's kind (and its timeout). */
static void step_kind_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);

	run->kind = run_kind_of(run->suite, ss);
	if (ss->kind != SUITE_STEP_MANUAL)
		run->timeout_id = g_timeout_add((guint)MIN(step_timeout_ms(run, ss), G_MAXUINT), timeout_cb, run);
	run->kind->start(run);
}

/* The step's requirements are met: hand it to its kind, after its check's "before" samples. */
static void step_execute(struct run *run)
{
	run->match_buf = g_string_new(NULL);
	if (check_wanted(run_cur_def(run))) {
		run->check = check_new(run);
		check_begin(run->check, step_kind_start);
		return;
	}
	step_kind_start(run);
}

struct check *run_check(const struct run *run)
{
	return run->check;
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
	req->default_uri = run->uri; /* domain machines are looked for where the run connects */
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
	/* a command over SSH needs its machine reachable; libvirt-backed kinds report themselves */
	if (m && !m->local && m->ssh && !m->agent && ss->kind == SUITE_STEP_RUN) {
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

/* What a step does, as shown and journaled: its command, text or action (secrets masked). */
static char *step_describe(const struct run *run, const struct suite_step *ss, const struct run_step *st)
{
	g_autofree char *text = NULL;
	g_autofree char *expanded = NULL;

	switch (ss->kind) {
	case SUITE_STEP_RUN:
		text = g_strdup(st->edited ? st->edited : ss->run);
		expanded = vars_expand(run->vars, text, VARS_SHELL, NULL);
		break;
	case SUITE_STEP_MANUAL:
		text = g_strdup(ss->manual);
		break;
	case SUITE_STEP_SEND:
		text = g_strdup_printf("send %s", ss->send);
		break;
	case SUITE_STEP_ACTION: {
		GString *g = g_string_new(ss->action);
		g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(ss->with), (GCompareFunc)g_strcmp0);

		for (GList *k = keys; k; k = k->next)
			g_string_append_printf(g, " %s=%s", (char *)k->data,
					       (char *)g_hash_table_lookup(ss->with, k->data));
		text = g_string_free(g, FALSE);
		break;
	}
	case SUITE_STEP_WAIT:
		text = ss->wait_state ? g_strdup_printf("wait for state %s", ss->wait_state)
		       : ss->wait_migration ? g_strdup_printf("wait for migration %s", ss->wait_migration)
					    : g_strdup_printf("wait for console /%s/", ss->wait_console);
		break;
	}
	if (!expanded)
		expanded = vars_expand(run->vars, text, VARS_RAW, NULL);
	return vars_mask(run->vars, expanded ? expanded : text);
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
	run_free_ended(run);
	run->current = (gint)step;
	run->last_started = (gint)step;
	run->generation++;
	st->status = STEP_RUNNING;
	st->exit_status = -1;
	st->runs++;
	st->waiting_verdict = FALSE;
	g_clear_pointer(&st->reason, g_free);
	g_clear_pointer(&st->key_machine, g_free);
	g_string_truncate(st->output, 0);
	st->start_us = g_get_monotonic_time();
	st->end_us = 0;
	g_free(st->command);
	st->command = step_describe(run, ss, st);
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

/* The first pending step, journaled as the operator command that starts there; -1 with an
 * error when a step runs or none is pending. */
static gint take_next_pending(struct run *run, const char *command, GError **error)
{
	gint next;

	if (!check_not_busy(run, error))
		return -1;
	next = run_next_pending(run);
	if (next < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no pending step left");
		return -1;
	}
	if (run->journal)
		journal_input(run->journal, (guint)next, "command", command);
	return next;
}

gboolean run_next(struct run *run, GError **error)
{
	gint next = take_next_pending(run, "next", error);

	return next >= 0 && run_start_step(run, (guint)next, error);
}

gboolean run_all(struct run *run, GError **error)
{
	gint next = take_next_pending(run, "all", error);

	if (next < 0)
		return FALSE;
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
	if (run->kind && run->kind->stop) {
		run->kind->stop(run, FALSE);
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
