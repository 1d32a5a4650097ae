/* test_host_proc.c - tests of host processes under a pty: output, exit, tty, size, input, kill, leaks. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "host_proc.h"

#define SAFETY_MS 20000

struct fixture {
	GMainContext *context;
	GMainLoop *loop;
	struct host_proc *proc;
	GString *out;
	guint exited_count;
	int status;
	gboolean timed_out;
	gboolean free_on_exit;              /* free the process from its exited callback */
	gboolean free_on_output;            /* free the process from its output callback */
	guint output_calls;
	guint ticks;
	gboolean (*until)(struct fixture *f); /* quit the loop when this holds */
	const char *want;                     /* for until_output */
};

static gboolean until_exited(struct fixture *f)
{
	return f->exited_count > 0;
}

static gboolean until_output(struct fixture *f)
{
	return strstr(f->out->str, f->want) != NULL;
}

static gboolean until_ticked(struct fixture *f)
{
	return f->ticks >= 5;
}

static gboolean until_freed(struct fixture *f)
{
	return f->proc == NULL;
}

static void check_until(struct fixture *f)
{
	if (f->until != NULL && f->until(f))
		g_main_loop_quit(f->loop);
}

static void on_output(const char *data, gsize len, void *user_data)
{
	struct fixture *f = user_data;

	if (f->out->len < 4 * 1024 * 1024) /* bounded even for a flood */
		g_string_append_len(f->out, data, (gssize)len);
	f->output_calls++;
	if (f->free_on_output) {
		host_proc_free(f->proc);
		f->proc = NULL;
		g_main_loop_quit(f->loop);
		return;
	}
	check_until(f);
}

static void on_exited(int status, void *user_data)
{
	struct fixture *f = user_data;

	f->exited_count++;
	f->status = status;
	if (f->free_on_exit) {
		host_proc_free(f->proc);
		f->proc = NULL;
	}
	check_until(f);
}

static const struct host_proc_ops ops = { on_output, on_exited };

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->context = g_main_context_new();
	g_main_context_push_thread_default(f->context);
	f->loop = g_main_loop_new(f->context, FALSE);
	f->out = g_string_new(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	host_proc_free(f->proc);
	g_main_loop_unref(f->loop);
	g_main_context_pop_thread_default(f->context);
	g_main_context_unref(f->context);
	g_string_free(f->out, TRUE);
	g_free(f);
	return 0;
}

static gboolean on_safety(gpointer data)
{
	struct fixture *f = data;

	f->timed_out = TRUE;
	g_main_loop_quit(f->loop);
	return G_SOURCE_REMOVE;
}

/* Runs the loop until the condition holds; fails the test on the safety timeout. */
static void run_until(struct fixture *f, gboolean (*until)(struct fixture *f), guint ms)
{
	GSource *timer = g_timeout_source_new(ms);

	f->until = until;
	g_source_set_callback(timer, on_safety, f, NULL);
	g_source_attach(timer, f->context);
	if (!until(f))
		g_main_loop_run(f->loop);
	g_source_destroy(timer);
	g_source_unref(timer);
	f->until = NULL;
	assert_false(f->timed_out);
}

/* Runs the loop for ms milliseconds whatever happens. */
static void run_for(struct fixture *f, guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		g_main_context_iteration(f->context, FALSE), g_usleep(1000);
}

static void spawn(struct fixture *f, const char *command, const struct host_proc_options *options)
{
	g_autoptr(GError) error = NULL;

	f->proc = host_proc_spawn(command, options, &ops, f, &error);
	assert_null(error);
	assert_non_null(f->proc);
}

static void run_command(struct fixture *f, const char *command, const struct host_proc_options *options)
{
	spawn(f, command, options);
	run_until(f, until_exited, SAFETY_MS);
	assert_int_equal(f->exited_count, 1);
}

/* The output with the terminal's \r\n turned into \n. */
static char *plain_output(struct fixture *f)
{
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < f->out->len; i++)
		if (f->out->str[i] != '\r')
			g_string_append_c(s, f->out->str[i]);
	return g_string_free(s, FALSE);
}

/* Gone: no such process, or a zombie waiting for its (new) parent. */
static gboolean process_gone_now(pid_t pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *stat = NULL;
	const char *p;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return TRUE;
	return g_file_get_contents(path, &stat, NULL, NULL) && (p = strrchr(stat, ')')) != NULL &&
	       (p[2] == 'Z' || p[2] == 'X');
}

/* The same, allowing two seconds for it. */
static gboolean process_gone(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		if (process_gone_now(pid))
			return TRUE;
		g_usleep(10 * 1000);
	}
	return FALSE;
}

static pid_t pid_after(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	assert_non_null(p);
	return (pid_t)strtol(p + strlen(label), NULL, 10);
}

static guint count_fds(void)
{
	GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
	guint n = 0;

	assert_non_null(dir);
	while (g_dir_read_name(dir) != NULL)
		n++;
	g_dir_close(dir);
	return n;
}

static void test_echo(void **state)
{
	struct fixture *f = *state;

	run_command(f, "echo hello", NULL);
	assert_string_equal(f->out->str, "hello\r\n");
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
	assert_false(host_proc_running(f->proc));
	assert_true(host_proc_pid(f->proc) > 0);
}

static void test_exit_status(void **state)
{
	struct fixture *f = *state;

	run_command(f, "exit 3", NULL);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 3);
	assert_string_equal(f->out->str, "");
}

static void test_exit_zero(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	run_command(f, "exit 0", NULL);
	assert_true(g_spawn_check_wait_status(f->status, &error));
}

static void test_killed_by_signal(void **state)
{
	struct fixture *f = *state;

	run_command(f, "kill -USR1 $$", NULL);
	assert_true(WIFSIGNALED(f->status));
	assert_int_equal(WTERMSIG(f->status), SIGUSR1);
}

static void test_isatty(void **state)
{
	struct fixture *f = *state;

	run_command(f, "test -t 0 && test -t 1 && test -t 2 && echo tty", NULL);
	assert_string_equal(f->out->str, "tty\r\n");
}

static void test_window_size(void **state)
{
	struct fixture *f = *state;
	struct host_proc_options options = { .cols = 123, .rows = 45 };

	run_command(f, "stty size", &options);
	assert_string_equal(f->out->str, "45 123\r\n");
}

static void test_resize(void **state)
{
	struct fixture *f = *state;
	g_autofree char *text = NULL;

	spawn(f, "echo ready; read x; stty size", NULL);
	f->want = "ready";
	run_until(f, until_output, SAFETY_MS);
	host_proc_resize(f->proc, 100, 40);
	host_proc_resize(f->proc, 0, 41); /* 0 keeps the width */
	assert_true(host_proc_write(f->proc, "\n", 1));
	run_until(f, until_exited, SAFETY_MS);
	text = plain_output(f);
	assert_string_equal(text, "ready\n\n41 100\n");
}

/* The processes learn of a resize through SIGWINCH. */
static void test_resize_sigwinch(void **state)
{
	struct fixture *f = *state;

	spawn(f, "trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.05; done", NULL);
	f->want = "ready";
	run_until(f, until_output, SAFETY_MS);
	host_proc_resize(f->proc, 90, 33);
	run_until(f, until_exited, SAFETY_MS);
	assert_string_equal(f->out->str, "ready\r\n33 90\r\n");
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
}

static void test_default_window_size(void **state)
{
	struct fixture *f = *state;

	run_command(f, "stty size", NULL);
	assert_string_equal(f->out->str, "24 80\r\n");
}

static void test_cwd_envp(void **state)
{
	struct fixture *f = *state;
	g_autofree char *dir = g_dir_make_tmp("host-proc-XXXXXX", NULL);
	g_autofree char *real = NULL;
	g_autofree char *text = NULL;
	g_autofree char *want = NULL;
	char *envp[] = { (char *)"FOO=bar baz", (char *)"PATH=/usr/bin:/bin", NULL };
	struct host_proc_options options = { .cwd = dir, .envp = envp };

	assert_non_null(dir);
	real = realpath(dir, NULL);
	run_command(f, "pwd; echo \"$FOO\"; echo \"$TERM\"; echo \"${HOME-unset}\"", &options);
	text = plain_output(f);
	want = g_strdup_printf("%s\nbar baz\nxterm-256color\nunset\n", real);
	assert_string_equal(text, want);
	rmdir(dir);
}

static void test_envp_term_respected(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { (char *)"TERM=vt100", NULL };
	struct host_proc_options options = { .envp = envp };

	run_command(f, "echo \"$TERM\"", &options);
	assert_string_equal(f->out->str, "vt100\r\n");
}

static void test_bad_cwd(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	struct host_proc_options options = { .cwd = "/nonexistent/virtcon" };
	struct host_proc *proc = host_proc_spawn("true", &options, &ops, f, &error);

	assert_null(proc);
	assert_non_null(error);
	assert_non_null(strstr(error->message, "/nonexistent/virtcon"));
}

/* Every line of a fast producer arrives, once and in order. */
static void test_fast_producer(void **state)
{
	struct fixture *f = *state;
	g_autofree char *text = NULL;
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_MD5);
	g_autoptr(GChecksum) got_sum = g_checksum_new(G_CHECKSUM_MD5);
	g_autofree char *want_line = NULL;
	g_autofree char *got = NULL;
	GString *expected = g_string_new(NULL);
	gsize n;

	for (int i = 1; i <= 200000; i++)
		g_string_append_printf(expected, "%d\n", i);
	g_checksum_update(sum, (const guchar *)expected->str, (gssize)expected->len);
	want_line = g_strdup_printf("%s  -\n", g_checksum_get_string(sum));

	run_command(f, "seq 1 200000; seq 1 200000 | md5sum", NULL);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
	text = plain_output(f);
	/* Terminal output: one \r added per line. */
	assert_int_equal(f->out->len, strlen(text) + 200001);
	n = expected->len;
	assert_int_equal(strlen(text), n + strlen(want_line));
	assert_memory_equal(text, expected->str, n);
	assert_string_equal(text + n, want_line);
	/* And the received bytes have the checksum md5sum computed inside. */
	g_checksum_update(got_sum, (const guchar *)text, (gssize)n);
	got = g_strdup_printf("%s  -\n", g_checksum_get_string(got_sum));
	assert_string_equal(got, text + n);
	g_string_free(expected, TRUE);
}

static gboolean on_tick(gpointer data)
{
	struct fixture *f = data;

	f->ticks++;
	if (f->ticks == 5)
		g_main_loop_quit(f->loop);
	return G_SOURCE_CONTINUE;
}

/* An endless flood of output does not starve the other sources of the loop. */
static void test_flood_does_not_starve(void **state)
{
	struct fixture *f = *state;
	GSource *tick = g_timeout_source_new(20);
	gint64 start;

	g_source_set_callback(tick, on_tick, f, NULL);
	spawn(f, "yes 0123456789012345678901234567890123456789012345678901234567890123456789", NULL);
	f->want = "0123456789\r\n";
	run_until(f, until_output, SAFETY_MS);
	start = g_get_monotonic_time();
	g_source_attach(tick, f->context);
	run_until(f, until_ticked, SAFETY_MS);
	g_source_destroy(tick);
	g_source_unref(tick);
	assert_true(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
	assert_true(f->out->len > 64 * 1024);
	host_proc_free(f->proc);
	f->proc = NULL;
}

static void test_write_input(void **state)
{
	struct fixture *f = *state;

	spawn(f, "read x; echo got:$x", NULL);
	assert_true(host_proc_write(f->proc, "abc", 3));
	assert_true(host_proc_write(f->proc, "def\n", 4));
	run_until(f, until_exited, SAFETY_MS);
	assert_non_null(strstr(f->out->str, "got:abcdef\r\n"));
	assert_true(WIFEXITED(f->status));
	assert_false(host_proc_write(f->proc, "late\n", 5));
}

/* A large input is queued and written as the terminal takes it. */
static void test_write_large_input(void **state)
{
	struct fixture *f = *state;
	GString *input = g_string_new(NULL);
	g_autofree char *text = NULL;

	for (int i = 0; i < 20000; i++)
		g_string_append_printf(input, "line%d\n", i);
	g_string_append(input, "end\n");
	spawn(f, "stty -echo -icanon; n=0; while read x; do [ \"$x\" = end ] && break; n=$((n+1)); done; echo count:$n",
	      NULL);
	assert_true(host_proc_write(f->proc, input->str, input->len));
	run_until(f, until_exited, SAFETY_MS);
	text = plain_output(f);
	assert_non_null(strstr(text, "count:20000\n"));
	g_string_free(input, TRUE);
}

static void test_kill_group(void **state)
{
	struct fixture *f = *state;
	pid_t bg, me;

	spawn(f, "sleep 100 & echo bg:$!; echo me:$$; sleep 100", NULL);
	f->want = "me:";
	run_until(f, until_output, SAFETY_MS);
	f->want = "\n";
	run_until(f, until_output, SAFETY_MS);
	bg = pid_after(f->out->str, "bg:");
	me = pid_after(f->out->str, "me:");
	assert_int_equal(me, host_proc_pid(f->proc));
	assert_true(host_proc_running(f->proc));
	host_proc_kill(f->proc, 5000);
	run_until(f, until_exited, SAFETY_MS);
	assert_true(WIFSIGNALED(f->status));
	assert_int_equal(WTERMSIG(f->status), SIGTERM);
	assert_false(host_proc_running(f->proc));
	assert_true(process_gone(bg));
	assert_true(process_gone(me));
}

static void test_kill_after_grace(void **state)
{
	struct fixture *f = *state;
	gint64 start;

	spawn(f, "trap '' TERM; echo ready; sleep 100", NULL);
	f->want = "ready";
	run_until(f, until_output, SAFETY_MS);
	start = g_get_monotonic_time();
	host_proc_kill(f->proc, 300);
	run_until(f, until_exited, SAFETY_MS);
	assert_true(g_get_monotonic_time() - start >= 250 * 1000);
	assert_true(WIFSIGNALED(f->status));
	assert_int_equal(WTERMSIG(f->status), SIGKILL);
}

/* The grace timer also catches background processes that ignore SIGTERM after the shell died. */
static void test_kill_background_ignoring_term(void **state)
{
	struct fixture *f = *state;
	pid_t bg;
	int i;

	/* It says its pid once it ignores the signals. */
	spawn(f, "sh -c 'trap \"\" TERM HUP; echo bg:$$; exec sleep 100' & sleep 100", NULL);
	f->want = "\n";
	run_until(f, until_output, SAFETY_MS);
	bg = pid_after(f->out->str, "bg:");
	host_proc_kill(f->proc, 300);
	run_until(f, until_exited, SAFETY_MS);
	assert_true(WIFSIGNALED(f->status));
	assert_int_equal(WTERMSIG(f->status), SIGTERM);
	/* The loop runs the grace timer; no free needed. */
	for (i = 0; i < 100 && !process_gone_now(bg); i++)
		run_for(f, 50);
	assert_true(i < 100);
}

/* A background process keeps the pty open: the exit is still reported promptly. */
static void test_background_holds_pty(void **state)
{
	struct fixture *f = *state;
	gint64 start = g_get_monotonic_time();
	pid_t bg;

	run_command(f, "sleep 30 & echo bg:$!; echo done", NULL);
	assert_true(g_get_monotonic_time() - start < 3 * G_USEC_PER_SEC);
	assert_true(WIFEXITED(f->status));
	assert_int_equal(WEXITSTATUS(f->status), 0);
	assert_non_null(strstr(f->out->str, "done\r\n"));
	bg = pid_after(f->out->str, "bg:");
	assert_int_equal(kill(bg, 0), 0); /* still alive until free */
	host_proc_free(f->proc);
	f->proc = NULL;
	assert_true(process_gone(bg));
}

/* Output written just before exit is not lost. */
static void test_output_before_exit(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 20; i++) {
		g_string_truncate(f->out, 0);
		f->exited_count = 0;
		run_command(f, "printf 'last words'", NULL);
		assert_string_equal(f->out->str, "last words");
		host_proc_free(f->proc);
		f->proc = NULL;
	}
}

static void test_free_while_running(void **state)
{
	struct fixture *f = *state;
	pid_t pid;

	spawn(f, "echo start; sleep 100", NULL);
	f->want = "start";
	run_until(f, until_output, SAFETY_MS);
	pid = host_proc_pid(f->proc);
	host_proc_write(f->proc, "queued\n", 7);
	host_proc_free(f->proc);
	f->proc = NULL;
	/* Reaped: no zombie left, and no callback after free. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(kill(pid, 0) < 0);
	run_for(f, 200);
	assert_int_equal(f->exited_count, 0);
}

static void test_free_in_exited_callback(void **state)
{
	struct fixture *f = *state;

	f->free_on_exit = TRUE;
	run_command(f, "echo bye", NULL);
	assert_null(f->proc);
	run_for(f, 150);
	assert_int_equal(f->exited_count, 1);
}

static void test_free_in_output_callback(void **state)
{
	struct fixture *f = *state;
	pid_t pid;

	f->free_on_output = TRUE;
	spawn(f, "seq 1 1000000", NULL);
	pid = host_proc_pid(f->proc);
	run_until(f, until_freed, SAFETY_MS);
	run_for(f, 150);
	assert_int_equal(f->output_calls, 1);
	assert_int_equal(f->exited_count, 0);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
}

static void test_no_leaks(void **state)
{
	struct fixture *f = *state;
	guint before;
	pid_t pids[3];

	/* Warm up whatever GLib opens once (its signal wake-up pipe, worker thread). */
	run_command(f, "true", NULL);
	host_proc_free(f->proc);
	f->proc = NULL;
	before = count_fds();

	f->exited_count = 0;
	run_command(f, "echo one", NULL);
	pids[0] = host_proc_pid(f->proc);
	host_proc_free(f->proc);
	f->proc = NULL;

	spawn(f, "sleep 100", NULL);
	pids[1] = host_proc_pid(f->proc);
	host_proc_free(f->proc);
	f->proc = NULL;

	f->exited_count = 0;
	run_command(f, "sleep 30 & exit 0", NULL);
	pids[2] = host_proc_pid(f->proc);
	host_proc_free(f->proc);
	f->proc = NULL;

	assert_int_equal(count_fds(), before);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(waitpid(pids[i], NULL, WNOHANG), -1);
		assert_int_equal(errno, ECHILD);
	}
}

/* The child gets default signal dispositions and an empty mask even when ours differ. */
static void test_signals_reset(void **state)
{
	struct fixture *f = *state;
	sigset_t block, old;
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldact;
	const char *p;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &ign, &oldact);
	spawn(f, "grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGINT, &oldact, NULL);
	run_until(f, until_exited, SAFETY_MS);
	/* Signals 1..31; glibc reserves 32 and 33 for itself and does not let them be reset. */
	p = strstr(f->out->str, "SigBlk:\t");
	assert_non_null(p);
	assert_int_equal(g_ascii_strtoull(p + 8, NULL, 16) & 0x7fffffffu, 0);
	p = strstr(f->out->str, "SigIgn:\t");
	assert_non_null(p);
	assert_int_equal(g_ascii_strtoull(p + 8, NULL, 16) & 0x7fffffffu, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_by_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isatty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_window_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_sigwinch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cwd_envp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envp_term_respected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_producer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_does_not_starve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_large_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_after_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_background_ignoring_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_background_holds_pty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_before_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_exited_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_output_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_leaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
