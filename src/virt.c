/* virt.c - the libvirt connection: URI resolution with the embedded fallback, events, keepalive,
 * reconnection, and the domain model kept current by lifecycle events and bulk stats. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt/virterror.h>

#include "virt.h"

#define VIRT_BACKOFF_MIN_MS 1000
#define VIRT_BACKOFF_MAX_MS 30000
#define VIRT_REFRESH_DELAY_MS 100
#define VIRT_KEEPALIVE_INTERVAL 5 /* seconds; 3 missed answers drop the link */
#define VIRT_KEEPALIVE_COUNT 3

G_DEFINE_QUARK(virt-error-quark, virt_error)

struct virt {
	const struct virt_ops *ops;
	void *user_data;
	GMainContext *context;

	char *requested_uri; /* NULL: resolve */
	char *uri;
	char *origin;
	enum virt_conn_state state;
	char *message; /* the last state change's message */
	virConnectPtr conn;
	int lifecycle_id;
	GCancellable *cancel; /* for the workers; replaced on each (re)connect */

	GPtrArray *domains; /* struct virt_domain *, sorted by name */

	guint backoff_ms;
	guint reconnect_id;
	guint refresh_id;
	gboolean refresh_running;
	gboolean refresh_again;
	guint stats_interval_ms;
	guint stats_id;
	gboolean stats_running;
	guint close_idle_id;
};

static void ignore_error(void *data G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}

void virt_log_setup(void)
{
	/* libvirt logs warnings to stderr (the embedded driver's "tainted" notes): that would
	 * draw over the console. They go to a file, unless the user chose otherwise. Only the
	 * environment is touched: libvirt itself starts when first used. */
	if (!g_getenv("LIBVIRT_LOG_OUTPUTS")) {
		g_autofree char *dir = g_build_filename(g_get_user_state_dir(), "virtcon", NULL);
		g_autofree char *outputs = g_strdup_printf("3:file:%s/libvirt.log", dir);

		if (g_mkdir_with_parents(dir, 0700) == 0)
			g_setenv("LIBVIRT_LOG_OUTPUTS", outputs, FALSE);
	}
}

void virt_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		virt_log_setup();
		gvir_init(NULL, NULL);
		gvir_event_register();
		virSetErrorFunc(NULL, ignore_error);
		g_once_init_leave(&done, 1);
	}
}

static void set_libvirt_error(GError **error, int code, const char *what)
{
	const char *msg = virGetLastErrorMessage();

	g_set_error(error, VIRT_ERROR, code, "%s: %s", what, msg && *msg ? msg : "unknown libvirt error");
}

char *virt_embed_root(void)
{
	return g_build_filename(g_get_user_state_dir(), "virtcon", "libvirt", NULL);
}

gboolean virt_embed_prepare(const char *root, GError **error)
{
	g_autofree char *etc = g_build_filename(root, "etc", NULL);
	g_autofree char *conf = g_build_filename(etc, "qemu.conf", NULL);
	g_autoptr(GString) text = g_string_new("# qemu.conf - written by virtcon for libvirt's embedded QEMU driver\n"
					       "# No virtlogd without a daemon: QEMU's output goes to files.\n"
					       "stdio_handler = \"file\"\n");

	if (g_file_test(conf, G_FILE_TEST_EXISTS))
		return TRUE;
	if (g_mkdir_with_parents(etc, 0700) < 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s: %s", etc, g_strerror(errno));
		return FALSE;
	}
	if (geteuid() == 0)
		g_string_append(text, "# As root, QEMU runs as root too (no libvirt-qemu account is needed).\n"
				      "user = \"+0\"\ngroup = \"+0\"\n"
				      "# Don't record owners in xattrs (later runs would warn of stale timestamps).\n"
				      "remember_owner = 0\n");
	return g_file_set_contents(conf, text->str, (gssize)text->len, error);
}

static gboolean qemu_installed(void)
{
	static const char *const names[] = { "qemu-system-x86_64", "qemu-system-aarch64", "qemu-kvm" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *p = g_find_program_in_path(names[i]);

		if (p)
			return TRUE;
	}
	return g_file_test("/usr/libexec/qemu-kvm", G_FILE_TEST_IS_EXECUTABLE);
}

char *virt_resolve_uri(const char *given, char **why, GError **error)
{
	const char *env = g_getenv("LIBVIRT_DEFAULT_URI");
	virConnectPtr probe;
	g_autofree char *root = NULL;

	virt_init();
	if (given && *given) {
		*why = g_strdup("-c");
		return g_strdup(given);
	}
	if (env && *env) {
		*why = g_strdup("LIBVIRT_DEFAULT_URI");
		return g_strdup(env);
	}
	/* libvirt's own default (libvirt.conf uri_default, or its probing) when it answers */
	probe = virConnectOpenReadOnly(NULL);
	if (probe) {
		char *uri = virConnectGetURI(probe);

		virConnectClose(probe);
		if (uri) {
			*why = g_strdup("libvirt's default");
			return uri;
		}
	}
	if (qemu_installed()) {
		root = virt_embed_root();
		if (!virt_embed_prepare(root, error))
			return NULL;
		*why = g_strdup("no libvirt daemon: embedded QEMU driver");
		return g_strdup_printf("qemu:///embed?root=%s", root);
	}
	*why = g_strdup("no libvirt daemon and no QEMU: libvirt's test driver");
	return g_strdup("test:///default");
}

const char *virt_state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting down";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
	default: return "no state";
	}
}

static void domain_free(gpointer p)
{
	struct virt_domain *d = p;

	g_free(d->name);
	g_free(d->uuid);
	g_free(d);
}

static gint domain_cmp(gconstpointer a, gconstpointer b)
{
	const struct virt_domain *x = *(struct virt_domain *const *)a;
	const struct virt_domain *y = *(struct virt_domain *const *)b;

	return g_strcmp0(x->name, y->name);
}

/* Lists every domain with its state, vCPUs and memory. Runs on workers. */
static GPtrArray *list_domains(virConnectPtr conn, GError **error)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, 0);
	GPtrArray *out;

	if (n < 0) {
		set_libvirt_error(error, VIRT_ERROR_FAILED, "listing domains failed");
		return NULL;
	}
	out = g_ptr_array_new_with_free_func(domain_free);
	for (int i = 0; i < n; i++) {
		struct virt_domain *d = g_new0(struct virt_domain, 1);
		char uuid[VIR_UUID_STRING_BUFLEN];
		virDomainInfo info;

		d->name = g_strdup(virDomainGetName(doms[i]));
		if (virDomainGetUUIDString(doms[i], uuid) == 0)
			d->uuid = g_strdup(uuid);
		if (virDomainGetState(doms[i], &d->state, &d->reason, 0) < 0)
			d->state = VIR_DOMAIN_NOSTATE;
		if (virDomainGetInfo(doms[i], &info) == 0) {
			d->vcpus = info.nrVirtCpu;
			d->memory_kib = info.memory ? info.memory : info.maxMem;
			d->cpu_time_ns = info.cpuTime;
			d->cpu_time_at_us = g_get_monotonic_time();
		}
		d->persistent = virDomainIsPersistent(doms[i]) == 1;
		d->cpu_percent = -1;
		g_ptr_array_add(out, d);
		virDomainFree(doms[i]);
	}
	free(doms);
	g_ptr_array_sort(out, domain_cmp);
	return out;
}

/* Keeps the CPU% bookkeeping of domains that survive a refresh. */
static void adopt_domains(struct virt *virt, GPtrArray *fresh)
{
	for (guint i = 0; i < fresh->len; i++) {
		struct virt_domain *d = g_ptr_array_index(fresh, i);
		const struct virt_domain *old = virt_find_domain(virt, d->name);

		if (old)
			d->cpu_percent = old->cpu_percent;
	}
	g_ptr_array_unref(virt->domains);
	virt->domains = fresh;
	if (virt->ops && virt->ops->domains)
		virt->ops->domains(virt, virt->user_data);
}

static void set_state(struct virt *virt, enum virt_conn_state state, const char *message)
{
	virt->state = state;
	g_free(virt->message);
	virt->message = g_strdup(message);
	if (virt->ops && virt->ops->state)
		virt->ops->state(virt, state, message, virt->user_data);
}

static void conn_unref(gpointer conn)
{
	virConnectClose(conn);
}

/* Runs fn on a worker with the connection (referenced for the task's life) as its data. */
static void run_on_worker(struct virt *virt, GTaskThreadFunc fn, GAsyncReadyCallback done)
{
	GTask *task = g_task_new(NULL, virt->cancel, done, virt);

	virConnectRef(virt->conn);
	g_task_set_task_data(task, virt->conn, conn_unref);
	g_task_run_in_thread(task, fn);
	g_object_unref(task);
}

/* ---- refresh on a worker ---- */

static void refresh_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	virConnectPtr conn = data;
	GError *error = NULL;
	GPtrArray *doms = list_domains(conn, &error);

	if (doms)
		g_task_return_pointer(task, doms, (GDestroyNotify)g_ptr_array_unref);
	else
		g_task_return_error(task, error);
}

static void schedule_refresh(struct virt *virt);

static void refresh_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *doms = g_task_propagate_pointer(G_TASK(res), &error);
	struct virt *virt;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	virt = user_data;
	virt->refresh_running = FALSE;
	if (doms)
		adopt_domains(virt, doms);
	if (virt->refresh_again) {
		virt->refresh_again = FALSE;
		schedule_refresh(virt);
	}
}

static gboolean refresh_cb(gpointer data)
{
	struct virt *virt = data;

	virt->refresh_id = 0;
	if (!virt->conn)
		return G_SOURCE_REMOVE;
	if (virt->refresh_running) {
		virt->refresh_again = TRUE;
		return G_SOURCE_REMOVE;
	}
	virt->refresh_running = TRUE;
	run_on_worker(virt, refresh_thread, refresh_done);
	return G_SOURCE_REMOVE;
}

static void schedule_refresh(struct virt *virt)
{
	if (!virt->refresh_id)
		virt->refresh_id = g_timeout_add(VIRT_REFRESH_DELAY_MS, refresh_cb, virt);
}

/* ---- bulk stats on a worker ---- */

struct stat_row {
	char *name;
	guint64 cpu_time;
	guint64 balloon_kib;
	guint vcpus;
	int state;
};

static void stat_rows_free(gpointer p)
{
	GArray *rows = p;

	for (guint i = 0; i < rows->len; i++)
		g_free(g_array_index(rows, struct stat_row, i).name);
	g_array_unref(rows);
}

static void stats_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	virConnectPtr conn = data;
	virDomainStatsRecordPtr *recs = NULL;
	unsigned int what = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
			    VIR_DOMAIN_STATS_VCPU;
	int n = virConnectGetAllDomainStats(conn, what, &recs, 0);
	GArray *rows;
	GError *error = NULL;

	if (n < 0) {
		set_libvirt_error(&error, VIRT_ERROR_FAILED, "domain stats failed");
		g_task_return_error(task, error);
		return;
	}
	rows = g_array_sized_new(FALSE, TRUE, sizeof(struct stat_row), (guint)n);
	for (int i = 0; i < n; i++) {
		struct stat_row r = { 0 };
		unsigned long long ull;
		unsigned int ui;
		int iv;

		r.name = g_strdup(virDomainGetName(recs[i]->dom));
		if (virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "cpu.time", &ull) == 1)
			r.cpu_time = ull;
		if (virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "balloon.current", &ull) == 1)
			r.balloon_kib = ull;
		if (virTypedParamsGetUInt(recs[i]->params, recs[i]->nparams, "vcpu.current", &ui) == 1)
			r.vcpus = ui;
		if (virTypedParamsGetInt(recs[i]->params, recs[i]->nparams, "state.state", &iv) == 1)
			r.state = iv;
		g_array_append_val(rows, r);
	}
	virDomainStatsRecordListFree(recs);
	g_task_return_pointer(task, rows, stat_rows_free);
}

static void stats_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GArray *rows = g_task_propagate_pointer(G_TASK(res), &error);
	struct virt *virt;
	gint64 now = g_get_monotonic_time();

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	virt = user_data;
	virt->stats_running = FALSE;
	if (!rows)
		return; /* drivers without bulk stats (older ones) keep the event-driven model */
	for (guint i = 0; i < rows->len; i++) {
		const struct stat_row *r = &g_array_index(rows, struct stat_row, i);
		struct virt_domain *d = (struct virt_domain *)virt_find_domain(virt, r->name);

		if (!d)
			continue;
		if (d->cpu_time_at_us && now > d->cpu_time_at_us && r->cpu_time >= d->cpu_time_ns)
			d->cpu_percent = 100.0 * (double)(r->cpu_time - d->cpu_time_ns) /
					 ((double)(now - d->cpu_time_at_us) * 1000.0);
		d->cpu_time_ns = r->cpu_time;
		d->cpu_time_at_us = now;
		if (r->balloon_kib)
			d->memory_kib = r->balloon_kib;
		if (r->vcpus)
			d->vcpus = r->vcpus;
	}
	stat_rows_free(rows);
	if (virt->ops && virt->ops->domains)
		virt->ops->domains(virt, virt->user_data);
}

static gboolean stats_cb(gpointer data)
{
	struct virt *virt = data;

	if (!virt->conn || virt->stats_running)
		return G_SOURCE_CONTINUE;
	virt->stats_running = TRUE;
	run_on_worker(virt, stats_thread, stats_done);
	return G_SOURCE_CONTINUE;
}

void virt_set_stats_interval(struct virt *virt, guint interval_ms)
{
	if (interval_ms && interval_ms < 1000)
		interval_ms = 1000;
	virt->stats_interval_ms = interval_ms;
	if (virt->stats_id) {
		g_source_remove(virt->stats_id);
		virt->stats_id = 0;
	}
	if (interval_ms)
		virt->stats_id = g_timeout_add(interval_ms, stats_cb, virt);
}

/* ---- events ---- */

static int lifecycle_cb(virConnectPtr conn G_GNUC_UNUSED, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct virt *virt = opaque;
	const char *name = virDomainGetName(dom);
	struct virt_domain *d = (struct virt_domain *)virt_find_domain(virt, name);
	static const int state_of[] = {
		[VIR_DOMAIN_EVENT_STARTED] = VIR_DOMAIN_RUNNING,
		[VIR_DOMAIN_EVENT_SUSPENDED] = VIR_DOMAIN_PAUSED,
		[VIR_DOMAIN_EVENT_RESUMED] = VIR_DOMAIN_RUNNING,
		[VIR_DOMAIN_EVENT_STOPPED] = VIR_DOMAIN_SHUTOFF,
		[VIR_DOMAIN_EVENT_SHUTDOWN] = VIR_DOMAIN_SHUTDOWN,
		[VIR_DOMAIN_EVENT_PMSUSPENDED] = VIR_DOMAIN_PMSUSPENDED,
		[VIR_DOMAIN_EVENT_CRASHED] = VIR_DOMAIN_CRASHED,
	};

	/* the event says what happened at once; a refresh on a worker fills in the rest */
	if (d && event >= 0 && (gsize)event < G_N_ELEMENTS(state_of) && state_of[event]) {
		d->state = state_of[event];
		d->reason = detail;
		if (virt->ops && virt->ops->domains)
			virt->ops->domains(virt, virt->user_data);
	}
	if (virt->ops && virt->ops->lifecycle)
		virt->ops->lifecycle(virt, name, event, detail, virt->user_data);
	schedule_refresh(virt);
	return 0;
}

static void connect_start(struct virt *virt);

static gboolean reconnect_cb(gpointer data)
{
	struct virt *virt = data;

	virt->reconnect_id = 0;
	connect_start(virt);
	return G_SOURCE_REMOVE;
}

static void drop_connection(struct virt *virt)
{
	if (!virt->conn)
		return;
	if (virt->lifecycle_id >= 0)
		virConnectDomainEventDeregisterAny(virt->conn, virt->lifecycle_id);
	virt->lifecycle_id = -1;
	virConnectUnregisterCloseCallback(virt->conn, NULL);
	virConnectClose(virt->conn);
	virt->conn = NULL;
}

static void schedule_reconnect(struct virt *virt, const char *message)
{
	g_autofree char *text = NULL;

	text = g_strdup_printf("%s; reconnecting in %us", message, virt->backoff_ms / 1000);
	set_state(virt, VIRT_CONN_DOWN, text);
	if (!virt->reconnect_id)
		virt->reconnect_id = g_timeout_add(virt->backoff_ms, reconnect_cb, virt);
	virt->backoff_ms = MIN(virt->backoff_ms * 2, VIRT_BACKOFF_MAX_MS);
}

static gboolean close_idle(gpointer data)
{
	struct virt *virt = data;
	g_autofree char *msg = g_strdup_printf("connection to %s lost", virt->uri);

	virt->close_idle_id = 0;
	g_cancellable_cancel(virt->cancel);
	drop_connection(virt);
	schedule_reconnect(virt, msg);
	return G_SOURCE_REMOVE;
}

static void close_cb(virConnectPtr conn G_GNUC_UNUSED, int reason G_GNUC_UNUSED, void *opaque)
{
	struct virt *virt = opaque;

	/* not from inside libvirt's callback: unregistering there deadlocks */
	if (!virt->close_idle_id)
		virt->close_idle_id = g_idle_add(close_idle, virt);
}

/* ---- connecting on a worker ---- */

struct connect_job {
	char *requested;
	char *uri;
	char *origin;
	virConnectPtr conn;
	GPtrArray *domains;
};

static void connect_job_free(gpointer p)
{
	struct connect_job *job = p;

	g_free(job->requested);
	g_free(job->uri);
	g_free(job->origin);
	if (job->conn)
		virConnectClose(job->conn);
	if (job->domains)
		g_ptr_array_unref(job->domains);
	g_free(job);
}

static void connect_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	struct connect_job *job = data;
	GError *error = NULL;

	if (!job->uri) {
		job->uri = virt_resolve_uri(job->requested, &job->origin, &error);
		if (!job->uri) {
			g_task_return_error(task, error);
			return;
		}
	}
	/* an embedded driver's root given with -c gets the same qemu.conf as the fallback's */
	if (g_str_has_prefix(job->uri, "qemu:///embed?root=")) {
		g_autofree char *root = g_uri_unescape_string(job->uri + strlen("qemu:///embed?root="), NULL);

		if (root && strchr(root, '&'))
			*strchr(root, '&') = '\0';
		if (root && !virt_embed_prepare(root, &error)) {
			g_task_return_error(task, error);
			return;
		}
	}
	job->conn = virConnectOpen(job->uri);
	if (!job->conn) {
		g_autofree char *what = g_strdup_printf("cannot connect to %s", job->uri);

		set_libvirt_error(&error, VIRT_ERROR_CONNECT, what);
		g_task_return_error(task, error);
		return;
	}
	job->domains = list_domains(job->conn, &error);
	if (!job->domains) {
		g_task_return_error(task, error);
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void connect_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(res);
	struct connect_job *job = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	struct virt *virt;
	char *canonical;

	if (!g_task_propagate_boolean(task, &error) &&
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	virt = user_data;
	if (job->uri && !virt->uri) {
		virt->uri = g_strdup(job->uri);
		virt->origin = g_strdup(job->origin);
	}
	if (error) {
		schedule_reconnect(virt, error->message);
		return;
	}
	virt->conn = g_steal_pointer(&job->conn);
	canonical = virConnectGetURI(virt->conn);
	if (canonical) {
		g_free(virt->uri);
		virt->uri = g_strdup(canonical);
		free(canonical);
	}
	virt->backoff_ms = VIRT_BACKOFF_MIN_MS;
	/* keepalive works on remote connections only; local drivers say no, which is fine */
	virConnectSetKeepAlive(virt->conn, VIRT_KEEPALIVE_INTERVAL, VIRT_KEEPALIVE_COUNT);
	virConnectRegisterCloseCallback(virt->conn, close_cb, virt, NULL);
	virt->lifecycle_id = virConnectDomainEventRegisterAny(virt->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							       VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), virt, NULL);
	adopt_domains(virt, g_steal_pointer(&job->domains));
	set_state(virt, VIRT_CONN_UP, NULL);
}

static void connect_start(struct virt *virt)
{
	struct connect_job *job = g_new0(struct connect_job, 1);
	GTask *task;

	g_clear_object(&virt->cancel);
	virt->cancel = g_cancellable_new();
	job->requested = g_strdup(virt->requested_uri);
	job->uri = g_strdup(virt->uri); /* once resolved, reconnect to the same place */
	set_state(virt, VIRT_CONN_CONNECTING, NULL);
	task = g_task_new(NULL, virt->cancel, connect_done, virt);
	g_task_set_task_data(task, job, connect_job_free);
	g_task_run_in_thread(task, connect_thread);
	g_object_unref(task);
}

struct virt *virt_new(const char *uri, const struct virt_ops *ops, void *user_data)
{
	struct virt *virt = g_new0(struct virt, 1);

	virt_init();
	virt->ops = ops;
	virt->user_data = user_data;
	virt->requested_uri = g_strdup(uri);
	virt->domains = g_ptr_array_new_with_free_func(domain_free);
	virt->lifecycle_id = -1;
	virt->backoff_ms = VIRT_BACKOFF_MIN_MS;
	connect_start(virt);
	return virt;
}

void virt_free(struct virt *virt)
{
	if (!virt)
		return;
	g_cancellable_cancel(virt->cancel);
	g_clear_object(&virt->cancel);
	if (virt->reconnect_id)
		g_source_remove(virt->reconnect_id);
	if (virt->refresh_id)
		g_source_remove(virt->refresh_id);
	if (virt->stats_id)
		g_source_remove(virt->stats_id);
	if (virt->close_idle_id)
		g_source_remove(virt->close_idle_id);
	drop_connection(virt);
	g_ptr_array_unref(virt->domains);
	g_free(virt->requested_uri);
	g_free(virt->uri);
	g_free(virt->origin);
	g_free(virt->message);
	g_free(virt);
}

enum virt_conn_state virt_state(const struct virt *virt)
{
	return virt->state;
}

const char *virt_uri(const struct virt *virt)
{
	return virt->uri ? virt->uri : virt->requested_uri ? virt->requested_uri : "(resolving)";
}

const char *virt_uri_origin(const struct virt *virt)
{
	return virt->origin ? virt->origin : "";
}

virConnectPtr virt_connection(const struct virt *virt)
{
	return virt->state == VIRT_CONN_UP ? virt->conn : NULL;
}

const GPtrArray *virt_domains(const struct virt *virt)
{
	return virt->domains;
}

const struct virt_domain *virt_find_domain(const struct virt *virt, const char *name)
{
	for (guint i = 0; i < virt->domains->len; i++) {
		const struct virt_domain *d = g_ptr_array_index(virt->domains, i);

		if (g_strcmp0(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static gboolean wait_timeout(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean virt_wait_connected(struct virt *virt, guint timeout_ms, GError **error)
{
	gboolean expired = FALSE;
	guint id = g_timeout_add(timeout_ms, wait_timeout, &expired);

	while (virt->state == VIRT_CONN_CONNECTING && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
	if (virt->state == VIRT_CONN_UP)
		return TRUE;
	if (expired)
		g_set_error(error, VIRT_ERROR, VIRT_ERROR_CONNECT, "%s: timed out connecting", virt_uri(virt));
	else
		g_set_error_literal(error, VIRT_ERROR, VIRT_ERROR_CONNECT,
				    virt->message ? virt->message : "cannot connect");
	return FALSE;
}
