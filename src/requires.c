/* requires.c - checks a suite's or step's requirements: commands, files, modules, libvirt, machines. */
#include "config.h"

#include "requires.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "suite.h"
#include "vars.h"

/* Where loaded modules are listed. The environment variable replaces it, for tests only
 * (then /sys/module is not consulted either). */
#define REQUIRES_PROC_MODULES "/proc/modules"
#define REQUIRES_PROC_MODULES_ENV "VIRTCON_PROC_MODULES"
#define REQUIRES_MODULES_MAX_BYTES (4u * 1024u * 1024u)
#define REQUIRES_SSH_TIMEOUT_S 3
#define REQUIRES_SSH_PORT 22

enum version_op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ };

/* A machine as the worker thread needs it (copied and expanded: no sharing with the caller). */
struct req_machine {
	char *name;
	gboolean declared;
	gboolean local;
	char *domain;
	char *uri;
	char *ssh;
};

/* Everything a check needs, owned by the check (it may run on a worker thread). */
struct req_job {
	GPtrArray *commands;
	GPtrArray *files;
	GPtrArray *modules;
	char *libvirt;
	GPtrArray *machines; /* struct req_machine * */
	char *modules_path;
	gboolean modules_overridden;
};

static void req_machine_free(gpointer data)
{
	struct req_machine *m = data;

	g_free(m->name);
	g_free(m->domain);
	g_free(m->uri);
	g_free(m->ssh);
	g_free(m);
}

static void req_job_free(gpointer data)
{
	struct req_job *job = data;

	if (job == NULL)
		return;
	g_ptr_array_unref(job->commands);
	g_ptr_array_unref(job->files);
	g_ptr_array_unref(job->modules);
	g_free(job->libvirt);
	g_ptr_array_unref(job->machines);
	g_free(job->modules_path);
	g_free(job);
}

/* Expands ${...} references as written (VARS_RAW); without vars, text is taken as is. */
static char *expand(const struct vars *vars, const char *text, GError **error)
{
	if (text == NULL)
		return NULL;
	if (vars == NULL)
		return g_strdup(text);
	return vars_expand(vars, text, VARS_RAW, error);
}

static gboolean expand_all(const struct vars *vars, const GPtrArray *in, GPtrArray *out, const char *what,
			   GError **error)
{
	if (in == NULL)
		return TRUE;
	for (guint i = 0; i < in->len; i++) {
		char *s = expand(vars, g_ptr_array_index(in, i), error);

		if (s == NULL) {
			g_prefix_error(error, "requires: %s '%s': ", what, (const char *)g_ptr_array_index(in, i));
			return FALSE;
		}
		g_ptr_array_add(out, s);
	}
	return TRUE;
}

static const struct suite_machine *find_machine(const struct suite *suite, const char *name)
{
	if (suite == NULL || suite->machines == NULL)
		return NULL;
	for (guint i = 0; i < suite->machines->len; i++) {
		const struct suite_machine *m = g_ptr_array_index(suite->machines, i);

		if (m->name != NULL && strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

static struct req_machine *machine_copy(const struct suite *suite, const char *name, const struct vars *vars,
					const char *default_uri, GError **error)
{
	const struct suite_machine *sm = find_machine(suite, name);
	struct req_machine *m = g_new0(struct req_machine, 1);

	m->name = g_strdup(name);
	if (sm == NULL) {
		/* "host" always exists, declared or not. */
		m->declared = strcmp(name, "host") == 0;
		m->local = m->declared;
		return m;
	}
	m->declared = TRUE;
	m->local = sm->local;
	if ((sm->domain != NULL && (m->domain = expand(vars, sm->domain, error)) == NULL) ||
	    (sm->uri != NULL && (m->uri = expand(vars, sm->uri, error)) == NULL) ||
	    (sm->ssh != NULL && (m->ssh = expand(vars, sm->ssh, error)) == NULL)) {
		g_prefix_error(error, "requires: machine '%s': ", name);
		req_machine_free(m);
		return NULL;
	}
	if (m->uri == NULL && default_uri != NULL)
		m->uri = g_strdup(default_uri);
	return m;
}

static gboolean parse_constraint(const char *constraint, enum version_op *op, unsigned long *version,
				 GError **error)
{
	const char *p = constraint;
	unsigned long parts[3] = { 0, 0, 0 };
	guint nparts = 0;

	if (p == NULL)
		goto malformed;
	while (g_ascii_isspace(*p))
		p++;
	if (g_str_has_prefix(p, ">=")) {
		*op = OP_GE;
		p += 2;
	} else if (g_str_has_prefix(p, "<=")) {
		*op = OP_LE;
		p += 2;
	} else if (g_str_has_prefix(p, "==")) {
		*op = OP_EQ;
		p += 2;
	} else if (*p == '>') {
		*op = OP_GT;
		p++;
	} else if (*p == '<') {
		*op = OP_LT;
		p++;
	} else if (*p == '=') {
		*op = OP_EQ;
		p++;
	} else {
		*op = OP_GE;
	}
	while (g_ascii_isspace(*p))
		p++;
	for (;;) {
		unsigned long value = 0;
		guint digits = 0;

		while (g_ascii_isdigit(*p)) {
			value = value * 10 + (unsigned long)(*p - '0');
			if (++digits > 6)
				goto malformed;
			p++;
		}
		if (digits == 0)
			goto malformed;
		/* minor and micro are encoded in three digits each */
		if (nparts > 0 && value > 999)
			goto malformed;
		parts[nparts++] = value;
		if (*p != '.')
			break;
		if (nparts == 3)
			goto malformed;
		p++;
	}
	while (g_ascii_isspace(*p))
		p++;
	if (*p != '\0')
		goto malformed;
	*version = parts[0] * 1000000ul + parts[1] * 1000ul + parts[2];
	return TRUE;

malformed:
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "malformed version constraint '%s': expected an optional operator (>=, >, <=, <, ==) "
		    "and a version of one to three numbers such as 9.0 or >= 0.9.8",
		    constraint != NULL ? constraint : "");
	return FALSE;
}

gboolean requires_version_ok(const char *constraint, unsigned long version, gboolean *ok, GError **error)
{
	enum version_op op;
	unsigned long want;

	if (!parse_constraint(constraint, &op, &want, error))
		return FALSE;
	switch (op) {
	case OP_GE: *ok = version >= want; break;
	case OP_GT: *ok = version > want; break;
	case OP_LE: *ok = version <= want; break;
	case OP_LT: *ok = version < want; break;
	case OP_EQ: *ok = version == want; break;
	default: *ok = FALSE; break;
	}
	return TRUE;
}

static struct req_job *job_new(const struct suite *suite, const struct suite_requires *req,
			       const struct vars *vars, GError **error)
{
	struct req_job *job = g_new0(struct req_job, 1);
	const char *override = g_getenv(REQUIRES_PROC_MODULES_ENV);

	job->commands = g_ptr_array_new_with_free_func(g_free);
	job->files = g_ptr_array_new_with_free_func(g_free);
	job->modules = g_ptr_array_new_with_free_func(g_free);
	job->machines = g_ptr_array_new_with_free_func(req_machine_free);
	job->modules_overridden = override != NULL && *override != '\0';
	job->modules_path = g_strdup(job->modules_overridden ? override : REQUIRES_PROC_MODULES);
	if (req == NULL)
		return job;
	if (!expand_all(vars, req->commands, job->commands, "command", error) ||
	    !expand_all(vars, req->files, job->files, "file", error) ||
	    !expand_all(vars, req->modules, job->modules, "module", error))
		goto fail;
	if (req->libvirt != NULL) {
		enum version_op op;
		unsigned long v;

		job->libvirt = expand(vars, req->libvirt, error);
		if (job->libvirt == NULL) {
			g_prefix_error(error, "requires: libvirt '%s': ", req->libvirt);
			goto fail;
		}
		if (!parse_constraint(job->libvirt, &op, &v, error)) {
			g_prefix_error(error, "requires: libvirt: ");
			goto fail;
		}
	}
	for (guint i = 0; req->machines != NULL && i < req->machines->len; i++) {
		struct req_machine *m = machine_copy(suite, g_ptr_array_index(req->machines, i), vars, req->default_uri,
							     error);

		if (m == NULL)
			goto fail;
		g_ptr_array_add(job->machines, m);
	}
	return job;

fail:
	req_job_free(job);
	return NULL;
}

static void check_commands(const struct req_job *job, GPtrArray *reasons)
{
	for (guint i = 0; i < job->commands->len; i++) {
		const char *name = g_ptr_array_index(job->commands, i);
		g_autofree char *path = g_find_program_in_path(name);

		if (path == NULL)
			g_ptr_array_add(reasons, g_strdup_printf("command '%s' is not on PATH", name));
	}
}

static void check_files(const struct req_job *job, GPtrArray *reasons)
{
	for (guint i = 0; i < job->files->len; i++) {
		const char *name = g_ptr_array_index(job->files, i);

		if (!g_file_test(name, G_FILE_TEST_EXISTS))
			g_ptr_array_add(reasons, g_strdup_printf("file '%s' does not exist", name));
	}
}

/* Module names as the kernel compares them: '-' and '_' are the same. */
static char *module_key(const char *name)
{
	char *key = g_strdup(name);

	g_strdelimit(key, "-", '_');
	return key;
}

static void check_modules(const struct req_job *job, GPtrArray *reasons)
{
	g_autoptr(GHashTable) loaded = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;
	char **lines;

	if (job->modules->len == 0)
		return;
	if (!g_file_get_contents(job->modules_path, &text, &len, &error)) {
		g_ptr_array_add(reasons, g_strdup_printf("kernel modules cannot be checked: %s", error->message));
		return;
	}
	if (len > REQUIRES_MODULES_MAX_BYTES)
		text[REQUIRES_MODULES_MAX_BYTES] = '\0';
	loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		gsize n = strcspn(*l, " \t");

		if (n > 0) {
			(*l)[n] = '\0';
			g_hash_table_add(loaded, module_key(*l));
		}
	}
	g_strfreev(lines);
	for (guint i = 0; i < job->modules->len; i++) {
		const char *name = g_ptr_array_index(job->modules, i);
		g_autofree char *key = module_key(name);
		g_autofree char *sys = NULL;

		if (g_hash_table_contains(loaded, key))
			continue;
		/* Built into the kernel: not in /proc/modules but in /sys/module. */
		sys = g_build_filename("/sys/module", key, NULL);
		if (!job->modules_overridden && strchr(key, '/') == NULL && key[0] != '.' &&
		    g_file_test(sys, G_FILE_TEST_IS_DIR))
			continue;
		g_ptr_array_add(reasons, g_strdup_printf("kernel module '%s' is not loaded", name));
	}
}

static void ignore_libvirt_error(void *user_data, virErrorPtr error)
{
	(void)user_data;
	(void)error;
}

static const char *libvirt_message(void)
{
	const char *msg = virGetLastErrorMessage();

	return msg != NULL ? msg : "unknown libvirt error";
}

static void check_libvirt(const struct req_job *job, GPtrArray *reasons)
{
	unsigned long version = 0;
	gboolean ok = FALSE;
	g_autoptr(GError) error = NULL;
	enum version_op op = OP_GE;
	unsigned long want = 0;
	g_autofree char *shown = NULL;

	if (job->libvirt == NULL)
		return;
	if (virGetVersion(&version, NULL, NULL) < 0) {
		g_ptr_array_add(reasons, g_strdup_printf("the libvirt version cannot be determined: %s",
							 libvirt_message()));
		return;
	}
	if (!requires_version_ok(job->libvirt, version, &ok, &error)) {
		g_ptr_array_add(reasons, g_strdup(error->message));
		return;
	}
	if (ok)
		return;
	parse_constraint(job->libvirt, &op, &want, NULL);
	shown = g_strstrip(g_strdup(job->libvirt));
	g_ptr_array_add(reasons, g_strdup_printf("libvirt %lu.%lu.%lu is %s the required %s", version / 1000000,
						 (version / 1000) % 1000, version % 1000,
						 op == OP_GE   ? "older than"
						 : op == OP_GT ? "not newer than"
						 : op == OP_LE ? "newer than"
						 : op == OP_LT ? "not older than"
							       : "not",
						 shown));
}

/* NULL when the domain runs; else the reason. */
static char *check_domain(const struct req_machine *m)
{
	virConnectPtr conn;
	virDomainPtr dom;
	char *uri = NULL;
	char *reason = NULL;
	int state = VIR_DOMAIN_NOSTATE, why = 0;

	conn = virConnectOpenReadOnly(m->uri);
	if (conn == NULL)
		return g_strdup_printf("machine '%s': cannot connect to libvirt at %s: %s", m->name,
				       m->uri != NULL ? m->uri : "its default URI", libvirt_message());
	uri = m->uri != NULL ? strdup(m->uri) : virConnectGetURI(conn);
	dom = virDomainLookupByName(conn, m->domain);
	if (dom == NULL) {
		virErrorPtr err = virGetLastError();

		if (err != NULL && err->code == VIR_ERR_NO_DOMAIN)
			reason = g_strdup_printf("machine '%s': domain '%s' not found at %s", m->name, m->domain,
						 uri != NULL ? uri : "the default URI");
		else
			reason = g_strdup_printf("machine '%s': cannot look up domain '%s' at %s: %s", m->name,
						 m->domain, uri != NULL ? uri : "the default URI", libvirt_message());
	} else if (virDomainGetState(dom, &state, &why, 0) < 0) {
		reason = g_strdup_printf("machine '%s': cannot get the state of domain '%s' at %s: %s", m->name,
					 m->domain, uri != NULL ? uri : "the default URI", libvirt_message());
	} else if (state != VIR_DOMAIN_RUNNING) {
		static const char *const names[] = {
			"no state", "running", "blocked", "paused", "shutting down", "shut off", "crashed",
			"suspended by power management",
		};
		const char *name = state >= 0 && (gsize)state < G_N_ELEMENTS(names) ? names[state] : "unknown";

		reason = g_strdup_printf("machine '%s': domain '%s' at %s is not running (%s)", m->name, m->domain,
					 uri != NULL ? uri : "the default URI", name);
	}
	if (dom != NULL)
		virDomainFree(dom);
	virConnectClose(conn);
	free(uri);
	return reason;
}

/* NULL when host:port of the ssh address accepts a TCP connection; else the reason.
 * A cancellation sets error and returns NULL. */
static char *check_ssh(const struct req_machine *m, GCancellable *cancellable, GError **error)
{
	const char *at = strrchr(m->ssh, '@');
	const char *hostport = at != NULL ? at + 1 : m->ssh;
	g_autofree char *user = at != NULL ? g_strndup(m->ssh, (gsize)(at - m->ssh)) : NULL;
	g_autoptr(GSocketConnectable) addr = NULL;
	g_autoptr(GSocketClient) client = NULL;
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *shown = NULL;
	const char *host;
	guint16 port;

	addr = g_network_address_parse(hostport, REQUIRES_SSH_PORT, &local);
	if (addr == NULL)
		return g_strdup_printf("machine '%s' has a malformed ssh address '%s': %s", m->name, m->ssh,
				       local->message);
	host = g_network_address_get_hostname(G_NETWORK_ADDRESS(addr));
	port = g_network_address_get_port(G_NETWORK_ADDRESS(addr));
	shown = g_strdup_printf("%s%s%s%s%s:%u", user != NULL ? user : "", user != NULL ? "@" : "",
				strchr(host, ':') != NULL ? "[" : "", host, strchr(host, ':') != NULL ? "]" : "",
				port);
	client = g_socket_client_new();
	g_socket_client_set_timeout(client, REQUIRES_SSH_TIMEOUT_S);
	conn = g_socket_client_connect(client, addr, cancellable, &local);
	if (conn != NULL) {
		g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
		return NULL;
	}
	if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	return g_strdup_printf("machine '%s' (%s) is not reachable: %s", m->name, shown, local->message);
}

static gboolean check_machines(const struct req_job *job, GPtrArray *reasons, GCancellable *cancellable,
			       GError **error)
{
	for (guint i = 0; i < job->machines->len; i++) {
		const struct req_machine *m = g_ptr_array_index(job->machines, i);
		char *reason = NULL;

		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		if (!m->declared) {
			reason = g_strdup_printf("machine '%s' is not defined in the suite", m->name);
		} else if (m->local) {
			continue;
		} else if (m->domain == NULL && m->ssh == NULL) {
			reason = g_strdup_printf("machine '%s' has neither a domain nor an ssh address to reach it",
						 m->name);
		} else {
			if (m->domain != NULL)
				reason = check_domain(m);
			if (reason == NULL && m->ssh != NULL) {
				reason = check_ssh(m, cancellable, error);
				if (reason == NULL && error != NULL && *error != NULL)
					return FALSE;
			}
		}
		if (reason != NULL)
			g_ptr_array_add(reasons, reason);
	}
	return TRUE;
}

/* Runs every check; the joined reasons, or NULL when all are met (error set on cancellation). */
static char *job_run(const struct req_job *job, GCancellable *cancellable, GError **error)
{
	g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func(g_free);
	GError *local = NULL;

	if (job->libvirt != NULL || job->machines->len > 0) {
		/* libvirt prints every error to stderr by default: the reasons carry them instead.
		 * This handler is process-wide (libvirt has no per-thread one). */
		virInitialize();
		virSetErrorFunc(NULL, ignore_libvirt_error);
	}
	check_commands(job, reasons);
	check_files(job, reasons);
	check_modules(job, reasons);
	if (g_cancellable_set_error_if_cancelled(cancellable, error))
		return NULL;
	check_libvirt(job, reasons);
	if (!check_machines(job, reasons, cancellable, &local)) {
		if (local == NULL)
			g_set_error_literal(&local, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
		g_propagate_error(error, local);
		return NULL;
	}
	if (reasons->len == 0)
		return NULL;
	g_ptr_array_add(reasons, NULL);
	return g_strjoinv("; ", (char **)reasons->pdata);
}

static void check_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	const struct req_job *job = task_data;
	GError *error = NULL;
	char *reason;

	(void)source;
	reason = job_run(job, cancellable, &error);
	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, reason, g_free);
}

void requires_check_async(const struct suite *suite, const struct suite_requires *req,
			  const struct vars *vars, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	GError *error = NULL;
	struct req_job *job;

	g_task_set_source_tag(task, requires_check_async);
	g_task_set_name(task, "requires_check_async");
	job = job_new(suite, req, vars, &error);
	if (job == NULL) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	g_task_set_task_data(task, job, req_job_free);
	g_task_run_in_thread(task, check_thread);
	g_object_unref(task);
}

char *requires_check_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == requires_check_async, NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

char *requires_check_sync(const struct suite *suite, const struct suite_requires *req,
			  const struct vars *vars, GCancellable *cancellable, GError **error)
{
	struct req_job *job = job_new(suite, req, vars, error);
	char *reason;

	if (job == NULL)
		return NULL;
	reason = job_run(job, cancellable, error);
	req_job_free(job);
	return reason;
}
