/* check.c - a step's check: (interrupts moved between its start and its end, timeline limits). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "check.h"
#include "check_timeline.h"
#include "expect.h"
#include "irqmon.h"
#include "journal.h"
#include "run_private.h"
#include "session.h"
#include "ssh.h"
#include "suite.h"
#include "vars.h"

enum check_phase { PHASE_IDLE, PHASE_BEFORE, PHASE_RUNNING, PHASE_AFTER, PHASE_DONE };

/* One sample in flight: its callback always comes, so it holds this, which check_free() marks. */
struct check_call {
	struct check *check;
	gboolean dead;
};

struct check {
	struct run *run;
	enum check_phase phase;
	void (*ready)(struct run *run);
	const struct suite_step *step;
	struct irqmon *mon;          /* the interrupts check's source */
	char *irq;                   /* its pattern, expanded */
	struct irqmon_sample *before;
	struct check_call *call;
	GCancellable *cancel;
	int exit_status;
	char *reason;                /* the reason the step would have passed with */
	/* a console-only machine: the command typed into its shell, waited for on the session */
	gboolean by_console;
	struct session *console;     /* while a sample is awaited; the run's, not ours */
	guint console_timer;
	struct irqmon_sample *settling; /* in, waiting for the shell's prompt to pass */
	guint settle_timer;
};

#define CONSOLE_SETTLE_MS 300 /* quiet after the table: the prompt has come and is dropped */

gboolean check_wanted(const struct suite_step *step)
{
	return step->check_interrupts || step->check_timeline;
}

/* ---- evaluation ---- */

gboolean check_parse_delta(const char *text, enum check_op *op, guint64 *value)
{
	static const struct {
		const char *sym;
		enum check_op op;
	} ops[] = { { ">=", CHECK_GE }, { "<=", CHECK_LE }, { "==", CHECK_EQ }, { "!=", CHECK_NE },
		    { ">", CHECK_GT },  { "<", CHECK_LT },  { "=", CHECK_EQ } };
	const char *p = text;

	if (!text)
		return FALSE;
	while (*p == ' ')
		p++;
	*op = CHECK_GE;
	for (gsize i = 0; i < G_N_ELEMENTS(ops); i++) {
		if (g_str_has_prefix(p, ops[i].sym)) {
			*op = ops[i].op;
			p += strlen(ops[i].sym);
			break;
		}
	}
	while (*p == ' ')
		p++;
	if (!g_ascii_isdigit(*p))
		return FALSE;
	{
		char *end = NULL;

		errno = 0;
		*value = g_ascii_strtoull(p, &end, 10);
		if (errno)
			return FALSE;
		while (*end == ' ')
			end++;
		return *end == '\0';
	}
}

static gboolean compare(guint64 v, enum check_op op, guint64 want)
{
	switch (op) {
	case CHECK_GE:
		return v >= want;
	case CHECK_GT:
		return v > want;
	case CHECK_LE:
		return v <= want;
	case CHECK_LT:
		return v < want;
	case CHECK_EQ:
		return v == want;
	case CHECK_NE:
		return v != want;
	}
	return FALSE;
}

static const char *row_label(const struct irq_row *row)
{
	return *row->name ? row->name : row->id;
}

gboolean check_interrupts_eval(const struct suite_check_interrupts *spec, const char *irq, const char *machine,
			       const struct irq_diff *diff, GString *report, gboolean *ok, char **reason,
			       GError **error)
{
	const char *delta = spec->delta ? spec->delta : ">= 1";
	g_autoptr(GRegex) re = NULL;
	enum check_op op;
	guint64 want, sum = 0, other_delta = 0;
	const struct irq_row *only_row = NULL, *other_row = NULL;
	guint n_matched = 0, other_cpu = 0;
	gboolean cpu_seen = spec->cpu < 0;
	g_autofree char *label = NULL;
	g_autofree char *moved_else = NULL;

	*ok = FALSE;
	*reason = NULL;
	re = g_regex_new(irq, 0, 0, error);
	if (!re) {
		g_prefix_error(error, "check interrupts: irq pattern /%s/: ", irq);
		return FALSE;
	}
	if (!check_parse_delta(delta, &op, &want)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "check interrupts: delta '%s' is not like '>= 1', '== 0' or '> 10'", delta);
		return FALSE;
	}
	for (guint r = 0; r < diff->n_rows; r++) {
		const struct irq_diff_row *dr = &diff->rows[r];
		const struct irq_row *row = &diff->after->rows[dr->after_row];

		if (!irqmon_row_matches(row, re))
			continue;
		n_matched++;
		only_row = n_matched == 1 ? row : NULL;
		for (guint c = 0; c < dr->n_cells; c++) {
			guint cpu = row->per_cpu ? diff->after->cpu_ids[c] : c;

			if (spec->cpu < 0) {
				sum += dr->deltas[c];
			} else if (row->per_cpu && cpu == (guint)spec->cpu) {
				sum += dr->deltas[c];
				cpu_seen = TRUE;
			} else if (dr->deltas[c] && !other_row) {
				other_row = row;
				other_cpu = cpu;
				other_delta = dr->deltas[c];
			}
		}
	}
	g_string_append_printf(report, "interrupts on %s matching /%s/ over %.3fs:\n", machine, irq, diff->interval_s);
	if (!irqmon_format_moved(diff, re, FALSE, report))
		g_string_append(report, "  (none of them moved)\n");
	if (!n_matched) {
		*reason = g_strdup_printf("no interrupt on %s matches /%s/ (%u IRQs listed)", machine, irq,
					  diff->after->n_rows);
		return TRUE;
	}
	if (!cpu_seen) {
		*reason = g_strdup_printf("%s has no CPU %d (it lists %u CPUs)", machine, spec->cpu, diff->after->n_cpus);
		return TRUE;
	}
	label = only_row ? g_strdup(row_label(only_row)) : g_strdup_printf("/%s/", irq);
	if (other_row)
		moved_else = g_strdup_printf("interrupt %s moved on CPU %u (+%" G_GUINT64_FORMAT ")", row_label(other_row),
					     other_cpu, other_delta);
	if (!compare(sum, op, want)) {
		if (spec->cpu >= 0)
			*reason = g_strdup_printf("interrupt %s on CPU %d: +%" G_GUINT64_FORMAT ", expected %s%s%s", label,
						  spec->cpu, sum, delta, moved_else ? "; " : "",
						  moved_else ? moved_else : "");
		else
			*reason = g_strdup_printf("interrupt %s: +%" G_GUINT64_FORMAT " on all CPUs, expected %s", label,
						  sum, delta);
		return TRUE;
	}
	if (spec->only && spec->cpu >= 0 && moved_else) {
		*reason = g_strdup_printf("%s, expected only CPU %d", moved_else, spec->cpu);
		return TRUE;
	}
	*ok = TRUE;
	return TRUE;
}

/* ---- the engine's hook ---- */

struct check *check_new(struct run *run)
{
	struct check *check = g_new0(struct check, 1);

	check->run = run;
	check->step = run_cur_def(run);
	check->cancel = g_cancellable_new();
	check->exit_status = -1;
	return check;
}

void check_free(struct check *check)
{
	if (!check)
		return;
	g_cancellable_cancel(check->cancel);
	if (check->call)
		check->call->dead = TRUE;
	if (check->console_timer) {
		g_source_remove(check->console_timer);
		run_set_console_waiter(check->run, NULL);
	}
	if (check->settle_timer)
		g_source_remove(check->settle_timer);
	irqmon_sample_free(check->settling);
	irqmon_free(check->mon);
	irqmon_sample_free(check->before);
	g_object_unref(check->cancel);
	g_free(check->irq);
	g_free(check->reason);
	g_free(check);
}

static void check_error(struct check *check, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void check_error(struct check *check, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	check->phase = PHASE_DONE;
	run_step_endf(check->run, STEP_ERROR, check->exit_status, "check: %s", text);
}

static void sampled(GObject *source, GAsyncResult *res, gpointer p);
static void got_sample(struct check *check, struct irqmon_sample *s, const GError *error);

/* ---- console-only machines: cat /proc/interrupts in the shell on the serial console ---- */

static void console_done(struct check *check)
{
	if (check->console_timer)
		g_source_remove(check->console_timer);
	if (check->settle_timer)
		g_source_remove(check->settle_timer);
	check->console_timer = check->settle_timer = 0;
	check->console = NULL;
	run_set_console_waiter(check->run, NULL);
}

/* The console went quiet after the table: what came after it (the shell's prompt) is dropped,
 * so that a later step's expect does not match a prompt of ours. */
static gboolean console_settled(gpointer p)
{
	struct check *check = p;
	struct irqmon_sample *s = g_steal_pointer(&check->settling);

	check->settle_timer = 0;
	if (check->console)
		expect_clear(session_expect(check->console));
	console_done(check);
	got_sample(check, s, NULL);
	return G_SOURCE_REMOVE;
}

static void console_failed(struct check *check, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void console_failed(struct check *check, const char *fmt, ...)
{
	g_autoptr(GError) error = NULL;
	va_list ap;

	va_start(ap, fmt);
	error = g_error_new_valist(G_IO_ERROR, G_IO_ERROR_FAILED, fmt, ap);
	va_end(ap);
	console_done(check);
	got_sample(check, NULL, error);
}

/* New bytes on a console (or it closed): is the whole table in? */
static void console_progress(struct run *run, struct session *session)
{
	struct check *check = run_check(run);
	g_autofree char *matched = NULL;
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *s;

	if (!check || !check->console_timer || session != check->console)
		return;
	if (check->settling) {
		/* more came: wait for quiet again (the overall timeout still holds) */
		if (check->settle_timer)
			g_source_remove(check->settle_timer);
		check->settle_timer = g_timeout_add(CONSOLE_SETTLE_MS, console_settled, check);
		return;
	}
	if (!expect_match(session_expect(session), irqmon_console_regex(), &matched)) {
		if (!session_is_open(session))
			console_failed(check, "%s closed while /proc/interrupts was read: %s", session_describe(session),
				       session_closed_why(session) ? session_closed_why(session) : "end of file");
		return;
	}
	s = irqmon_console_sample(matched, NULL, &error);
	if (!s) {
		console_failed(check, "%s: %s", session_describe(session), error->message);
		return;
	}
	check->settling = s;
	check->settle_timer = g_timeout_add(CONSOLE_SETTLE_MS, console_settled, check);
}

static gboolean console_timeout(gpointer p)
{
	struct check *check = p;
	const char *what = check->console ? session_describe(check->console) : "the console";

	check->console_timer = 0;
	if (check->settling) /* the table is in; the console just never went quiet */
		return console_settled(check);
	console_failed(check, "no /proc/interrupts from %s within %d s: is a shell logged in on it?", what,
		       IRQMON_CONSOLE_TIMEOUT_S);
	return G_SOURCE_REMOVE;
}

static void console_ready(struct run *run, struct session *session, const GError *error)
{
	struct check *check = run_check(run);

	if (!check || (check->phase != PHASE_BEFORE && check->phase != PHASE_AFTER))
		return;
	if (error) {
		got_sample(check, NULL, error);
		return;
	}
	if (!session_write(session, IRQMON_CONSOLE_COMMAND, strlen(IRQMON_CONSOLE_COMMAND))) {
		g_autoptr(GError) err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "could not write to %s",
						    session_describe(session));
		got_sample(check, NULL, err);
		return;
	}
	check->console = session;
	check->console_timer = g_timeout_add_seconds(IRQMON_CONSOLE_TIMEOUT_S, console_timeout, check);
	run_set_console_waiter(run, console_progress);
	console_progress(run, session);
}

static void take_sample(struct check *check)
{
	if (check->by_console) {
		run_machine_session(check->run, suite_find_machine(run_suite(check->run), check->step->check_interrupts->on),
				    console_ready);
		return;
	}
	check->call = g_new0(struct check_call, 1);
	check->call->check = check;
	irqmon_sample_async(check->mon, check->cancel, sampled, check->call);
}

/* An agent machine's connection is up: sample through it. */
static void conn_ready(struct run *run, virConnectPtr conn, const GError *error)
{
	struct check *check = run_check(run);
	const struct suite_machine *m;
	g_autoptr(GError) err = NULL;
	g_autofree char *domain = NULL;

	if (!check || check->phase != PHASE_BEFORE)
		return;
	m = suite_find_machine(run_suite(run), check->step->check_interrupts->on);
	if (error) {
		check_error(check, "interrupts on %s: %s", m->name, error->message);
		return;
	}
	domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &err);
	if (!domain || !(check->mon = irqmon_new_for_machine(m, domain, conn, NULL, NULL, &err))) {
		check_error(check, "interrupts on %s: %s", m->name, err->message);
		return;
	}
	take_sample(check);
}

static void begin_interrupts(struct check *check)
{
	const struct suite_check_interrupts *spec = check->step->check_interrupts;
	const struct suite_machine *m = suite_find_machine(run_suite(check->run), spec->on);
	g_autoptr(GError) error = NULL;

	check->irq = vars_expand(run_vars(check->run), spec->irq, VARS_RAW, &error);
	if (!check->irq) {
		check_error(check, "interrupts: %s", error->message);
		return;
	}
	if (!m) {
		check_error(check, "interrupts: no machine '%s'", spec->on);
		return;
	}
	if (m->agent && !m->local) {
		run_machine_conn(check->run, m, conn_ready);
		return;
	}
	if (!m->local && !m->ssh && m->domain) {
		check->by_console = TRUE;
		take_sample(check);
		return;
	}
	check->mon = irqmon_new_for_machine(m, NULL, NULL, run_vars(check->run), run_base_dir(check->run), &error);
	if (!check->mon) {
		check_error(check, "interrupts: %s", error->message);
		return;
	}
	take_sample(check);
}

void check_begin(struct check *check, void (*ready)(struct run *run))
{
	check->ready = ready;
	if (!check->step->check_interrupts) {
		check->phase = PHASE_RUNNING;
		ready(check->run);
		return;
	}
	check->phase = PHASE_BEFORE;
	begin_interrupts(check);
}

/* The timeline limits (check_timeline.c): the log's path expanded, relative to the run's base directory. */
static gboolean eval_timeline(struct check *check, GString *report, gboolean *ok, GError **error)
{
	const struct suite_check_timeline *spec = check->step->check_timeline;
	g_autofree char *file = vars_expand(run_vars(check->run), spec->file, VARS_RAW, error);
	g_autofree char *path = NULL;

	*ok = FALSE;
	if (!file) {
		g_prefix_error(error, "timeline: ");
		return FALSE;
	}
	path = g_path_is_absolute(file) ? g_strdup(file) : g_build_filename(run_base_dir(check->run), file, NULL);
	GError *err = NULL;

	if (report->len)
		g_string_append_c(report, '\n');
	/* FALSE without an error: evaluated, a limit does not hold */
	if (!check_timeline_run(spec, path, report, ok, &err) && err) {
		g_propagate_prefixed_error(error, err, "timeline: ");
		return FALSE;
	}
	return TRUE;
}

/* The first limit that failed, from the report's "...: FAIL" lines (from offset from). */
static char *timeline_failure(const GString *report, gsize from)
{
	g_auto(GStrv) lines = g_strsplit(report->str + MIN(from, report->len), "\n", -1);

	for (guint i = 0; lines[i]; i++) {
		char *line = g_strstrip(lines[i]);

		if (g_str_has_suffix(line, ": FAIL"))
			return g_strdup_printf("timeline %.*s", (int)(strlen(line) - 6), line);
	}
	return g_strdup("timeline limits exceeded (see the output)");
}

/* A "sample" record of the timeline check's result. */
static void sample_timeline(struct run *run, const struct suite_step *ss, gboolean evaluated, gboolean ok,
			     const GError *error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *json = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "check");
	json_builder_add_string_value(b, "timeline");
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, ss->check_timeline->file);
	json_builder_set_member_name(b, "task");
	json_builder_add_string_value(b, ss->check_timeline->task);
	json_builder_set_member_name(b, "result");
	json_builder_add_string_value(b, !evaluated ? "error" : ok ? "pass" : "fail");
	if (error) {
		json_builder_set_member_name(b, "reason");
		json_builder_add_string_value(b, error->message);
	}
	json_builder_end_object(b);
	json = irqmon_builder_text(b);
	journal_sample(run_journal(run), (gint)run_cur(run), "timeline", json);
}

/* Everything is in: decide, report, end the step. */
static void finish(struct check *check, const struct irqmon_sample *after)
{
	struct run *run = check->run;
	const struct suite_step *ss = check->step;
	g_autoptr(GString) report = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *fail = NULL;
	gboolean ok = TRUE;

	if (run_step_aborted(run)) {
		check->phase = PHASE_DONE;
		run_step_end(run, STEP_ERROR, check->exit_status, "aborted by the operator");
		return;
	}
	if (ss->check_interrupts) {
		const struct suite_machine *m = suite_find_machine(run_suite(run), ss->check_interrupts->on);
		struct irq_diff *diff = irq_diff(check->before->table, after->table, irqmon_interval_s(check->before, after));
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(GRegex) re = g_regex_new(check->irq, 0, 0, NULL);
		g_autofree char *json = NULL;
		gboolean evaluated = check_interrupts_eval(ss->check_interrupts, check->irq, m->name, diff, report, &ok,
							   &fail, &error);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "check");
		json_builder_add_string_value(b, "interrupts");
		json_builder_set_member_name(b, "machine");
		json_builder_add_string_value(b, m->name);
		json_builder_set_member_name(b, "irq");
		json_builder_add_string_value(b, check->irq);
		json_builder_set_member_name(b, "cpu");
		json_builder_add_int_value(b, ss->check_interrupts->cpu);
		json_builder_set_member_name(b, "result");
		json_builder_add_string_value(b, !evaluated ? "error" : ok ? "pass" : "fail");
		if (fail || error) {
			json_builder_set_member_name(b, "reason");
			json_builder_add_string_value(b, fail ? fail : error->message);
		}
		if (re)
			irqmon_diff_build(diff, re, b);
		json_builder_end_object(b);
		json = irqmon_builder_text(b);
		journal_sample(run_journal(run), (gint)run_cur(run), "interrupts", json);
		irq_diff_free(diff);
		if (!evaluated) {
			run_step_output(run, "check", report->str, report->len);
			check_error(check, "%s", error->message);
			return;
		}
	}
	if (ok && ss->check_timeline) {
		gboolean tl_ok = FALSE;
		gsize from = report->len;
		gboolean evaluated = eval_timeline(check, report, &tl_ok, &error);

		sample_timeline(run, ss, evaluated, tl_ok, error);
		if (!evaluated) {
			run_step_output(run, "check", report->str, report->len);
			check_error(check, "%s", error->message);
			return;
		}
		ok = tl_ok;
		if (!ok)
			fail = timeline_failure(report, from);
	}
	run_step_output(run, "check", report->str, report->len);
	check->phase = PHASE_DONE;
	if (ok)
		run_step_end(run, STEP_PASS, check->exit_status, check->reason);
	else
		run_step_endf(run, STEP_FAIL, check->exit_status, "check failed: %s", fail);
}

static void sampled(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer p)
{
	struct check_call *call = p;
	struct check *check = call->check;
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *s = irqmon_sample_finish(res, &error);

	if (call->dead) {
		irqmon_sample_free(s);
		g_free(call);
		return;
	}
	g_free(call);
	check->call = NULL;
	got_sample(check, s, error);
}

/* A sample (or why there is none) for the current phase. */
static void got_sample(struct check *check, struct irqmon_sample *s, const GError *error)
{
	if (!s && g_error_matches(error, SSH_ERROR, SSH_ERROR_HOSTKEY_UNKNOWN)) {
		/* as for an SSH step: the operator compares the fingerprint and accepts the key (K) */
		check->phase = PHASE_DONE;
		run_step_key_machine(check->run, check->step->check_interrupts->on);
		run_step_endf(check->run, STEP_BLOCKED, check->exit_status, "check: interrupts on %s: %s",
			      check->step->check_interrupts->on, error->message);
		return;
	}
	if (!s) {
		check_error(check, "interrupts on %s (%s sample): %s", check->step->check_interrupts->on,
			    check->phase == PHASE_BEFORE ? "before" : "after", error->message);
		return;
	}
	if (check->phase == PHASE_BEFORE) {
		check->before = s;
		check->phase = PHASE_RUNNING;
		check->ready(check->run);
		return;
	}
	finish(check, s);
	irqmon_sample_free(s);
}

gboolean check_end(struct check *check, int exit_status, const char *reason)
{
	if (check->phase == PHASE_AFTER)
		return TRUE; /* the after sample is on its way */
	if (check->phase != PHASE_RUNNING)
		return FALSE;
	check->phase = PHASE_AFTER;
	check->exit_status = exit_status;
	check->reason = g_strdup(reason);
	if (check->step->check_interrupts) {
		take_sample(check);
		return TRUE;
	}
	finish(check, NULL);
	return TRUE;
}
