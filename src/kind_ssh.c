/* kind_ssh.c - run: commands on an SSH machine, each in its own exec channel with a pty. */
#include "config.h"

#include <signal.h>

#include "run_private.h"
#include "ssh.h"
#include "vars.h"

struct ssh_step {
	struct run *run;
	guint generation;
	char *command;
	struct ssh_chan *chan;
	gboolean stopping;
	guint grace_id;
};

static gboolean ssh_step_current(const struct ssh_step *ks)
{
	return run_busy(ks->run) && ks->generation == run_generation(ks->run);
}

static void chan_data(const char *data, gsize len, gboolean is_stderr, void *user_data)
{
	struct ssh_step *ks = user_data;

	if (ssh_step_current(ks))
		run_step_output(ks->run, is_stderr ? "ssh-stderr" : "ssh", data, len);
}

static void chan_closed(int exit_status, const char *exit_signal, const GError *error, void *user_data)
{
	struct ssh_step *ks = user_data;
	int sig = exit_signal ? ssh_signal_number(exit_signal) : 0;

	if (!ssh_step_current(ks))
		return;
	if (ks->grace_id) {
		g_source_remove(ks->grace_id);
		ks->grace_id = 0;
	}
	if (error && !ks->stopping) {
		run_step_endf(ks->run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	if (exit_signal && !sig && !ks->stopping) {
		run_step_endf(ks->run, STEP_FAIL, -1, "killed by signal %s", exit_signal);
		return;
	}
	run_step_complete(ks->run, sig ? -1 : exit_status, sig);
}

static const struct ssh_chan_ops chan_ops = { chan_data, chan_closed };

static void ssh_ready(struct run *run, struct ssh_conn *conn, const GError *error)
{
	struct ssh_step *ks = run_kind_data(run);
	const struct run_options *opts = run_options(run);

	if (error) {
		/* an unknown host key waits for the operator to accept it; everything else is an error */
		run_step_endf(run, g_error_matches(error, SSH_ERROR, SSH_ERROR_HOSTKEY_UNKNOWN) ? STEP_BLOCKED : STEP_ERROR,
			      -1, "%s", error->message);
		return;
	}
	ks->chan = ssh_chan_open(conn, ks->command, opts->pty_cols, opts->pty_rows, &chan_ops, ks);
	if (!ks->chan)
		run_step_endf(run, STEP_ERROR, -1, "connection to %s went down", ssh_conn_target(conn));
}

static void ssh_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);
	const struct run_step *st = run_cur_state(run);
	const struct suite_machine *m = run_cur_machine(run);
	struct ssh_step *ks = g_new0(struct ssh_step, 1);
	g_autoptr(GError) error = NULL;

	ks->run = run;
	ks->generation = run_generation(run);
	run_set_kind_data(run, ks);
	if (!m || !m->ssh) {
		run_step_endf(run, STEP_ERROR, -1,
			      "machine '%s' has no way to run commands: give it 'agent: true' (qemu-guest-agent) or 'ssh:'",
			      m ? m->name : ss->on);
		return;
	}
	ks->command = vars_expand(run_vars(run), st->edited ? st->edited : ss->run, VARS_SHELL, &error);
	if (!ks->command) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	run_machine_ssh(run, m, ssh_ready);
}

static gboolean grace_over(gpointer data)
{
	struct ssh_step *ks = data;

	ks->grace_id = 0;
	if (ks->chan)
		ssh_chan_close(ks->chan); /* the server hangs up the pty: SIGHUP to what is left */
	return G_SOURCE_REMOVE;
}

static void ssh_stop(struct run *run, gboolean timed_out G_GNUC_UNUSED)
{
	struct ssh_step *ks = run_kind_data(run);

	if (!ks || !ks->chan || !ssh_chan_running(ks->chan)) {
		run_step_complete(run, -1, 0); /* still connecting, or already over */
		return;
	}
	ks->stopping = TRUE;
	ssh_chan_signal(ks->chan, "TERM");
	if (!ks->grace_id)
		ks->grace_id = g_timeout_add(run_options(run)->kill_grace_ms, grace_over, ks);
}

static void ssh_cleanup(struct run *run)
{
	struct ssh_step *ks = run_kind_data(run);

	if (ks->grace_id)
		g_source_remove(ks->grace_id);
	ssh_chan_free(ks->chan);
	g_free(ks->command);
	g_free(ks);
}

const struct step_kind kind_ssh = {
	.name = "ssh",
	.start = ssh_start,
	.stop = ssh_stop,
	.cleanup = ssh_cleanup,
};
