/* test_ssh.c - SSH steps and sessions against a real OpenSSH server on 127.0.0.1, and the testbed guest's dropbear. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "irqmon.h"
#include "run.h"
#include "ssh.h"
#include "suite.h"
#include "testbed_guest.h"
#include "vars.h"
#include "virt.h"

#define SSHD "/usr/sbin/sshd"

/* The server: one for the program, restarted by the tests that kill it. */
struct server {
	char *dir;
	guint port;
	GPid pid;
	char *host_fp;  /* the server's key fingerprint (ssh-keygen -l) */
	char *wrong_fp; /* the fingerprint of the "wrong" key */
	char *known;    /* known_hosts with the right key */
};
static struct server srv;

static char *path_in(const char *name)
{
	return g_build_filename(srv.dir, name, NULL);
}

static gboolean sh(const char *cmd, char **out)
{
	int status = 0;
	g_autofree char *err = NULL;
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, out, &err, &status, NULL))
		return FALSE;
	if (!g_spawn_check_wait_status(status, NULL)) {
		fprintf(stderr, "command failed: %s\n%s", cmd, err ? err : "");
		return FALSE;
	}
	return TRUE;
}

static guint free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	guint port = 0;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static gboolean port_open(guint port)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	gboolean ok;

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The server dies with the test, even when the test crashes. */
static void die_with_parent(gpointer data G_GNUC_UNUSED)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean server_start(void)
{
	g_autofree char *config = path_in("sshd_config");
	const char *argv[] = { SSHD, "-D", "-e", "-f", config, NULL };
	g_autofree char *log = path_in("sshd.log");

	if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
			   G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &srv.pid, NULL))
		return FALSE;
	for (int i = 0; i < 200; i++) {
		if (port_open(srv.port))
			return TRUE;
		g_usleep(50 * 1000);
	}
	return FALSE;
}

/* Kills the server and every sshd under it (the per-connection ones too), as a network failure
 * would end the connection: the commands they ran are left to the pty's hangup. */
static void kill_tree(GPid pid)
{
	g_autofree char *comm_path = g_strdup_printf("/proc/%d/comm", pid);
	g_autofree char *comm = NULL;

	g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *stat_path = g_strdup_printf("/proc/%s/stat", name);
		g_autofree char *stat = NULL;
		const char *rp;
		int ppid = 0;

		if (!g_ascii_isdigit(*name) || !g_file_get_contents(stat_path, &stat, NULL, NULL))
			continue;
		rp = strrchr(stat, ')');
		if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == pid)
			kill_tree(atoi(name));
	}
	if (pid == srv.pid || (g_file_get_contents(comm_path, &comm, NULL, NULL) && g_str_has_prefix(comm, "sshd")))
		kill(pid, SIGKILL);
}

static void server_stop(void)
{
	if (srv.pid > 0) {
		kill_tree(srv.pid);
		waitpid(srv.pid, NULL, 0);
		g_spawn_close_pid(srv.pid);
		srv.pid = 0;
	}
}

static char *fingerprint_of(const char *pub)
{
	g_autofree char *cmd = g_strdup_printf("ssh-keygen -l -E sha256 -f '%s'", pub);
	g_autofree char *out = NULL;
	g_auto(GStrv) words = NULL;

	if (!sh(cmd, &out))
		return NULL;
	words = g_strsplit(out, " ", 3);
	return g_strv_length(words) >= 2 ? g_strdup(words[1]) : NULL;
}

static const char *server_setup(void)
{
	g_autofree char *cmd = NULL;
	g_autofree char *pub = NULL, *wrong_pub = NULL, *host_pub = NULL;
	g_autofree char *config = NULL;
	g_autofree char *line = NULL;
	g_auto(GStrv) words = NULL;

	if (!g_file_test(SSHD, G_FILE_TEST_IS_EXECUTABLE))
		return "no " SSHD " (Debian's openssh-server)";
	if (!g_file_test("/usr/bin/ssh-keygen", G_FILE_TEST_IS_EXECUTABLE))
		return "no ssh-keygen (openssh-client)";
	if (getuid() != 0)
		return "sshd's test server logs in as root here: run as root";
	srv.dir = g_dir_make_tmp("vct-ssh-XXXXXX", NULL);
	cmd = g_strdup_printf("cd '%s' && ssh-keygen -q -t ed25519 -N '' -C host -f host_key && "
			      "ssh-keygen -q -t ed25519 -N '' -C client -f id && "
			      "ssh-keygen -q -t ed25519 -N '' -C wrong -f wrong && cp id.pub authorized_keys && "
			      "mkdir -p /run/sshd",
			      srv.dir);
	if (!sh(cmd, NULL))
		return "ssh-keygen failed";
	srv.port = free_port();
	config = g_strdup_printf("Port %u\nListenAddress 127.0.0.1\nHostKey %s/host_key\nPidFile none\n"
				 "AuthorizedKeysFile %s/authorized_keys\nStrictModes no\nUsePAM no\n"
				 "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
				 "KbdInteractiveAuthentication no\nLogLevel ERROR\nPrintMotd no\nPrintLastLog no\n"
				 "AcceptEnv LANG\nMaxStartups 50\n",
				 srv.port, srv.dir, srv.dir);
	{
		g_autofree char *p = path_in("sshd_config");

		g_file_set_contents(p, config, -1, NULL);
	}
	host_pub = path_in("host_key.pub");
	wrong_pub = path_in("wrong.pub");
	srv.host_fp = fingerprint_of(host_pub);
	srv.wrong_fp = fingerprint_of(wrong_pub);
	if (!srv.host_fp || !srv.wrong_fp)
		return "ssh-keygen -l failed";
	g_file_get_contents(host_pub, &line, NULL, NULL);
	words = g_strsplit(line, " ", 3);
	srv.known = g_strdup_printf("[127.0.0.1]:%u %s %s\n", srv.port, words[0], words[1]);
	{
		g_autofree char *p = path_in("known_hosts");
		g_autofree char *changed = NULL, *wline = NULL;
		g_auto(GStrv) w = NULL;

		g_file_set_contents(p, srv.known, -1, NULL);
		g_file_get_contents(wrong_pub, &wline, NULL, NULL);
		w = g_strsplit(wline, " ", 3);
		changed = g_strdup_printf("# a comment, and a line libssh2 cannot read\nbad line\n"
					  "[127.0.0.1]:%u %s %s\n", srv.port, w[0], w[1]);
		g_free(p);
		p = path_in("known_hosts.changed");
		g_file_set_contents(p, changed, -1, NULL);
		g_free(p);
		p = path_in("known_hosts.empty");
		g_file_set_contents(p, "", 0, NULL);
	}
	if (!server_start())
		return "sshd did not start listening";
	return NULL;
}

/* ---- driving a run ---- */

struct fixture {
	struct suite *suite;
	struct vars *vars;
	struct run *run;
	GMainLoop *loop;
	gsize output_bytes;
	const char *kill_on;  /* kill the server when the output shows this */
	gboolean killed;
};

static void on_idle(struct run *run G_GNUC_UNUSED, void *user_data)
{
	struct fixture *f = user_data;

	g_main_loop_quit(f->loop);
}

static void on_output(struct run *run, guint step, const char *data, gsize len, void *user_data)
{
	struct fixture *f = user_data;

	f->output_bytes += len;
	if (f->kill_on && !f->killed && strstr(run_get_step(run, step)->output->str, f->kill_on)) {
		f->killed = TRUE;
		server_stop();
	}
	(void)data;
}

static void on_step(struct run *run, guint step, void *user_data G_GNUC_UNUSED)
{
	const struct run_step *st = run_get_step(run, step);

	if (g_getenv("TEST_VERBOSE"))
		fprintf(stderr, "step %u: %s %s\n", step + 1, step_status_name(st->status), st->reason ? st->reason : "");
}

static const struct run_ops ops = { on_step, on_output, on_idle, NULL, NULL };

static gboolean safety(gpointer data G_GNUC_UNUSED)
{
	fail_msg("the run did not go idle within 60 s");
	return G_SOURCE_REMOVE;
}

/* Each "  - " item gets a name (s1, s2, ...), and runs on vm unless it starts with on:. */
static char *name_steps(const char *steps)
{
	GString *out = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(steps, "\n", -1);
	guint n = 0;

	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "  - "))
			g_string_append_printf(out, "  - name: s%u\n%s    %s\n", ++n,
					       g_str_has_prefix(*l + 4, "on:") ? "" : "    on: vm\n", *l + 4);
		else if (**l)
			g_string_append_printf(out, "%s\n", *l);
	}
	return g_string_free(out, FALSE);
}

static void load(struct fixture *f, const char *machine_extra, const char *steps_in)
{
	g_autofree char *steps = name_steps(steps_in);
	g_autoptr(GError) error = NULL;
	g_autofree char *id = path_in("id");
	g_autofree char *known = path_in("known_hosts");
	g_autofree char *yaml = g_strdup_printf("suite: s\nmachines:\n  vm:\n    ssh: root@127.0.0.1:%u\n"
						"    identity: %s\n    known-hosts: %s\n%s"
						"steps:\n%s",
						srv.port, id, known, machine_extra ? machine_extra : "", steps);
	struct run_options o = { 0 };

	f->suite = suite_load_data(yaml, strlen(yaml), "test.yaml", &error);
	if (!f->suite)
		fail_msg("suite: %s\n%s", error->message, yaml);
	f->vars = vars_new(f->suite);
	f->loop = g_main_loop_new(NULL, FALSE);
	o.headless = TRUE;
	o.kill_grace_ms = 500;
	f->run = run_new(f->suite, f->vars, NULL, &o, &ops, f);
}

static void run_one(struct fixture *f, guint step)
{
	g_autoptr(GError) error = NULL;
	guint id;

	assert_true(run_start_step(f->run, step, &error));
	if (!run_busy(f->run))
		return; /* ended at once (a send: without expect) */
	id = g_timeout_add_seconds(60, safety, NULL);
	g_main_loop_run(f->loop);
	g_source_remove(id);
}

static const struct run_step *step_of(struct fixture *f, guint i)
{
	return run_get_step(f->run, i);
}

static void expect_status(struct fixture *f, guint i, enum step_status want)
{
	const struct run_step *st = step_of(f, i);

	if (st->status != want)
		fail_msg("step %u: %s (%s), expected %s; output: %.500s", i + 1, step_status_name(st->status),
			 st->reason ? st->reason : "", step_status_name(want), st->output->str);
}

static void fixture_free(struct fixture *f)
{
	run_free(f->run);
	vars_free(f->vars);
	suite_free(f->suite);
	g_main_loop_unref(f->loop);
}

/* ---- tests ---- */

static void test_exec(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };

	load(&f, NULL,
	     "  - run: echo hello from $(id -un); exit 3\n    expect: { exit: 3, match: 'hello from root' }\n"
	     "  - run: uname -s; echo out; echo err >&2\n    expect: { match: [Linux, err] }\n"
	     "  - run: exit 1\n");
	for (guint i = 0; i < 3; i++)
		run_one(&f, i);
	expect_status(&f, 0, STEP_PASS);
	assert_int_equal(step_of(&f, 0)->exit_status, 3);
	expect_status(&f, 1, STEP_PASS);
	expect_status(&f, 2, STEP_FAIL);
	assert_non_null(strstr(step_of(&f, 2)->reason, "exit status 1"));
	fixture_free(&f);
}

static void test_long_output(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };

	load(&f, NULL, "  - run: head -c 1000000 /dev/zero | tr '\\0' x; echo; echo END-OF-IT\n"
		       "    expect: { match: 'END-OF-IT' }\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_PASS);
	assert_true(f.output_bytes >= 1000000);
	assert_true(f.output_bytes < 1100000);
	fixture_free(&f);
}

static void test_shell_session(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };

	load(&f, NULL,
	     "  - on: vm\n    send: \"echo $((6*7))\\n\"\n    expect: { match: '(?m)^42' }\n"
	     "  - on: vm\n    send: \"X=abc; cd /tmp\\n\"\n"
	     "  - on: vm\n    send: \"echo val=$X in $(pwd)\\n\"\n    expect: { match: ['val=abc in /tmp'] }\n"
	     "  - on: vm\n    send: \"echo nothing\\n\"\n    expect: { match: 'never-printed' }\n    timeout: 1s\n"
	     "  - on: host\n    send: \"echo $((2+3))x\\n\"\n    expect: { match: '5x' }\n");
	for (guint i = 0; i < 5; i++)
		run_one(&f, i);
	expect_status(&f, 0, STEP_PASS);
	expect_status(&f, 1, STEP_PASS);
	expect_status(&f, 2, STEP_PASS);
	expect_status(&f, 3, STEP_FAIL);
	assert_non_null(strstr(step_of(&f, 3)->reason, "the SSH shell of 'vm'"));
	expect_status(&f, 4, STEP_PASS);
	fixture_free(&f);
}

static void test_unknown_key(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *empty = path_in("known_hosts.empty");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/id, known-hosts: %s }\n",
						 srv.port, srv.dir, empty);
	g_autofree char *hint = g_strdup_printf("ssh-keyscan -p %u 127.0.0.1 >> %s", srv.port, empty);
	const char *reason;

	load(&f, extra, "  - on: vm2\n    run: echo never\n  - on: vm2\n    send: \"echo\\n\"\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_BLOCKED);
	reason = step_of(&f, 0)->reason;
	assert_non_null(strstr(reason, srv.host_fp));
	assert_non_null(strstr(reason, hint));
	assert_null(strstr(step_of(&f, 0)->output->str, "never"));
	run_one(&f, 1);
	expect_status(&f, 1, STEP_BLOCKED);
	fixture_free(&f);
}

struct accept_seen {
	char *fingerprint;
	char *file;
	gboolean done;
};

static void accept_scanned(struct run *run G_GNUC_UNUSED, guint step G_GNUC_UNUSED, const char *fingerprint,
			   const char *host G_GNUC_UNUSED, guint port G_GNUC_UNUSED, const char *file,
			   const GError *error, void *user_data)
{
	struct accept_seen *a = user_data;

	assert_null(error);
	a->fingerprint = g_strdup(fingerprint);
	a->file = g_strdup(file);
	a->done = TRUE;
}

/* The operator's K then y then r on step i: the key offered is fingerprint's, into file. */
static void accept_and_retry(struct fixture *f, guint i, const char *fingerprint, const char *file)
{
	struct accept_seen a = { 0 };
	g_autoptr(GError) error = NULL;

	assert_true(run_host_key_scan(f->run, i, accept_scanned, &a, &error));
	for (int n = 0; n < 600 && !a.done; n++)
		g_main_context_iteration(NULL, TRUE);
	assert_true(a.done);
	assert_string_equal(a.fingerprint, fingerprint);
	assert_string_equal(a.file, file);
	assert_true(run_host_key_accept(f->run, i, &error));
	assert_true(run_retry(f->run, i, &error));
	if (run_busy(f->run)) {
		guint id = g_timeout_add_seconds(60, safety, NULL);

		g_main_loop_run(f->loop);
		g_source_remove(id);
	}
	g_free(a.fingerprint);
	g_free(a.file);
}

/* The operator accepts the unknown key (the console's K): the fingerprint shown is the
 * server's, the key lands in the machine's known-hosts file, and the step then passes. */
static void test_accept_host_key(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *file = path_in("known_hosts.accept");
	g_autofree char *extra = g_strdup_printf("  vm3: { ssh: 'root@127.0.0.1:%u', identity: %s/id, known-hosts: %s }\n",
						 srv.port, srv.dir, file);
	g_autofree char *text = NULL;

	g_unlink(file);
	load(&f, extra, "  - on: vm3\n    run: echo accepted-and-ran\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_BLOCKED);
	assert_false(run_host_key_accept(f.run, 0, &error)); /* nothing fetched yet */
	g_clear_error(&error);
	accept_and_retry(&f, 0, srv.host_fp, file);
	assert_true(g_file_get_contents(file, &text, NULL, NULL));
	assert_non_null(strstr(text, "127.0.0.1"));
	expect_status(&f, 0, STEP_PASS);
	assert_non_null(strstr(step_of(&f, 0)->output->str, "accepted-and-ran"));
	fixture_free(&f);
	g_unlink(file);
}

struct scan_result {
	char *key, *fp, *error;
	gboolean done;
};

static void scan_cb(const char *key, const char *fp, const GError *error, void *user_data)
{
	struct scan_result *r = user_data;

	r->key = g_strdup(key);
	r->fp = g_strdup(fp);
	r->error = error ? g_strdup(error->message) : NULL;
	r->done = TRUE;
}

static void scan(guint port, struct scan_result *r)
{
	struct ssh_conn *c = ssh_scan("127.0.0.1", port, scan_cb, r);
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

	while (!r->done && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	ssh_conn_free(c);
	assert_true(r->done);
}

/* The operator accepts the key (the console's job): scan, compare, add; then steps connect. */
static void test_accept_key(void **state G_GNUC_UNUSED)
{
	struct scan_result r = { 0 }, none = { 0 };
	struct fixture f = { 0 };
	g_autofree char *known = path_in("accepted/known_hosts");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/id, known-hosts: %s }\n",
						 srv.port, srv.dir, known);
	g_autoptr(GError) error = NULL;

	scan(srv.port, &r);
	assert_null(r.error);
	assert_string_equal(r.fp, srv.host_fp);
	assert_true(g_str_has_prefix(r.key, "ssh-ed25519 "));
	assert_true(ssh_known_hosts_add(known, "127.0.0.1", srv.port, r.key, &error));
	assert_false(ssh_known_hosts_add(known, "127.0.0.1", srv.port, "two\nlines", &error));
	load(&f, extra, "  - on: vm2\n    run: echo accepted\n    expect: { match: accepted }\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_PASS);
	fixture_free(&f);
	scan(free_port(), &none);
	assert_non_null(none.error);
	assert_non_null(strstr(none.error, "could not connect"));
	g_free(r.key);
	g_free(r.fp);
	g_free(none.error);
}

static void test_changed_key(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *changed = path_in("known_hosts.changed");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/id, known-hosts: %s }\n",
						 srv.port, srv.dir, changed);
	const char *reason;

	load(&f, extra, "  - on: vm2\n    run: echo never\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_ERROR);
	reason = step_of(&f, 0)->reason;
	assert_non_null(strstr(reason, "HOST KEY HAS CHANGED"));
	assert_non_null(strstr(reason, srv.host_fp));
	assert_non_null(strstr(reason, srv.wrong_fp));
	fixture_free(&f);
}

static void test_wrong_key(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *known = path_in("known_hosts");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/wrong, known-hosts: %s }\n",
						 srv.port, srv.dir, known);
	g_autofree char *want = g_strdup_printf("root@127.0.0.1:%u: authentication failed: tried ssh-agent (none running), "
						"%s/wrong (rejected), no password given", srv.port, srv.dir);

	load(&f, extra, "  - on: vm2\n    run: echo never\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_ERROR);
	if (!strstr(step_of(&f, 0)->reason, want))
		fail_msg("reason: %s\nwanted: %s", step_of(&f, 0)->reason, want);
	fixture_free(&f);
}

/* ssh-agent holds the right key: it is tried first, and the wrong identity file is not needed. */
static void test_agent(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *sock = path_in("agent.sock");
	g_autofree char *cmd = g_strdup_printf("ssh-agent -a '%s' -s | sed -n 's/^SSH_AGENT_PID=\\([0-9]*\\).*/\\1/p'", sock);
	g_autofree char *pid = NULL, *add = NULL, *kill_cmd = NULL;
	g_autofree char *known = path_in("known_hosts");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/wrong, known-hosts: %s }\n",
						 srv.port, srv.dir, known);

	if (!g_file_test("/usr/bin/ssh-agent", G_FILE_TEST_IS_EXECUTABLE) || !sh(cmd, &pid) || atoi(pid) <= 0) {
		fprintf(stderr, "agent: skipped: could not start ssh-agent\n");
		skip();
	}
	add = g_strdup_printf("SSH_AUTH_SOCK='%s' ssh-add -q '%s/id'", sock, srv.dir);
	kill_cmd = g_strdup_printf("kill %d", atoi(pid));
	assert_true(sh(add, NULL));
	g_setenv("SSH_AUTH_SOCK", sock, TRUE);
	load(&f, extra, "  - on: vm2\n    run: echo via agent\n    expect: { match: 'via agent' }\n");
	run_one(&f, 0);
	g_unsetenv("SSH_AUTH_SOCK");
	sh(kill_cmd, NULL);
	expect_status(&f, 0, STEP_PASS);
	fixture_free(&f);
}

/* A password the server does not take: said so, and the password itself is never shown. */
static void test_password_not_shown(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *known = path_in("known_hosts");
	g_autofree char *extra = g_strdup_printf("  vm2: { ssh: 'root@127.0.0.1:%u', identity: %s/wrong, known-hosts: %s,"
						 " password: '${pw}' }\nvars:\n  pw: { value: Sup3rSecret, secret: true }\n",
						 srv.port, srv.dir, known);

	load(&f, extra, "  - on: vm2\n    run: echo never\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_ERROR);
	assert_non_null(strstr(step_of(&f, 0)->reason, "a password (the server does not take passwords)"));
	assert_null(strstr(step_of(&f, 0)->reason, "Sup3rSecret"));
	fixture_free(&f);
}

static void test_dropped(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *want = g_strdup_printf("connection to root@127.0.0.1:%u lost", srv.port);

	load(&f, NULL, "  - run: echo before; echo started; sleep 30\n  - run: echo back again\n"
		       "    expect: { match: 'back again' }\n");
	f.kill_on = "started";
	run_one(&f, 0);
	assert_true(f.killed);
	expect_status(&f, 0, STEP_ERROR);
	if (!strstr(step_of(&f, 0)->reason, want))
		fail_msg("reason: %s", step_of(&f, 0)->reason);
	/* the server comes back: the next step connects anew */
	assert_true(server_start());
	run_one(&f, 1);
	expect_status(&f, 1, STEP_PASS);
	fixture_free(&f);
}

static void test_timeout_kills(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autofree char *pidfile = path_in("sleeper.pid");
	g_autofree char *steps = g_strdup_printf("  - run: echo $$ > %s; exec sleep 60\n    timeout: 1s\n", pidfile);
	g_autofree char *text = NULL;
	int pid;
	gboolean gone = FALSE;

	load(&f, NULL, steps);
	run_one(&f, 0);
	expect_status(&f, 0, STEP_FAIL);
	assert_non_null(strstr(step_of(&f, 0)->reason, "timed out after 1s"));
	assert_true(g_file_get_contents(pidfile, &text, NULL, NULL));
	pid = atoi(text);
	assert_true(pid > 1);
	/* the server runs here: the command must be gone soon */
	for (int i = 0; i < 100 && !gone; i++) {
		g_autofree char *p = g_strdup_printf("/proc/%d/cmdline", pid);
		g_autofree char *cmdline = NULL;

		gone = !g_file_get_contents(p, &cmdline, NULL, NULL) || !strstr(cmdline, "sleep");
		if (!gone)
			g_usleep(50 * 1000);
	}
	assert_true(gone);
	fixture_free(&f);
}

/* check: { interrupts } on an SSH machine: sampled over SSH before and after the step. */
static void test_interrupts_check(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	const struct run_step *st;

	load(&f, NULL,
	     "  - run: sleep 0.5\n    check: { interrupts: { on: vm, irq: LOC, delta: '>= 1' } }\n"
	     "  - run: true\n    check: { interrupts: { on: vm, irq: 'no-such-irq' } }\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_PASS);
	st = step_of(&f, 0);
	/* the table of what moved: the local timer ticked during half a second */
	if (!strstr(st->output->str, "LOC"))
		fail_msg("output: %s", st->output->str);
	run_one(&f, 1);
	expect_status(&f, 1, STEP_FAIL);
	assert_non_null(strstr(step_of(&f, 1)->reason, "no interrupt on vm matches /no-such-irq/"));
	fixture_free(&f);
}

/* A step on this host whose check samples an SSH machine with an unknown key: blocked with the
 * fingerprint, and the operator's K offers that machine's key (not the step's host's). */
static void test_interrupts_check_unknown_key(void **state G_GNUC_UNUSED)
{
	struct fixture f = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *file = path_in("known_hosts.check");
	g_autofree char *extra = g_strdup_printf("  vm4: { ssh: 'root@127.0.0.1:%u', identity: %s/id, known-hosts: %s }\n",
						 srv.port, srv.dir, file);

	g_unlink(file);
	load(&f, extra, "  - on: host\n    run: sleep 0.3\n    check: { interrupts: { on: vm4, irq: LOC } }\n");
	run_one(&f, 0);
	expect_status(&f, 0, STEP_BLOCKED);
	assert_non_null(strstr(step_of(&f, 0)->reason, "check: interrupts on vm4: "));
	assert_non_null(strstr(step_of(&f, 0)->reason, srv.host_fp));
	accept_and_retry(&f, 0, srv.host_fp, file);
	expect_status(&f, 0, STEP_PASS);
	fixture_free(&f);
	g_unlink(file);
}

struct watched {
	GMainLoop *loop;
	guint samples, diffs, errors;
	char *error;
	guint64 loc_moved;
	guint stop_after; /* quit once samples + errors reach it */
};

static void on_watch(struct irqmon *mon G_GNUC_UNUSED, const struct irqmon_sample *prev,
		     const struct irqmon_sample *cur, const struct irq_diff *diff, const GError *error, void *p)
{
	struct watched *w = p;

	if (error) {
		w->errors++;
		g_free(w->error);
		w->error = g_strdup(error->message);
	} else {
		w->samples++;
		assert_non_null(cur->table);
		assert_true(cur->table->n_cpus >= 1);
		if (prev && diff) {
			int r = irq_table_find(cur->table, "LOC");

			w->diffs++;
			if (r >= 0)
				w->loc_moved += diff->rows[r].total;
		}
	}
	if (w->samples + w->errors >= w->stop_after)
		g_main_loop_quit(w->loop);
}

static gboolean watch_safety(gpointer data G_GNUC_UNUSED)
{
	fail_msg("the monitor did not report within 60 s");
	return G_SOURCE_REMOVE;
}

/*
 * The interrupts monitor over SSH: samples the server's /proc/interrupts (this machine's) on
 * its own connection, diffs them; a killed server is an error naming the machine, and
 * sampling goes on once the server is back; an unknown host key is refused.
 */
static void test_interrupts_monitor(void **state G_GNUC_UNUSED)
{
	g_autofree char *id = path_in("id");
	g_autofree char *known = path_in("known_hosts");
	g_autofree char *empty = path_in("known_hosts.empty");
	struct ssh_options o = { .user = "root", .host = "127.0.0.1", .port = srv.port, .identity = id,
				 .known_hosts = known, .no_agent = TRUE };
	struct watched w = { .loop = g_main_loop_new(NULL, FALSE), .stop_after = 3 };
	struct irqmon *mon = irqmon_new_ssh(&o, "vm");
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *s;
	guint safety_id;

	/* one sample, blocking (as virtcon watch --count 1 takes it) */
	s = irqmon_sample_now(mon, &error);
	if (!s)
		fail_msg("%s", error->message);
	assert_non_null(strstr(g_bytes_get_data(s->raw, NULL), "CPU0"));
	assert_true(irq_table_find(s->table, "LOC") >= 0);
	irqmon_sample_free(s);

	/* watching: three samples, two diffs, the local timer moved */
	irqmon_watch(mon, 100, on_watch, &w);
	safety_id = g_timeout_add_seconds(60, watch_safety, NULL);
	g_main_loop_run(w.loop);
	assert_int_equal(w.samples, 3);
	assert_int_equal(w.diffs, 2);
	assert_true(w.loc_moved > 0);

	/* the server dies: errors that name the machine, and samples again once it is back */
	server_stop();
	w.samples = 0;
	w.stop_after = 1;
	g_main_loop_run(w.loop);
	assert_int_equal(w.errors, 1);
	/* "could not connect", or "lost" when a sample was under way */
	if (!g_str_has_prefix(w.error, "root@127.0.0.1:"))
		fail_msg("error: %s", w.error);
	assert_true(server_start());
	w.errors = 0;
	w.stop_after = 1;
	while (w.samples == 0)
		g_main_loop_run(w.loop);
	g_source_remove(safety_id);
	irqmon_free(mon);

	/* an unknown host key: refused, with the fingerprint to compare */
	o.known_hosts = empty;
	mon = irqmon_new_ssh(&o, "vm");
	g_clear_error(&error);
	assert_null(irqmon_sample_now(mon, &error));
	assert_true(g_error_matches(error, SSH_ERROR, SSH_ERROR_HOSTKEY_UNKNOWN));
	assert_non_null(strstr(error->message, srv.host_fp));
	irqmon_free(mon);
	g_free(w.error);
	g_main_loop_unref(w.loop);
}

static void test_fingerprint(void **state G_GNUC_UNUSED)
{
	/* the SHA-256 of "abc", base64 without padding */
	g_autofree char *fp = ssh_fingerprint("abc", 3);

	assert_string_equal(fp, "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
	assert_int_equal(ssh_signal_number("TERM"), SIGTERM);
	assert_int_equal(ssh_signal_number("SIGKILL"), SIGKILL);
	assert_int_equal(ssh_signal_number("NOPE"), 0);
}

/* The testbed guest with a NIC: dropbear on 127.0.0.1:PORT. */
static void test_testbed_dropbear(void **state G_GNUC_UNUSED)
{
	const char *why = tb_guest_skip_reason();
	g_autoptr(GError) error = NULL;
	struct tb_guest *tb;
	const char *dir, *xml_path;
	g_autofree char *xml = NULL, *hostpub = NULL, *yaml = NULL, *known = NULL, *kpath = NULL;
	g_auto(GStrv) w = NULL;
	guint port = free_port();
	struct fixture f = { 0 };
	struct run_options o = { 0 };

	if (why) {
		fprintf(stderr, "testbed dropbear: skipped: %s\n", why);
		skip();
	}
	tb = tb_guest_boot("vct-ssh", 1, &error);
	if (!tb)
		fail_msg("boot: %s", error->message);
	dir = tb_guest_env(tb, "TESTBED_DIR");
	xml_path = tb_guest_env(tb, "TESTBED_XML_SSH");
	/* tb_guest_boot() starts the NIC-less guest; this test wants guest-ssh.xml instead */
	{
		virDomainPtr d = virDomainLookupByName(tb->conn, tb->name);

		if (d) {
			virDomainDestroy(d);
			virDomainFree(d);
		}
	}
	if (!dir || !xml_path || !g_file_get_contents(xml_path, &xml, NULL, NULL)) {
		tb_guest_destroy(tb);
		fprintf(stderr, "testbed dropbear: skipped: testbed.env has no TESTBED_XML_SSH (rebuild with tools/mkguest)\n");
		skip();
	}
	{
		g_autofree char *port_s = g_strdup_printf("%u", port);
		GString *x = g_string_new(xml);
		virDomainPtr d;

		g_string_replace(x, "@NAME@", tb->name, 0);
		g_string_replace(x, "@SSH_PORT@", port_s, 0);
		d = virDomainCreateXML(tb->conn, x->str, 0);
		g_string_free(x, TRUE);
		if (!d) {
			tb_guest_destroy(tb);
			fail_msg("could not start guest-ssh.xml: %s", virGetLastErrorMessage());
		}
		virDomainFree(d);
	}
	kpath = g_strdup(tb_guest_env(tb, "TESTBED_HOST_KEY"));
	if (!kpath || !g_file_get_contents(kpath, &hostpub, NULL, NULL)) {
		tb_guest_destroy(tb);
		fail_msg("no %s", kpath);
	}
	w = g_strsplit(hostpub, " ", 3);
	known = g_strdup_printf("[127.0.0.1]:%u %s %s\n", port, w[0], w[1] ? g_strstrip(w[1]) : "");
	g_free(kpath);
	kpath = path_in("known_hosts.testbed");
	g_file_set_contents(kpath, known, -1, NULL);
	yaml = g_strdup_printf("suite: s\nmachines:\n  g: { ssh: 'root@127.0.0.1:%u', identity: %s, known-hosts: %s }\n"
			       "steps:\n  - name: uname\n    on: g\n    run: uname -r\n    expect: { match: '%s' }\n    timeout: 10s\n",
			       port, tb_guest_env(tb, "TESTBED_SSH_KEY"), kpath, tb->kver);
	f.suite = suite_load_data(yaml, strlen(yaml), "testbed.yaml", &error);
	assert_non_null(f.suite);
	f.vars = vars_new(f.suite);
	f.loop = g_main_loop_new(NULL, FALSE);
	o.headless = TRUE;
	f.run = run_new(f.suite, f.vars, NULL, &o, &ops, &f);
	/* dropbear starts a few seconds into the boot: retry until it answers (60 s) */
	for (int i = 0; i < 12; i++) {
		run_one(&f, 0);
		if (step_of(&f, 0)->status == STEP_PASS)
			break;
		fprintf(stderr, "testbed dropbear: attempt %d: %s\n", i + 1, step_of(&f, 0)->reason);
		g_usleep(4 * 1000 * 1000);
		for (int k = 0; k < 50; k++)
			g_main_context_iteration(NULL, FALSE);
	}
	if (step_of(&f, 0)->status != STEP_PASS) {
		char *r = g_strdup(step_of(&f, 0)->reason);

		fixture_free(&f);
		tb_guest_destroy(tb);
		fail_msg("uname -r over SSH: %s", r);
	}
	assert_non_null(strstr(step_of(&f, 0)->output->str, tb->kver));
	fixture_free(&f);
	tb_guest_destroy(tb);
}

int main(void)
{
	const char *why;
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_long_output),
		cmocka_unit_test(test_shell_session),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_accept_host_key),
		cmocka_unit_test(test_accept_key),
		cmocka_unit_test(test_changed_key),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_timeout_kills),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_password_not_shown),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_interrupts_check),
		cmocka_unit_test(test_interrupts_check_unknown_key),
		cmocka_unit_test(test_interrupts_monitor),
		cmocka_unit_test(test_testbed_dropbear),
	};

	if (g_getenv("TEST_FILTER"))
		cmocka_set_test_filter(g_getenv("TEST_FILTER"));
	g_unsetenv("SSH_AUTH_SOCK"); /* the auth messages name exactly what was tried */
	signal(SIGPIPE, SIG_IGN);
	why = server_setup();
	if (why) {
		fprintf(stderr, "SKIP: %s\n", why);
		return 77;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	server_stop();
	{
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", srv.dir);

		sh(cmd, NULL);
	}
	return rc;
}
