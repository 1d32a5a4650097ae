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

#include "agent.h"
#include "testbed_guest.h"
#include "virt.h"

struct exec_wait {
	gboolean done;
	struct agent_result *result;
	GError *error;
};

static void exec_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct exec_wait *w = user_data;

	w->result = agent_exec_finish(res, &w->error);
	w->done = TRUE;
}

/* Runs agent_exec_async and the loop until it answers (60 s at most). */
static struct agent_result *exec_sync(virConnectPtr conn, const char *domain, const char *cmd, gint64 timeout_ms,
				      GError **error)
{
	struct exec_wait w = { 0 };
	gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	agent_exec_async(conn, domain, cmd, timeout_ms, NULL, exec_done, &w);
	while (!w.done && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	assert_true(w.done);
	if (w.error)
		g_propagate_error(error, w.error);
	return w.result;
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
	if (!tb_guest_wait_agent(tb, 120, &error)) {
		fprintf(stderr, "%s\n", error->message);
		tb_guest_destroy(tb);
		g_free(f->early_error);
		g_free(f);
		return -1;
	}
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
	g_autoptr(GBytes) b = agent_read_file(tb->conn, tb->name, "/proc/version", 1 << 20, &error);
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
	big = agent_read_file(tb->conn, tb->name, "/tmp/big", 1 << 20, &error);
	assert_null(error);
	{
		g_autofree char *size = g_strndup(g_bytes_get_data(r->out, NULL), g_bytes_get_size(r->out));

		assert_int_equal(g_bytes_get_size(big), g_ascii_strtoull(g_strstrip(size), NULL, 10));
		assert_true(g_bytes_get_size(big) > 2 * 48 * 1024);
	}
	agent_result_free(r);
	capped = agent_read_file(tb->conn, tb->name, "/tmp/big", 1000, &error);
	assert_null(error);
	assert_int_equal(g_bytes_get_size(capped), 1000);
	assert_memory_equal(g_bytes_get_data(capped, NULL), "line-0-", 7);
	/* a missing file names the file and the domain */
	assert_null(agent_read_file(tb->conn, tb->name, "/no/such/file", 100, &error));
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
	r = exec_sync(conn, "test", "true", 1000, &error);
	assert_null(r);
	assert_non_null(error);
	assert_non_null(strstr(error->message, "no guest agent"));
	g_clear_error(&error);
	assert_null(agent_read_file(conn, "nope", "/etc/hostname", 10, &error));
	assert_non_null(strstr(error->message, "nope"));
	virConnectClose(conn);
}

int main(void)
{
	const char *why = tb_guest_skip_reason();
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_no_agent),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_connected_yet),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_exec_output_and_status),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_read_file),
	};
	int rc = cmocka_run_group_tests(offline, NULL, NULL);

	if (why) {
		fprintf(stderr, "SKIP: %s\n", why);
		return rc ? rc : 77;
	}
	return rc + cmocka_run_group_tests(tests, setup, teardown);
}
