/* kind_action.c - action: a libvirt action on the step machine's domain (on a worker), with the
 * migration monitor sampling into the journal while a migrate runs. */
#include "config.h"

#include <string.h>

#include "actions.h"
#include "journal.h"
#include "migmon.h"
#include "run_private.h"
#include "vars.h"
#include "virt.h"

#define ACTION_MIGMON_INTERVAL_MS 500

/* The call in flight: its callback always comes, so it holds this, not the run. */
struct action_call {
	struct run *run;
	gboolean dead;
};

struct action_step {
	GCancellable *cancel;
	char *domain;
	GHashTable *opts; /* expanded options */
	struct action_call *call;
	struct migmon *mon;
	virConnectPtr conn; /* referenced while the step runs */
};

static gboolean action_validate_step(const struct suite *suite, const struct suite_step *step, GError **error)
{
	return action_validate(step->action, step->with, error);
}

static void migmon_sample_cb(const struct migmon_sample *sample, void *user_data)
{
	struct run *run = user_data;
	g_autofree char *json = migmon_sample_json(sample);

	if (run_journal(run) && run_busy(run))
		journal_sample(run_journal(run), (gint)run_cur(run), "migration", json);
}

static const struct migmon_ops action_migmon_ops = { .sample = migmon_sample_cb, .done = migmon_sample_cb };

static void action_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct action_call *call = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = action_run_finish(res, &error);
	struct run *run = call->run;
	struct action_step *as;

	if (call->dead) {
		g_free(call);
		return;
	}
	as = run_kind_data(run);
	as->call = NULL;
	g_free(call);
	if (as->mon) {
		/* the last figures of the migration, then no more samples */
		if (migmon_last(as->mon))
			migmon_sample_cb(migmon_last(as->mon), run);
		g_clear_pointer(&as->mon, migmon_stop);
	}
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		run_step_complete(run, -1, 0);
		return;
	}
	if (text && *text) {
		run_step_output(run, "action", text, strlen(text));
		if (text[strlen(text) - 1] != '\n')
			run_step_output(run, "action", "\n", 1);
	}
	if (!text) {
		/* libvirt refused the operation, or it timed out: the thing under test failed. A lost
		 * connection, a driver that can't do it, or an unreadable file: virtcon couldn't. */
		gboolean ours = run_step_aborted(run) || error->domain == G_FILE_ERROR ||
				g_error_matches(error, VIRT_ERROR, VIRT_ERROR_CONNECT) ||
				g_error_matches(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED);

		run_step_endf(run, ours ? STEP_ERROR : STEP_FAIL, -1, "%s", error->message);
		return;
	}
	run_step_complete(run, -1, 0);
}

static void action_conn(struct run *run, virConnectPtr conn, const GError *error)
{
	struct action_step *as = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);
	struct action_spec spec = { 0 };

	if (error) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	virConnectRef(conn);
	as->conn = conn;
	spec.name = ss->action;
	spec.domain = as->domain;
	spec.opts = as->opts;
	spec.base_dir = run_base_dir(run);
	spec.timeout_ms = run_cur_timeout_ms(run);
	as->call = g_new0(struct action_call, 1);
	as->call->run = run;
	action_run_async(conn, &spec, as->cancel, action_done, as->call);
	if (strcmp(ss->action, "migrate") == 0)
		as->mon = migmon_start(conn, as->domain, ACTION_MIGMON_INTERVAL_MS, &action_migmon_ops, run);
}

static void action_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);
	const struct suite_machine *m = run_cur_machine(run);
	struct action_step *as = g_new0(struct action_step, 1);
	g_autoptr(GError) error = NULL;
	GHashTableIter it;
	gpointer k, v;

	run_set_kind_data(run, as);
	as->cancel = g_cancellable_new();
	as->opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_iter_init(&it, ss->with);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		char *value = vars_expand(run_vars(run), v, VARS_RAW, &error);

		if (!value) {
			run_step_endf(run, STEP_ERROR, -1, "action option '%s': %s", (char *)k, error->message);
			return;
		}
		g_hash_table_insert(as->opts, g_strdup(k), value);
	}
	as->domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &error);
	if (!as->domain) {
		run_step_endf(run, STEP_ERROR, -1, "%s", error->message);
		return;
	}
	run_machine_conn(run, m, action_conn);
}

/* An abort of a migration asks libvirt to cancel the job (the worker's call then returns). */
static gpointer abort_job_thread(gpointer data)
{
	virDomainPtr dom = data;

	virDomainAbortJob(dom);
	virDomainFree(dom);
	return NULL;
}

static void action_stop(struct run *run, gboolean timed_out)
{
	struct action_step *as = run_kind_data(run);

	if (!as || !as->call) {
		run_step_complete(run, -1, 0);
		return;
	}
	if (as->conn && as->mon) {
		virDomainPtr dom = virDomainLookupByName(as->conn, as->domain);

		if (dom)
			g_thread_unref(g_thread_new("abort-job", abort_job_thread, dom));
	}
	/* the step ends now; the worker's late result is dropped (as->call marked dead) */
	as->call->dead = TRUE;
	as->call = NULL;
	run_step_complete(run, -1, 0);
}

static void action_cleanup(struct run *run)
{
	struct action_step *as = run_kind_data(run);

	if (as->call)
		as->call->dead = TRUE;
	if (as->mon)
		migmon_stop(as->mon);
	g_cancellable_cancel(as->cancel);
	g_object_unref(as->cancel);
	if (as->conn)
		virConnectClose(as->conn);
	g_hash_table_unref(as->opts);
	g_free(as->domain);
	g_free(as);
}

const struct step_kind kind_action = {
	.name = "action",
	.validate = action_validate_step,
	.start = action_start,
	.stop = action_stop,
	.cleanup = action_cleanup,
};
