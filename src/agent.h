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
 *
 * The agent is often not there yet: a guest that just started or rebooted has not opened its
 * channel, and after a migration libvirt on the destination connects to it anew. So guest-ping
 * is asked first, again and again (backoff 100 ms growing to 1 s) while libvirt answers that
 * the agent is not connected or did not answer (agent_retry_of), until timeout_ms (counted from
 * the call: the wait and the command share it); then the error says the command was not run,
 * with libvirt's last word (agent_wait_message). guest-exec itself is sent again only when
 * libvirt says it never sent it; once it may have reached the guest it is never repeated.
 * guest-exec-status may be asked twice: a lost agent while the command runs is waited for.
 * Errors name the domain; a lasting one (no such domain, not running, no agent channel) ends
 * the wait at once.
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

/* What agent_exec is doing, for the step that waits on it. */
enum agent_progress {
	AGENT_WAITING, /* the agent did not answer; detail: libvirt's error (each failed try) */
	AGENT_READY,   /* it answered again after AGENT_WAITING */
	AGENT_STARTED, /* guest-exec accepted the command (detail: its pid): from now on it may run */
};
/* Called on the caller's context, never after the callback of agent_exec_async. */
typedef void (*agent_progress_fn)(enum agent_progress what, const char *detail, gpointer user_data);

/* progress may be NULL; it gets user_data too. */
void agent_exec_async(virConnectPtr conn, const char *domain, const char *command, gint64 timeout_ms,
		      agent_progress_fn progress, GCancellable *cancellable, GAsyncReadyCallback callback,
		      gpointer user_data);
struct agent_result *agent_exec_finish(GAsyncResult *result, GError **error);

/* What a failed agent command means for sending it again. */
enum agent_retry {
	AGENT_RETRY_NO,         /* an answer, or a state waiting does not change: report it */
	AGENT_RETRY_UNSENT,     /* libvirt holds no connection to the agent: the command was not sent */
	AGENT_RETRY_UNANSWERED, /* no answer in time or the agent went away: the command may have
				 * reached the guest (send it again only when running it twice is harmless) */
};
/* Classifies libvirt's error code and message of a failed virDomainQemuAgentCommand. */
enum agent_retry agent_retry_of(int code, const char *message);
/* "DOMAIN: no answer from the guest agent in 30.0 s; the command was not run (libvirt: LAST)". */
char *agent_wait_message(const char *domain, gint64 waited_ms, const char *last_error);
/* "DOMAIN: the guest agent stopped answering while the command ran (guest pid PID); its outcome
 * is unknown (libvirt: LAST)". */
char *agent_lost_message(const char *domain, const char *pid, const char *last_error);

/* guest-file-open/read/close of a whole file (up to max bytes), after waiting up to wait_ms for an
 * agent that is not connected yet (guest-ping; 0: no wait); blocking: call on a worker. */
GBytes *agent_read_file(virConnectPtr conn, const char *domain, const char *path, gsize max, gint64 wait_ms,
			GError **error);
/* guest-ping; blocking. */
gboolean agent_ping(virConnectPtr conn, const char *domain, int timeout_s, GError **error);

#endif
