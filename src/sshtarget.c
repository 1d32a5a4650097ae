/* sshtarget.c - a suite machine's ssh:, identity:, password: and known-hosts: resolved into ssh_options. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "sshtarget.h"
#include "suite.h"
#include "vars.h"

char *ssh_target_file(struct vars *vars, const char *base_dir, const char *text, GError **error)
{
	g_autofree char *path = vars_expand(vars, text, VARS_RAW, error);

	if (!path)
		return NULL;
	if (g_str_has_prefix(path, "~/"))
		return g_build_filename(g_get_home_dir(), path + 2, NULL);
	if (!g_path_is_absolute(path))
		return g_build_filename(base_dir, path, NULL);
	return g_steal_pointer(&path);
}

struct ssh_target *ssh_target_resolve(const struct suite_machine *m, struct vars *vars, const char *base_dir,
				      GError **error)
{
	g_autofree char *spec = NULL;
	struct ssh_target *t;

	if (!m->ssh) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "machine '%s' has no ssh:", m->name);
		return NULL;
	}
	spec = vars_expand(vars, m->ssh, VARS_RAW, error);
	if (!spec)
		return NULL;
	t = g_new0(struct ssh_target, 1);
	t->port = 22;
	if (!vars_ssh_split(spec, &t->user, &t->host, &t->port)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "machine '%s': ssh '%s' is not user@host[:port]", m->name, spec);
		ssh_target_free(t);
		return NULL;
	}
	if ((m->identity && !(t->identity = ssh_target_file(vars, base_dir, m->identity, error))) ||
	    (m->password && !(t->password = vars_expand(vars, m->password, VARS_RAW, error))) ||
	    (m->known_hosts && !(t->known_hosts = ssh_target_file(vars, base_dir, m->known_hosts, error)))) {
		ssh_target_free(t);
		return NULL;
	}
	t->options.user = t->user;
	t->options.host = t->host;
	t->options.port = t->port;
	t->options.identity = t->identity;
	t->options.password = t->password;
	t->options.known_hosts = t->known_hosts;
	return t;
}

void ssh_target_free(struct ssh_target *t)
{
	if (!t)
		return;
	if (t->password)
		memset(t->password, 0, strlen(t->password));
	g_free(t->user);
	g_free(t->host);
	g_free(t->identity);
	g_free(t->password);
	g_free(t->known_hosts);
	g_free(t);
}
