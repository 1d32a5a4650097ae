/* console-latency.c - keystroke round trip through a console: vconsole on the testbed vs peers on the same guest. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "expect.h"
#include "testbed_guest.h"
#include "vconsole.h"
#include "virt.h"

/*
 * One sample: type a letter at the guest shell's prompt and time until its echo comes back;
 * then DEL erases it (untimed) so the line never wraps. The guest is the testbed (1 vCPU,
 * TCG) for every measurement, booted afresh each time, one at a time.
 *
 *   vconsole: this process's libvirt stream (embedded QEMU driver, no daemon).
 *   socat:    QEMU started directly with its serial port on a unix socket; socat relays
 *             between pipes and the socket (what a minimal external console client costs).
 *   raw:      the same socket read and written by this program (the floor: QEMU + guest).
 *   virsh:    `virsh console` under script(1) (a pty, as virsh needs a terminal), with virsh
 *             running its own embedded QEMU driver (no libvirt daemon runs here).
 */

#define BOOT_TIMEOUT_US (120 * G_USEC_PER_SEC)
#define SAMPLE_TIMEOUT_US (5 * G_USEC_PER_SEC)

struct stats {
	GArray *us; /* gint64 samples */
	guint lost;
};

static int cmp_i64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, struct stats *s)
{
	guint n = s->us->len;

	if (n == 0) {
		printf("%-10s no samples (%u lost)\n", what, s->lost);
		return;
	}
	g_array_sort(s->us, cmp_i64);
	guint p99 = (guint)((99 * n + 99) / 100);
	printf("%-10s n=%u  median %.2f ms  p99 %.2f ms  min %.2f ms  max %.2f ms%s\n", what, n,
	       (double)g_array_index(s->us, gint64, n / 2) / 1000.0,
	       (double)g_array_index(s->us, gint64, MIN(p99, n) - 1) / 1000.0,
	       (double)g_array_index(s->us, gint64, 0) / 1000.0, (double)g_array_index(s->us, gint64, n - 1) / 1000.0,
	       s->lost ? " (some samples lost)" : "");
	fflush(stdout);
}

/* ---- a byte transport: vconsole on the loop, or a pair of fds polled ---- */

struct link {
	/* vconsole */
	struct vconsole *console;
	gboolean closed;
	/* fds */
	int rfd, wfd;
	/* what arrived */
	struct expect *ex;
	GByteArray *fresh; /* bytes since the last send */
};

static void link_data(const char *data, gsize len, void *user_data)
{
	struct link *l = user_data;

	expect_feed(l->ex, data, len);
	g_byte_array_append(l->fresh, (const guint8 *)data, (guint)len);
}

static void link_closed(const GError *error, void *user_data)
{
	((struct link *)user_data)->closed = TRUE;
}

static const struct vconsole_listener link_listener = { link_data, link_closed };

static gboolean expired_cb(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean link_send(struct link *l, const char *data, gsize len)
{
	g_byte_array_set_size(l->fresh, 0);
	if (l->console)
		return vconsole_write(l->console, data, len);
	while (len > 0) {
		ssize_t n = write(l->wfd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

/* Waits for more bytes until `until` (monotonic µs). FALSE at EOF or timeout. */
static gboolean link_pump(struct link *l, gint64 until)
{
	if (l->console) {
		gsize before = l->fresh->len;
		gint64 left = until - g_get_monotonic_time();
		gboolean expired = FALSE;
		guint id;

		if (left <= 0)
			return FALSE;
		id = g_timeout_add((guint)(left / 1000 + 1), expired_cb, &expired);
		while (l->fresh->len == before && !l->closed && !expired)
			g_main_context_iteration(NULL, TRUE);
		if (!expired)
			g_source_remove(id);
		return l->fresh->len > before;
	}
	for (;;) {
		struct pollfd p = { l->rfd, POLLIN, 0 };
		gint64 left = until - g_get_monotonic_time();
		char buf[4096];
		ssize_t n;
		int r;

		if (left <= 0)
			return FALSE;
		r = poll(&p, 1, (int)MIN(left / 1000 + 1, 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		n = read(l->rfd, buf, sizeof buf);
		if (n <= 0)
			return FALSE;
		link_data(buf, (gsize)n, l);
		return TRUE;
	}
}

static gboolean fresh_has(const struct link *l, char c)
{
	return memchr(l->fresh->data, c, l->fresh->len) != NULL;
}

/* Presses Enter every 2 s until the prompt shows. */
static gboolean wait_prompt(struct link *l, const char *prompt, gint64 timeout_us)
{
	g_autofree char *escaped = g_regex_escape_string(prompt, -1);
	g_autofree char *pattern = g_strdup_printf("%s$", escaped);
	g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
	gint64 deadline = g_get_monotonic_time() + timeout_us;

	while (g_get_monotonic_time() < deadline) {
		gint64 next = MIN(deadline, g_get_monotonic_time() + 2 * G_USEC_PER_SEC);

		if (!link_send(l, "\n", 1))
			return FALSE;
		while (g_get_monotonic_time() < next) {
			if (expect_match(l->ex, re, NULL)) {
				/* let the rest of the prompt's noise (ESC[6n) arrive */
				while (link_pump(l, g_get_monotonic_time() + 200000))
					;
				return TRUE;
			}
			link_pump(l, next);
		}
	}
	return FALSE;
}

static void measure(struct link *l, guint n, struct stats *s)
{
	for (guint i = 0; i < n; i++) {
		char letter = (char)('a' + i % 26);
		gint64 t0 = g_get_monotonic_time(), t1 = 0;

		if (!link_send(l, &letter, 1))
			break;
		while (!fresh_has(l, letter) && link_pump(l, t0 + SAMPLE_TIMEOUT_US))
			;
		t1 = g_get_monotonic_time();
		if (fresh_has(l, letter))
			g_array_append_val(s->us, (gint64){ t1 - t0 });
		else
			s->lost++;
		/* erase it; wait for the echo of that and a short quiet time */
		link_send(l, "\x7f", 1);
		while (link_pump(l, g_get_monotonic_time() + 30000))
			;
	}
	link_send(l, "\x15\n", 2);
}

/* ---- vconsole ---- */

static int bench_vconsole(guint n)
{
	g_autoptr(GError) error = NULL;
	struct tb_guest *tb = tb_guest_boot("vct-bench", 1, &error);
	struct link l = { 0 };
	struct stats s = { g_array_new(FALSE, FALSE, sizeof(gint64)), 0 };
	int rc = 1;

	if (!tb) {
		fprintf(stderr, "console-latency: %s\n", error->message);
		return 1;
	}
	l.console = vconsole_open(tb->conn, tb->name, NULL, FALSE, &error);
	l.ex = expect_new();
	l.fresh = g_byte_array_new();
	if (!l.console) {
		fprintf(stderr, "console-latency: %s\n", error->message);
		goto out;
	}
	vconsole_listen(l.console, &link_listener, &l);
	if (!wait_prompt(&l, tb->prompt, BOOT_TIMEOUT_US)) {
		fprintf(stderr, "console-latency: no prompt on the console of %s\n", tb->name);
		goto out;
	}
	measure(&l, n, &s);
	report("vconsole", &s);
	rc = 0;
out:
	vconsole_free(l.console);
	expect_free(l.ex);
	g_byte_array_unref(l.fresh);
	g_array_unref(s.us);
	tb_guest_destroy(tb);
	return rc;
}

/* ---- QEMU started directly, its serial port on a unix socket ---- */

static GHashTable *load_env(GError **error)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *mkguest = g_build_filename(top && *top ? top : ".", "tools", "mkguest", NULL);
	const char *argv[] = { mkguest, "--print-dir", NULL };
	g_autofree char *out = NULL;
	g_autofree char *path = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *vars;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL, error))
		return NULL;
	path = g_build_filename(g_strstrip(out), "testbed.env", NULL);
	if (!g_file_get_contents(path, &text, NULL, error))
		return NULL;
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		char *eq = strchr(lines[i], '=');
		char *v;

		if (lines[i][0] == '#' || !eq)
			continue;
		v = g_shell_unquote(eq + 1, NULL);
		if (v)
			g_hash_table_insert(vars, g_strndup(lines[i], (gsize)(eq - lines[i])), v);
	}
	return vars;
}

static int unix_connect(const char *path, gint64 until)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	g_strlcpy(addr.sun_path, path, sizeof addr.sun_path);
	while (g_get_monotonic_time() < until) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		g_usleep(50000);
	}
	return -1;
}

static void stop_child(GPid pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		g_usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* Starts the testbed with QEMU itself; the serial port listens on dir/serial.sock. */
static GPid start_qemu(GHashTable *env, const char *dir, GError **error)
{
	g_autofree char *serial = g_strdup_printf("unix:%s/serial.sock,server=on,wait=off", dir);
	const char *argv[] = { "qemu-system-x86_64", "-accel", "tcg", "-machine", "pc", "-smp", "1", "-m", "256",
			       "-nodefaults", "-display", "none", "-kernel", g_hash_table_lookup(env, "TESTBED_KERNEL"),
			       "-initrd", g_hash_table_lookup(env, "TESTBED_INITRD"), "-append",
			       g_hash_table_lookup(env, "TESTBED_CMDLINE"), "-serial", serial, "-monitor", "none",
			       NULL };
	GPid pid = 0;

	if (!argv[13] || !argv[15] || !argv[17]) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "testbed.env lacks the kernel, initrd or command line");
		return 0;
	}
	if (!g_spawn_async(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
			   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, error))
		return 0;
	return pid;
}

static int bench_direct(guint n, gboolean via_socat)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) env = load_env(&error);
	g_autofree char *dir = g_strdup("/tmp/vct-XXXXXX");
	g_autofree char *sock = NULL;
	GPid qemu = 0, relay = 0;
	struct link l = { .rfd = -1, .wfd = -1 };
	struct stats s = { g_array_new(FALSE, FALSE, sizeof(gint64)), 0 };
	int rc = 1;

	l.ex = expect_new();
	l.fresh = g_byte_array_new();
	if (!env || !g_mkdtemp(dir)) {
		fprintf(stderr, "console-latency: %s\n", error ? error->message : g_strerror(errno));
		goto out;
	}
	sock = g_build_filename(dir, "serial.sock", NULL);
	qemu = start_qemu(env, dir, &error);
	if (!qemu) {
		fprintf(stderr, "console-latency: %s\n", error->message);
		goto out;
	}
	if (via_socat) {
		g_autofree char *target = g_strdup_printf("UNIX-CONNECT:%s", sock);
		const char *argv[] = { "socat", "-", target, NULL };
		int fd = unix_connect(sock, g_get_monotonic_time() + 10 * G_USEC_PER_SEC); /* wait for the socket */

		if (fd >= 0)
			close(fd);
		if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
					      NULL, NULL, &relay, &l.wfd, &l.rfd, NULL, &error)) {
			fprintf(stderr, "console-latency: socat: %s\n", error->message);
			goto out;
		}
	} else {
		l.rfd = unix_connect(sock, g_get_monotonic_time() + 10 * G_USEC_PER_SEC);
		l.wfd = l.rfd;
		if (l.rfd < 0) {
			fprintf(stderr, "console-latency: cannot connect to %s\n", sock);
			goto out;
		}
	}
	if (!wait_prompt(&l, g_hash_table_lookup(env, "TESTBED_PROMPT"), BOOT_TIMEOUT_US)) {
		fprintf(stderr, "console-latency: no prompt on QEMU's serial socket\n");
		goto out;
	}
	measure(&l, n, &s);
	report(via_socat ? "socat" : "raw", &s);
	rc = 0;
out:
	if (l.rfd >= 0)
		close(l.rfd);
	if (l.wfd >= 0 && l.wfd != l.rfd)
		close(l.wfd);
	stop_child(relay);
	stop_child(qemu);
	if (sock)
		g_unlink(sock);
	if (dir[strlen(dir) - 1] != 'X') {
		g_autofree char *log = g_build_filename(dir, "qemu.log", NULL);

		g_unlink(log);
		g_rmdir(dir);
	}
	expect_free(l.ex);
	g_byte_array_unref(l.fresh);
	g_array_unref(s.us);
	return rc;
}

/* Kills what an embedded driver in a dead virsh left running (QEMU's pid files under root). */
static void kill_leftovers(const char *root)
{
	g_autofree char *run = g_build_filename(root, "run", "qemu", NULL);
	GDir *dir = g_dir_open(run, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *path = NULL;
		g_autofree char *text = NULL;
		gint64 pid;

		if (!g_str_has_suffix(name, ".pid") || strcmp(name, "driver.pid") == 0)
			continue;
		path = g_build_filename(run, name, NULL);
		if (g_file_get_contents(path, &text, NULL, NULL) && (pid = g_ascii_strtoll(text, NULL, 10)) > 1)
			kill((pid_t)pid, SIGKILL);
	}
	if (dir)
		g_dir_close(dir);
}

static void remove_tree(const char *path)
{
	const char *argv[] = { "rm", "-rf", "--one-file-system", path, NULL };

	g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* virsh console under script(1): virsh runs the guest in its own embedded driver (one virsh
 * process: create; console; destroy), script gives it the terminal it insists on. */
static int bench_virsh(guint n)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) env = load_env(&error);
	g_autofree char *root = g_strdup("/tmp/vct-XXXXXX");
	g_autofree char *xml = NULL;
	g_autofree char *xml_path = NULL;
	g_autofree char *cmd = NULL;
	g_autoptr(GRegex) vcpu = g_regex_new("(<vcpu\\b[^>]*>)[0-9]+(</vcpu>)", 0, 0, NULL);
	g_autofree char *one = NULL;
	GPid script = 0;
	struct link l = { .rfd = -1, .wfd = -1 };
	struct stats s = { g_array_new(FALSE, FALSE, sizeof(gint64)), 0 };
	int rc = 1;

	l.ex = expect_new();
	l.fresh = g_byte_array_new();
	if (!env || !g_mkdtemp(root) || !virt_embed_prepare(root, &error)) {
		fprintf(stderr, "console-latency: %s\n", error ? error->message : g_strerror(errno));
		goto out;
	}
	if (!g_file_get_contents(g_hash_table_lookup(env, "TESTBED_XML"), &xml, NULL, &error)) {
		fprintf(stderr, "console-latency: %s\n", error->message);
		goto out;
	}
	{
		g_auto(GStrv) parts = g_strsplit(xml, "@NAME@", -1);
		g_autofree char *named = g_strjoinv("vct-virsh", parts);

		one = g_regex_replace(vcpu, named, -1, 0, "\\g<1>1\\g<2>", 0, NULL);
	}
	xml_path = g_build_filename(root, "domain.xml", NULL);
	if (!one || !g_file_set_contents(xml_path, one, -1, &error)) {
		fprintf(stderr, "console-latency: cannot write %s\n", xml_path);
		goto out;
	}
	cmd = g_strdup_printf("virsh -q -c 'qemu:///embed?root=%s' 'create %s; console vct-virsh; destroy vct-virsh'",
			      root, xml_path);
	{
		const char *argv[] = { "script", "-qfec", cmd, "/dev/null", NULL };

		if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
					      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
					      NULL, NULL, &script, &l.wfd, &l.rfd, NULL, &error)) {
			fprintf(stderr, "console-latency: script: %s\n", error->message);
			goto out;
		}
	}
	if (!wait_prompt(&l, g_hash_table_lookup(env, "TESTBED_PROMPT"), BOOT_TIMEOUT_US)) {
		g_autofree char *tail = expect_tail(l.ex, 5);

		fprintf(stderr, "console-latency: no prompt through virsh console; last output:\n%s\n", tail);
		goto out;
	}
	measure(&l, n, &s);
	report("virsh", &s);
	rc = 0;
out:
	if (script > 0) {
		int status;
		gint64 until = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

		/* Ctrl-] alone in one read leaves the console; virsh then destroys the guest and exits */
		while (waitpid(script, &status, WNOHANG) == 0 && g_get_monotonic_time() < until) {
			while (link_pump(&l, g_get_monotonic_time() + 300000))
				;
			link_send(&l, "\035", 1);
			link_pump(&l, g_get_monotonic_time() + 2000000);
		}
		if (waitpid(script, &status, WNOHANG) == 0) {
			g_autofree char *tail = expect_tail(l.ex, 3);

			fprintf(stderr, "console-latency: virsh did not leave the console; last output:\n%s\n", tail);
			stop_child(script);
		}
	}
	if (l.rfd >= 0)
		close(l.rfd);
	if (l.wfd >= 0)
		close(l.wfd);
	if (root[strlen(root) - 1] != 'X') {
		kill_leftovers(root);
		remove_tree(root);
	}
	expect_free(l.ex);
	g_byte_array_unref(l.fresh);
	g_array_unref(s.us);
	return rc;
}

int main(int argc, char **argv)
{
	guint n = 200;
	const char *which = "vconsole,virsh,socat,raw";
	const char *why;
	int rc = 0;
	g_auto(GStrv) list = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = (guint)g_ascii_strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			which = argv[++i];
		else {
			fprintf(stderr, "usage: console-latency [-n SAMPLES] [--only vconsole,virsh,socat,raw]\n");
			return 2;
		}
	}
	why = tb_guest_skip_reason();
	if (why) {
		fprintf(stderr, "console-latency: %s\n", why);
		return 77;
	}
	list = g_strsplit(which, ",", -1);
	for (guint i = 0; list[i]; i++) {
		if (strcmp(list[i], "vconsole") == 0)
			rc |= bench_vconsole(n);
		else if (strcmp(list[i], "socat") == 0)
			rc |= bench_direct(n, TRUE);
		else if (strcmp(list[i], "raw") == 0)
			rc |= bench_direct(n, FALSE);
		else if (strcmp(list[i], "virsh") == 0)
			rc |= bench_virsh(n);
		else
			fprintf(stderr, "console-latency: unknown measurement '%s'\n", list[i]);
	}
	return rc;
}
