/* agent.c - commands and files in a guest through qemu-guest-agent (virDomainQemuAgentCommand). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "agent.h"
#include "virt.h"

#define AGENT_CALL_TIMEOUT_S 10   /* one agent command */
#define AGENT_PING_TIMEOUT_S 5    /* one guest-ping while waiting for the agent */
#define AGENT_POLL_MIN_MS 50
#define AGENT_POLL_MAX_MS 500
#define AGENT_RETRY_MIN_MS 100    /* backoff while the agent does not answer */
#define AGENT_RETRY_MAX_MS 1000
#define AGENT_READ_CHUNK (48 * 1024)
/* VIR_ERR_AGENT_COMMAND_TIMEOUT: newer libvirt's "sent, no answer in time" (not in 9.0's headers) */
#define AGENT_ERR_COMMAND_TIMEOUT 112

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

enum agent_retry agent_retry_of(int code, const char *message)
{
	switch (code) {
	case VIR_ERR_AGENT_UNRESPONSIVE:
		/* Refused before anything was sent (qemuDomainAgentAvailable): "QEMU guest agent is
		 * not connected" (the guest has not opened its channel yet, or libvirt has not
		 * connected to it: after a start, a reboot, a migration) and "... is not available due
		 * to an error" (connecting failed; cleared when the channel reconnects). Anything else
		 * ("Guest agent not available for now": no answer in time; "Guest agent disappeared
		 * while executing command"), and a translated message, may have been sent. */
		if (message && (strstr(message, "not connected") || strstr(message, "due to an error")))
			return AGENT_RETRY_UNSENT;
		return AGENT_RETRY_UNANSWERED;
	case VIR_ERR_AGENT_UNSYNCED:
	case AGENT_ERR_COMMAND_TIMEOUT:
		return AGENT_RETRY_UNANSWERED;
	default:
		return AGENT_RETRY_NO;
	}
}

char *agent_wait_message(const char *domain, gint64 waited_ms, const char *last_error)
{
	return g_strdup_printf("%s: no answer from the guest agent in %.1f s; the command was not run (libvirt: %s)",
			       domain, (double)waited_ms / 1000.0, last_error ? last_error : "no error");
}

char *agent_lost_message(const char *domain, const char *pid, const char *last_error)
{
	return g_strdup_printf("%s: the guest agent stopped answering while the command ran (guest pid %s); "
			       "its outcome is unknown (libvirt: %s)", domain, pid, last_error ? last_error : "no error");
}

/* How a failed agent call ended: whether it may be sent again, and libvirt's own words. */
struct call_status {
	enum agent_retry retry;
	char *why;
};

static void call_status_clear(struct call_status *st)
{
	g_clear_pointer(&st->why, g_free);
	st->retry = AGENT_RETRY_NO;
}

/* Turns libvirt's last error into one that names the domain and says what to do; st (may be
 * NULL) gets its class and libvirt's message. */
static void set_agent_error(GError **error, virConnectPtr conn, const char *domain, const char *command,
			    struct call_status *st)
{
	/* a copy: any libvirt call (virConnectGetURI) resets the last error */
	virErrorPtr err = virSaveLastError();
	const char *msg = err && err->message ? err->message : "unknown libvirt error";
	int code = err ? err->code : VIR_ERR_OK;
	char *uri = conn && (code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_OPERATION_INVALID) ? virConnectGetURI(conn)
											      : NULL;

	if (st) {
		call_status_clear(st);
		st->retry = agent_retry_of(code, msg);
		st->why = g_strdup(msg);
	}
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
	case VIR_ERR_ARGUMENT_UNSUPPORTED:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED,
			    "%s: %s (the domain needs a virtio channel named org.qemu.guest_agent.0)", domain, msg);
		break;
	case VIR_ERR_NO_DOMAIN:
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: no such domain at %s: %s", domain,
			    uri ? uri : "this connection", msg);
		break;
	case VIR_ERR_OPERATION_INVALID:
		/* after a migration the domain runs at the destination, not at the machine's uri: */
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: %s at %s (is the domain running there?)", domain,
			    msg, uri ? uri : "this connection");
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
	free(uri);
	virFreeError(err);
	virResetLastError();
}

/* Sends {"execute": command, "arguments": args} (args taken, may be NULL) and returns the
 * parsed reply's "return" member, or NULL with an error naming the domain; st (may be NULL)
 * says whether it may be sent again (an answer of the agent's own never may). */
static JsonNode *agent_call(virDomainPtr dom, const char *command, JsonObject *args, int timeout_s,
			    struct call_status *st, GError **error)
{
	const char *domain = virDomainGetName(dom);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) req = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree char *text = NULL;
	g_autoptr(GError) perr = NULL;
	virConnectPtr conn;
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
	conn = virDomainGetConnect(dom);
	reply = virDomainQemuAgentCommand(dom, text, timeout_s, 0);
	if (st)
		call_status_clear(st);
	if (!reply) {
		set_agent_error(error, conn, domain, command, st);
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
		set_agent_error(error, conn, domain, "lookup", NULL);
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
	agent_progress_fn progress;
	gpointer progress_data;
};

static void exec_job_free(gpointer p)
{
	struct exec_job *job = p;

	virConnectClose(job->conn);
	g_free(job->domain);
	g_free(job->command);
	g_free(job);
}

/* One agent_exec on its worker thread: the deadline, the tries, what the step was told. */
struct exec_ctx {
	struct exec_job *job;
	GTask *task;
	GCancellable *cancel;
	virDomainPtr dom;
	gint64 start;       /* monotonic µs */
	gint64 deadline;    /* 0: none */
	guint backoff_ms;   /* the next pause between failed tries */
	gboolean waiting;   /* AGENT_WAITING was posted, AGENT_READY not yet */
	char *last;         /* libvirt's word on the last failed try */
};

struct progress_msg {
	GTask *task;
	enum agent_progress what;
	char *detail;
};

static gboolean progress_deliver(gpointer data)
{
	struct progress_msg *msg = data;
	struct exec_job *job = g_task_get_task_data(msg->task);

	/* once the task's callback came, whoever listened may be gone */
	if (!g_task_get_completed(msg->task))
		job->progress(msg->what, msg->detail, job->progress_data);
	return G_SOURCE_REMOVE;
}

static void progress_msg_free(gpointer data)
{
	struct progress_msg *msg = data;

	g_object_unref(msg->task);
	g_free(msg->detail);
	g_free(msg);
}

/* Posts progress to the caller's context (an idle source: never run on this thread). */
static void progress_post(struct exec_ctx *x, enum agent_progress what, const char *detail)
{
	struct progress_msg *msg;
	GSource *source;

	if (!x->job->progress)
		return;
	msg = g_new0(struct progress_msg, 1);
	msg->task = g_object_ref(x->task);
	msg->what = what;
	msg->detail = g_strdup(detail);
	source = g_idle_source_new();
	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, progress_deliver, msg, progress_msg_free);
	g_source_attach(source, g_task_get_context(x->task));
	g_source_unref(source);
}

/* Sleeps ms, waking early when cancelled. */
static void nap(GCancellable *cancel, guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < until && !g_cancellable_is_cancelled(cancel))
		g_usleep(MIN(10000, (gulong)(until - g_get_monotonic_time()) + 1));
}

static gint64 remaining_ms(const struct exec_ctx *x)
{
	return x->deadline ? MAX(0, (x->deadline - g_get_monotonic_time()) / 1000) : G_MAXINT64;
}

/* A try failed in a way that may pass: tells the step, then pauses (the backoff, cut at the
 * deadline). FALSE when cancelled or the deadline passed: no more tries. */
static gboolean retry_pause(struct exec_ctx *x, const char *why)
{
	g_free(x->last);
	x->last = g_strdup(why);
	x->waiting = TRUE;
	progress_post(x, AGENT_WAITING, why);
	if (g_cancellable_is_cancelled(x->cancel) || remaining_ms(x) == 0)
		return FALSE;
	nap(x->cancel, (guint)MIN((gint64)x->backoff_ms, remaining_ms(x)));
	x->backoff_ms = MIN(x->backoff_ms * 2, AGENT_RETRY_MAX_MS);
	return !g_cancellable_is_cancelled(x->cancel) && remaining_ms(x) > 0;
}

/* The agent answered: ends a wait. */
static void answered(struct exec_ctx *x)
{
	x->backoff_ms = AGENT_RETRY_MIN_MS;
	if (x->waiting) {
		x->waiting = FALSE;
		progress_post(x, AGENT_READY, NULL);
	}
}

/* Why the tries ended before the command was sent: cancelled, or the agent never answered. */
static void set_wait_error(struct exec_ctx *x, GError **error)
{
	g_autofree char *msg = NULL;

	if (g_cancellable_set_error_if_cancelled(x->cancel, error))
		return;
	if (!x->job->command) /* agent_read_file's wait */
		msg = g_strdup_printf("%s: no answer from the guest agent in %.1f s (libvirt: %s)", x->job->domain,
				      (double)(g_get_monotonic_time() - x->start) / 1e6, x->last ? x->last : "no error");
	else
		msg = agent_wait_message(x->job->domain, (g_get_monotonic_time() - x->start) / 1000, x->last);
	g_set_error_literal(error, VIRT_ERROR, VIRT_ERROR_FAILED, msg);
}

/* guest-ping until the agent answers: TRUE, or FALSE with an error. */
static gboolean wait_ready(struct exec_ctx *x, GError **error)
{
	for (;;) {
		g_autoptr(GError) err = NULL;
		struct call_status st = { 0 };
		int timeout_s = (int)CLAMP((remaining_ms(x) + 999) / 1000, 1, AGENT_PING_TIMEOUT_S);
		JsonNode *ret = agent_call(x->dom, "guest-ping", NULL, timeout_s, &st, &err);
		gboolean again;

		if (ret) {
			json_node_unref(ret);
			answered(x);
			return TRUE;
		}
		if (st.retry == AGENT_RETRY_NO) {
			call_status_clear(&st);
			g_propagate_error(error, g_steal_pointer(&err));
			return FALSE;
		}
		again = retry_pause(x, st.why);
		call_status_clear(&st);
		if (!again) {
			set_wait_error(x, error);
			return FALSE;
		}
	}
}

/* guest-exec, once the agent answers: the guest's pid, or -1 with an error. Sent again only
 * when libvirt did not send it. */
static gint64 exec_start(struct exec_ctx *x, GError **error)
{
	for (;;) {
		g_autoptr(JsonNode) ret = NULL;
		g_autoptr(GError) err = NULL;
		struct call_status st = { 0 };
		JsonObject *args;
		JsonArray *argv;
		gboolean again;

		if (!wait_ready(x, error))
			return -1;
		args = json_object_new();
		argv = json_array_new();
		json_object_set_string_member(args, "path", "/bin/sh");
		json_array_add_string_element(argv, "-c");
		json_array_add_string_element(argv, x->job->command);
		json_object_set_array_member(args, "arg", argv);
		json_object_set_boolean_member(args, "capture-output", TRUE);
		ret = agent_call(x->dom, "guest-exec", args, AGENT_CALL_TIMEOUT_S, &st, &err);
		if (ret) {
			if (!JSON_NODE_HOLDS_OBJECT(ret) || !json_object_has_member(json_node_get_object(ret), "pid")) {
				g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: guest-exec answered without a pid",
					    x->job->domain);
				return -1;
			}
			return json_object_get_int_member(json_node_get_object(ret), "pid");
		}
		if (st.retry == AGENT_RETRY_UNANSWERED)
			g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED,
				    "%s: no answer from the guest agent to guest-exec: the command may have started in "
				    "the guest, so it is not sent again (libvirt: %s)", x->job->domain, st.why);
		else if (st.retry == AGENT_RETRY_NO)
			g_propagate_error(error, g_steal_pointer(&err));
		if (st.retry != AGENT_RETRY_UNSENT) {
			call_status_clear(&st);
			return -1;
		}
		again = retry_pause(x, st.why);
		call_status_clear(&st);
		if (!again) {
			set_wait_error(x, error);
			return -1;
		}
	}
}

static struct agent_result *exec_run(struct exec_ctx *x, GError **error)
{
	struct agent_result *result;
	gint64 pid;
	char pid_text[24];
	guint poll_ms = AGENT_POLL_MIN_MS;

	pid = exec_start(x, error);
	if (pid < 0)
		return NULL;
	g_snprintf(pid_text, sizeof(pid_text), "%" G_GINT64_FORMAT, pid);
	progress_post(x, AGENT_STARTED, pid_text);
	result = g_new0(struct agent_result, 1);
	for (;;) {
		g_autoptr(JsonNode) ret = NULL;
		g_autoptr(GError) err = NULL;
		struct call_status st = { 0 };
		JsonObject *sargs = json_object_new();
		JsonObject *so;

		if (g_cancellable_set_error_if_cancelled(x->cancel, error))
			goto fail;
		json_object_set_int_member(sargs, "pid", pid);
		ret = agent_call(x->dom, "guest-exec-status", sargs, AGENT_CALL_TIMEOUT_S, &st, &err);
		if (!ret && st.retry == AGENT_RETRY_NO) {
			call_status_clear(&st);
			g_propagate_error(error, g_steal_pointer(&err));
			goto fail;
		}
		if (!ret) {
			/* the agent went away while the command runs: asking for its status is harmless */
			gboolean again = retry_pause(x, st.why);

			call_status_clear(&st);
			if (again)
				continue;
			if (!g_cancellable_set_error_if_cancelled(x->cancel, error)) {
				g_autofree char *msg = agent_lost_message(x->job->domain, pid_text, x->last);

				g_set_error_literal(error, VIRT_ERROR, VIRT_ERROR_FAILED, msg);
			}
			goto fail;
		}
		answered(x);
		so = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
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
		if (x->deadline && remaining_ms(x) == 0) {
			/* the agent can't kill it: the process is left running */
			result->timed_out = TRUE;
			result->exit_status = -1;
			result->out = g_bytes_new(NULL, 0);
			result->err = g_bytes_new(NULL, 0);
			break;
		}
		nap(x->cancel, (guint)MIN((gint64)poll_ms, MAX(1, remaining_ms(x))));
		poll_ms = MIN(poll_ms * 2, AGENT_POLL_MAX_MS);
	}
	return result;
fail:
	agent_result_free(result);
	return NULL;
}

static void exec_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	struct exec_job *job = data;
	struct exec_ctx x = { .job = job, .task = task, .cancel = cancel, .backoff_ms = AGENT_RETRY_MIN_MS };
	GError *error = NULL;
	struct agent_result *result = NULL;

	x.start = g_get_monotonic_time();
	x.deadline = job->timeout_ms > 0 ? x.start + job->timeout_ms * 1000 : 0;
	x.dom = lookup(job->conn, job->domain, &error);
	if (x.dom) {
		result = exec_run(&x, &error);
		virDomainFree(x.dom);
	}
	g_free(x.last);
	if (result)
		g_task_return_pointer(task, result, (GDestroyNotify)agent_result_free);
	else
		g_task_return_error(task, error);
}

void agent_exec_async(virConnectPtr conn, const char *domain, const char *command, gint64 timeout_ms,
		      agent_progress_fn progress, GCancellable *cancellable, GAsyncReadyCallback callback,
		      gpointer user_data)
{
	struct exec_job *job = g_new0(struct exec_job, 1);
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);

	virConnectRef(conn);
	job->conn = conn;
	job->domain = g_strdup(domain);
	job->command = g_strdup(command);
	job->timeout_ms = timeout_ms;
	job->progress = progress;
	job->progress_data = user_data;
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
	ret = agent_call(dom, "guest-file-close", args, AGENT_CALL_TIMEOUT_S, NULL, NULL);
	if (ret)
		json_node_unref(ret);
}

GBytes *agent_read_file(virConnectPtr conn, const char *domain, const char *path, gsize max, gint64 wait_ms,
			GError **error)
{
	virDomainPtr dom = lookup(conn, domain, error);
	JsonObject *args;
	g_autoptr(JsonNode) ret = NULL;
	g_autoptr(GByteArray) data = NULL;
	gint64 handle;

	if (!dom)
		return NULL;
	if (wait_ms > 0) {
		/* it may not be connected yet (after a start, a reboot, a migration): wait as agent_exec
		 * does (reading a file is safe to start again, unlike guest-exec) */
		struct exec_job job = { .domain = (char *)domain };
		struct exec_ctx x = { .job = &job, .dom = dom, .backoff_ms = AGENT_RETRY_MIN_MS };
		gboolean ready;

		x.start = g_get_monotonic_time();
		x.deadline = x.start + wait_ms * 1000;
		ready = wait_ready(&x, error);
		g_free(x.last);
		if (!ready) {
			virDomainFree(dom);
			return NULL;
		}
	}
	args = json_object_new();
	json_object_set_string_member(args, "path", path);
	json_object_set_string_member(args, "mode", "r");
	ret = agent_call(dom, "guest-file-open", args, AGENT_CALL_TIMEOUT_S, NULL, error);
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
		chunk = agent_call(dom, "guest-file-read", rargs, AGENT_CALL_TIMEOUT_S, NULL, error);
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
	ret = agent_call(dom, "guest-ping", NULL, timeout_s > 0 ? timeout_s : AGENT_CALL_TIMEOUT_S, NULL, error);
	virDomainFree(dom);
	if (!ret)
		return FALSE;
	json_node_unref(ret);
	return TRUE;
}
