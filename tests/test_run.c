/* test_run.c - unit tests of the run state machine on real host steps. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "journal.h"
#include "run.h"
#include "suite.h"
#include "vars.h"

struct fixture {
	struct suite *suite;
	struct vars *vars;
	struct journal *journal;
	struct run *run;
	GMainLoop *loop;
	char *dir;
	char *journal_path;
	guint idle_count;
	GString *messages;
	GHashTable *verdicts;
};

static void on_idle(struct run *run, void *user_data)
{
	struct fixture *f = user_data;

	f->idle_count++;
	g_main_loop_quit(f->loop);
}

static void on_message(struct run *run, const char *text, void *user_data)
{
	struct fixture *f = user_data;

	g_string_append_printf(f->messages, "%s\n", text);
}

static void on_step_changed(struct run *run, guint step, void *user_data)
{
	struct fixture *f = user_data;
	const struct run_step *st = run_get_step(run, step);

	/* a manual step waiting for the operator: the loop has done its part */
	if (st->waiting_verdict)
		g_main_loop_quit(f->loop);
}

static const struct run_ops test_ops = { on_step_changed, NULL, on_idle, on_message };

static gboolean safety_timeout(gpointer data)
{
	fail_msg("the run did not go idle within 30 s");
	return G_SOURCE_REMOVE;
}

static void wait_idle(struct fixture *f)
{
	guint id = g_timeout_add_seconds(30, safety_timeout, NULL);

	g_main_loop_run(f->loop);
	g_source_remove(id);
}

static void fixture_load(struct fixture *f, const char *yaml, gboolean headless)
{
	g_autoptr(GError) error = NULL;
	struct run_options opts = { 0 };

	f->suite = suite_load_data(yaml, strlen(yaml), "test.yaml", &error);
	if (!f->suite)
		fail_msg("suite did not load: %s", error->message);
	f->vars = vars_new(f->suite);
	f->journal = journal_open(f->journal_path, &error);
	assert_non_null(f->journal);
	opts.headless = headless;
	opts.verdicts = f->verdicts;
	opts.kill_grace_ms = 300;
	f->run = run_new(f->suite, f->vars, f->journal, &opts, &test_ops, f);
}

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->dir = g_dir_make_tmp("virtcon-run-XXXXXX", NULL);
	f->journal_path = g_build_filename(f->dir, "journal.jsonl", NULL);
	f->loop = g_main_loop_new(NULL, FALSE);
	f->messages = g_string_new(NULL);
	f->verdicts = g_hash_table_new(g_str_hash, g_str_equal);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	run_free(f->run);
	journal_close(f->journal);
	vars_free(f->vars);
	suite_free(f->suite);
	g_unlink(f->journal_path);
	g_rmdir(f->dir);
	g_free(f->journal_path);
	g_free(f->dir);
	g_main_loop_unref(f->loop);
	g_string_free(f->messages, TRUE);
	g_hash_table_unref(f->verdicts);
	g_free(f);
	return 0;
}

static const struct run_step *step(struct fixture *f, guint i)
{
	return run_get_step(f->run, i);
}

static void run_all_and_wait(struct fixture *f)
{
	g_autoptr(GError) error = NULL;

	assert_true(run_all(f->run, &error));
	wait_idle(f);
}

static void test_expectations(void **state)
{
	struct fixture *f = *state;

	fixture_load(f,
		     "suite: t\n"
		     "steps:\n"
		     "  - { name: ok, run: 'echo hello world', expect: { match: '^hello w' } }\n"
		     "  - { name: exit3, run: 'exit 3', expect: { exit: 3 } }\n"
		     "  - { name: badexit, run: 'exit 1', on-failure: continue }\n"
		     "  - { name: nomatch, run: 'echo abc', expect: { match: xyz }, on-failure: continue }\n"
		     "  - { name: forbidden, run: 'printf \"a\\nkernel panic here\\n\"', expect: { no-match: panic },"
		     " on-failure: continue }\n"
		     "  - { name: tmo, run: 'sleep 10', timeout: 300ms, expect: { timeout: true } }\n"
		     "  - { name: tmo-bad, run: 'sleep 10', timeout: 300ms, on-failure: continue }\n"
		     "  - { name: tty, run: 'test -t 0 && test -t 1' }\n"
		     "  - { name: signal, run: 'kill -9 $$', on-failure: continue }\n",
		     TRUE);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_non_null(strstr(step(f, 0)->output->str, "hello world"));
	assert_int_equal(step(f, 0)->exit_status, 0);
	assert_int_equal(step(f, 1)->status, STEP_PASS);
	assert_int_equal(step(f, 1)->exit_status, 3);
	assert_int_equal(step(f, 2)->status, STEP_FAIL);
	assert_string_equal(step(f, 2)->reason, "exit status 1, expected 0");
	assert_int_equal(step(f, 3)->status, STEP_FAIL);
	assert_string_equal(step(f, 3)->reason, "output did not match 'xyz'");
	assert_int_equal(step(f, 4)->status, STEP_FAIL);
	assert_string_equal(step(f, 4)->reason, "output matched 'panic' (no-match) at line 2: kernel panic here");
	assert_int_equal(step(f, 5)->status, STEP_PASS);
	assert_string_equal(step(f, 5)->reason, "timed out after 300ms, as expected");
	assert_int_equal(step(f, 6)->status, STEP_FAIL);
	assert_string_equal(step(f, 6)->reason, "timed out after 300ms");
	assert_int_equal(step(f, 7)->status, STEP_PASS);
	assert_int_equal(step(f, 8)->status, STEP_FAIL);
	assert_non_null(strstr(step(f, 8)->reason, "killed by signal 9"));
}

static void test_stop_on_failure_and_breakpoint(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	fixture_load(f,
		     "suite: t\n"
		     "steps:\n"
		     "  - { name: a, run: 'true' }\n"
		     "  - { name: b, run: 'false' }\n"
		     "  - { name: c, run: 'true' }\n"
		     "  - { name: d, run: 'true' }\n",
		     TRUE);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_int_equal(step(f, 1)->status, STEP_FAIL);
	assert_int_equal(step(f, 2)->status, STEP_PENDING);
	assert_non_null(strstr(f->messages->str, "run all stopped"));
	assert_false(run_all_active(f->run));

	/* a breakpoint before d: run all runs c and stops */
	run_toggle_breakpoint(f->run, 3);
	run_all_and_wait(f);
	assert_int_equal(step(f, 2)->status, STEP_PASS);
	assert_int_equal(step(f, 3)->status, STEP_PENDING);
	assert_non_null(strstr(f->messages->str, "breakpoint before step 4"));

	/* next runs the step at the breakpoint */
	assert_true(run_next(f->run, &error));
	wait_idle(f);
	assert_int_equal(step(f, 3)->status, STEP_PASS);
	assert_int_equal(run_next_pending(f->run), -1);
	assert_false(run_next(f->run, &error));
}

static void test_manual_steps(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	g_hash_table_insert(f->verdicts, (char *)"2", (char *)"fail");
	fixture_load(f,
		     "suite: t\n"
		     "steps:\n"
		     "  - { name: look, manual: 'Look at it' }\n"
		     "  - { name: judged, manual: 'Judge it', on-failure: continue }\n"
		     "  - { name: cmd, run: 'true' }\n",
		     TRUE);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_SKIP);
	assert_string_equal(step(f, 0)->reason, "manual step: no verdict given (use --verdict)");
	assert_int_equal(step(f, 1)->status, STEP_FAIL);
	assert_int_equal(step(f, 2)->status, STEP_PASS);
	/* a verdict on a step with a command is refused */
	assert_false(run_verdict(f->run, 2, STEP_PASS, NULL, &error));
	assert_non_null(strstr(error->message, "not a manual step"));
}

static void test_manual_interactive_verdict(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	fixture_load(f, "suite: t\nsteps:\n  - { name: look, manual: 'Look at it' }\n  - { name: c, run: 'true' }\n",
		     FALSE);
	assert_true(run_all(f->run, &error));
	/* a manual step with no requirements waits at once: no loop iteration needed */
	if (!step(f, 0)->waiting_verdict)
		wait_idle(f);
	assert_int_equal(step(f, 0)->status, STEP_RUNNING);
	assert_true(step(f, 0)->waiting_verdict);
	assert_true(run_verdict(f->run, 0, STEP_PASS, "looked fine", &error));
	wait_idle(f); /* run all goes on to c */
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_string_equal(step(f, 0)->note, "looked fine");
	assert_int_equal(step(f, 1)->status, STEP_PASS);
}

static gboolean process_gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
		g_autofree char *stat = NULL;
		const char *close_paren;

		if (!g_file_get_contents(path, &stat, NULL, NULL))
			return TRUE;
		close_paren = strrchr(stat, ')');
		if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
			return TRUE;
		g_usleep(20000);
	}
	return FALSE;
}

static void test_abort_kills_group(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *pidfile = NULL, *cmd = NULL, *pids = NULL, *yaml = NULL;
	g_auto(GStrv) parts = NULL;

	pidfile = g_build_filename(f->dir, "pids", NULL);
	yaml = g_strdup_printf("suite: t\nvars: { pf: '%s' }\nsteps:\n"
			       "  - { name: long, run: 'sleep 100 & echo $! > ${pf}; sleep 100' }\n",
			       pidfile);
	fixture_load(f, yaml, TRUE);
	assert_true(run_start_step(f->run, 0, &error));
	for (int i = 0; i < 200 && !g_file_test(pidfile, G_FILE_TEST_EXISTS); i++) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(10000);
	}
	g_usleep(50000);
	assert_true(g_file_get_contents(pidfile, &pids, NULL, NULL));
	assert_true(run_busy(f->run));
	assert_false(run_start_step(f->run, 0, &error));
	g_clear_error(&error);
	assert_true(run_abort(f->run, &error));
	wait_idle(f);
	assert_int_equal(step(f, 0)->status, STEP_ERROR);
	assert_string_equal(step(f, 0)->reason, "aborted by the operator");
	/* the background sleep was in the step's process group: gone too (or a zombie waiting for
	 * init to reap it, which is gone as far as the step is concerned) */
	assert_true(process_gone((pid_t)atoi(pids)));
	unlink(pidfile);
}

static void test_skip_retry_edit(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	fixture_load(f, "suite: t\nsteps:\n  - { name: a, run: 'false' }\n  - { name: b, run: 'echo one' }\n", TRUE);
	assert_true(run_skip(f->run, 0, "not today", &error));
	assert_int_equal(step(f, 0)->status, STEP_SKIP);
	assert_string_equal(step(f, 0)->reason, "not today");
	assert_true(run_edit(f->run, 1, "echo two", &error));
	assert_true(run_next(f->run, &error));
	wait_idle(f);
	assert_int_equal(step(f, 1)->status, STEP_PASS);
	assert_non_null(strstr(step(f, 1)->output->str, "two"));
	assert_true(run_edit(f->run, 0, "true", &error));
	assert_true(run_retry(f->run, 0, &error));
	wait_idle(f);
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_int_equal(step(f, 0)->runs, 1);
	assert_true(run_retry(f->run, 0, &error));
	wait_idle(f);
	assert_int_equal(step(f, 0)->runs, 2);
}

static void test_blocked_and_targets(void **state)
{
	struct fixture *f = *state;

	fixture_load(f,
		     "suite: t\n"
		     "machines: { far: { ssh: 'nobody@127.0.0.1:1' } }\n"
		     "steps:\n"
		     "  - { name: needs, run: 'true', requires: { commands: [no-such-command-virtcon] } }\n"
		     "  - { name: remote, on: far, run: 'true' }\n"
		     "  - { name: local, run: 'true' }\n",
		     TRUE);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_BLOCKED);
	assert_non_null(strstr(step(f, 0)->reason, "no-such-command-virtcon"));
	assert_int_equal(step(f, 1)->status, STEP_BLOCKED);
	assert_non_null(strstr(step(f, 1)->reason, "far"));
	assert_int_equal(step(f, 2)->status, STEP_PASS);
}

static void test_vars_quoting_and_secrets(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	struct journal_log *log;

	fixture_load(f,
		     "suite: t\n"
		     "vars:\n"
		     "  msg: \"two  words; $(echo not run)\"\n"
		     "  pw: { value: hunter2secret, secret: true }\n"
		     "steps:\n"
		     "  - { name: q, run: 'printf \"<%s>\" ${msg}', expect: { match: '<two  words; \\$\\(echo not run\\)>' } }\n"
		     "  - { name: s, run: 'echo the password is ${pw}' }\n",
		     TRUE);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_int_equal(step(f, 1)->status, STEP_PASS);
	assert_null(strstr(step(f, 1)->command, "hunter2secret"));
	run_finish(f->run);
	journal_close(f->journal);
	f->journal = NULL;
	assert_true(g_file_get_contents(f->journal_path, &text, NULL, NULL));
	assert_null(strstr(text, "hunter2secret"));
	assert_non_null(strstr(text, "********"));
	log = journal_read(f->journal_path, &error);
	assert_non_null(log);
	assert_true(log->complete);
	assert_int_equal(log->steps->len, 2);
	assert_string_equal(((struct journal_step *)g_ptr_array_index(log->steps, 0))->status, "pass");
	journal_log_free(log);
}

static void test_libvirt_kinds_on_test_driver(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	struct run_options opts = { 0 };
	static const char yaml[] =
		"suite: t\n"
		"machines: { vm: { domain: test }, ghost: { domain: nope }, ag: { domain: test, agent: true } }\n"
		"timeout: 2s\n"
		"steps:\n"
		"  - { name: running, on: vm, wait: { state: running } }\n"
		"  - { name: pause, on: vm, action: suspend }\n"
		"  - { name: paused, on: vm, wait: { state: paused } }\n"
		"  - { name: resume, on: vm, action: resume }\n"
		"  - { name: never, on: vm, wait: { state: crashed }, timeout: 300ms, on-failure: continue }\n"
		"  - { name: no console, on: vm, send: \"x\\n\", on-failure: continue }\n"
		"  - { name: no domain, on: ghost, action: start, on-failure: continue }\n"
		"  - { name: bad action opts, on: vm, action: monitor, with: { command: 'info status', hmp: true },"
		" on-failure: continue }\n"
		"  - { name: reachable, on: vm, wait: { state: running }, requires: { machines: [vm] } }\n"
		"  - { name: no agent here, on: ag, run: 'true', timeout: 20s, on-failure: continue }\n";

	f->suite = suite_load_data(yaml, strlen(yaml), "test.yaml", &error);
	if (!f->suite)
		fail_msg("suite did not load: %s", error->message);
	assert_true(run_check_suite(f->suite, &error));
	f->vars = vars_new(f->suite);
	f->journal = journal_open(f->journal_path, &error);
	opts.headless = TRUE;
	opts.uri = "test:///default";
	f->run = run_new(f->suite, f->vars, f->journal, &opts, &test_ops, f);
	run_all_and_wait(f);
	assert_int_equal(step(f, 0)->status, STEP_PASS);
	assert_int_equal(step(f, 1)->status, STEP_PASS);
	assert_int_equal(step(f, 2)->status, STEP_PASS);
	assert_int_equal(step(f, 3)->status, STEP_PASS);
	assert_int_equal(step(f, 4)->status, STEP_FAIL);
	assert_string_equal(step(f, 4)->reason,
			    "timed out after 300ms waiting for state 'crashed' of 'test' (last seen: running)");
	assert_int_equal(step(f, 5)->status, STEP_ERROR);
	assert_non_null(strstr(step(f, 5)->reason, "test"));
	assert_int_equal(step(f, 6)->status, STEP_FAIL);
	assert_non_null(strstr(step(f, 6)->reason, "nope"));
	/* the test driver has no QEMU monitor: virtcon could not do the step */
	assert_int_equal(step(f, 7)->status, STEP_ERROR);
	/* requires: machines looks for the domain where the run connects (-c), not libvirt's default */
	assert_int_equal(step(f, 8)->status, STEP_PASS);
	/* an agent step on a driver without agent commands: an error at once, not a wait for an
	 * agent that cannot come; the machine and the domain named */
	assert_int_equal(step(f, 9)->status, STEP_ERROR);
	assert_true(g_str_has_prefix(step(f, 9)->reason, "machine ag: test: this libvirt driver has no guest agent"));
	assert_true(step(f, 9)->end_us - step(f, 9)->start_us < 5 * G_USEC_PER_SEC);
	assert_null(strstr(step(f, 9)->output->str, "waiting for the guest agent"));
}

static void test_action_validation(void **state)
{
	GError *error = NULL;
	static const char yaml[] = "suite: t\nmachines: { vm: { domain: d } }\nsteps:\n"
				   "  - { name: a, on: vm, action: strat }\n";
	struct suite *s = suite_load_data(yaml, strlen(yaml), "t.yaml", &error);

	assert_non_null(s);
	assert_false(run_check_suite(s, &error));
	assert_non_null(strstr(error->message, "t.yaml:4:24: "));
	assert_non_null(strstr(error->message, "start"));
	g_error_free(error);
	suite_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expectations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_on_failure_and_breakpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_interactive_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_retry_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_and_targets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vars_quoting_and_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libvirt_kinds_on_test_driver, setup, teardown),
		cmocka_unit_test(test_action_validation),
	};
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
