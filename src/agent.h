/* agent.h - commands and files in a guest through qemu-guest-agent (virDomainQemuAgentCommand). */
#ifndef VIRTCON_AGENT_H
#define VIRTCON_AGENT_H

#include <gio/gio.h>
#include <libvirt/libvirt.h>

/*
 * agent_exec: guest-exec of "/bin/sh -c COMMAND" with captured output, then guest-exec-status
 * polled (every 50 ms growing to 500 ms) until it exits or timeout_ms passes (then the process
 * is left and the result says so: the agent can't kill it). Runs on a worker thread (each agent
 * command blocks); the callback comes on the caller's thread-default main context.
 * Errors name the domain: "vm1: the guest agent is not connected (is qemu-guest-agent running
 * in the guest, with its virtio-serial channel?)".
 */
struct agent_result {
	int exit_status;   /* -1 when killed by a signal (signal then set) or timed out */
	int signal;
	gboolean timed_out;
	GBytes *out;       /* decoded out-data */
	GBytes *err;       /* decoded err-data */
	gboolean truncated; /* the agent said out-truncated/err-truncated */
};
void agent_result_free(struct agent_result *result);

void agent_exec_async(virConnectPtr conn, const char *domain, const char *command, gint64 timeout_ms,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
struct agent_result *agent_exec_finish(GAsyncResult *result, GError **error);

/* guest-file-open/read/close of a whole file (up to max bytes); blocking: call on a worker. */
GBytes *agent_read_file(virConnectPtr conn, const char *domain, const char *path, gsize max, GError **error);
/* guest-ping; blocking. */
gboolean agent_ping(virConnectPtr conn, const char *domain, int timeout_s, GError **error);

#endif
