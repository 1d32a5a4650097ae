/* testbed_guest.c - integration-test helper: boot the local testbed guest under libvirt's embedded QEMU driver. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "agent.h"
#include "testbed_guest.h"
#include "virt.h"

static const char *top_srcdir(void)
{
	const char *t = g_getenv("top_srcdir");

	return t && *t ? t : ".";
}

/* Runs tools/mkguest with one argument; *out gets its stdout. Returns its exit status, or -1
 * when it could not run. */
static int run_mkguest(const char *arg, char **out, char **err)
{
	g_autofree char *mkguest = g_build_filename(top_srcdir(), "tools", "mkguest", NULL);
	const char *argv[] = { mkguest, arg, NULL };
	int status = 0;
	g_autoptr(GError) error = NULL;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error)) {
		if (err)
			*err = g_strdup(error->message);
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

/* libvirt logs its version and "tainted" warnings to stderr once a driver runs in the process:
 * keep errors only, unless the caller asked for more. Before libvirt initialises. */
static void quiet_libvirt(void)
{
	g_setenv("LIBVIRT_LOG_OUTPUTS", "4:stderr", FALSE);
}

const char *tb_guest_skip_reason(void)
{
	g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
	int rc;

	quiet_libvirt();
	if (!qemu)
		return "qemu-system-x86_64 is not installed (package qemu-system-x86): the testbed guest cannot run";
	rc = run_mkguest("--quiet", NULL, NULL);
	if (rc == 3)
		return "tools/mkguest cannot download the guest's Debian packages (no network or no apt lists)";
	return NULL;
}

static GHashTable *read_env(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *env;

	if (!g_file_get_contents(path, &text, NULL, error))
		return NULL;
	env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		const char *line = lines[i];
		const char *eq = strchr(line, '=');
		char *value;

		if (line[0] == '#' || !eq || eq == line)
			continue;
		value = g_shell_unquote(eq + 1, NULL);
		if (value)
			g_hash_table_insert(env, g_strndup(line, (gsize)(eq - line)), value);
	}
	return env;
}

/* Removes path and everything below it, without following symbolic links. */
static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		GDir *dir = g_dir_open(path, 0, NULL);
		const char *name;

		while (dir && (name = g_dir_read_name(dir))) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			remove_tree(child);
		}
		if (dir)
			g_dir_close(dir);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

const char *tb_guest_env(const struct tb_guest *tb, const char *key)
{
	return g_hash_table_lookup(tb->env, key);
}

static char *domain_xml(const char *template_path, const char *name, guint vcpus, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *named = NULL;
	g_autoptr(GRegex) re = NULL;
	g_auto(GStrv) parts = NULL;
	g_autofree char *repl = NULL;

	if (!g_file_get_contents(template_path, &text, NULL, error))
		return NULL;
	parts = g_strsplit(text, "@NAME@", -1);
	named = g_strjoinv(name, parts);
	if (!vcpus)
		return g_steal_pointer(&named);
	re = g_regex_new("(<vcpu\\b[^>]*>)[0-9]+(</vcpu>)", 0, 0, error);
	if (!re)
		return NULL;
	repl = g_strdup_printf("\\g<1>%u\\g<2>", vcpus);
	return g_regex_replace(re, named, -1, 0, repl, 0, error);
}

/* Guests not destroyed yet: a test that failed half-way (cmocka jumps out of it) leaves its
 * guest to the exit handler rather than running under TCG until someone notices. */
static GSList *live_guests;
static gboolean exit_handler_set;

static void destroy_leftovers(void)
{
	while (live_guests)
		tb_guest_destroy(live_guests->data);
}

static void set_virt_error(GError **error, const char *what)
{
	const char *msg = virGetLastErrorMessage();

	g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: %s", what, msg && *msg ? msg : "unknown libvirt error");
	virResetLastError();
}

struct tb_guest *tb_guest_boot(const char *name, guint vcpus, GError **error)
{
	struct tb_guest *tb;
	g_autofree char *out = NULL;
	g_autofree char *err = NULL;
	g_autofree char *env_path = NULL;
	g_autofree char *xml = NULL;
	g_autofree char *root = g_strdup("/tmp/vct-XXXXXX");
	const char *xml_path;
	virDomainPtr dom;
	int rc;

	quiet_libvirt();
	rc = run_mkguest("--quiet", NULL, &err);
	if (rc != 0) {
		g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s/tools/mkguest --quiet failed (exit %d): %s",
			    top_srcdir(), rc, err ? g_strstrip(err) : "");
		return NULL;
	}
	g_clear_pointer(&err, g_free);
	rc = run_mkguest("--print-dir", &out, &err);
	if (rc != 0 || !out) {
		g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s/tools/mkguest --print-dir failed (exit %d)",
			    top_srcdir(), rc);
		return NULL;
	}
	env_path = g_build_filename(g_strstrip(out), "testbed.env", NULL);
	if (!g_mkdtemp(root)) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s", root,
			    g_strerror(errno));
		return NULL;
	}
	tb = g_new0(struct tb_guest, 1);
	if (!exit_handler_set)
		exit_handler_set = atexit(destroy_leftovers) == 0;
	live_guests = g_slist_prepend(live_guests, tb);
	tb->root = g_steal_pointer(&root);
	tb->name = g_strdup(name);
	tb->env = read_env(env_path, error);
	if (!tb->env)
		goto fail;
	tb->kver = tb_guest_env(tb, "TESTBED_KVER");
	tb->prompt = tb_guest_env(tb, "TESTBED_PROMPT");
	tb->banner = tb_guest_env(tb, "TESTBED_BANNER");
	xml_path = tb_guest_env(tb, "TESTBED_XML");
	if (!tb->kver || !tb->prompt || !tb->banner || !xml_path) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s lacks TESTBED_KVER, TESTBED_PROMPT, TESTBED_BANNER or TESTBED_XML", env_path);
		goto fail;
	}
	xml = domain_xml(xml_path, name, vcpus, error);
	if (!xml)
		goto fail;
	virt_init();
	if (!virt_embed_prepare(tb->root, error))
		goto fail;
	tb->uri = g_strdup_printf("qemu:///embed?root=%s", tb->root);
	tb->conn = virConnectOpen(tb->uri);
	if (!tb->conn) {
		set_virt_error(error, tb->uri);
		goto fail;
	}
	dom = virDomainCreateXML(tb->conn, xml, 0);
	if (!dom) {
		g_autofree char *what = g_strdup_printf("%s: starting the testbed guest '%s'", tb->uri, name);

		set_virt_error(error, what);
		goto fail;
	}
	virDomainFree(dom);
	return tb;
fail:
	tb_guest_destroy(tb);
	return NULL;
}

gboolean tb_guest_wait_agent(struct tb_guest *tb, int timeout_s, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
	g_autoptr(GError) last = NULL;

	while (g_get_monotonic_time() < deadline) {
		g_clear_error(&last);
		if (agent_ping(tb->conn, tb->name, 2, &last))
			return TRUE;
		/* the agent is not up yet: let the loop run a little, then try again */
		for (int i = 0; i < 20; i++) {
			while (g_main_context_iteration(NULL, FALSE))
				;
			g_usleep(10000);
		}
	}
	g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: no guest agent within %d s: %s", tb->name, timeout_s,
		    last ? last->message : "timed out");
	return FALSE;
}

void tb_guest_destroy(struct tb_guest *tb)
{
	if (!tb)
		return;
	live_guests = g_slist_remove(live_guests, tb);
	if (tb->conn) {
		virDomainPtr dom = virDomainLookupByName(tb->conn, tb->name);

		if (dom) {
			if (virDomainIsActive(dom) == 1)
				virDomainDestroy(dom);
			virDomainFree(dom);
		}
		virResetLastError();
		virConnectClose(tb->conn);
	}
	if (tb->root)
		remove_tree(tb->root);
	if (tb->env)
		g_hash_table_unref(tb->env);
	g_free(tb->root);
	g_free(tb->uri);
	g_free(tb->name);
	g_free(tb);
}
