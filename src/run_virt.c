/* run_virt.c - a run's libvirt connections (one per URI) and console sessions (one per machine). */
#include "config.h"

#include "conhub.h"
#include "expect.h"
#include "journal.h"
#include "run_private.h"
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

struct run_console {
	struct run *run;
	char *machine;
	char *domain;
	struct vconsole *vc; /* borrowed from the hub */
	guint listen_id;
	struct expect *ex;
	gboolean open;
	char *closed_why; /* why it closed, for messages */
};

struct run_virtpool {
	struct conhub *hub;     /* the front end's (run_options.hub), or the pool's own */
	gboolean own_hub;
	GHashTable *virts;    /* uri ("" for the default) -> struct pool_virt * */
	GHashTable *consoles; /* machine name -> struct run_console * */
	/* the one console request in flight (only the running step asks) */
	run_console_fn console_fn;
	guint console_generation;
};

static void pool_virt_free(gpointer p)
{
	struct pool_virt *pv = p;

	g_slist_free_full(pv->waiters, g_free);
	virt_free(pv->virt);
	g_free(pv);
}

static void console_free(gpointer p)
{
	struct run_console *c = p;

	if (c->vc && c->listen_id)
		vconsole_unlisten(c->vc, c->listen_id);
	expect_free(c->ex);
	g_free(c->machine);
	g_free(c->domain);
	g_free(c->closed_why);
	g_free(c);
}

static struct run_virtpool *pool_of(struct run *run)
{
	struct run_virtpool **slot = run_virtpool_slot(run);

	if (!*slot) {
		*slot = g_new0(struct run_virtpool, 1);
		(*slot)->virts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pool_virt_free);
		(*slot)->consoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, console_free);
		(*slot)->hub = run_options(run)->hub;
		if (!(*slot)->hub) {
			(*slot)->hub = conhub_new();
			(*slot)->own_hub = TRUE;
		}
	}
	return *slot;
}

void run_virtpool_free(struct run_virtpool *pool)
{
	if (!pool)
		return;
	/* consoles first: their streams belong to the connections */
	g_hash_table_unref(pool->consoles);
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

/* ---- consoles ---- */

static void console_data(const char *data, gsize len, void *user_data)
{
	struct run_console *c = user_data;
	g_autofree char *stream = g_strdup_printf("console:%s", c->machine);
	gint step = run_journal_step(c->run);

	expect_feed(c->ex, data, len);
	if (run_journal(c->run) && step >= 0)
		journal_output(run_journal(c->run), (guint)step, stream, data, len);
	/* the running step on this machine shows what its console printed */
	if (run_busy(c->run) && g_strcmp0(run_cur_def(c->run)->on, c->machine) == 0)
		run_step_show(c->run, data, len);
	run_console_bytes(c->run, c->machine, data, len);
	run_console_changed(c->run, c);
}

static void console_closed(const GError *error, void *user_data)
{
	struct run_console *c = user_data;

	c->open = FALSE;
	c->listen_id = 0; /* a closed console calls no listener again */
	g_free(c->closed_why);
	c->closed_why = error ? g_strdup(error->message)
			      : g_strdup_printf("the console of '%s' closed (the guest stopped, or another client took it over)",
						c->machine);
	run_console_changed(c->run, c);
}

static const struct vconsole_listener console_listener = { console_data, console_closed };

static void console_conn_ready(struct run *run, virConnectPtr conn, const GError *error)
{
	struct run_virtpool *pool = pool_of(run);
	const struct suite_machine *m = run_cur_machine(run);
	run_console_fn fn = pool->console_fn;
	struct run_console *c;
	g_autoptr(GError) err = NULL;
	g_autofree char *domain = NULL;

	pool->console_fn = NULL;
	if (!fn || pool->console_generation != run_generation(run))
		return;
	if (error) {
		fn(run, NULL, error);
		return;
	}
	domain = vars_expand(run_vars(run), m->domain, VARS_RAW, &err);
	if (!domain) {
		fn(run, NULL, err);
		return;
	}
	c = g_new0(struct run_console, 1);
	c->run = run;
	c->machine = g_strdup(m->name);
	c->domain = g_strdup(domain);
	c->ex = expect_new();
	c->vc = conhub_get(pool->hub, conn, domain, m->console, FALSE, &err);
	if (!c->vc) {
		console_free(c);
		fn(run, NULL, err);
		return;
	}
	c->open = TRUE;
	c->listen_id = vconsole_listen(c->vc, &console_listener, c);
	g_hash_table_replace(pool->consoles, g_strdup(m->name), c);
	fn(run, c, NULL);
}

void run_machine_console(struct run *run, const struct suite_machine *machine, run_console_fn fn)
{
	struct run_virtpool *pool = pool_of(run);
	struct run_console *c = g_hash_table_lookup(pool->consoles, machine->name);

	if (c && c->open) {
		fn(run, c, NULL);
		return;
	}
	/* closed ones are replaced (freed here, outside their own callbacks) */
	if (c)
		g_hash_table_remove(pool->consoles, machine->name);
	pool->console_fn = fn;
	pool->console_generation = run_generation(run);
	run_machine_conn(run, machine, console_conn_ready);
}

struct expect *run_console_expect(struct run_console *console)
{
	return console->ex;
}

gboolean run_console_send(struct run_console *console, const char *data, gsize len)
{
	return console->open && vconsole_write(console->vc, data, len);
}

gboolean run_console_is_open(const struct run_console *console)
{
	return console->open;
}

const char *run_console_closed_why(const struct run_console *console)
{
	return console->closed_why;
}

const char *run_console_machine(const struct run_console *console)
{
	return console->machine;
}
