/* actions_testbed.c - test helpers for actions and migmon: the testbed guest under the embedded QEMU driver. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "actions_testbed.h"
#include "virt.h"

/* A value of testbed.env (NAME='value' lines). */
static char *env_value(const char *env, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(env, "\n", -1);
	g_autofree char *prefix = g_strdup_printf("%s=", key);

	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, prefix)) {
			return g_shell_unquote(*l + strlen(prefix), NULL);
		}
	}
	return NULL;
}

char *atb_guest_xml(const char *name, char **why)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
	g_autofree char *mkguest = g_build_filename(top ? top : ".", "tools", "mkguest", NULL);
	g_autofree char *dir = NULL, *env = NULL, *xml_path = NULL, *xml = NULL, *err = NULL;
	const char *argv_build[] = { mkguest, "--quiet", NULL };
	const char *argv_dir[] = { mkguest, "--print-dir", NULL };
	int status = 0;
	GString *out;

	if (!qemu) {
		*why = g_strdup("qemu-system-x86_64 is not installed");
		return NULL;
	}
	if (!g_spawn_sync(NULL, (char **)argv_build, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		*why = g_strdup_printf("tools/mkguest could not build the testbed guest: %s", err ? g_strstrip(err) : "");
		return NULL;
	}
	if (!g_spawn_sync(NULL, (char **)argv_dir, NULL, G_SPAWN_DEFAULT, NULL, NULL, &dir, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL) || !dir) {
		*why = g_strdup("tools/mkguest --print-dir failed");
		return NULL;
	}
	g_strstrip(dir);
	{
		g_autofree char *env_path = g_build_filename(dir, "testbed.env", NULL);

		if (!g_file_get_contents(env_path, &env, NULL, NULL)) {
			*why = g_strdup_printf("cannot read %s", env_path);
			return NULL;
		}
	}
	xml_path = env_value(env, "TESTBED_XML");
	if (!xml_path || !g_file_get_contents(xml_path, &xml, NULL, NULL)) {
		*why = g_strdup_printf("cannot read the testbed's TESTBED_XML (%s)", xml_path ? xml_path : "unset");
		return NULL;
	}
	out = g_string_new(xml);
	g_string_replace(out, "@NAME@", name, 0);
	return g_string_free(out, FALSE);
}

virConnectPtr atb_open_embed(char **root, GError **error)
{
	g_autofree char *uri = NULL;
	virConnectPtr conn;

	virt_init();
	*root = g_dir_make_tmp("vcact.XXXXXX", error);
	if (!*root)
		return NULL;
	if (!virt_embed_prepare(*root, error))
		return NULL;
	uri = g_strdup_printf("qemu:///embed?root=%s", *root);
	conn = virConnectOpen(uri);
	if (!conn)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot open %s: %s", uri, virGetLastErrorMessage());
	return conn;
}

void atb_rmdir(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };

	if (dir && g_str_has_prefix(dir, g_get_tmp_dir()))
		g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The reply, or NULL with libvirt's message in *why. */
static char *agent_command(virConnectPtr conn, const char *name, const char *json, int timeout_s, char **why)
{
	virDomainPtr dom = virDomainLookupByName(conn, name);
	char *reply, *out;

	if (!dom) {
		*why = g_strdup(virGetLastErrorMessage());
		return NULL;
	}
	reply = virDomainQemuAgentCommand(dom, json, timeout_s, 0);
	if (!reply)
		*why = g_strdup(virGetLastErrorMessage());
	virDomainFree(dom);
	out = g_strdup(reply);
	free(reply);
	return out;
}

char *atb_agent(virConnectPtr conn, const char *name, const char *json, int timeout_s)
{
	g_autofree char *why = NULL;

	return agent_command(conn, name, json, timeout_s, &why);
}

gboolean atb_wait_agent(virConnectPtr conn, const char *name, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	g_autofree char *last = NULL;

	while (g_get_monotonic_time() < end) {
		g_autofree char *why = NULL;
		g_autofree char *reply = agent_command(conn, name, "{\"execute\":\"guest-ping\"}", 2, &why);

		if (reply && strstr(reply, "\"return\""))
			return TRUE;
		g_free(last);
		last = g_strdup(reply ? reply : why);
		for (int i = 0; i < 25; i++) {
			g_main_context_iteration(NULL, FALSE);
			g_usleep(10000);
		}
	}
	fprintf(stderr, "# %s: no guest-ping answer in %u ms: %s\n", name, timeout_ms, last ? last : "");
	return FALSE;
}

int atb_exec(virConnectPtr conn, const char *name, int timeout_s, const char *path, ...)
{
	g_autoptr(GString) cmd = g_string_new("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"");
	g_autofree char *reply = NULL;
	const char *p, *a;
	gint64 pid, end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
	va_list ap;
	gboolean first = TRUE;

	g_string_append_printf(cmd, "%s\",\"arg\":[", path);
	va_start(ap, path);
	while ((a = va_arg(ap, const char *)) != NULL) {
		g_string_append_printf(cmd, "%s\"%s\"", first ? "" : ",", a);
		first = FALSE;
	}
	va_end(ap);
	g_string_append(cmd, "],\"capture-output\":true}}");
	reply = atb_agent(conn, name, cmd->str, 10);
	if (!reply || !(p = strstr(reply, "\"pid\":"))) {
		fprintf(stderr, "# guest-exec %s: %s\n", path, reply ? reply : virGetLastErrorMessage());
		return -1;
	}
	pid = g_ascii_strtoll(p + 6, NULL, 10);
	while (g_get_monotonic_time() < end) {
		g_autofree char *st_cmd = g_strdup_printf(
			"{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%" G_GINT64_FORMAT "}}", pid);
		g_autofree char *st = atb_agent(conn, name, st_cmd, 10);

		if (st && strstr(st, "\"exited\":true")) {
			fprintf(stderr, "# guest-exec %s: %s\n", path, st);
			p = strstr(st, "\"exitcode\":");
			return p ? (int)g_ascii_strtoll(p + 11, NULL, 10) : -1;
		}
		g_usleep(100000);
	}
	fprintf(stderr, "# guest-exec %s: still running after %d s\n", path, timeout_s);
	return -1;
}

void atb_cleanup(virConnectPtr conn, const char *name)
{
	virDomainPtr dom;

	if (!conn)
		return;
	dom = virDomainLookupByName(conn, name);
	if (!dom)
		return;
	virDomainDestroy(dom);
	virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
	virDomainFree(dom);
}

int atb_state(virConnectPtr conn, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(conn, name);
	int state = -1, reason;

	if (!dom)
		return -1;
	if (virDomainGetState(dom, &state, &reason, 0) < 0)
		state = -1;
	virDomainFree(dom);
	return state;
}

struct atb_result {
	gboolean done;
	char *text;
	GError *error;
};

static void run_done(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer data)
{
	struct atb_result *r = data;

	r->text = action_run_finish(res, &r->error);
	r->done = TRUE;
}

char *atb_run_spec(virConnectPtr conn, const struct action_spec *spec, GError **error)
{
	struct atb_result r = { 0 };

	action_run_async(conn, spec, NULL, run_done, &r);
	while (!r.done)
		g_main_context_iteration(NULL, TRUE);
	if (r.error)
		g_propagate_error(error, r.error);
	return r.text;
}

char *atb_run(virConnectPtr conn, const char *action, const char *domain, GError **error, ...)
{
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = action, .domain = domain, .opts = opts, .timeout_ms = 60000 };
	const char *k;
	va_list ap;

	va_start(ap, error);
	while ((k = va_arg(ap, const char *)) != NULL)
		g_hash_table_insert(opts, (gpointer)k, va_arg(ap, char *));
	va_end(ap);
	return atb_run_spec(conn, &spec, error);
}
