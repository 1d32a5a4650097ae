/* host_proc.c - commands on the local host under a pseudo-terminal, driven by the GLib main loop. */
#include "config.h"

#include "host_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#define HOST_PROC_CHUNK (64 * 1024)
/* Chunks read per dispatch: a flood of output must not starve the other sources. */
#define HOST_PROC_CHUNKS_PER_DISPATCH 4
/* Input queued for the terminal beyond this is refused (host_proc_write returns FALSE). */
#define HOST_PROC_MAX_QUEUED (4u * 1024u * 1024u)
/* After the child exits while something else still holds the pty open, how long output that
 * is still in flight in the pty may take before exit is reported anyway. */
#define HOST_PROC_LINGER_MS 100
/* The most read when draining at the end (a background process may write without pause). */
#define HOST_PROC_FINAL_DRAIN_MAX (4u * 1024u * 1024u)

struct host_proc {
	guint refs;
	gboolean freed;
	GMainContext *context;
	struct host_proc_ops ops;
	void *user_data;

	GPid pid;            /* also the process group id (the child calls setsid) */
	int master;          /* -1 when closed */
	gboolean child_exited;
	int wait_status;
	gboolean eof;        /* the slave side is closed: every holder of the pty is gone */
	gboolean reported;   /* ops->exited has been called */

	GSource *read_source;
	GSource *write_source;
	GSource *child_source;
	GSource *kill_source;
	GSource *linger_source;

	GByteArray *outq;    /* bytes waiting to be written to the terminal, from outq_off */
	guint outq_off;
	char *buf;           /* HOST_PROC_CHUNK bytes */
};

static void proc_unref(struct host_proc *proc)
{
	if (--proc->refs > 0)
		return;
	g_byte_array_unref(proc->outq);
	g_free(proc->buf);
	g_main_context_unref(proc->context);
	g_free(proc);
}

static void source_clear(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_source_unref(*source);
	*source = NULL;
}

static void queue_clear(struct host_proc *proc)
{
	g_byte_array_set_size(proc->outq, 0);
	proc->outq_off = 0;
}

static void attach(struct host_proc *proc, GSource **slot, GSource *source, GSourceFunc func)
{
	g_source_set_callback(source, func, proc, NULL);
	g_source_attach(source, proc->context);
	*slot = source;
}

/* Calls ops->output; FALSE when the callback freed the process. */
static gboolean emit_output(struct host_proc *proc, const char *data, gsize len)
{
	gboolean alive;

	if (proc->ops.output == NULL || len == 0)
		return TRUE;
	proc->refs++;
	proc->ops.output(data, len, proc->user_data);
	alive = !proc->freed;
	proc_unref(proc);
	return alive;
}

/* Reads at most max_chunks chunks. FALSE when the callback freed the process. Sets proc->eof
 * when the slave side is closed. *again tells whether more may be readable right now. */
static gboolean read_some(struct host_proc *proc, guint max_chunks, gboolean *again)
{
	*again = FALSE;
	for (guint i = 0; i < max_chunks && !proc->eof; i++) {
		ssize_t n = read(proc->master, proc->buf, HOST_PROC_CHUNK);

		if (n > 0) {
			if (!emit_output(proc, proc->buf, (gsize)n))
				return FALSE;
			*again = TRUE;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			i--;
			continue;
		}
		*again = FALSE;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		/* 0 or EIO (the usual way a pty master says every slave holder is gone): end of
		 * output. Other errors end the output too; there is nothing more to read. */
		proc->eof = TRUE;
		source_clear(&proc->read_source);
		source_clear(&proc->write_source);
		queue_clear(proc);
		return TRUE;
	}
	return TRUE;
}

/* Reports the exit once the child has exited and the pty is drained (or lingered). */
static void maybe_report(struct host_proc *proc)
{
	if (proc->reported || !proc->child_exited)
		return;
	if (!proc->eof && proc->linger_source != NULL)
		return;
	if (!proc->eof) {
		/* Something (a background process) still holds the pty: take what is readable
		 * now, bounded, and report. */
		gsize total = 0;
		gboolean again = TRUE;

		while (again && !proc->eof && total < HOST_PROC_FINAL_DRAIN_MAX) {
			if (!read_some(proc, 1, &again))
				return;
			total += HOST_PROC_CHUNK;
		}
	}
	proc->reported = TRUE;
	source_clear(&proc->read_source);
	source_clear(&proc->write_source);
	source_clear(&proc->linger_source);
	queue_clear(proc);
	if (proc->ops.exited != NULL)
		proc->ops.exited(proc->wait_status, proc->user_data);
}

static gboolean on_readable(int fd, GIOCondition condition, gpointer data)
{
	struct host_proc *proc = data;
	gboolean again;

	if (!read_some(proc, HOST_PROC_CHUNKS_PER_DISPATCH, &again))
		return G_SOURCE_REMOVE;
	if (proc->eof) {
		maybe_report(proc);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_linger_done(gpointer data)
{
	struct host_proc *proc = data;

	source_clear(&proc->linger_source);
	maybe_report(proc);
	return G_SOURCE_REMOVE;
}

static void on_child_exit(GPid pid, int wait_status, gpointer data)
{
	struct host_proc *proc = data;

	(void)pid;
	proc->child_exited = TRUE;
	proc->wait_status = wait_status;
	source_clear(&proc->child_source);
	/* A pending kill timer stays: background processes that ignore SIGTERM get SIGKILL. */
	if (!proc->eof && proc->linger_source == NULL) {
		GSource *timer = g_timeout_source_new(HOST_PROC_LINGER_MS);

		attach(proc, &proc->linger_source, timer, on_linger_done);
		return;
	}
	maybe_report(proc);
}

/* Writes what is queued without blocking; FALSE when the terminal cannot take input any more. */
static gboolean flush_queue(struct host_proc *proc)
{
	while (proc->outq_off < proc->outq->len) {
		ssize_t n = write(proc->master, proc->outq->data + proc->outq_off, proc->outq->len - proc->outq_off);

		if (n > 0) {
			proc->outq_off += (guint)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		queue_clear(proc);
		return FALSE;
	}
	if (proc->outq_off == proc->outq->len) {
		queue_clear(proc);
	} else if (proc->outq_off >= 64 * 1024 && proc->outq_off * 2 >= proc->outq->len) {
		/* Drop what is written once it is the larger part: copying stays linear. */
		g_byte_array_remove_range(proc->outq, 0, proc->outq_off);
		proc->outq_off = 0;
	}
	return TRUE;
}

static gboolean on_writable(int fd, GIOCondition condition, gpointer data)
{
	struct host_proc *proc = data;

	if (flush_queue(proc) && proc->outq->len > 0)
		return G_SOURCE_CONTINUE;
	g_source_unref(proc->write_source);
	proc->write_source = NULL;
	return G_SOURCE_REMOVE;
}

gboolean host_proc_write(struct host_proc *proc, const char *data, gsize len)
{
	g_return_val_if_fail(proc != NULL && !proc->freed, FALSE);
	if (proc->master < 0 || proc->eof || proc->reported)
		return FALSE;
	if (len > HOST_PROC_MAX_QUEUED || proc->outq->len - proc->outq_off > HOST_PROC_MAX_QUEUED - len)
		return FALSE;
	g_byte_array_append(proc->outq, (const guint8 *)data, (guint)len);
	if (proc->write_source != NULL)
		return TRUE;
	if (!flush_queue(proc))
		return FALSE;
	if (proc->outq->len > 0)
		attach(proc, &proc->write_source, g_unix_fd_source_new(proc->master, G_IO_OUT),
		       G_SOURCE_FUNC(on_writable));
	return TRUE;
}

static gboolean group_may_exist(const struct host_proc *proc)
{
	/* Once the leader is reaped and the pty is closed, the group is empty and its number
	 * may be reused: never signal it then. */
	return proc->pid > 0 && !(proc->child_exited && proc->eof);
}

static gboolean on_kill_grace(gpointer data)
{
	struct host_proc *proc = data;

	g_source_unref(proc->kill_source);
	proc->kill_source = NULL;
	if (group_may_exist(proc))
		kill(-proc->pid, SIGKILL);
	return G_SOURCE_REMOVE;
}

void host_proc_kill(struct host_proc *proc, guint grace_ms)
{
	g_return_if_fail(proc != NULL && !proc->freed);
	if (!group_may_exist(proc))
		return;
	if (proc->child_exited) {
		/* Only background processes are left: no exit to wait for. */
		kill(-proc->pid, SIGKILL);
		return;
	}
	kill(-proc->pid, SIGTERM);
	kill(-proc->pid, SIGCONT); /* a stopped group would not see SIGTERM */
	if (proc->kill_source != NULL)
		return;
	if (grace_ms == 0) {
		kill(-proc->pid, SIGKILL);
		return;
	}
	attach(proc, &proc->kill_source, g_timeout_source_new(grace_ms), on_kill_grace);
}

void host_proc_resize(struct host_proc *proc, guint cols, guint rows)
{
	struct winsize ws;

	g_return_if_fail(proc != NULL && !proc->freed);
	if (proc->master < 0 || ioctl(proc->master, TIOCGWINSZ, &ws) < 0)
		return;
	if (cols > 0)
		ws.ws_col = (unsigned short)MIN(cols, 0xffffu);
	if (rows > 0)
		ws.ws_row = (unsigned short)MIN(rows, 0xffffu);
	ioctl(proc->master, TIOCSWINSZ, &ws);
}

gboolean host_proc_running(const struct host_proc *proc)
{
	return proc != NULL && !proc->child_exited;
}

GPid host_proc_pid(const struct host_proc *proc)
{
	return proc != NULL ? proc->pid : 0;
}

void host_proc_free(struct host_proc *proc)
{
	if (proc == NULL)
		return;
	g_return_if_fail(!proc->freed);
	proc->freed = TRUE;
	source_clear(&proc->read_source);
	source_clear(&proc->write_source);
	source_clear(&proc->kill_source);
	source_clear(&proc->linger_source);
	if (group_may_exist(proc))
		kill(-proc->pid, SIGKILL);
	if (!proc->child_exited) {
		/* The child watch is gone, so nobody else reaps the child. GLib may have reaped it
		 * already (its watch saw the exit but was not dispatched yet): then ECHILD. The
		 * group was sent SIGKILL, so this wait is short. */
		source_clear(&proc->child_source);
		while (waitpid(proc->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (proc->master >= 0)
		close(proc->master);
	proc->master = -1;
	proc_unref(proc);
}

/* Builds the child's environment: the given one (or ours) with TERM set when it is missing. */
static char **build_envp(char **envp)
{
	char **env = envp != NULL ? g_strdupv(envp) : g_get_environ();

	if (g_environ_getenv(env, "TERM") == NULL)
		env = g_environ_setenv(env, "TERM", "xterm-256color", TRUE);
	return env;
}

/*
 * Starts /bin/sh -c COMMAND with posix_spawn: glibc runs the child on the parent's memory
 * (CLONE_VM|CLONE_VFORK), so a large process like this one spawns as cheaply as a shell does,
 * and exec failures come back as the return value. The child: default signal dispositions, an
 * empty signal mask, a new session, then the pty's slave opened without O_NOCTTY (which makes
 * it the controlling terminal of the session leader) as stdin/stdout/stderr, every other
 * descriptor closed, and the working directory changed.
 */
static int spawn_shell(pid_t *pid, const char *slave_path, const char *cwd, char *const argv[], char *const envp[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, slave_path, O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (cwd != NULL)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

struct host_proc *host_proc_spawn(const char *command, const struct host_proc_options *options,
				  const struct host_proc_ops *ops, void *user_data, GError **error)
{
	struct host_proc *proc;
	struct winsize ws;
	int master = -1, slave = -1, flags, err;
	char slave_path[128];
	pid_t pid;
	g_auto(GStrv) envp = NULL;
	char *argv[4];
	GMainContext *context;

	g_return_val_if_fail(command != NULL && ops != NULL, NULL);
	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)(options != NULL && options->cols > 0 ? MIN(options->cols, 0xffffu) : 80);
	ws.ws_row = (unsigned short)(options != NULL && options->rows > 0 ? MIN(options->rows, 0xffffu) : 24);
	if (openpty(&master, &slave, NULL, NULL, &ws) < 0) {
		err = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
			    "cannot run '%s': cannot open a pseudo-terminal: %s", command, g_strerror(err));
		return NULL;
	}
	/* Before fork so that no other child inherits the master; and non-blocking reads. */
	flags = fcntl(master, F_GETFL);
	if (fcntl(master, F_SETFD, FD_CLOEXEC) < 0 || flags < 0 ||
	    fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(slave, F_SETFD, FD_CLOEXEC) < 0) {
		err = errno;
		close(master);
		close(slave);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
			    "cannot run '%s': cannot set up the pseudo-terminal: %s", command,
			    g_strerror(err));
		return NULL;
	}
	ioctl(master, TIOCSWINSZ, &ws);

	envp = build_envp(options != NULL ? options->envp : NULL);
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)command;
	argv[3] = NULL;
	if (options != NULL && options->cwd != NULL && !g_file_test(options->cwd, G_FILE_TEST_IS_DIR)) {
		close(master);
		close(slave);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "cannot run '%s': cannot change to the working directory '%s': %s", command,
			    options->cwd, g_strerror(ENOENT));
		return NULL;
	}
	if (ptsname_r(master, slave_path, sizeof(slave_path)) != 0) {
		err = errno;
		close(master);
		close(slave);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
			    "cannot run '%s': cannot name the pseudo-terminal: %s", command, g_strerror(err));
		return NULL;
	}
	err = spawn_shell(&pid, slave_path, options != NULL ? options->cwd : NULL, argv, envp);
	/* the child opened its own slave (and made it its terminal): the parent keeps none, so the
	 * master reads EOF once every process of the step is gone */
	close(slave);
	if (err != 0) {
		close(master);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
			    "cannot run '%s': cannot start /bin/sh%s%s%s: %s", command,
			    options != NULL && options->cwd != NULL ? " in '" : "",
			    options != NULL && options->cwd != NULL ? options->cwd : "",
			    options != NULL && options->cwd != NULL ? "'" : "", g_strerror(err));
		return NULL;
	}
	context = g_main_context_get_thread_default();
	proc = g_new0(struct host_proc, 1);
	proc->refs = 1;
	proc->context = g_main_context_ref(context != NULL ? context : g_main_context_default());
	proc->ops = *ops;
	proc->user_data = user_data;
	proc->pid = pid;
	proc->master = master;
	proc->outq = g_byte_array_new();
	proc->buf = g_malloc(HOST_PROC_CHUNK);
	attach(proc, &proc->read_source, g_unix_fd_source_new(master, G_IO_IN | G_IO_HUP | G_IO_ERR),
	       G_SOURCE_FUNC(on_readable));
	proc->child_source = g_child_watch_source_new(pid);
	g_source_set_callback(proc->child_source, G_SOURCE_FUNC(on_child_exit), proc, NULL);
	g_source_attach(proc->child_source, proc->context);
	return proc;
}
