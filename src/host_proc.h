/* host_proc.h - commands on the local host under a pseudo-terminal, driven by the GLib main loop. */
#ifndef VIRTCON_HOST_PROC_H
#define VIRTCON_HOST_PROC_H

#include <glib.h>

/*
 * A host process runs "/bin/sh -c COMMAND" in a new session (its own process group) with a
 * pty as its controlling terminal, stdin, stdout and stderr. Output is read without blocking
 * on the thread-default main context and handed to ops->output as it arrives. When the
 * process has exited AND the pty has been drained, ops->exited is called exactly once.
 * Nothing is ever called after host_proc_free().
 */
struct host_proc_ops {
	void (*output)(const char *data, gsize len, void *user_data);
	/* wait_status as from waitpid(): use WIFEXITED etc. or g_spawn_check_wait_status() */
	void (*exited)(int wait_status, void *user_data);
};

struct host_proc_options {
	const char *cwd;     /* NULL: inherit */
	char **envp;         /* NULL: inherit the environment */
	guint cols, rows;    /* pty size; 0: 80x24 */
};

struct host_proc;

struct host_proc *host_proc_spawn(const char *command, const struct host_proc_options *options,
				  const struct host_proc_ops *ops, void *user_data, GError **error);
/* Writes to the process's terminal (queued, non-blocking). */
gboolean host_proc_write(struct host_proc *proc, const char *data, gsize len);
/* SIGTERM to the whole process group, then SIGKILL after grace_ms if it is still there. */
void host_proc_kill(struct host_proc *proc, guint grace_ms);
/* Changes the terminal size (0 keeps that dimension); the foreground processes get SIGWINCH. */
void host_proc_resize(struct host_proc *proc, guint cols, guint rows);
gboolean host_proc_running(const struct host_proc *proc);
GPid host_proc_pid(const struct host_proc *proc);
/* Kills the group (SIGKILL) if still running, reaps it, removes every source. */
void host_proc_free(struct host_proc *proc);

#endif
