/* test_agent.c - guest-exec, file reads and pings through qemu-guest-agent in the real testbed guest. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <libvirt/virterror.h>

#include "agent.h"
#include "testbed_guest.h"
#include "virt.h"

struct exec_wait {
	gboolean done;
	struct agent_result *result;
	GError *error;
	GString *progress; /* "W" waiting, "R" ready, "S" started, in order */
	char *first_wait;  /* libvirt's word with the first AGENT_WAITING */
	gboolean late;     /* progress came after the callback */
};

static void exec_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct exec_wait *w = user_data;

	w->result = agent_exec_finish(res, &w->error);
	w->done = TRUE;
}

static void exec_progress(enum agent_progress what, const char *detail, gpointer user_data)
{
	struct exec_wait *w = user_data;

	w->late |= w->done;
	g_string_append_c(w->progress, what == AGENT_WAITING ? 'W' : what == AGENT_READY ? 'R' : 'S');
	if (what == AGENT_WAITING && !w->first_wait)
		w->first_wait = g_strdup(detail);
}

/* Runs agent_exec_async and the loop until it answers (150 s at most); *progress (may be NULL)
 * gets what agent_exec said on the way, as exec_wait.progress spells it. */
static struct agent_result *exec_sync_progress(virConnectPtr conn, const char *domain, const char *cmd,
					       gint64 timeout_ms, char **progress, char **first_wait, GError **error)
{
	struct exec_wait w = { .progress = g_string_new(NULL) };
	gint64 deadline = g_get_monotonic_time() + 150 * G_USEC_PER_SEC;

	agent_exec_async(conn, domain, cmd, timeout_ms, exec_progress, NULL, exec_done, &w);
	while (!w.done && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	assert_true(w.done);
	/* progress already queued is dropped after the callback, never delivered */
	while (g_main_context_iteration(NULL, FALSE))
		;
	assert_false(w.late);
	if (w.error)
		g_propagate_error(error, w.error);
	if (progress)
		*progress = g_string_free(w.progress, FALSE);
	else
		g_string_free(w.progress, TRUE);
	if (first_wait)
		*first_wait = w.first_wait;
	else
		g_free(w.first_wait);
	return w.result;
}

static struct agent_result *exec_sync(virConnectPtr conn, const char *domain, const char *cmd, gint64 timeout_ms,
				      GError **error)
{
	return exec_sync_progress(conn, domain, cmd, timeout_ms, NULL, NULL, error);
}

struct fixture {
	struct tb_guest *tb;
	char *early_error; /* agent_ping's error right after the start: the agent was not up yet */
};

static int setup(void **state)
{
	g_autoptr(GError) error = NULL;
	struct tb_guest *tb = tb_guest_boot("vct-agent", 1, &error);
	struct fixture *f;

	if (!tb) {
		fprintf(stderr, "cannot boot the testbed guest: %s\n", error->message);
		return -1;
	}
	f = g_new0(struct fixture, 1);
	f->tb = tb;
	/* the guest needs seconds to boot under TCG: its agent can't answer yet */
	if (agent_ping(tb->conn, tb->name, 1, &error))
		f->early_error = g_strdup("(the agent answered at once)");
	else
		f->early_error = g_strdup(error->message);
	g_clear_error(&error);
	/* not waited for here: test_exec_waits_for_agent does, through agent_exec */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tb_guest_destroy(f->tb);
	g_free(f->early_error);
	g_free(f);
	return 0;
}

static void test_not_connected_yet(void **state)
{
	struct fixture *f = *state;

	fprintf(stderr, "agent before the guest booted: %s\n", f->early_error);
	assert_true(g_str_has_prefix(f->early_error, "vct-agent: "));
	assert_non_null(strstr(f->early_error, "guest agent is not connected"));
	assert_non_null(strstr(f->early_error, "qemu-guest-agent"));
}

static void assert_bytes(GBytes *b, const char *want);

/* Right after the start the agent is not connected: agent_exec waits for it (saying so), then
 * runs the command once. */
static void test_exec_waits_for_agent(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;
	g_autofree char *progress = NULL, *first_wait = NULL;
	gint64 t0 = g_get_monotonic_time();
	struct agent_result *r = exec_sync_progress(tb->conn, tb->name, "echo up", 120000, &progress, &first_wait,
						    &error);

	fprintf(stderr, "exec at boot: after %.1f s, progress %.20s... (%zu events), first wait: %s\n",
		(double)(g_get_monotonic_time() - t0) / 1e6, progress, strlen(progress), first_wait);
	assert_null(error);
	assert_non_null(r);
	assert_int_equal(r->exit_status, 0);
	assert_bytes(r->out, "up\n");
	agent_result_free(r);
	/* waited (each failed try said so), answered once, then started once */
	assert_true(g_str_has_suffix(progress, "WRS"));
	assert_int_equal(strspn(progress, "W"), strlen(progress) - 2);
	assert_non_null(strstr(first_wait, "not connected"));
}

static void assert_bytes(GBytes *b, const char *want)
{
	gsize len = 0;
	const char *data = g_bytes_get_data(b, &len);

	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
}

static void test_exec_output_and_status(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;
	struct agent_result *r = exec_sync(tb->conn, tb->name, "echo hi; echo err >&2; exit 3", 20000, &error);

	assert_null(error);
	assert_non_null(r);
	assert_false(r->timed_out);
	assert_int_equal(r->exit_status, 3);
	assert_int_equal(r->signal, 0);
	assert_bytes(r->out, "hi\n");
	assert_bytes(r->err, "err\n");
	assert_false(r->truncated);
	agent_result_free(r);

	/* a signal: exit_status -1, the signal set */
	r = exec_sync(tb->conn, tb->name, "kill -9 $$", 20000, &error);
	assert_null(error);
	assert_int_equal(r->exit_status, -1);
	assert_int_equal(r->signal, 9);
	agent_result_free(r);
}

static void test_exec_timeout(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;
	gint64 t0 = g_get_monotonic_time();
	struct agent_result *r = exec_sync(tb->conn, tb->name, "sleep 30", 500, &error);
	gint64 ms = (g_get_monotonic_time() - t0) / 1000;

	assert_null(error);
	assert_non_null(r);
	assert_true(r->timed_out);
	assert_int_equal(r->exit_status, -1);
	assert_true(ms >= 500);
	assert_true(ms < 10000);
	agent_result_free(r);
}

static void test_read_file(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) b = agent_read_file(tb->conn, tb->name, "/proc/version", 1 << 20, 0, &error);
	g_autofree char *text = NULL;
	g_autoptr(GBytes) big = NULL;
	g_autoptr(GBytes) capped = NULL;
	struct agent_result *r;

	assert_null(error);
	assert_non_null(b);
	text = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	assert_non_null(strstr(text, tb->kver));
	/* a file over several 48 KiB chunks, and the max honoured */
	r = exec_sync(tb->conn, tb->name, "i=0; while [ $i -lt 4000 ]; do echo line-$i-0123456789abcdefghijklmnopqrstuvwxyz; i=$((i+1)); done > /tmp/big; wc -c < /tmp/big", 30000, &error);
	assert_null(error);
	assert_int_equal(r->exit_status, 0);
	big = agent_read_file(tb->conn, tb->name, "/tmp/big", 1 << 20, 0, &error);
	assert_null(error);
	{
		g_autofree char *size = g_strndup(g_bytes_get_data(r->out, NULL), g_bytes_get_size(r->out));

		assert_int_equal(g_bytes_get_size(big), g_ascii_strtoull(g_strstrip(size), NULL, 10));
		assert_true(g_bytes_get_size(big) > 2 * 48 * 1024);
	}
	agent_result_free(r);
	capped = agent_read_file(tb->conn, tb->name, "/tmp/big", 1000, 0, &error);
	assert_null(error);
	assert_int_equal(g_bytes_get_size(capped), 1000);
	assert_memory_equal(g_bytes_get_data(capped, NULL), "line-0-", 7);
	/* a missing file names the file and the domain */
	assert_null(agent_read_file(tb->conn, tb->name, "/no/such/file", 100, 0, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "/no/such/file"));
	assert_non_null(strstr(error->message, tb->name));
}

static void test_ping(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;

	assert_true(agent_ping(tb->conn, tb->name, 5, &error));
	assert_null(error);
}

/* qemu-ga killed while a command runs: the status is asked again until the timeout, and the
 * command is not reported as run; the next command is not sent at all. Runs last. */
static void test_agent_goes_away(void **state)
{
	struct tb_guest *tb = ((struct fixture *)*state)->tb;
	g_autoptr(GError) error = NULL;
	g_autofree char *progress = NULL, *first_wait = NULL, *progress2 = NULL;
	struct agent_result *r;
	gint64 t0 = g_get_monotonic_time();

	r = exec_sync_progress(tb->conn, tb->name, "sleep 1; kill $(cat /run/qemu-ga.pid)", 5000, &progress,
			       &first_wait, &error);
	assert_null(r);
	assert_non_null(error);
	fprintf(stderr, "agent killed while a command runs: %s (progress %s, after %.3f s)\n", error->message,
		progress, (double)(g_get_monotonic_time() - t0) / 1e6);
	assert_true(g_str_has_prefix(error->message, "vct-agent: the guest agent stopped answering while the command ran"));
	assert_non_null(strstr(error->message, "outcome is unknown"));
	assert_true((g_get_monotonic_time() - t0) / 1000 >= 4990); /* asked until the timeout */
	assert_true(g_str_has_prefix(progress, "S"));
	assert_non_null(strchr(progress, 'W'));
	assert_null(strchr(progress, 'R'));
	g_clear_error(&error);

	t0 = g_get_monotonic_time();
	r = exec_sync_progress(tb->conn, tb->name, "true", 1500, &progress2, NULL, &error);
	assert_null(r);
	assert_non_null(error);
	fprintf(stderr, "no agent: %s\n", error->message);
	assert_true(g_str_has_prefix(error->message, "vct-agent: no answer from the guest agent in "));
	assert_non_null(strstr(error->message, "the command was not run (libvirt: "));
	assert_null(strchr(progress2, 'S'));
	assert_non_null(strchr(progress2, 'W'));
	assert_true((g_get_monotonic_time() - t0) / 1000 < 1500 + 7000); /* a try blocks for 5 s at most */

	/* reading a file waits for the agent too, and says how long it waited */
	g_clear_error(&error);
	t0 = g_get_monotonic_time();
	assert_null(agent_read_file(tb->conn, tb->name, "/proc/interrupts", 1 << 20, 1500, &error));
	fprintf(stderr, "read without an agent: %s\n", error->message);
	assert_true(g_str_has_prefix(error->message, "vct-agent: no answer from the guest agent in "));
	assert_non_null(strstr(error->message, "(libvirt: "));
	assert_true((g_get_monotonic_time() - t0) / 1000 >= 1400);
}

/* Which failures may be tried again, with the messages libvirt 9.0 gives. */
static void test_retry_classes(void **state)
{
	g_autofree char *msg = agent_wait_message("vm1", 30000, "Guest agent is not responding: QEMU guest agent "
							       "is not connected");

	(void)state;
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE,
					"Guest agent is not responding: QEMU guest agent is not connected"),
			 AGENT_RETRY_UNSENT);
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE, "Guest agent is not responding: QEMU guest "
									"agent is not available due to an error"),
			 AGENT_RETRY_UNSENT);
	/* no answer in time, the agent gone mid-command, a message we can't read: maybe sent */
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE,
					"Guest agent is not responding: Guest agent not available for now"),
			 AGENT_RETRY_UNANSWERED);
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE, "Guest agent is not responding: Guest agent "
									"disappeared while executing command"),
			 AGENT_RETRY_UNANSWERED);
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE, "Le client n'est pas joignable"),
			 AGENT_RETRY_UNANSWERED);
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNRESPONSIVE, NULL), AGENT_RETRY_UNANSWERED);
	assert_int_equal(agent_retry_of(VIR_ERR_AGENT_UNSYNCED, "guest agent replied with wrong id"),
			 AGENT_RETRY_UNANSWERED);
	/* lasting states and real answers */
	assert_int_equal(agent_retry_of(VIR_ERR_OPERATION_INVALID, "Requested operation is not valid: domain is "
								   "not running"),
			 AGENT_RETRY_NO);
	assert_int_equal(agent_retry_of(VIR_ERR_NO_DOMAIN, "Domain not found"), AGENT_RETRY_NO);
	assert_int_equal(agent_retry_of(VIR_ERR_ARGUMENT_UNSUPPORTED, "QEMU guest agent is not configured"),
			 AGENT_RETRY_NO);
	assert_int_equal(agent_retry_of(VIR_ERR_NO_SUPPORT, "this function is not supported"), AGENT_RETRY_NO);
	assert_int_equal(agent_retry_of(VIR_ERR_OPERATION_TIMEOUT, "cannot acquire state change lock"), AGENT_RETRY_NO);
	assert_int_equal(agent_retry_of(VIR_ERR_INTERNAL_ERROR, "unable to execute QEMU agent command 'guest-exec'"),
			 AGENT_RETRY_NO);
	assert_string_equal(msg, "vm1: no answer from the guest agent in 30.0 s; the command was not run (libvirt: "
				 "Guest agent is not responding: QEMU guest agent is not connected)");
}

static void test_no_agent(void **state)
{
	virConnectPtr conn;
	g_autoptr(GError) error = NULL;
	struct agent_result *r;

	virt_init();
	conn = virConnectOpen("test:///default");
	assert_non_null(conn);
	assert_false(agent_ping(conn, "test", 2, &error));
	assert_non_null(error);
	fprintf(stderr, "test driver ping: %s\n", error->message);
	assert_non_null(strstr(error->message, "test: "));
	assert_non_null(strstr(error->message, "no guest agent"));
	g_clear_error(&error);
	/* a lasting refusal is not tried again: at once, whatever the timeout, and no waiting said */
	{
		g_autofree char *progress = NULL;
		gint64 t0 = g_get_monotonic_time();

		r = exec_sync_progress(conn, "test", "true", 60000, &progress, NULL, &error);
		assert_true(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC);
		assert_string_equal(progress, "");
	}
	assert_null(r);
	assert_non_null(error);
	assert_non_null(strstr(error->message, "no guest agent"));
	g_clear_error(&error);
	r = exec_sync(conn, "nope", "true", 60000, &error);
	assert_null(r);
	assert_true(g_str_has_prefix(error->message, "nope: no such domain at test:///default: "));
	g_clear_error(&error);
	assert_null(agent_read_file(conn, "nope", "/etc/hostname", 10, 0, &error));
	assert_non_null(strstr(error->message, "nope"));
	virConnectClose(conn);
}

int main(void)
{
	const char *why = tb_guest_skip_reason();
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_retry_classes),
		cmocka_unit_test(test_no_agent),
	};
	/* in this order: the first two right after the boot, the last kills the agent */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_connected_yet),
		cmocka_unit_test(test_exec_waits_for_agent),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_exec_output_and_status),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_agent_goes_away),
	};
	int rc = cmocka_run_group_tests(offline, NULL, NULL);

	if (why) {
		fprintf(stderr, "SKIP: %s\n", why);
		return rc ? rc : 77;
	}
	return rc + cmocka_run_group_tests(tests, setup, teardown);
}
