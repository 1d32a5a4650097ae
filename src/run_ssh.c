/* run_ssh.c - a run's SSH connections (one per machine, kept for the run), SSH shell and host shell sessions. */
#include "config.h"

#include <string.h>

#include "host_proc.h"
#include "journal.h"
#include "run_private.h"
#include "session.h"
#include "ssh.h"
#include "sshtarget.h"
#include "vars.h"

/* One machine's connection, and the steps waiting for it. */
struct pool_ssh {
	struct run *run;
	struct ssh_conn *conn;
	GSList *requests; /* struct ssh_request * in flight */
};

struct ssh_request {
	struct pool_ssh *ps;
	run_ssh_fn fn;
	guint generation;
};

/* The operator accepting an SSH machine's host key (run_host_key_scan / _accept). */
struct host_key_offer {
	struct run *run;
	guint step;
	char *host;
	guint port;
	char *file;       /* the known_hosts file it goes into */
	char *key;        /* once scanned: "ssh-ed25519 AAAA..." */
	struct ssh_conn *scan;
	run_host_key_fn fn;
	void *user_data;
};

struct run_sshpool {
	GHashTable *conns; /* machine name -> struct pool_ssh * */
	struct host_key_offer *offer; /* the last scan, or NULL */
};

static void offer_free(struct host_key_offer *o)
{
	if (!o)
		return;
	ssh_conn_free(o->scan);
	g_free(o->host);
	g_free(o->file);
	g_free(o->key);
	g_free(o);
}

static void pool_ssh_free(gpointer p)
{
	struct pool_ssh *ps = p;

	ssh_conn_free(ps->conn);
	g_slist_free_full(ps->requests, g_free);
	g_free(ps);
}

void run_sshpool_free(struct run_sshpool *pool)
{
	if (!pool)
		return;
	offer_free(pool->offer);
	g_hash_table_unref(pool->conns);
	g_free(pool);
}

static struct run_sshpool *sshpool_of(struct run *run)
{
	struct run_sshpool **slot = run_sshpool_slot(run);

	if (!*slot) {
		*slot = g_new0(struct run_sshpool, 1);
		(*slot)->conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pool_ssh_free);
	}
	return *slot;
}

static struct pool_ssh *pool_ssh_for(struct run *run, const struct suite_machine *m, GError **error)
{
	struct run_sshpool *pool = sshpool_of(run);
	struct pool_ssh *ps = g_hash_table_lookup(pool->conns, m->name);
	struct ssh_target *target;

	if (ps)
		return ps;
	target = ssh_target_resolve(m, run_vars(run), run_base_dir(run), error);
	if (!target)
		return NULL;
	ps = g_new0(struct pool_ssh, 1);
	ps->run = run;
	ps->conn = ssh_conn_new(&target->options, NULL, ps);
	ssh_target_free(target);
	g_hash_table_insert(pool->conns, g_strdup(m->name), ps);
	return ps;
}

static void ssh_ready(struct ssh_conn *conn, const GError *error, void *user_data)
{
	struct ssh_request *rq = user_data;
	struct pool_ssh *ps = rq->ps;
	run_ssh_fn fn = rq->fn;
	gboolean current = rq->generation == run_generation(ps->run) && run_busy(ps->run);

	ps->requests = g_slist_remove(ps->requests, rq);
	g_free(rq);
	/* a request of a step that has ended since is dropped */
	if (current)
		fn(ps->run, error ? NULL : conn, error);
}

void run_machine_ssh(struct run *run, const struct suite_machine *machine, run_ssh_fn fn)
{
	g_autoptr(GError) error = NULL;
	struct pool_ssh *ps = pool_ssh_for(run, machine, &error);
	struct ssh_request *rq;

	if (!ps) {
		fn(run, NULL, error);
		return;
	}
	rq = g_new0(struct ssh_request, 1);
	rq->ps = ps;
	rq->fn = fn;
	rq->generation = run_generation(run);
	ps->requests = g_slist_prepend(ps->requests, rq);
	ssh_conn_connect(ps->conn, ssh_ready, rq);
}

/* ---- the SSH shell: a pty channel that lives across steps ---- */

struct ssh_shell {
	struct ssh_chan *chan;
	struct session *session;
};

static void shell_data(const char *data, gsize len, gboolean is_stderr G_GNUC_UNUSED, void *user_data)
{
	struct ssh_shell *sh = user_data;

	session_feed(sh->session, data, len);
}

static void shell_closed(int exit_status, const char *exit_signal, const GError *error, void *user_data)
{
	struct ssh_shell *sh = user_data;
	g_autofree char *why = NULL;

	if (error)
		why = g_strdup(error->message);
	else if (exit_signal)
		why = g_strdup_printf("%s ended (killed by SIG%s)", session_describe(sh->session), exit_signal);
	else
		why = g_strdup_printf("%s ended (exit status %d)", session_describe(sh->session), exit_status);
	session_closed(sh->session, why);
}

static const struct ssh_chan_ops shell_ops = { shell_data, shell_closed };

static gboolean shell_write(void *impl, const char *data, gsize len)
{
	struct ssh_shell *sh = impl;

	return sh->chan && ssh_chan_write(sh->chan, data, len);
}

static void shell_free(void *impl)
{
	struct ssh_shell *sh = impl;

	ssh_chan_free(sh->chan);
	g_free(sh);
}

static const struct session_backend ssh_shell_backend = { "ssh", shell_write, shell_free };

static void shell_conn_ready(struct run *run, struct ssh_conn *conn, const GError *error)
{
	const struct suite_machine *m = run_session_machine(run);
	const struct run_options *opts = run_options(run);
	struct ssh_shell *sh;

	if (error) {
		run_session_ready(run, NULL, error);
		return;
	}
	sh = g_new0(struct ssh_shell, 1);
	sh->session = session_new(m->name, &ssh_shell_backend, sh);
	run_session_register(run, sh->session);
	sh->chan = ssh_chan_open(conn, NULL, opts->pty_cols, opts->pty_rows, &shell_ops, sh);
	if (!sh->chan)
		session_closed(sh->session, "the SSH connection went down");
	run_session_ready(run, sh->session, NULL);
}

void run_ssh_shell_open(struct run *run, const struct suite_machine *machine)
{
	run_machine_ssh(run, machine, shell_conn_ready);
}

/* ---- the host shell: /bin/sh under a pty for send: on a local machine ---- */

struct host_shell {
	struct host_proc *proc;
	struct session *session;
};

static void host_shell_output(const char *data, gsize len, void *user_data)
{
	struct host_shell *hs = user_data;

	session_feed(hs->session, data, len);
}

static void host_shell_exited(int wait_status, void *user_data)
{
	struct host_shell *hs = user_data;
	g_autofree char *why = g_strdup_printf("%s exited (wait status %d)", session_describe(hs->session), wait_status);

	session_closed(hs->session, why);
}

static gboolean host_shell_write(void *impl, const char *data, gsize len)
{
	struct host_shell *hs = impl;

	return hs->proc && host_proc_write(hs->proc, data, len);
}

static void host_shell_free(void *impl)
{
	struct host_shell *hs = impl;

	if (hs->proc)
		host_proc_free(hs->proc);
	g_free(hs);
}

static const struct session_backend host_shell_backend = { "shell", host_shell_write, host_shell_free };

void run_host_shell_open(struct run *run, const struct suite_machine *machine)
{
	static const struct host_proc_ops ops = { host_shell_output, host_shell_exited };
	const struct run_options *opts = run_options(run);
	struct host_proc_options popts = { 0 };
	struct host_shell *hs = g_new0(struct host_shell, 1);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) env = g_get_environ();

	env = g_environ_setenv(env, "TERM", "dumb", TRUE);
	env = g_environ_setenv(env, "PS1", "$ ", TRUE);
	popts.envp = env;
	popts.cols = opts->pty_cols;
	popts.rows = opts->pty_rows;
	hs->session = session_new(machine->name, &host_shell_backend, hs);
	hs->proc = host_proc_spawn("exec /bin/sh -i", &popts, &ops, hs, &error);
	if (!hs->proc) {
		g_prefix_error(&error, "could not start a shell for '%s': ", machine->name);
		session_free(hs->session);
		run_session_ready(run, NULL, error);
		return;
	}
	run_session_register(run, hs->session);
	run_session_ready(run, hs->session, NULL);
}

/* ---- accepting a host key ---- */

static void offer_scanned(const char *key, const char *fingerprint, const GError *error, void *user_data)
{
	struct host_key_offer *o = user_data;

	if (key)
		o->key = g_strdup(key);
	o->fn(o->run, o->step, fingerprint, o->host, o->port, o->file, error, o->user_data);
}

gboolean run_host_key_scan(struct run *run, guint step, run_host_key_fn fn, void *user_data, GError **error)
{
	struct run_sshpool *pool = sshpool_of(run);
	const struct suite_step *ss;
	const struct suite_machine *m;
	struct host_key_offer *o;
	g_autofree char *target = NULL, *user = NULL;

	if (step >= run_n_steps(run)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "there is no step %u", step + 1);
		return FALSE;
	}
	ss = g_ptr_array_index(run_suite(run)->steps, step);
	/* the machine whose key blocked the step: a check's, or the step's own */
	m = suite_find_machine(run_suite(run), run_get_step(run, step)->key_machine ? run_get_step(run, step)->key_machine
										    : ss->on);
	if (!m || !m->ssh) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "step %u does not run on an SSH machine: it has no host key to accept", step + 1);
		return FALSE;
	}
	target = vars_expand(run_vars(run), m->ssh, VARS_RAW, error);
	if (!target)
		return FALSE;
	o = g_new0(struct host_key_offer, 1);
	o->run = run;
	o->step = step;
	o->fn = fn;
	o->user_data = user_data;
	o->port = 22;
	if (!vars_ssh_split(target, &user, &o->host, &o->port)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "machine '%s': ssh '%s' is not user@host[:port]", m->name, target);
		offer_free(o);
		return FALSE;
	}
	o->file = m->known_hosts ? ssh_target_file(run_vars(run), run_base_dir(run), m->known_hosts, error)
				 : g_build_filename(g_get_home_dir(), ".ssh", "known_hosts", NULL);
	if (!o->file) {
		offer_free(o);
		return FALSE;
	}
	offer_free(pool->offer);
	pool->offer = o;
	o->scan = ssh_scan(o->host, o->port, offer_scanned, o);
	return TRUE;
}

gboolean run_host_key_accept(struct run *run, guint step, GError **error)
{
	struct host_key_offer *o = sshpool_of(run)->offer;
	gboolean ok;

	if (!o || o->step != step || !o->key) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no host key was fetched for step %u: scan it first", step + 1);
		return FALSE;
	}
	ok = ssh_known_hosts_add(o->file, o->host, o->port, o->key, error);
	if (ok && run_journal(run)) {
		g_autofree char *what = g_strdup_printf("accepted the host key of %s:%u into %s", o->host, o->port, o->file);

		journal_input(run_journal(run), step, "host-key", what);
	}
	/* the connection that refused it is dropped, so the next try reads the file again */
	if (ok && !run_busy(run))
		g_hash_table_remove(sshpool_of(run)->conns, run_suite(run)->steps->len > step
							? ((const struct suite_step *)g_ptr_array_index(run_suite(run)->steps, step))->on
							: "");
	return ok;
}
