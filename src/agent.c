/* agent.c - commands and files in a guest through qemu-guest-agent (virDomainQemuAgentCommand). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "agent.h"
#include "virt.h"

#define AGENT_CALL_TIMEOUT_S 10   /* one agent command */
#define AGENT_POLL_MIN_MS 50
#define AGENT_POLL_MAX_MS 500
#define AGENT_READ_CHUNK (48 * 1024)

void agent_result_free(struct agent_result *result)
{
	if (!result)
		return;
	if (result->out)
		g_bytes_unref(result->out);
	if (result->err)
		g_bytes_unref(result->err);
	g_free(result);
}

/* Turns libvirt's last error into one that names the domain and says what to do. */
static void set_agent_error(GError **error, const char *domain, const char *command)
{
	virErrorPtr err = virGetLastError();
	const char *msg = err && err->message ? err->message : "unknown libvirt error";
	int code = err ? err->code : VIR_ERR_OK;

	switch (code) {
	case VIR_ERR_AGENT_UNRESPONSIVE:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED,
			    "%s: the guest agent is not connected or not responding (is qemu-guest-agent "
			    "running in the guest, with its virtio-serial channel?): %s", domain, msg);
		break;
	case VIR_ERR_NO_SUPPORT:
	case VIR_ERR_OPERATION_UNSUPPORTED:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED,
			    "%s: this libvirt driver has no guest agent commands (%s)", domain, msg);
		break;
	case VIR_ERR_NO_DOMAIN:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: no such domain: %s", domain, msg);
		break;
	case VIR_ERR_OPERATION_INVALID:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: %s (is the domain running?)", domain, msg);
		break;
	case VIR_ERR_OPERATION_TIMEOUT:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: the guest agent did not answer %s in time: %s",
			    domain, command, msg);
		break;
	default:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: guest agent command %s failed: %s", domain,
			    command, msg);
		break;
	}
	virResetLastError();
}

/* Sends {"execute": command, "arguments": args} (args taken, may be NULL) and returns the
 * parsed reply's "return" member, or NULL with an error naming the domain. */
static JsonNode *agent_call(virDomainPtr dom, const char *command, JsonObject *args, int timeout_s, GError **error)
{
	const char *domain = virDomainGetName(dom);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) req = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree char *text = NULL;
	g_autoptr(GError) perr = NULL;
	char *reply;
	JsonNode *root;
	JsonObject *obj;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "execute");
	json_builder_add_string_value(b, command);
	if (args) {
		JsonNode *n = json_node_new(JSON_NODE_OBJECT);

		json_node_take_object(n, args);
		json_builder_set_member_name(b, "arguments");
		json_builder_add_value(b, n);
	}
	json_builder_end_object(b);
	req = json_builder_get_root(b);
	text = json_to_string(req, FALSE);
	reply = virDomainQemuAgentCommand(dom, text, timeout_s, 0);
	if (!reply) {
		set_agent_error(error, domain, command);
		return NULL;
	}
	if (!json_parser_load_from_data(parser, reply, -1, &perr)) {
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: the guest agent's answer to %s is not JSON: %s",
			    domain, command, perr->message);
		free(reply);
		return NULL;
	}
	free(reply);
	root = json_parser_get_root(parser);
	obj = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	if (obj && json_object_has_member(obj, "error")) {
		JsonNode *e = json_object_get_member(obj, "error");
		const char *desc = NULL;

		if (JSON_NODE_HOLDS_OBJECT(e))
			desc = json_object_get_string_member_with_default(json_node_get_object(e), "desc", NULL);
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: the guest agent refused %s: %s", domain,
			    command, desc ? desc : "no reason given");
		return NULL;
	}
	if (!obj || !json_object_has_member(obj, "return")) {
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: the guest agent's answer to %s has no \"return\"",
			    domain, command);
		return NULL;
	}
	return json_node_copy(json_object_get_member(obj, "return"));
}

static virDomainPtr lookup(virConnectPtr conn, const char *domain, GError **error)
{
	virDomainPtr dom = virDomainLookupByName(conn, domain);

	if (!dom)
		set_agent_error(error, domain, "lookup");
	return dom;
}

static GBytes *decode_member(JsonObject *obj, const char *name)
{
	const char *b64 = json_object_get_string_member_with_default(obj, name, NULL);
	gsize len = 0;
	guchar *data;

	if (!b64 || !*b64)
		return g_bytes_new(NULL, 0);
	data = g_base64_decode(b64, &len);
	return g_bytes_new_take(data, len);
}

struct exec_job {
	virConnectPtr conn;
	char *domain;
	char *command;
	gint64 timeout_ms;
};

static void exec_job_free(gpointer p)
{
	struct exec_job *job = p;

	virConnectClose(job->conn);
	g_free(job->domain);
	g_free(job->command);
	g_free(job);
}

/* Sleeps ms, waking early when cancelled. */
static void nap(GCancellable *cancel, guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < until && !g_cancellable_is_cancelled(cancel))
		g_usleep(MIN(10000, (gulong)(until - g_get_monotonic_time()) + 1));
}

static struct agent_result *exec_run(struct exec_job *job, GCancellable *cancel, GError **error)
{
	g_autoptr(JsonNode) ret = NULL;
	JsonObject *args = json_object_new();
	JsonArray *argv = json_array_new();
	struct agent_result *result;
	gint64 pid;
	gint64 deadline;
	guint poll_ms = AGENT_POLL_MIN_MS;
	virDomainPtr dom = lookup(job->conn, job->domain, error);

	if (!dom) {
		json_object_unref(args);
		json_array_unref(argv);
		return NULL;
	}
	json_object_set_string_member(args, "path", "/bin/sh");
	json_array_add_string_element(argv, "-c");
	json_array_add_string_element(argv, job->command);
	json_object_set_array_member(args, "arg", argv);
	json_object_set_boolean_member(args, "capture-output", TRUE);
	ret = agent_call(dom, "guest-exec", args, AGENT_CALL_TIMEOUT_S, error);
	if (!ret) {
		virDomainFree(dom);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_OBJECT(ret) || !json_object_has_member(json_node_get_object(ret), "pid")) {
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: guest-exec answered without a pid", job->domain);
		virDomainFree(dom);
		return NULL;
	}
	pid = json_object_get_int_member(json_node_get_object(ret), "pid");
	deadline = g_get_monotonic_time() + job->timeout_ms * 1000;
	result = g_new0(struct agent_result, 1);
	for (;;) {
		g_autoptr(JsonNode) st = NULL;
		JsonObject *sargs = json_object_new();
		JsonObject *so;

		if (g_cancellable_set_error_if_cancelled(cancel, error))
			goto fail;
		json_object_set_int_member(sargs, "pid", pid);
		st = agent_call(dom, "guest-exec-status", sargs, AGENT_CALL_TIMEOUT_S, error);
		if (!st)
			goto fail;
		so = JSON_NODE_HOLDS_OBJECT(st) ? json_node_get_object(st) : NULL;
		if (so && json_object_get_boolean_member_with_default(so, "exited", FALSE)) {
			result->signal = (int)json_object_get_int_member_with_default(so, "signal", 0);
			result->exit_status = result->signal ? -1
							     : (int)json_object_get_int_member_with_default(so, "exitcode", -1);
			result->out = decode_member(so, "out-data");
			result->err = decode_member(so, "err-data");
			result->truncated = json_object_get_boolean_member_with_default(so, "out-truncated", FALSE) ||
					    json_object_get_boolean_member_with_default(so, "err-truncated", FALSE);
			break;
		}
		if (job->timeout_ms > 0 && g_get_monotonic_time() >= deadline) {
			/* the agent can't kill it: the process is left running */
			result->timed_out = TRUE;
			result->exit_status = -1;
			result->out = g_bytes_new(NULL, 0);
			result->err = g_bytes_new(NULL, 0);
			break;
		}
		if (job->timeout_ms > 0)
			poll_ms = (guint)MIN((gint64)poll_ms, MAX(1, (deadline - g_get_monotonic_time()) / 1000 + 1));
		nap(cancel, poll_ms);
		poll_ms = MIN(poll_ms * 2, AGENT_POLL_MAX_MS);
	}
	virDomainFree(dom);
	return result;
fail:
	virDomainFree(dom);
	agent_result_free(result);
	return NULL;
}

static void exec_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	GError *error = NULL;
	struct agent_result *result = exec_run(data, cancel, &error);

	if (result)
		g_task_return_pointer(task, result, (GDestroyNotify)agent_result_free);
	else
		g_task_return_error(task, error);
}

void agent_exec_async(virConnectPtr conn, const char *domain, const char *command, gint64 timeout_ms,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	struct exec_job *job = g_new0(struct exec_job, 1);
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);

	virConnectRef(conn);
	job->conn = conn;
	job->domain = g_strdup(domain);
	job->command = g_strdup(command);
	job->timeout_ms = timeout_ms;
	g_task_set_source_tag(task, agent_exec_async);
	g_task_set_task_data(task, job, exec_job_free);
	g_task_run_in_thread(task, exec_thread);
	g_object_unref(task);
}

struct agent_result *agent_exec_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void file_close(virDomainPtr dom, gint64 handle)
{
	JsonObject *args = json_object_new();
	JsonNode *ret;

	json_object_set_int_member(args, "handle", handle);
	ret = agent_call(dom, "guest-file-close", args, AGENT_CALL_TIMEOUT_S, NULL);
	if (ret)
		json_node_unref(ret);
}

GBytes *agent_read_file(virConnectPtr conn, const char *domain, const char *path, gsize max, GError **error)
{
	virDomainPtr dom = lookup(conn, domain, error);
	JsonObject *args;
	g_autoptr(JsonNode) ret = NULL;
	g_autoptr(GByteArray) data = NULL;
	gint64 handle;

	if (!dom)
		return NULL;
	args = json_object_new();
	json_object_set_string_member(args, "path", path);
	json_object_set_string_member(args, "mode", "r");
	ret = agent_call(dom, "guest-file-open", args, AGENT_CALL_TIMEOUT_S, error);
	if (!ret) {
		g_prefix_error(error, "%s: ", path);
		virDomainFree(dom);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_VALUE(ret)) {
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: guest-file-open of %s gave no handle", domain,
			    path);
		virDomainFree(dom);
		return NULL;
	}
	handle = json_node_get_int(ret);
	data = g_byte_array_new();
	while (data->len < max) {
		g_autoptr(JsonNode) chunk = NULL;
		JsonObject *rargs = json_object_new();
		JsonObject *co;
		const char *b64;
		gsize want = MIN((gsize)AGENT_READ_CHUNK, max - data->len);

		json_object_set_int_member(rargs, "handle", handle);
		json_object_set_int_member(rargs, "count", (gint64)want);
		chunk = agent_call(dom, "guest-file-read", rargs, AGENT_CALL_TIMEOUT_S, error);
		if (!chunk || !JSON_NODE_HOLDS_OBJECT(chunk)) {
			if (chunk)
				g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: guest-file-read of %s: bad answer",
					    domain, path);
			else
				g_prefix_error(error, "%s: ", path);
			file_close(dom, handle);
			virDomainFree(dom);
			return NULL;
		}
		co = json_node_get_object(chunk);
		b64 = json_object_get_string_member_with_default(co, "buf-b64", "");
		if (*b64) {
			gsize n = 0;
			g_autofree guchar *bytes = g_base64_decode(b64, &n);

			g_byte_array_append(data, bytes, (guint)MIN(n, max - data->len));
		}
		if (json_object_get_boolean_member_with_default(co, "eof", FALSE) ||
		    json_object_get_int_member_with_default(co, "count", 0) == 0)
			break;
	}
	file_close(dom, handle);
	virDomainFree(dom);
	return g_byte_array_free_to_bytes(g_steal_pointer(&data));
}

gboolean agent_ping(virConnectPtr conn, const char *domain, int timeout_s, GError **error)
{
	virDomainPtr dom = lookup(conn, domain, error);
	JsonNode *ret;

	if (!dom)
		return FALSE;
	ret = agent_call(dom, "guest-ping", NULL, timeout_s > 0 ? timeout_s : AGENT_CALL_TIMEOUT_S, error);
	virDomainFree(dom);
	if (!ret)
		return FALSE;
	json_node_unref(ret);
	return TRUE;
}
