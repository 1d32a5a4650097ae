/* kind_agent.c - run: commands inside a guest through qemu-guest-agent (no network needed). */
#include "config.h"

#include <string.h>

#include "agent.h"
#include "run_private.h"
#include "vars.h"

#define AGENT_DEADLINE_GRACE_MS 1000

/* One agent call in flight: the callback always comes (GTask), even after the step is gone,
 * so it holds this rather than the run; cleanup, or a stop that ends the step at once, marks
 * it dead. */
struct agent_call {
	struct run *run;
	gboolean dead;
};

struct agent_step {
	GCancellable *cancel;
	char *command;
	char *domain;
	char *who;          /* the machine as messages name it: "vm1", or "tb (domain virtcon-tb1)" */
	struct agent_call *call;
	char *pid;          /* the command's pid in the guest, once guest-exec accepted it */
	gboolean waiting;   /* the agent does not answer (yet) */
	gint64 wait_since;  /* monotonic µs */
	gint64 step_start;
	char *last_error;   /* libvirt's word on the last failed try */
};

static void agent_progress(enum agent_progress what, const char *detail, gpointer user_data)
{
	struct agent_call *call = user_data;
	struct agent_step *as;
	g_autofree char *text = NULL;

	if (call->dead)
		return;
	as = run_kind_data(call->run);
	switch (what) {
	case AGENT_WAITING:
		g_free(as->last_error);
		as->last_error = g_strdup(detail);
		if (as->waiting)
			return; /* told once a wait */
		as->waiting = TRUE;
		as->wait_since = g_get_monotonic_time();
		text = as->pid ? g_strdup_printf("the guest agent on %s stopped answering while the command runs, "
						     "asking again; libvirt: %s", as->who, detail)
				   : g_strdup_printf("waiting for the guest agent on %s; libvirt: %s", as->who, detail);
		break;
	case AGENT_READY: {
		g_autofree char *took = run_format_duration_ms((g_get_monotonic_time() - as->wait_since) / 1000);

		as->waiting = FALSE;
		text = g_strdup_printf("the guest agent on %s answers (after %s)", as->who, took);
		break;
	}
	case AGENT_STARTED:
		g_free(as->pid);
		as->pid = g_strdup(detail);
		return;
	}
	run_step_notice(call->run, text);
}

/* Ends the step in error; the message names the domain, and the machine when its name differs. */
static void end_error(struct run *run, const char *domain, const char *message)
{
	const char *machine = run_cur_machine(run)->name;

	if (strcmp(machine, domain) == 0)
		run_step_endf(run, STEP_ERROR, -1, "%s", message);
	else
		run_step_endf(run, STEP_ERROR, -1, "machine %s: %s", machine, message);
}

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
		end_error(run, ((struct agent_step *)run_kind_data(run))->domain, error->message);
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
	/* The wait for the agent counts in the step's timeout, from its start. The engine's timer
	 * ends the step (agent_stop); the worker's own deadline, a second later, only backs it up. */
	agent_exec_async(conn, as->domain, as->command,
			 MAX(1, run_cur_timeout_ms(run) - (g_get_monotonic_time() - as->step_start) / 1000) +
				 AGENT_DEADLINE_GRACE_MS,
			 agent_progress, as->cancel, agent_done, as->call);
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
	as->step_start = g_get_monotonic_time();
	as->command = vars_expand(run_vars(run), st->edited ? st->edited : ss->run, VARS_SHELL, &error);
	if (as->command)
		as->domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &error);
	if (!as->command || !as->domain) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	as->who = strcmp(m->name, as->domain) == 0 ? g_strdup(m->name)
						   : g_strdup_printf("%s (domain %s)", m->name, as->domain);
	run_machine_conn(run, m, agent_conn);
}

static void agent_stop(struct run *run, gboolean timed_out)
{
	struct agent_step *as = run_kind_data(run);

	/* still waiting for the agent at the timeout: the command never ran, or ran and its
	 * outcome is unknown; say so now (the worker may be in a call that blocks for seconds) */
	if (as && as->call && timed_out && as->waiting) {
		g_autofree char *msg = as->pid ? agent_lost_message(as->domain, as->pid, as->last_error)
					       : agent_wait_message(as->domain, run_cur_timeout_ms(run), as->last_error);

		/* the worker's progress and callback may still come: they find the call dead (and
		 * the callback frees it) */
		as->call->dead = TRUE;
		as->call = NULL;
		g_cancellable_cancel(as->cancel);
		end_error(run, as->domain, msg);
		return;
	}
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
	g_free(as->who);
	g_free(as->pid);
	g_free(as->last_error);
	g_free(as);
}

const struct step_kind kind_agent = {
	.name = "agent",
	.start = agent_start,
	.stop = agent_stop,
	.cleanup = agent_cleanup,
};
