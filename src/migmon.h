/* migmon.h - the migration monitor: libvirt job stats of a domain, polled from the loop. */
#ifndef VIRTCON_MIGMON_H
#define VIRTCON_MIGMON_H

#include <glib.h>
#include <libvirt/libvirt.h>

struct migmon_sample {
	gint64 mono_us;
	int job_type;             /* virDomainJobType: none, bounded, unbounded, completed, failed, cancelled */
	const char *status;       /* "none", "active", "completed", "failed", "cancelled" */
	guint64 elapsed_ms;
	guint64 data_total, data_processed, data_remaining;   /* bytes */
	guint64 memory_bps;       /* memory bandwidth, bytes/s */
	guint64 dirty_rate_pps;   /* pages/s */
	guint64 iterations;
	guint64 downtime_ms;      /* expected downtime */
	guint64 memory_total, memory_processed, memory_remaining;
};

/* Callbacks on the loop thread (the sample is valid during the call; a callback may call
 * migmon_stop(), after which nothing more is delivered). */
struct migmon_ops {
	void (*sample)(const struct migmon_sample *sample, void *user_data);
	void (*done)(const struct migmon_sample *last, void *user_data); /* completed, failed or cancelled */
};

struct migmon;

/* Polls virDomainGetJobStats on a worker every interval_ms (>= 100) until the job completes
 * (VIR_DOMAIN_JOB_STATS_COMPLETED then tells the final figures, read with KEEP_COMPLETED; a job
 * that had ended before the monitor started is not taken for this one). Each poll before the job
 * and while it runs is a sample ("none" before, "active" during); done comes once, after which
 * the worker ends. A driver without job stats (test:///) gives "none" samples until stopped;
 * an unknown domain gives nothing. */
struct migmon *migmon_start(virConnectPtr conn, const char *domain, guint interval_ms,
			    const struct migmon_ops *ops, void *user_data);
const struct migmon_sample *migmon_last(const struct migmon *mon);
/* The sample as a JSON object text (for journal_sample). */
char *migmon_sample_json(const struct migmon_sample *sample);
void migmon_stop(struct migmon *mon);

#endif
