/* run_virt.c - a run's libvirt connections (one per URI) and its machines' sessions (console, SSH shell, host shell). */
#include "config.h"

#include "conhub.h"
#include "expect.h"
#include "journal.h"
#include "run_private.h"
#include "session.h"
#include "vars.h"
#include "vconsole.h"
#include "virt.h"

/* One connection, and the steps waiting for it to come up. */
struct pool_virt {
	struct run *run;
	struct virt *virt;
	GSList *waiters; /* struct conn_waiter * */
};

struct conn_waiter {
	run_conn_fn fn;
	guint generation;
};

/* A libvirt console as a session's backend. */
struct vc_session {
	struct vconsole *vc; /* borrowed from the hub */
	guint listen_id;
	struct session *session;
};

struct run_virtpool {
	struct conhub *hub;     /* the front end's (run_options.hub), or the pool's own */
	gboolean own_hub;
	GHashTable *virts;    /* uri ("" for the default) -> struct pool_virt * */
	GHashTable *sessions; /* machine name -> struct session * */
	struct run_sshpool *ssh;
	/* the one session request in flight (only the running step asks) */
	run_session_fn session_fn;
	guint session_generation;
	const struct suite_machine *session_machine; /* whose session is being opened (a check's may not be the step's) */
};

static void pool_virt_free(gpointer p)
{
	struct pool_virt *pv = p;

	g_slist_free_full(pv->waiters, g_free);
	virt_free(pv->virt);
	g_free(pv);
}

static struct run_virtpool *pool_of(struct run *run)
{
	struct run_virtpool **slot = run_virtpool_slot(run);

	if (!*slot) {
		*slot = g_new0(struct run_virtpool, 1);
		(*slot)->virts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pool_virt_free);
		(*slot)->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)session_free);
		(*slot)->hub = run_options(run)->hub;
		if (!(*slot)->hub) {
			(*slot)->hub = conhub_new();
			(*slot)->own_hub = TRUE;
		}
	}
	return *slot;
}

struct run_sshpool **run_sshpool_slot(struct run *run)
{
	return &pool_of(run)->ssh;
}

void run_virtpool_free(struct run_virtpool *pool)
{
	if (!pool)
		return;
	/* sessions first: their streams and channels belong to the connections */
	g_hash_table_unref(pool->sessions);
	run_sshpool_free(pool->ssh);
	if (pool->own_hub)
		conhub_free(pool->hub);
	g_hash_table_unref(pool->virts);
	g_free(pool);
}

static void wake_waiters(struct pool_virt *pv, virConnectPtr conn, const GError *error)
{
	GSList *waiters = pv->waiters;

	pv->waiters = NULL;
	for (GSList *l = waiters; l; l = l->next) {
		struct conn_waiter *w = l->data;

		/* a waiter of a step that has ended since is dropped */
		if (w->generation == run_generation(pv->run) && run_busy(pv->run))
			w->fn(pv->run, conn, error);
	}
	g_slist_free_full(waiters, g_free);
}

static void on_virt_state(struct virt *virt, enum virt_conn_state state, const char *message, void *user_data)
{
	struct pool_virt *pv = user_data;
	g_autoptr(GError) error = NULL;

	if (state == VIRT_CONN_UP) {
		wake_waiters(pv, virt_connection(virt), NULL);
	} else if (state == VIRT_CONN_DOWN) {
		g_set_error(&error, VIRT_ERROR, VIRT_ERROR_CONNECT, "%s", message ? message : "libvirt connection lost");
		wake_waiters(pv, NULL, error);
	}
}

static const struct virt_ops pool_virt_ops = { .state = on_virt_state };

/* The machine's URI with variables expanded: its own, else the run's; "" for libvirt's choice. */
static char *machine_uri(struct run *run, const struct suite_machine *m)
{
	if (m && m->uri) {
		char *uri = vars_expand(run_vars(run), m->uri, VARS_RAW, NULL);

		if (uri)
			return uri;
	}
	return g_strdup(run_default_uri(run) ? run_default_uri(run) : "");
}

static struct pool_virt *pool_virt_for(struct run *run, const struct suite_machine *m)
{
	struct run_virtpool *pool = pool_of(run);
	g_autofree char *uri = machine_uri(run, m);
	struct pool_virt *pv = g_hash_table_lookup(pool->virts, uri);

	if (!pv) {
		pv = g_new0(struct pool_virt, 1);
		pv->run = run;
		g_hash_table_insert(pool->virts, g_strdup(uri), pv);
		pv->virt = virt_new(*uri ? uri : NULL, &pool_virt_ops, pv);
	}
	return pv;
}

struct virt *run_machine_virt(struct run *run, const struct suite_machine *machine)
{
	return pool_virt_for(run, machine)->virt;
}

void run_machine_conn(struct run *run, const struct suite_machine *machine, run_conn_fn fn)
{
	struct pool_virt *pv = pool_virt_for(run, machine);
	struct conn_waiter *w;

	if (virt_state(pv->virt) == VIRT_CONN_UP) {
		fn(run, virt_connection(pv->virt), NULL);
		return;
	}
	/* connecting, or down and retrying with backoff: the step waits for the next outcome */
	w = g_new0(struct conn_waiter, 1);
	w->fn = fn;
	w->generation = run_generation(run);
	pv->waiters = g_slist_append(pv->waiters, w);
}

/* ---- sessions ---- */

static void session_data(struct session *s, const char *data, gsize len, void *user_data)
{
	struct run *run = user_data;
	const char *machine = session_machine(s);
	g_autofree char *stream = g_strdup_printf("%s:%s", session_kind(s), machine);
	gint step = run_journal_step(run);

	if (run_journal(run) && step >= 0)
		journal_output(run_journal(run), (guint)step, stream, data, len);
	/* the running step on this machine shows what its session printed */
	if (run_busy(run) && g_strcmp0(run_cur_def(run)->on, machine) == 0)
		run_step_show(run, data, len);
	if (g_str_equal(session_kind(s), "console"))
		run_console_bytes(run, machine, data, len);
	run_console_changed(run, s);
}

static void session_gone(struct session *s, void *user_data)
{
	run_console_changed(user_data, s);
}

static const struct session_listener pool_listener = { session_data, session_gone };

void run_session_register(struct run *run, struct session *session)
{
	session_set_listener(session, &pool_listener, run);
	g_hash_table_replace(pool_of(run)->sessions, g_strdup(session_machine(session)), session);
}

void run_session_ready(struct run *run, struct session *session, const GError *error)
{
	struct run_virtpool *pool = pool_of(run);
	run_session_fn fn = pool->session_fn;

	pool->session_fn = NULL;
	if (!fn || pool->session_generation != run_generation(run) || !run_busy(run))
		return;
	fn(run, session, error);
}

static void vc_data(const char *data, gsize len, void *user_data)
{
	struct vc_session *v = user_data;

	session_feed(v->session, data, len);
}

static void vc_closed(const GError *error, void *user_data)
{
	struct vc_session *v = user_data;
	g_autofree char *why = error ? g_strdup(error->message)
				     : g_strdup_printf("the console of '%s' closed (the guest stopped, or another client took it over)",
						       session_machine(v->session));

	v->listen_id = 0; /* a closed console calls no listener again */
	session_closed(v->session, why);
}

static const struct vconsole_listener vc_listener = { vc_data, vc_closed };

static gboolean vc_write(void *impl, const char *data, gsize len)
{
	struct vc_session *v = impl;

	return vconsole_write(v->vc, data, len);
}

static void vc_free(void *impl)
{
	struct vc_session *v = impl;

	if (v->vc && v->listen_id)
		vconsole_unlisten(v->vc, v->listen_id);
	g_free(v);
}

static const struct session_backend vc_backend = { "console", vc_write, vc_free };

static void console_conn_ready(struct run *run, virConnectPtr conn, const GError *error)
{
	struct run_virtpool *pool = pool_of(run);
	const struct suite_machine *m = pool->session_machine;
	struct vc_session *v;
	g_autoptr(GError) err = NULL;
	g_autofree char *domain = NULL;
	struct vconsole *vc;

	if (error) {
		run_session_ready(run, NULL, error);
		return;
	}
	domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &err);
	vc = domain ? conhub_get(pool->hub, conn, domain, m->console, run_cur_def(run)->force, &err) : NULL;
	if (!vc) {
		run_session_ready(run, NULL, err);
		return;
	}
	v = g_new0(struct vc_session, 1);
	v->vc = vc;
	v->session = session_new(m->name, &vc_backend, v);
	run_session_register(run, v->session);
	v->listen_id = vconsole_listen(vc, &vc_listener, v);
	run_session_ready(run, v->session, NULL);
}

const struct suite_machine *run_session_machine(struct run *run)
{
	return pool_of(run)->session_machine;
}

void run_machine_session(struct run *run, const struct suite_machine *machine, run_session_fn fn)
{
	struct run_virtpool *pool = pool_of(run);
	struct session *s = g_hash_table_lookup(pool->sessions, machine->name);

	if (s && session_is_open(s)) {
		fn(run, s, NULL);
		return;
	}
	/* closed ones are replaced (freed here, outside their own callbacks) */
	if (s)
		g_hash_table_remove(pool->sessions, machine->name);
	pool->session_fn = fn;
	pool->session_generation = run_generation(run);
	pool->session_machine = machine;
	if (machine->ssh)
		run_ssh_shell_open(run, machine);
	else if (machine->domain)
		run_machine_conn(run, machine, console_conn_ready);
	else
		run_host_shell_open(run, machine);
}
