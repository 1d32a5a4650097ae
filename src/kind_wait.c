/* kind_wait.c - wait: until the machine's domain is in a state, or its migration has a status. */
#include "config.h"

#include <string.h>

#include "migmon.h"
#include "run_private.h"
#include "vars.h"
#include "virt.h"

#define WAIT_POLL_MS 100        /* the domain model is event-driven: reading it is free */
#define WAIT_MIGMON_INTERVAL_MS 250

struct wait_step {
	struct run *run;
	char *domain;
	guint poll_id;
	struct migmon *mon;
	char *last; /* the last state or status seen, for the timeout message */
};

static void wait_finish_if(struct run *run, const char *seen)
{
	struct wait_step *ws = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);
	const char *want = ss->wait_state ? ss->wait_state : ss->wait_migration;

	if (g_strcmp0(ws->last, seen) != 0) {
		g_autofree char *line = g_strdup_printf("%s: %s\n", ws->domain, seen ? seen : "(no such domain)");

		run_step_output(run, "wait", line, strlen(line));
		g_free(ws->last);
		ws->last = g_strdup(seen);
	}
	if (seen && strcmp(seen, want) == 0)
		run_step_complete(run, -1, 0);
}

/* Is ws still the running step's? (Its sources live until cleanup, which may come later.) */
static gboolean wait_current(const struct wait_step *ws)
{
	return run_busy(ws->run) && run_kind_data(ws->run) == ws;
}

static gboolean wait_poll(gpointer data)
{
	struct wait_step *ws = data;
	struct virt *virt;
	const struct virt_domain *d;

	if (!wait_current(ws)) {
		ws->poll_id = 0;
		return G_SOURCE_REMOVE;
	}
	virt = run_machine_virt(ws->run, run_cur_machine(ws->run));
	if (virt_state(virt) != VIRT_CONN_UP)
		return G_SOURCE_CONTINUE;
	d = virt_find_domain(virt, ws->domain);
	wait_finish_if(ws->run, d ? virt_state_name(d->state) : NULL);
	return G_SOURCE_CONTINUE;
}

static void wait_migration_sample(const struct migmon_sample *sample, void *user_data)
{
	struct wait_step *ws = user_data;

	if (wait_current(ws))
		wait_finish_if(ws->run, sample->status);
}

static const struct migmon_ops wait_migmon_ops = { .sample = wait_migration_sample, .done = wait_migration_sample };

static void wait_conn(struct run *run, virConnectPtr conn, const GError *error)
{
	struct wait_step *ws = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);

	if (error) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	if (ss->wait_state) {
		ws->poll_id = g_timeout_add(WAIT_POLL_MS, wait_poll, ws);
		wait_poll(ws);
	} else {
		ws->mon = migmon_start(conn, ws->domain, WAIT_MIGMON_INTERVAL_MS, &wait_migmon_ops, ws);
	}
}

static void wait_start(struct run *run)
{
	struct wait_step *ws = g_new0(struct wait_step, 1);
	g_autoptr(GError) error = NULL;

	run_set_kind_data(run, ws);
	ws->run = run;
	ws->domain = vars_expand(run_vars(run), run_cur_machine(run)->domain, VARS_RAW, &error);
	if (!ws->domain) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	run_machine_conn(run, run_cur_machine(run), wait_conn);
}

static void wait_stop(struct run *run, gboolean timed_out)
{
	struct wait_step *ws = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);
	g_autofree char *limit = run_format_duration_ms(run_cur_timeout_ms(run));

	if (!timed_out || ss->expect.timeout || !ws) {
		run_step_complete(run, -1, 0);
		return;
	}
	run_step_endf(run, STEP_FAIL, -1, "timed out after %s waiting for %s '%s' of '%s' (last seen: %s)", limit,
		      ss->wait_state ? "state" : "migration status", ss->wait_state ? ss->wait_state : ss->wait_migration,
		      ws->domain, ws->last ? ws->last : "nothing");
}

static void wait_cleanup(struct run *run)
{
	struct wait_step *ws = run_kind_data(run);

	if (ws->poll_id)
		g_source_remove(ws->poll_id);
	if (ws->mon)
		migmon_stop(ws->mon);
	g_free(ws->domain);
	g_free(ws->last);
	g_free(ws);
}

const struct step_kind kind_wait = {
	.name = "wait",
	.start = wait_start,
	.stop = wait_stop,
	.cleanup = wait_cleanup,
};
