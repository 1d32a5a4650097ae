/* kind_agent.c - run: commands inside a guest through qemu-guest-agent (no network needed). */
#include "config.h"

#include "agent.h"
#include "run_private.h"
#include "vars.h"

/* One agent call in flight: the callback always comes (GTask), even after the step is gone,
 * so it holds this rather than the run; cleanup marks it dead. */
struct agent_call {
	struct run *run;
	gboolean dead;
};

struct agent_step {
	GCancellable *cancel;
	char *command;
	char *domain;
	struct agent_call *call;
};

static void agent_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct agent_call *call = user_data;
	g_autoptr(GError) error = NULL;
	struct agent_result *r = agent_exec_finish(res, &error);
	struct run *run = call->run;
	gsize len;
	const char *data;

	if (call->dead) {
		g_free(call);
		if (r)
			agent_result_free(r);
		return;
	}
	((struct agent_step *)run_kind_data(run))->call = NULL;
	g_free(call);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		run_step_complete(run, -1, 0); /* stopped: the timeout or an abort */
		return;
	}
	if (!r) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	if (r->out && (data = g_bytes_get_data(r->out, &len)) && len)
		run_step_output(run, "agent-stdout", data, len);
	if (r->err && (data = g_bytes_get_data(r->err, &len)) && len)
		run_step_output(run, "agent-stderr", data, len);
	if (r->truncated)
		run_step_output(run, "agent-stderr", "\n[virtcon: the guest agent truncated the output]\n", 49);
	if (r->signal > 0)
		run_step_complete(run, -1, r->signal);
	else
		run_step_complete(run, r->exit_status, 0);
	agent_result_free(r);
}

static void agent_conn(struct run *run, virConnectPtr conn, const GError *error)
{
	struct agent_step *as = run_kind_data(run);

	if (error) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	as->call = g_new0(struct agent_call, 1);
	as->call->run = run;
	agent_exec_async(conn, as->domain, as->command, run_cur_timeout_ms(run), NULL, as->cancel, agent_done,
			 as->call);
}

static void agent_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);
	const struct run_step *st = run_cur_state(run);
	const struct suite_machine *m = run_cur_machine(run);
	struct agent_step *as = g_new0(struct agent_step, 1);
	g_autoptr(GError) error = NULL;

	run_set_kind_data(run, as);
	as->cancel = g_cancellable_new();
	as->command = vars_expand(run_vars(run), st->edited ? st->edited : ss->run, VARS_SHELL, &error);
	if (as->command)
		as->domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &error);
	if (!as->command || !as->domain) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	run_machine_conn(run, m, agent_conn);
}

static void agent_stop(struct run *run, gboolean timed_out)
{
	struct agent_step *as = run_kind_data(run);

	/* the agent cannot kill the guest process: the step ends, the command may go on */
	if (as && as->call)
		g_cancellable_cancel(as->cancel);
	else
		run_step_complete(run, -1, 0);
}

static void agent_cleanup(struct run *run)
{
	struct agent_step *as = run_kind_data(run);

	if (as->call)
		as->call->dead = TRUE;
	g_cancellable_cancel(as->cancel);
	g_object_unref(as->cancel);
	g_free(as->command);
	g_free(as->domain);
	g_free(as);
}

const struct step_kind kind_agent = {
	.name = "agent",
	.start = agent_start,
	.stop = agent_stop,
	.cleanup = agent_cleanup,
};
