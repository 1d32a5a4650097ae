/* migmon.c - the migration monitor: libvirt job stats of a domain polled on a worker, samples on the loop. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libvirt/virterror.h>

#include "migmon.h"

#define MIGMON_MIN_INTERVAL_MS 100
#define MIGMON_SLICE_US 20000 /* the worker notices a stop within this */
#define MIGMON_FINAL_WAIT_US (3 * G_USEC_PER_SEC) /* for the final figures after the job ended */

/* What the worker and the loop share; the worker may outlive the handle (a slow libvirt call). */
struct migmon_link {
	gint refs;
	gint stopped; /* atomic: the handle was stopped; deliver nothing more */
	struct migmon *mon; /* only read on the loop, when !stopped */
};

struct migmon {
	struct migmon_link *link;
	GMainContext *context;
	const struct migmon_ops *ops;
	void *user_data;
	struct migmon_sample last;
	gboolean have_last;
};

struct migmon_worker {
	struct migmon_link *link;
	GMainContext *context;
	virConnectPtr conn;
	char *domain;
	guint interval_ms;
};

struct migmon_delivery {
	struct migmon_link *link;
	struct migmon_sample sample;
	gboolean done;
};

static struct migmon_link *link_ref(struct migmon_link *link)
{
	g_atomic_int_inc(&link->refs);
	return link;
}

static void link_unref(struct migmon_link *link)
{
	if (g_atomic_int_dec_and_test(&link->refs))
		g_free(link);
}

static const char *status_name(int job_type)
{
	switch (job_type) {
	case VIR_DOMAIN_JOB_BOUNDED:
	case VIR_DOMAIN_JOB_UNBOUNDED: return "active";
	case VIR_DOMAIN_JOB_COMPLETED: return "completed";
	case VIR_DOMAIN_JOB_FAILED: return "failed";
	case VIR_DOMAIN_JOB_CANCELLED: return "cancelled";
	default: return "none";
	}
}

static guint64 param_ull(virTypedParameterPtr params, int n, const char *name)
{
	unsigned long long v = 0;

	if (virTypedParamsGetULLong(params, n, name, &v) <= 0)
		return 0;
	return v;
}

/* One virDomainGetJobStats call into *s; FALSE when libvirt failed (*code gets its code). */
static gboolean get_sample(virDomainPtr dom, unsigned int flags, struct migmon_sample *s, int *code)
{
	virTypedParameterPtr params = NULL;
	int n = 0, type = VIR_DOMAIN_JOB_NONE;

	memset(s, 0, sizeof(*s));
	s->mono_us = g_get_monotonic_time();
	if (virDomainGetJobStats(dom, &type, &params, &n, flags) < 0) {
		*code = virGetLastErrorCode();
		s->status = "none";
		return FALSE;
	}
	s->job_type = type;
	s->status = status_name(type);
	s->elapsed_ms = param_ull(params, n, VIR_DOMAIN_JOB_TIME_ELAPSED);
	s->data_total = param_ull(params, n, VIR_DOMAIN_JOB_DATA_TOTAL);
	s->data_processed = param_ull(params, n, VIR_DOMAIN_JOB_DATA_PROCESSED);
	s->data_remaining = param_ull(params, n, VIR_DOMAIN_JOB_DATA_REMAINING);
	s->memory_bps = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_BPS);
	s->dirty_rate_pps = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE);
	s->iterations = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_ITERATION);
	s->downtime_ms = param_ull(params, n, VIR_DOMAIN_JOB_DOWNTIME);
	s->memory_total = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_TOTAL);
	s->memory_processed = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_PROCESSED);
	s->memory_remaining = param_ull(params, n, VIR_DOMAIN_JOB_MEMORY_REMAINING);
	virTypedParamsFree(params, n);
	return TRUE;
}

static gboolean deliver_cb(gpointer data)
{
	struct migmon_delivery *d = data;
	struct migmon *mon;

	if (g_atomic_int_get(&d->link->stopped))
		return G_SOURCE_REMOVE;
	mon = d->link->mon;
	mon->last = d->sample;
	mon->have_last = TRUE;
	/* the delivery's own copy: a callback may call migmon_stop() and still read its sample */
	if (d->done) {
		if (mon->ops->done)
			mon->ops->done(&d->sample, mon->user_data);
	} else if (mon->ops->sample) {
		mon->ops->sample(&d->sample, mon->user_data);
	}
	return G_SOURCE_REMOVE;
}

static void delivery_free(gpointer data)
{
	struct migmon_delivery *d = data;

	link_unref(d->link);
	g_free(d);
}

static void deliver(struct migmon_worker *w, const struct migmon_sample *s, gboolean done)
{
	struct migmon_delivery *d = g_new0(struct migmon_delivery, 1);
	GSource *src = g_idle_source_new();

	d->link = link_ref(w->link);
	d->sample = *s;
	d->done = done;
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, deliver_cb, d, delivery_free);
	g_source_attach(src, w->context);
	g_source_unref(src);
}

/* Sleeps interval_ms in slices; FALSE once the handle is stopped. */
static gboolean worker_pause(struct migmon_worker *w)
{
	gint64 until = g_get_monotonic_time() + (gint64)w->interval_ms * 1000;

	while (g_get_monotonic_time() < until) {
		if (g_atomic_int_get(&w->link->stopped))
			return FALSE;
		g_usleep(MIGMON_SLICE_US);
	}
	return !g_atomic_int_get(&w->link->stopped);
}

static gboolean is_job_end(int type)
{
	return type == VIR_DOMAIN_JOB_COMPLETED || type == VIR_DOMAIN_JOB_FAILED || type == VIR_DOMAIN_JOB_CANCELLED;
}

/* The same figures twice: a job's kept final stats seen before this monitor started. */
static gboolean same_job(const struct migmon_sample *a, const struct migmon_sample *b)
{
	return a->job_type == b->job_type && a->elapsed_ms == b->elapsed_ms && a->data_total == b->data_total &&
	       a->data_processed == b->data_processed;
}

/* The final figures of a job that ended after the monitor started (kept for others to read too). */
static gboolean get_final(virDomainPtr dom, const struct migmon_sample *stale, struct migmon_sample *fin)
{
	int code = 0;

	if (!get_sample(dom, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, fin, &code))
		return FALSE;
	return is_job_end(fin->job_type) && !same_job(fin, stale);
}

static void deliver_last_active(struct migmon_worker *w, struct migmon_sample *active)
{
	active->job_type = VIR_DOMAIN_JOB_COMPLETED;
	active->status = "completed";
	active->mono_us = g_get_monotonic_time();
	deliver(w, active, TRUE);
}

static gpointer worker_main(gpointer data)
{
	struct migmon_worker *w = data;
	virDomainPtr dom = virDomainLookupByName(w->conn, w->domain);
	struct migmon_sample s, fin, stale = { 0 }, active = { 0 };
	gboolean seen_active = FALSE;
	gint64 ended_at = 0;
	int code = 0;

	/* a previous job's kept figures must not pass for this one's end */
	if (dom)
		get_sample(dom, VIR_DOMAIN_JOB_STATS_COMPLETED | VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, &stale, &code);
	while (dom && !g_atomic_int_get(&w->link->stopped)) {
		if (!get_sample(dom, 0, &s, &code) && code == VIR_ERR_NO_DOMAIN && seen_active) {
			/* a migrated transient domain leaves the source once the job succeeded */
			deliver_last_active(w, &active);
			break;
		}
		/* else unsupported (the test driver), not running, or transient: "none" */
		if (s.job_type == VIR_DOMAIN_JOB_BOUNDED || s.job_type == VIR_DOMAIN_JOB_UNBOUNDED) {
			seen_active = TRUE;
			active = s;
			deliver(w, &s, FALSE);
		} else if (get_final(dom, &stale, &fin)) {
			/* the job is over (or was too quick to be seen active): its final figures */
			deliver(w, &fin, TRUE);
			break;
		} else if (seen_active) {
			/* over, but the final figures are not kept yet: give libvirt a moment */
			if (!ended_at)
				ended_at = g_get_monotonic_time();
			if (g_get_monotonic_time() - ended_at > MIGMON_FINAL_WAIT_US) {
				deliver_last_active(w, &active);
				break;
			}
		} else {
			deliver(w, &s, FALSE);
		}
		if (!worker_pause(w))
			break;
	}
	if (dom)
		virDomainFree(dom);
	virConnectClose(w->conn);
	link_unref(w->link);
	g_main_context_unref(w->context);
	g_free(w->domain);
	g_free(w);
	return NULL;
}

struct migmon *migmon_start(virConnectPtr conn, const char *domain, guint interval_ms,
			    const struct migmon_ops *ops, void *user_data)
{
	struct migmon *mon = g_new0(struct migmon, 1);
	struct migmon_worker *w;
	GThread *thread;

	mon->link = g_new0(struct migmon_link, 1);
	mon->link->refs = 1;
	mon->link->mon = mon;
	mon->context = g_main_context_ref_thread_default();
	mon->ops = ops;
	mon->user_data = user_data;
	mon->last.status = "none";
	if (!conn || !domain || virConnectRef(conn) < 0)
		return mon; /* nothing to poll: stays "none" */
	w = g_new0(struct migmon_worker, 1);
	w->link = link_ref(mon->link);
	w->context = g_main_context_ref(mon->context);
	w->conn = conn;
	w->domain = g_strdup(domain);
	w->interval_ms = MAX(interval_ms, MIGMON_MIN_INTERVAL_MS);
	thread = g_thread_new("migmon", worker_main, w);
	g_thread_unref(thread);
	return mon;
}

const struct migmon_sample *migmon_last(const struct migmon *mon)
{
	return mon->have_last ? &mon->last : NULL;
}

char *migmon_sample_json(const struct migmon_sample *s)
{
	return g_strdup_printf("{\"kind\":\"migration\",\"status\":\"%s\",\"job_type\":%d,\"elapsed_ms\":%" G_GUINT64_FORMAT
			       ",\"data_total\":%" G_GUINT64_FORMAT ",\"data_processed\":%" G_GUINT64_FORMAT
			       ",\"data_remaining\":%" G_GUINT64_FORMAT ",\"memory_total\":%" G_GUINT64_FORMAT
			       ",\"memory_processed\":%" G_GUINT64_FORMAT ",\"memory_remaining\":%" G_GUINT64_FORMAT
			       ",\"memory_bps\":%" G_GUINT64_FORMAT ",\"dirty_rate_pps\":%" G_GUINT64_FORMAT
			       ",\"iterations\":%" G_GUINT64_FORMAT ",\"downtime_ms\":%" G_GUINT64_FORMAT "}",
			       s->status ? s->status : "none", s->job_type, s->elapsed_ms, s->data_total,
			       s->data_processed, s->data_remaining, s->memory_total, s->memory_processed,
			       s->memory_remaining, s->memory_bps, s->dirty_rate_pps, s->iterations, s->downtime_ms);
}

void migmon_stop(struct migmon *mon)
{
	if (!mon)
		return;
	/* the worker notices within a slice and lets go of its references itself */
	g_atomic_int_set(&mon->link->stopped, 1);
	mon->link->mon = NULL;
	link_unref(mon->link);
	g_main_context_unref(mon->context);
	g_free(mon);
}
