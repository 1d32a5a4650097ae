/* kind_host.c - run: steps on the local host, each command under its own pty and process group. */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include "host_proc.h"
#include "journal.h"
#include "run_private.h"
#include "vars.h"

struct host_step {
	struct host_proc *proc;
};

static void host_output(const char *data, gsize len, void *user_data)
{
	run_step_output(user_data, "pty", data, len);
}

static void host_exited(int wait_status, void *user_data)
{
	struct run *run = user_data;

	if (WIFSIGNALED(wait_status))
		run_step_complete(run, -1, WTERMSIG(wait_status));
	else
		run_step_complete(run, WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1, 0);
}

static char **step_environment(struct run *run)
{
	char **env = g_get_environ();
	g_autofree char *num = g_strdup_printf("%u", run_cur(run) + 1);

	env = g_environ_setenv(env, "VIRTCON_STEP", num, TRUE);
	env = g_environ_setenv(env, "VIRTCON_SUITE", run_suite(run)->name, TRUE);
	if (run_journal(run))
		env = g_environ_setenv(env, "VIRTCON_JOURNAL", journal_path(run_journal(run)), TRUE);
	if (!g_environ_getenv(env, "TERM"))
		env = g_environ_setenv(env, "TERM", "xterm-256color", TRUE);
	return env;
}

static void host_start(struct run *run)
{
	static const struct host_proc_ops ops = { host_output, host_exited };
	const struct suite_step *ss = run_cur_def(run);
	const struct run_step *st = run_cur_state(run);
	const struct run_options *opts = run_options(run);
	struct host_proc_options popts = { 0 };
	struct host_step *hs;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) env = NULL;
	g_autofree char *command = vars_expand(run_vars(run), st->edited ? st->edited : ss->run, VARS_SHELL, &error);

	if (!command) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	env = step_environment(run);
	popts.envp = env;
	popts.cols = opts->pty_cols;
	popts.rows = opts->pty_rows;
	hs = g_new0(struct host_step, 1);
	run_set_kind_data(run, hs);
	hs->proc = host_proc_spawn(command, &popts, &ops, run, &error);
	if (!hs->proc)
		run_step_endf(run, STEP_ERROR, -1, "could not start the command: %s", error->message);
}

static void host_stop(struct run *run, gboolean timed_out)
{
	struct host_step *hs = run_kind_data(run);

	if (hs && hs->proc && host_proc_running(hs->proc))
		host_proc_kill(hs->proc, run_options(run)->kill_grace_ms);
	else
		run_step_complete(run, -1, 0);
}

static void host_cleanup(struct run *run)
{
	struct host_step *hs = run_kind_data(run);

	if (hs->proc)
		host_proc_free(hs->proc);
	g_free(hs);
}

const struct step_kind kind_host = {
	.name = "host",
	.start = host_start,
	.stop = host_stop,
	.cleanup = host_cleanup,
};
