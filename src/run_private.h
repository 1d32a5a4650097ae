/* run_private.h - what the run engine shares with its step kinds (kind_*.c): never for front ends. */
#ifndef VIRTCON_RUN_PRIVATE_H
#define VIRTCON_RUN_PRIVATE_H

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "run.h"
#include "suite.h"

struct journal;
struct vars;
struct session;
struct ssh_conn;

/*
 * A step kind: how a step of one kind starts, stops and cleans up. The engine journals the
 * step's start, checks its requirements, arms its timeout, then calls start(); the kind ends
 * the step with run_step_complete() (expectations judged by the engine) or run_step_end()
 * (status decided by the kind). Exactly one of them, exactly once.
 */
struct step_kind {
	const char *name;
	/* What the loader can't check (action names and options): FALSE with a message. */
	gboolean (*validate)(const struct suite *suite, const struct suite_step *step, GError **error);
	void (*start)(struct run *run);
	/* The timeout fired (timed_out) or the operator aborted: stop the work; the step must
	 * still end through run_step_complete()/run_step_end(), now or when the work is gone. */
	void (*stop)(struct run *run, gboolean timed_out);
	/* Frees run_kind_data() after the step ended (also when the run is freed). May be NULL. */
	void (*cleanup)(struct run *run);
};

extern const struct step_kind kind_host;    /* run: on the local host, under a pty */
extern const struct step_kind kind_manual;  /* manual: the operator's verdict */
extern const struct step_kind kind_agent;   /* run: in a guest through qemu-guest-agent */
extern const struct step_kind kind_action;  /* action: a libvirt action */
extern const struct step_kind kind_console; /* send, and wait: { console }: on the machine's session */
extern const struct step_kind kind_wait;    /* wait: { state } and wait: { migration } */
extern const struct step_kind kind_ssh;     /* run: on an SSH machine (exec channel with a pty) */

/* The kind that does a step. */
const struct step_kind *run_kind_of(const struct suite *suite, const struct suite_step *step);

/* The running step. */
guint run_cur(const struct run *run);
const struct suite_step *run_cur_def(const struct run *run);
struct run_step *run_cur_state(struct run *run);
const struct suite_machine *run_cur_machine(const struct run *run);
struct vars *run_vars(const struct run *run);
struct journal *run_journal(const struct run *run);
const struct run_options *run_options(const struct run *run);
gint64 run_cur_timeout_ms(const struct run *run);
const char *run_default_uri(const struct run *run); /* NULL: resolve */
const char *run_base_dir(const struct run *run);
char *run_format_duration_ms(gint64 ms);

/* Changes whenever a step starts or ends: callbacks that arrive late compare it. */
guint run_generation(const struct run *run);
/* The step console bytes are journaled under: the running one, else the last started; -1 none. */
gint run_journal_step(const struct run *run);
/* Console bytes of a machine, for the front end (run_ops.console). */
void run_console_bytes(struct run *run, const char *machine, const char *data, gsize len);
/* The machine's connection object (its domain model), made on first use. */
struct virt *run_machine_virt(struct run *run, const struct suite_machine *machine);

/* Tells the front end the running step changed (a manual step now waits, ...). */
void run_notify_cur(struct run *run);

/* The running step's check: (check.c), or NULL. */
struct check;
struct check *run_check(const struct run *run);

/* Per-step state of the kind (freed by its cleanup). */
void *run_kind_data(const struct run *run);
void run_set_kind_data(struct run *run, void *data);

/* Bytes shown with the running step's output that are not its output (its machine's console
 * while an agent command runs): not matched by expect, not journaled here. */
void run_step_show(struct run *run, const char *data, gsize len);
/* A line of virtcon's own about the running step ("waiting for the guest agent on vm1"):
 * shown and journaled (stream "virtcon") with its output as "[virtcon: TEXT]" on a line of its
 * own, never matched by expect. */
void run_step_notice(struct run *run, const char *text);
/* Output of the running step: kept, matched, journaled under stream, shown. */
void run_step_output(struct run *run, const char *stream, const char *data, gsize len);
/* The work ended by itself or after stop(): the engine judges timeout, abort, exit status
 * (exit_status < 0: none; signal > 0: killed by it) and the output patterns. */
void run_step_complete(struct run *run, int exit_status, int signal);
/* The kind decided. */
void run_step_end(struct run *run, enum step_status status, int exit_status, const char *reason);
void run_step_endf(struct run *run, enum step_status status, int exit_status, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
gboolean run_step_timed_out(const struct run *run);
gboolean run_step_aborted(const struct run *run);

/* A connected libvirt connection for a machine (its uri:, else the run's URI), opened on
 * demand and kept for the run; reconnects with backoff when lost. The callback gets the
 * connection or an error; it is not called after the step ended (the engine cancels). */
typedef void (*run_conn_fn)(struct run *run, virConnectPtr conn, const GError *error);
void run_machine_conn(struct run *run, const struct suite_machine *machine, run_conn_fn fn);

/* The pool behind run_machine_conn() and run_machine_session(), made on first use. */
struct run_virtpool;
struct run_virtpool **run_virtpool_slot(struct run *run);
void run_virtpool_free(struct run_virtpool *pool);

/* The interactive session of a machine (one for the run, kept across steps, so expect-style
 * matching sees what the previous step left unconsumed), opened on demand: a machine with ssh:
 * its SSH shell; with a domain: its serial console; local: a /bin/sh under a pty. */
typedef void (*run_session_fn)(struct run *run, struct session *session, const GError *error);
void run_machine_session(struct run *run, const struct suite_machine *machine, run_session_fn fn);
/* The running step is about to be blocked on machine's unknown SSH host key, machine not being
 * the step's own (a check's): run_host_key_scan() offers that machine's key. */
void run_step_key_machine(struct run *run, const char *machine);
/* The machine whose session run_machine_session() is opening (for the backends). */
const struct suite_machine *run_session_machine(struct run *run);
/* Called by a session on new bytes or when it closed: wakes the running console step. */
void run_console_changed(struct run *run, struct session *session);
/* The kind's hook for that (set by kind_console while it waits; NULL otherwise). */
void run_set_console_waiter(struct run *run, void (*fn)(struct run *run, struct session *session));

/* The run's sessions: the pool registers a session the backends made, and listens to it. */
void run_session_register(struct run *run, struct session *session);
void run_session_ready(struct run *run, struct session *session, const GError *error);

/* A machine's SSH connection (run_ssh.c), connected and authenticated, kept for the run and
 * reconnected when it dropped. Not called after the step ended. */
typedef void (*run_ssh_fn)(struct run *run, struct ssh_conn *conn, const GError *error);
void run_machine_ssh(struct run *run, const struct suite_machine *machine, run_ssh_fn fn);
struct run_sshpool;
struct run_sshpool **run_sshpool_slot(struct run *run);
void run_sshpool_free(struct run_sshpool *pool);
/* Opens the SSH shell or host shell session of a machine (run_ssh.c); run_session_ready() follows. */
void run_ssh_shell_open(struct run *run, const struct suite_machine *machine);
void run_host_shell_open(struct run *run, const struct suite_machine *machine);

#endif
