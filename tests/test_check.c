/* test_check.c - unit tests of check: { interrupts }: the evaluation on the seed's samples, and the engine's hook on host steps. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "check.h"
#include "irqmon.h"
#include "journal.h"
#include "run.h"
#include "suite.h"
#include "vars.h"

static struct irq_table *load(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *path = g_build_filename(top ? top : ".", "tests", "irq", name, NULL);
	g_autofree char *data = NULL;
	gsize len = 0;
	struct irq_table *t;

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	t = irq_parse(data, len, NULL);
	assert_non_null(t);
	return t;
}

static struct irq_table *parse(const char *text)
{
	struct irq_table *t = irq_parse(text, strlen(text), NULL);

	assert_non_null(t);
	return t;
}

static void test_parse_delta(void **state G_GNUC_UNUSED)
{
	enum check_op op;
	guint64 v;

	assert_true(check_parse_delta(">= 1", &op, &v));
	assert_int_equal(op, CHECK_GE);
	assert_int_equal(v, 1);
	assert_true(check_parse_delta("==0", &op, &v));
	assert_int_equal(op, CHECK_EQ);
	assert_int_equal(v, 0);
	assert_true(check_parse_delta("> 10 ", &op, &v));
	assert_int_equal(op, CHECK_GT);
	assert_int_equal(v, 10);
	assert_true(check_parse_delta("!= 0", &op, &v));
	assert_int_equal(op, CHECK_NE);
	assert_true(check_parse_delta("< 5", &op, &v));
	assert_int_equal(op, CHECK_LT);
	assert_true(check_parse_delta("<= 2", &op, &v));
	assert_int_equal(op, CHECK_LE);
	assert_true(check_parse_delta("7", &op, &v));
	assert_int_equal(op, CHECK_GE);
	assert_int_equal(v, 7);
	assert_false(check_parse_delta(">=", &op, &v));
	assert_false(check_parse_delta("about 3", &op, &v));
	assert_false(check_parse_delta("3x", &op, &v));
	assert_false(check_parse_delta("99999999999999999999999", &op, &v));
	assert_false(check_parse_delta(NULL, &op, &v));
}

struct evaluation {
	gboolean evaluated, ok;
	char *reason;
	GString *report;
	GError *error;
};

static void eval(const struct suite_check_interrupts *spec, const struct irq_table *before,
		 const struct irq_table *after, struct evaluation *e)
{
	struct irq_diff *diff = irq_diff(before, after, 1.0);

	e->report = g_string_new(NULL);
	e->evaluated = check_interrupts_eval(spec, spec->irq, "vm1", diff, e->report, &e->ok, &e->reason, &e->error);
	irq_diff_free(diff);
}

static void evaluation_clear(struct evaluation *e)
{
	g_free(e->reason);
	g_string_free(e->report, TRUE);
	g_clear_error(&e->error);
}

/* Seed 000 step 13: the message went to CPU 3 and only there. */
static void test_seed_pass(void **state G_GNUC_UNUSED)
{
	struct irq_table *a = load("seed000-step6.txt"), *b = load("seed000-step13.txt");
	struct suite_check_interrupts spec = { .irq = (char *)"virtio6-virtqueues", .cpu = 3, .only = TRUE };
	struct evaluation e = { 0 };

	eval(&spec, a, b, &e);
	assert_true(e.evaluated);
	assert_true(e.ok);
	assert_null(e.reason);
	assert_string_equal(e.report->str, "interrupts on vm1 matching /virtio6-virtqueues/ over 1.000s:\n"
					   "  52 virtio6-virtqueues       CPU3 +1\n");
	evaluation_clear(&e);
	irq_table_free(a);
	irq_table_free(b);
}

/* Expected on CPU 0: it did not move there, and the reason says where it did. */
static void test_seed_wrong_cpu(void **state G_GNUC_UNUSED)
{
	struct irq_table *a = load("seed000-step6.txt"), *b = load("seed000-step13.txt");
	struct suite_check_interrupts spec = { .irq = (char *)"virtio6-virtqueues", .cpu = 0, .only = TRUE };
	struct evaluation e = { 0 };

	eval(&spec, a, b, &e);
	assert_true(e.evaluated);
	assert_false(e.ok);
	assert_string_equal(e.reason, "interrupt virtio6-virtqueues on CPU 0: +0, expected >= 1; "
				      "interrupt virtio6-virtqueues moved on CPU 3 (+1)");
	evaluation_clear(&e);
	irq_table_free(a);
	irq_table_free(b);
}

static const char before_text[] =
	"      CPU0 CPU1 CPU2 CPU3\n"
	" 50:  23 0 5 0  PCI-MSI-edge virtio5-virtqueues\n"
	" 52:  19 0 0 0  PCI-MSI-edge virtio6-virtqueues\n";
static const char after_text[] =
	"      CPU0 CPU1 CPU2 CPU3\n"
	" 50:  23 0 9 0  PCI-MSI-edge virtio5-virtqueues\n"
	" 52:  22 0 0 1  PCI-MSI-edge virtio6-virtqueues\n";

static void test_only(void **state G_GNUC_UNUSED)
{
	struct irq_table *a = parse(before_text), *b = parse(after_text);
	struct suite_check_interrupts spec = { .irq = (char *)"virtio6-virtqueues", .cpu = 3, .only = TRUE };
	struct evaluation e = { 0 };

	eval(&spec, a, b, &e);
	assert_true(e.evaluated);
	assert_false(e.ok);
	assert_string_equal(e.reason, "interrupt virtio6-virtqueues moved on CPU 0 (+3), expected only CPU 3");
	assert_non_null(strstr(e.report->str, "CPU0 +3 CPU3 +1"));
	evaluation_clear(&e);
	/* without only: CPU 3 moved, that is enough */
	spec.only = FALSE;
	eval(&spec, a, b, &e);
	assert_true(e.ok);
	evaluation_clear(&e);
	/* other IRQs do not count against "only" */
	spec.only = TRUE;
	spec.irq = (char *)"^virtio5";
	spec.cpu = 2;
	eval(&spec, a, b, &e);
	assert_true(e.ok);
	evaluation_clear(&e);
	irq_table_free(a);
	irq_table_free(b);
}

static void test_deltas_and_any_cpu(void **state G_GNUC_UNUSED)
{
	struct irq_table *a = parse(before_text), *b = parse(after_text);
	struct suite_check_interrupts spec = { .irq = (char *)"virtio.-virtqueues", .cpu = -1, .delta = (char *)"== 8" };
	struct evaluation e = { 0 };

	eval(&spec, a, b, &e); /* 4 + 3 + 1 over the two IRQs */
	assert_true(e.ok);
	evaluation_clear(&e);
	spec.delta = (char *)"> 8";
	eval(&spec, a, b, &e);
	assert_false(e.ok);
	assert_string_equal(e.reason, "interrupt /virtio.-virtqueues/: +8 on all CPUs, expected > 8");
	evaluation_clear(&e);
	spec.irq = (char *)"52"; /* by number */
	spec.delta = (char *)"== 0";
	spec.cpu = 1;
	eval(&spec, a, b, &e);
	assert_true(e.ok);
	evaluation_clear(&e);
	irq_table_free(a);
	irq_table_free(b);
}

static void test_problems(void **state G_GNUC_UNUSED)
{
	struct irq_table *a = parse(before_text), *b = parse(after_text);
	struct suite_check_interrupts spec = { .irq = (char *)"virtio9", .cpu = 3 };
	struct evaluation e = { 0 };

	eval(&spec, a, b, &e);
	assert_true(e.evaluated);
	assert_false(e.ok);
	assert_string_equal(e.reason, "no interrupt on vm1 matches /virtio9/ (2 IRQs listed)");
	evaluation_clear(&e);
	spec.irq = (char *)"virtio6";
	spec.cpu = 7;
	eval(&spec, a, b, &e);
	assert_false(e.ok);
	assert_string_equal(e.reason, "vm1 has no CPU 7 (it lists 4 CPUs)");
	evaluation_clear(&e);
	spec.irq = (char *)"virtio(";
	eval(&spec, a, b, &e);
	assert_false(e.evaluated);
	assert_non_null(strstr(e.error->message, "irq pattern /virtio(/"));
	evaluation_clear(&e);
	spec.irq = (char *)"virtio6";
	spec.delta = (char *)"lots";
	eval(&spec, a, b, &e);
	assert_false(e.evaluated);
	assert_non_null(strstr(e.error->message, "delta 'lots'"));
	evaluation_clear(&e);
	irq_table_free(a);
	irq_table_free(b);
}

/* ---- the loader ---- */

static void test_loader(void **state G_GNUC_UNUSED)
{
	static const char yaml[] =
		"suite: s\n"
		"machines:\n"
		"  vm1: { domain: d1, agent: true }\n"
		"steps:\n"
		"  - name: a\n"
		"    run: echo\n"
		"    check:\n"
		"      interrupts: { on: vm1, irq: 'virtio6-virtqueues', cpu: 3, delta: '>= 2', only: true }\n"
		"      timeline: { file: '${env.HOME}/log.txt', format: rk, task: rt1, max_response: 5ms,\n"
		"                  max_blocking: 1.2ms, max_cs: 250us, period: 0.01s }\n"
		"  - name: b\n"
		"    on: vm1\n"
		"    send: x\n"
		"    check: { interrupts: { irq: '4[0-9]' } }\n";
	g_autoptr(GError) error = NULL;
	struct suite *suite = suite_load_data(yaml, strlen(yaml), "t.yaml", &error);
	const struct suite_step *a, *b;

	if (!suite)
		fail_msg("%s", error->message);
	a = g_ptr_array_index(suite->steps, 0);
	b = g_ptr_array_index(suite->steps, 1);
	assert_string_equal(a->check_interrupts->on, "vm1");
	assert_string_equal(a->check_interrupts->irq, "virtio6-virtqueues");
	assert_int_equal(a->check_interrupts->cpu, 3);
	assert_string_equal(a->check_interrupts->delta, ">= 2");
	assert_true(a->check_interrupts->only);
	assert_int_equal(a->check_interrupts->loc.line, 8);
	assert_string_equal(a->check_timeline->file, "${env.HOME}/log.txt");
	assert_string_equal(a->check_timeline->format, "rk");
	assert_string_equal(a->check_timeline->task, "rt1");
	assert_int_equal(a->check_timeline->max_response_ns, 5000000);
	assert_int_equal(a->check_timeline->max_blocking_ns, 1200000);
	assert_int_equal(a->check_timeline->max_cs_ns, 250000);
	assert_int_equal(a->check_timeline->period_ns, 10000000);
	assert_true(check_wanted(a));
	/* defaults: the step's machine, any CPU, ">= 1" */
	assert_string_equal(b->check_interrupts->on, "vm1");
	assert_int_equal(b->check_interrupts->cpu, -1);
	assert_null(b->check_interrupts->delta);
	assert_false(b->check_interrupts->only);
	assert_null(b->check_timeline);
	suite_free(suite);
}

/* ---- the hook in the engine: host steps with a check on the local machine ---- */

struct fixture {
	GMainLoop *loop;
	char *dir, *journal_path;
};

static void on_idle(struct run *run G_GNUC_UNUSED, void *p)
{
	g_main_loop_quit(((struct fixture *)p)->loop);
}

static const struct run_ops ops = { .idle = on_idle };

static gboolean too_long(gpointer p G_GNUC_UNUSED)
{
	fail_msg("the run did not go idle within 30 s");
	return G_SOURCE_REMOVE;
}

static const char engine_suite[] =
	"suite: checks\n"
	"steps:\n"
	"  - name: moves\n"
	"    run: 'true'\n"
	"    check: { interrupts: { irq: '.', delta: '>= 0' } }\n"
	"  - name: no such irq\n"
	"    run: 'true'\n"
	"    check: { interrupts: { irq: 'no-such-irq-here', cpu: 0 } }\n"
	"    on-failure: continue\n"
	"  - name: failing command\n"
	"    run: 'exit 3'\n"
	"    check: { interrupts: { irq: 'no-such-irq-here' } }\n"
	"    on-failure: continue\n"
	"  - name: manual\n"
	"    manual: look\n"
	"    check: { interrupts: { on: host, irq: 'no-such-irq-here' } }\n";

static void test_engine_hook(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) verdicts = g_hash_table_new(g_str_hash, g_str_equal);
	struct suite *suite;
	struct vars *vars;
	struct journal *journal;
	struct run *run;
	struct run_options opts = { .headless = TRUE, .verdicts = verdicts };
	g_autofree char *text = NULL;
	guint guard;

	if (!g_file_test("/proc/interrupts", G_FILE_TEST_EXISTS))
		skip();
	f.loop = g_main_loop_new(NULL, FALSE);
	f.dir = g_dir_make_tmp("check-XXXXXX", NULL);
	f.journal_path = g_build_filename(f.dir, "j.jsonl", NULL);
	g_hash_table_insert(verdicts, (char *)"4", (char *)"pass");
	suite = suite_load_data(engine_suite, strlen(engine_suite), "checks.yaml", &error);
	assert_non_null(suite);
	assert_int_equal(suite->steps->len, 4);
	vars = vars_new(suite);
	journal = journal_open(f.journal_path, &error);
	assert_non_null(journal);
	run = run_new(suite, vars, journal, &opts, &ops, &f);
	assert_true(run_all(run, &error));
	guard = g_timeout_add_seconds(30, too_long, NULL);
	g_main_loop_run(f.loop);
	g_source_remove(guard);

	assert_int_equal(run_get_step(run, 0)->status, STEP_PASS);
	assert_non_null(strstr(run_get_step(run, 0)->output->str, "interrupts on host matching /./ over"));
	assert_int_equal(run_get_step(run, 1)->status, STEP_FAIL);
	assert_true(g_str_has_prefix(run_get_step(run, 1)->reason,
				     "check failed: no interrupt on host matches /no-such-irq-here/ ("));
	/* a failing command fails for its own reason: the check does not hide it */
	assert_int_equal(run_get_step(run, 2)->status, STEP_FAIL);
	assert_string_equal(run_get_step(run, 2)->reason, "exit status 3, expected 0");
	/* a manual step's pass verdict is checked too */
	assert_int_equal(run_get_step(run, 3)->status, STEP_FAIL);
	assert_true(g_str_has_prefix(run_get_step(run, 3)->reason, "check failed: no interrupt on host matches"));

	run_finish(run);
	run_free(run);
	journal_close(journal);
	assert_true(g_file_get_contents(f.journal_path, &text, NULL, NULL));
	assert_non_null(strstr(text, "\"type\":\"sample\""));
	assert_non_null(strstr(text, "\"source\":\"interrupts\""));
	assert_non_null(strstr(text, "\"result\":\"fail\""));
	vars_free(vars);
	suite_free(suite);
	g_unlink(f.journal_path);
	g_rmdir(f.dir);
	g_free(f.journal_path);
	g_free(f.dir);
	g_main_loop_unref(f.loop);
}

/* check: { timeline } through the engine, on the timeline module's RK sample. */
static void test_engine_timeline(void **state G_GNUC_UNUSED)
{
	static const char yaml[] =
		"suite: tl\n"
		"vars: { log: rk-two-tasks.txt }\n"
		"steps:\n"
		"  - name: within limits\n"
		"    run: 'true'\n"
		"    check: { timeline: { file: '${log}', format: rk, task: 7, period: 100ms, max_response: 6ms, max_cs: 1.5ms } }\n"
		"    on-failure: continue\n"
		"  - name: response too long\n"
		"    run: 'true'\n"
		"    check: { timeline: { file: '${log}', format: rk, task: 7, period: 100ms, max_response: 5ms } }\n"
		"    on-failure: continue\n"
		"  - name: no such task\n"
		"    run: 'true'\n"
		"    check: { timeline: { file: '${log}', task: 9, max_cs: 1ms } }\n"
		"    on-failure: continue\n";
	const char *top = g_getenv("top_srcdir");
	g_autofree char *dir = g_build_filename(top ? top : ".", "tests", "timeline", NULL);
	struct fixture f = { 0 };
	g_autoptr(GError) error = NULL;
	struct run_options opts = { .headless = TRUE, .base_dir = dir };
	struct suite *suite = suite_load_data(yaml, strlen(yaml), "tl.yaml", &error);
	struct vars *vars;
	struct run *run;
	guint guard;

	if (!suite)
		fail_msg("%s", error->message);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		skip();
	f.loop = g_main_loop_new(NULL, FALSE);
	vars = vars_new(suite);
	run = run_new(suite, vars, NULL, &opts, &ops, &f);
	assert_true(run_all(run, &error));
	guard = g_timeout_add_seconds(30, too_long, NULL);
	g_main_loop_run(f.loop);
	g_source_remove(guard);
	assert_int_equal(run_get_step(run, 0)->status, STEP_PASS);
	assert_int_equal(run_get_step(run, 1)->status, STEP_FAIL);
	assert_string_equal(run_get_step(run, 1)->reason,
			    "check failed: timeline response: max 6ms over 3 jobs (limit 5ms)");
	assert_non_null(strstr(run_get_step(run, 1)->output->str,
			       "response 6ms > 5ms: job 2 released at 1.600s, finished at 1.606s"));
	assert_int_equal(run_get_step(run, 2)->status, STEP_ERROR);
	assert_true(g_str_has_prefix(run_get_step(run, 2)->reason, "check: timeline: "));
	assert_non_null(strstr(run_get_step(run, 2)->reason, "task 9 is not in the log"));
	run_free(run);
	vars_free(vars);
	suite_free(suite);
	g_main_loop_unref(f.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_delta),   cmocka_unit_test(test_seed_pass),
		cmocka_unit_test(test_seed_wrong_cpu), cmocka_unit_test(test_only),
		cmocka_unit_test(test_deltas_and_any_cpu), cmocka_unit_test(test_problems),
		cmocka_unit_test(test_loader),      cmocka_unit_test(test_engine_hook),
		cmocka_unit_test(test_engine_timeline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
