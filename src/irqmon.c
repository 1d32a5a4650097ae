/* irqmon.c - samples a machine's /proc/interrupts (a local file or a guest's, through its agent). */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "agent.h"
#include "expect.h"
#include "irqmon.h"
#include "vconsole.h"
#include "ssh.h"
#include "sshtarget.h"
#include "suite.h"

struct irqmon {
	char *path;          /* the file read (locally or in the guest) */
	virConnectPtr conn;  /* a guest's, through its agent */
	struct ssh_conn *ssh; /* a machine's, over SSH (the monitor's own connection) */
	gboolean console;     /* a guest's, typed into its serial console (conn, domain) */
	struct vconsole *vc;  /* that console, the monitor's own stream */
	char *domain;
	char *describe;
	guint in_flight;     /* samples whose callback has not come yet */
	gboolean dead;       /* freed while samples were in flight: the last callback frees */
	GCancellable *cancel;
	/* watching */
	irqmon_fn fn;
	void *fn_data;
	guint interval_ms;
	guint timer_id;
	gboolean sampling;
	struct irqmon_sample *prev;
	struct irq_diff *diff;        /* prev -> the new sample, refilled every time */
	struct irq_table *spare;      /* the oldest table, for the next sample to be parsed into */
};

/* What a worker needs, copied or handed over: the monitor may be freed meanwhile. */
struct sample_job {
	char *path;
	virConnectPtr conn;
	char *domain;
	struct irq_table *table; /* parsed into when not NULL (then owned by the sample) */
};

void irqmon_sample_free(struct irqmon_sample *sample)
{
	if (!sample)
		return;
	irq_table_free(sample->table);
	if (sample->raw)
		g_bytes_unref(sample->raw);
	g_free(sample);
}

double irqmon_interval_s(const struct irqmon_sample *before, const struct irqmon_sample *after)
{
	gint64 us = after->mono_us - before->mono_us;

	return us > 0 ? (double)us / 1e6 : 1e-6;
}

struct irqmon *irqmon_new_local(const char *path)
{
	struct irqmon *mon = g_new0(struct irqmon, 1);

	mon->path = g_strdup(path ? path : "/proc/interrupts");
	mon->describe = g_strdup(mon->path);
	mon->cancel = g_cancellable_new();
	return mon;
}

struct irqmon *irqmon_new_agent(virConnectPtr conn, const char *domain)
{
	struct irqmon *mon = g_new0(struct irqmon, 1);

	mon->path = g_strdup("/proc/interrupts");
	virConnectRef(conn);
	mon->conn = conn;
	mon->domain = g_strdup(domain);
	mon->describe = g_strdup_printf("%s (guest agent)", domain);
	mon->cancel = g_cancellable_new();
	return mon;
}

struct irqmon *irqmon_new_ssh(const struct ssh_options *options, const char *machine)
{
	struct irqmon *mon = g_new0(struct irqmon, 1);

	mon->path = g_strdup("/proc/interrupts");
	mon->ssh = ssh_conn_new(options, NULL, NULL);
	mon->describe = g_strdup_printf("%s (SSH %s)", machine, ssh_conn_target(mon->ssh));
	mon->cancel = g_cancellable_new();
	return mon;
}

/* An SSH machine's monitor, its fields expanded with vars (files relative to base_dir). */
static struct irqmon *new_ssh_machine(const struct suite_machine *m, struct vars *vars, const char *base_dir,
				      GError **error)
{
	struct ssh_target *target = ssh_target_resolve(m, vars, base_dir, error);
	struct irqmon *mon = target ? irqmon_new_ssh(&target->options, m->name) : NULL;

	ssh_target_free(target);
	return mon;
}

struct irqmon *irqmon_new_console(virConnectPtr conn, const char *domain, const char *machine)
{
	struct irqmon *mon = g_new0(struct irqmon, 1);

	mon->path = g_strdup("/proc/interrupts");
	virConnectRef(conn);
	mon->conn = conn;
	mon->domain = g_strdup(domain);
	mon->console = TRUE;
	mon->describe = g_strcmp0(machine, domain) == 0 ? g_strdup_printf("%s (serial console)", domain)
							: g_strdup_printf("%s (serial console of %s)", machine, domain);
	mon->cancel = g_cancellable_new();
	return mon;
}

struct irqmon *irqmon_new_for_machine(const struct suite_machine *m, const char *domain, virConnectPtr conn,
				      struct vars *vars, const char *base_dir, GError **error)
{
	if (m->local)
		return irqmon_new_local(NULL);
	if (m->agent && domain && conn)
		return irqmon_new_agent(conn, domain);
	if (m->ssh) /* an agent machine too, when the caller has no connection for its agent */
		return new_ssh_machine(m, vars, base_dir, error);
	if (!m->ssh && !m->agent && m->domain && domain && conn)
		return irqmon_new_console(conn, domain, m->name);
	if (m->agent)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: its /proc/interrupts is read through the guest agent, which needs a libvirt connection "
			    "and a domain", m->name);
	else
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: its /proc/interrupts is read on its serial console, which needs a libvirt connection "
			    "and a domain", m->name);
	return NULL;
}

static void irqmon_destroy(struct irqmon *mon)
{
	irqmon_sample_free(mon->prev);
	irq_diff_free(mon->diff);
	irq_table_free(mon->spare);
	if (mon->conn)
		virConnectClose(mon->conn);
	ssh_conn_free(mon->ssh); /* no sample in flight: its channel is gone */
	vconsole_free(mon->vc);
	g_object_unref(mon->cancel);
	g_free(mon->path);
	g_free(mon->domain);
	g_free(mon->describe);
	g_free(mon);
}

void irqmon_free(struct irqmon *mon)
{
	if (!mon)
		return;
	irqmon_unwatch(mon);
	g_cancellable_cancel(mon->cancel);
	if (mon->in_flight) {
		mon->dead = TRUE;
		return;
	}
	irqmon_destroy(mon);
}

const char *irqmon_describe(const struct irqmon *mon)
{
	return mon->describe;
}

static void sample_job_free(gpointer p)
{
	struct sample_job *job = p;

	if (job->conn)
		virConnectClose(job->conn);
	irq_table_free(job->table);
	g_free(job->path);
	g_free(job->domain);
	g_free(job);
}

static struct irqmon_sample *sample_job_run(struct sample_job *job, GError **error)
{
	g_autoptr(GBytes) bytes = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	struct irqmon_sample *s;
	struct irq_table *table;
	gint64 now;

	if (job->conn) {
		bytes = agent_read_file(job->conn, job->domain, job->path, IRQMON_MAX_BYTES + 1, IRQMON_AGENT_WAIT_MS,
					error);
		now = g_get_monotonic_time();
		if (!bytes)
			return NULL;
		len = g_bytes_get_size(bytes);
	} else {
		if (!g_file_get_contents(job->path, &data, &len, error))
			return NULL;
		now = g_get_monotonic_time();
	}
	if (len > IRQMON_MAX_BYTES) {
		g_set_error(error, IRQ_ERROR, IRQ_ERROR_TOO_BIG, "%s%s%s: more than %u bytes: not read", job->domain ? job->domain : "",
			    job->domain ? ": " : "", job->path, IRQMON_MAX_BYTES);
		return NULL;
	}
	table = job->table ? job->table : irq_table_new();
	if (!irq_parse_into(table, bytes ? g_bytes_get_data(bytes, NULL) : data, len, error)) {
		g_prefix_error(error, "%s%s%s: ", job->domain ? job->domain : "", job->domain ? ": " : "", job->path);
		if (!job->table)
			irq_table_free(table);
		return NULL;
	}
	job->table = NULL; /* the sample's now */
	s = g_new0(struct irqmon_sample, 1);
	s->table = table;
	s->mono_us = now;
	s->raw = bytes ? g_bytes_ref(bytes) : g_bytes_new_take(g_steal_pointer(&data), len);
	return s;
}

static void sample_thread(GTask *task, gpointer source G_GNUC_UNUSED, gpointer task_data,
			  GCancellable *cancellable G_GNUC_UNUSED)
{
	GError *error = NULL;
	struct irqmon_sample *s = sample_job_run(task_data, &error);

	if (s)
		g_task_return_pointer(task, s, (GDestroyNotify)irqmon_sample_free);
	else
		g_task_return_error(task, error);
}

static struct sample_job *sample_job_new(const struct irqmon *mon)
{
	struct sample_job *job = g_new0(struct sample_job, 1);

	job->path = g_strdup(mon->path);
	if (mon->conn) {
		virConnectRef(mon->conn);
		job->conn = mon->conn;
	}
	job->domain = g_strdup(mon->domain);
	return job;
}

/* ---- samples taken on the loop: over SSH, or typed into a serial console ---- */

struct loop_sample {
	struct irqmon *mon;
	GTask *task;
	struct irq_table *table; /* parsed into (the monitor's spare) */
	gulong cancel_id;
	guint done_id;         /* the idle that completes the task */
	struct irqmon_sample *result;
	GError *error;
	/* SSH: `cat /proc/interrupts` on the monitor's connection */
	struct ssh_chan *chan;
	GByteArray *out;
	GString *err;          /* the command's stderr, the first 2 KiB */
	gboolean waiting;      /* for the connection */
	gboolean too_big;
	/* console: the same typed into the shell there, between marker lines */
	struct vconsole *vc;
	guint listen_id;       /* 0 once the console closed (its listeners are gone) */
	struct expect *ex;
	guint timer;
};

static void ssh_sample_ready(struct ssh_conn *conn, const GError *error, void *p);

static gboolean loop_sample_complete(gpointer p)
{
	struct loop_sample *ls = p;
	GCancellable *cancellable = g_task_get_cancellable(ls->task);

	if (ls->cancel_id)
		g_cancellable_disconnect(cancellable, ls->cancel_id);
	if (ls->waiting)
		ssh_conn_cancel_wait(ls->mon->ssh, ssh_sample_ready, ls);
	ssh_chan_free(ls->chan);
	if (ls->listen_id)
		vconsole_unlisten(ls->vc, ls->listen_id);
	if (ls->timer)
		g_source_remove(ls->timer);
	if (ls->result)
		g_task_return_pointer(ls->task, ls->result, (GDestroyNotify)irqmon_sample_free);
	else if (ls->error)
		g_task_return_error(ls->task, ls->error);
	else
		g_task_return_new_error(ls->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s: sampling cancelled",
					ls->mon->describe);
	/* the callback may have freed the monitor: not touched from here */
	g_object_unref(ls->task);
	irq_table_free(ls->table);
	g_byte_array_unref(ls->out);
	g_string_free(ls->err, TRUE);
	expect_free(ls->ex);
	g_free(ls);
	return G_SOURCE_REMOVE;
}

/* Ends the sample with result or error (or cancelled, both NULL), from the next loop iteration. */
static void loop_sample_end(struct loop_sample *ls, struct irqmon_sample *result, GError *error)
{
	if (ls->done_id) {
		irqmon_sample_free(result);
		g_clear_error(&error);
		return;
	}
	ls->result = result;
	ls->error = error;
	ls->done_id = g_idle_add(loop_sample_complete, ls);
}

static void loop_sample_cancelled(GCancellable *cancellable G_GNUC_UNUSED, gpointer p)
{
	loop_sample_end(p, NULL, NULL);
}

static void ssh_sample_data(const char *data, gsize len, gboolean is_stderr, void *p)
{
	struct loop_sample *ls = p;

	if (is_stderr) {
		if (ls->err->len < 2048)
			g_string_append_len(ls->err, data, (gssize)MIN(len, 2048 - ls->err->len));
		return;
	}
	if (ls->too_big)
		return;
	if (ls->out->len + len > IRQMON_MAX_BYTES) {
		ls->too_big = TRUE;
		ssh_chan_close(ls->chan);
		return;
	}
	g_byte_array_append(ls->out, (const guint8 *)data, (guint)len);
}

static void ssh_sample_closed(int exit_status, const char *exit_signal, const GError *error, void *p)
{
	struct loop_sample *ls = p;
	struct irqmon *mon = ls->mon;
	GError *err = NULL;
	struct irqmon_sample *s;
	gint64 now = g_get_monotonic_time();

	if (ls->done_id)
		return;
	if (error) {
		loop_sample_end(ls, NULL, g_error_new_literal(SSH_ERROR, error->code, error->message));
		return;
	}
	if (ls->too_big) {
		loop_sample_end(ls, NULL, g_error_new(IRQ_ERROR, IRQ_ERROR_TOO_BIG, "%s: %s: more than %u bytes: not read",
						     ssh_conn_target(mon->ssh), mon->path, IRQMON_MAX_BYTES));
		return;
	}
	if (exit_status != 0 || exit_signal) {
		g_strchomp(ls->err->str);
		ls->err->len = strlen(ls->err->str);
		if (exit_signal)
			err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cat %s: killed by signal %s%s%s", ssh_conn_target(mon->ssh),
					  mon->path, exit_signal, ls->err->len ? ": " : "", ls->err->str);
		else
			err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cat %s: exit status %d%s%s", ssh_conn_target(mon->ssh),
					  mon->path, exit_status, ls->err->len ? ": " : "", ls->err->str);
		loop_sample_end(ls, NULL, err);
		return;
	}
	if (!ls->table)
		ls->table = irq_table_new();
	if (!irq_parse_into(ls->table, (const char *)ls->out->data, ls->out->len, &err)) {
		g_prefix_error(&err, "%s: %s: ", ssh_conn_target(mon->ssh), mon->path);
		loop_sample_end(ls, NULL, err);
		return;
	}
	s = g_new0(struct irqmon_sample, 1);
	s->table = g_steal_pointer(&ls->table);
	s->mono_us = now;
	s->raw = g_byte_array_free_to_bytes(g_steal_pointer(&ls->out));
	ls->out = g_byte_array_new();
	loop_sample_end(ls, s, NULL);
}

static const struct ssh_chan_ops ssh_sample_ops = { ssh_sample_data, ssh_sample_closed };

static void ssh_sample_ready(struct ssh_conn *conn, const GError *error, void *p)
{
	struct loop_sample *ls = p;
	g_autofree char *command = NULL;

	ls->waiting = FALSE;
	if (ls->done_id)
		return;
	if (error) {
		/* the message names the target ("root@vm1:22: could not connect: ...") */
		loop_sample_end(ls, NULL, g_error_new_literal(SSH_ERROR, error->code, error->message));
		return;
	}
	command = g_strdup_printf("cat %s", ls->mon->path);
	ls->chan = ssh_chan_exec(conn, command, &ssh_sample_ops, ls);
	if (!ls->chan)
		loop_sample_end(ls, NULL, g_error_new(SSH_ERROR, SSH_ERROR_LOST, "%s: the connection went down",
						     ssh_conn_target(conn)));
}

/* A sample on the loop for task; NULL when it was cancelled already (then it ends by itself). */
static struct loop_sample *loop_sample_new(struct irqmon *mon, GTask *task)
{
	struct loop_sample *ls = g_new0(struct loop_sample, 1);
	GCancellable *cancellable = g_task_get_cancellable(task);

	ls->mon = mon;
	ls->task = g_object_ref(task);
	ls->out = g_byte_array_new();
	ls->err = g_string_new(NULL);
	ls->table = g_steal_pointer(&mon->spare);
	if (cancellable) {
		ls->cancel_id = g_cancellable_connect(cancellable, G_CALLBACK(loop_sample_cancelled), ls, NULL);
		if (ls->done_id)
			return NULL;
	}
	return ls;
}

static void ssh_sample_start(struct irqmon *mon, GTask *task)
{
	struct loop_sample *ls = loop_sample_new(mon, task);

	if (!ls)
		return;
	ls->waiting = TRUE;
	ssh_conn_connect(mon->ssh, ssh_sample_ready, ls);
}

/* -- typed into the serial console -- */

const GRegex *irqmon_console_regex(void)
{
	static GRegex *re;

	if (g_once_init_enter(&re))
		g_once_init_leave(&re, g_regex_new(IRQMON_CONSOLE_PATTERN, G_REGEX_OPTIMIZE, 0, NULL));
	return re;
}

struct irqmon_sample *irqmon_console_sample(const char *matched, struct irq_table *reuse, GError **error)
{
	g_autoptr(GMatchInfo) mi = NULL;
	struct irqmon_sample *s;
	int begin, end;

	if (!g_regex_match(irqmon_console_regex(), matched, 0, &mi) || !g_match_info_fetch_pos(mi, 1, &begin, &end)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the table between the markers was not found");
		irq_table_free(reuse);
		return NULL;
	}
	s = g_new0(struct irqmon_sample, 1);
	s->mono_us = g_get_monotonic_time();
	s->table = reuse ? reuse : irq_table_new();
	if (!irq_parse_into(s->table, matched + begin, (gsize)(end - begin), error)) {
		g_prefix_error(error, "cat /proc/interrupts: ");
		irqmon_sample_free(s);
		return NULL;
	}
	s->raw = g_bytes_new(matched + begin, (gsize)(end - begin));
	return s;
}

static void console_sample_data(const char *data, gsize len, void *p)
{
	struct loop_sample *ls = p;
	g_autofree char *matched = NULL;
	GError *error = NULL;
	struct irqmon_sample *s;

	if (ls->done_id)
		return;
	expect_feed(ls->ex, data, len);
	if (!expect_match(ls->ex, irqmon_console_regex(), &matched))
		return;
	s = irqmon_console_sample(matched, g_steal_pointer(&ls->table), &error);
	if (error)
		g_prefix_error(&error, "%s: ", ls->mon->describe);
	loop_sample_end(ls, s, error);
}

static void console_sample_closed(const GError *error, void *p)
{
	struct loop_sample *ls = p;

	ls->listen_id = 0; /* a closed console has no listeners left */
	loop_sample_end(ls, NULL, g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED,
					      "%s: the console closed while /proc/interrupts was read%s%s",
					      ls->mon->describe, error ? ": " : "", error ? error->message : ""));
}

static const struct vconsole_listener console_sample_listener = { console_sample_data, console_sample_closed };

static gboolean console_sample_timeout(gpointer p)
{
	struct loop_sample *ls = p;

	ls->timer = 0;
	loop_sample_end(ls, NULL, g_error_new(G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					      "%s: no /proc/interrupts within %d s: is a shell logged in on the console?",
					      ls->mon->describe, IRQMON_CONSOLE_TIMEOUT_S));
	return G_SOURCE_REMOVE;
}

static void console_sample_start(struct irqmon *mon, GTask *task)
{
	struct loop_sample *ls = loop_sample_new(mon, task);
	GError *error = NULL;

	if (!ls)
		return;
	if (!mon->vc || !vconsole_is_open(mon->vc)) {
		vconsole_free(mon->vc);
		mon->vc = vconsole_open(mon->conn, mon->domain, NULL, FALSE, &error);
		if (!mon->vc) {
			loop_sample_end(ls, NULL, error);
			return;
		}
	}
	ls->vc = mon->vc;
	ls->ex = expect_new();
	ls->listen_id = vconsole_listen(mon->vc, &console_sample_listener, ls);
	if (!vconsole_write(mon->vc, IRQMON_CONSOLE_COMMAND, strlen(IRQMON_CONSOLE_COMMAND))) {
		loop_sample_end(ls, NULL, g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED, "%s: could not write to the console",
						      mon->describe));
		return;
	}
	ls->timer = g_timeout_add_seconds(IRQMON_CONSOLE_TIMEOUT_S, console_sample_timeout, ls);
}

/* Every async sample goes through here, so irqmon_free() can wait for the callbacks. */
struct sample_call {
	struct irqmon *mon;
	GAsyncReadyCallback callback;
	gpointer user_data;
};

static void sample_call_done(GObject *source, GAsyncResult *res, gpointer p)
{
	struct sample_call *call = p;
	struct irqmon *mon = call->mon;

	/* still counted during the callback: it may free the monitor */
	if (call->callback)
		call->callback(source, res, call->user_data);
	mon->in_flight--;
	if (mon->dead && !mon->in_flight)
		irqmon_destroy(mon);
	g_free(call);
}

void irqmon_sample_async(struct irqmon *mon, GCancellable *cancellable, GAsyncReadyCallback callback,
			 gpointer user_data)
{
	struct sample_call *call = g_new0(struct sample_call, 1);
	g_autoptr(GTask) task = NULL;
	struct sample_job *job;

	call->mon = mon;
	call->callback = callback;
	call->user_data = user_data;
	mon->in_flight++;
	task = g_task_new(NULL, cancellable, sample_call_done, call);
	g_task_set_source_tag(task, irqmon_sample_async);
	if (mon->ssh) {
		ssh_sample_start(mon, task);
		return;
	}
	if (mon->console) {
		console_sample_start(mon, task);
		return;
	}
	job = sample_job_new(mon);
	job->table = g_steal_pointer(&mon->spare);
	g_task_set_task_data(task, job, sample_job_free);
	g_task_run_in_thread(task, sample_thread);
}

struct irqmon_sample *irqmon_sample_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void sample_now_done(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer p)
{
	*(GAsyncResult **)p = g_object_ref(res);
}

struct irqmon_sample *irqmon_sample_now(struct irqmon *mon, GError **error)
{
	struct sample_job *job;
	struct irqmon_sample *s;

	if (mon->ssh || mon->console) {
		/* the connection lives on the loop: turn it until the sample came */
		g_autoptr(GAsyncResult) res = NULL;

		irqmon_sample_async(mon, NULL, sample_now_done, &res);
		while (!res)
			g_main_context_iteration(NULL, TRUE);
		return irqmon_sample_finish(res, error);
	}
	job = sample_job_new(mon);
	s = sample_job_run(job, error);
	sample_job_free(job);
	return s;
}

/* ---- watching ---- */

static gboolean watch_tick(gpointer p);

/* Frees a sample the monitor is done with, keeping its table for the next one. */
static void recycle(struct irqmon *mon, struct irqmon_sample *sample)
{
	if (sample && !mon->spare)
		mon->spare = g_steal_pointer(&sample->table);
	irqmon_sample_free(sample);
}

static void watch_sampled(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer p)
{
	struct irqmon *mon = p;
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *cur = irqmon_sample_finish(res, &error);

	mon->sampling = FALSE;
	if (mon->dead || !mon->fn) {
		irqmon_sample_free(cur);
		return;
	}
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		/* a watch stopped and started again: go on with the new one */
	} else if (!cur) {
		mon->fn(mon, NULL, NULL, NULL, error, mon->fn_data);
	} else {
		const struct irq_diff *diff = NULL;

		if (mon->prev) {
			if (mon->diff)
				irq_diff_into(mon->diff, mon->prev->table, cur->table, irqmon_interval_s(mon->prev, cur));
			else
				mon->diff = irq_diff(mon->prev->table, cur->table, irqmon_interval_s(mon->prev, cur));
			diff = mon->diff;
		}
		mon->fn(mon, mon->prev, cur, diff, NULL, mon->fn_data);
		if (mon->fn) {
			recycle(mon, mon->prev);
			mon->prev = cur;
		} else {
			recycle(mon, cur);
		}
	}
	if (mon->fn && !mon->timer_id)
		mon->timer_id = g_timeout_add(mon->interval_ms, watch_tick, mon);
}

static gboolean watch_tick(gpointer p)
{
	struct irqmon *mon = p;

	mon->timer_id = 0;
	if (mon->sampling)
		return G_SOURCE_REMOVE;
	mon->sampling = TRUE;
	irqmon_sample_async(mon, mon->cancel, watch_sampled, mon);
	return G_SOURCE_REMOVE;
}

void irqmon_watch(struct irqmon *mon, guint interval_ms, irqmon_fn fn, void *user_data)
{
	irqmon_unwatch(mon);
	if (g_cancellable_is_cancelled(mon->cancel)) {
		g_object_unref(mon->cancel);
		mon->cancel = g_cancellable_new();
	}
	mon->fn = fn;
	mon->fn_data = user_data;
	mon->interval_ms = MAX(interval_ms, 10u);
	if (!mon->sampling)
		mon->timer_id = g_idle_add(watch_tick, mon);
}

void irqmon_unwatch(struct irqmon *mon)
{
	if (mon->timer_id)
		g_source_remove(mon->timer_id);
	mon->timer_id = 0;
	mon->fn = NULL;
	mon->fn_data = NULL;
	g_clear_pointer(&mon->prev, irqmon_sample_free);
	g_clear_pointer(&mon->diff, irq_diff_free);
	if (mon->sampling)
		g_cancellable_cancel(mon->cancel);
}

/* ---- selecting and formatting ---- */

gboolean irqmon_row_matches(const struct irq_row *row, const GRegex *re)
{
	g_autoptr(GMatchInfo) mi = NULL;
	gint start = -1, end = -1;

	if (!re)
		return TRUE;
	if (g_regex_match(re, row->name, 0, NULL))
		return TRUE;
	if (g_regex_match(re, row->id, G_REGEX_MATCH_ANCHORED, &mi) && g_match_info_fetch_pos(mi, 0, &start, &end))
		return end == (gint)strlen(row->id);
	return FALSE;
}

/* The CPU number of cell col of a diff row ("CPU3"), or the position for global rows. */
static guint cell_cpu(const struct irq_diff *diff, const struct irq_row *row, guint col)
{
	return row->per_cpu ? diff->after->cpu_ids[col] : col;
}

guint irqmon_format_moved(const struct irq_diff *diff, const GRegex *re, gboolean rates, GString *out)
{
	guint lines = 0;

	for (guint r = 0; r < diff->n_rows; r++) {
		const struct irq_diff_row *dr = &diff->rows[r];
		const struct irq_row *row = &diff->after->rows[dr->after_row];

		if (!dr->total || !irqmon_row_matches(row, re))
			continue;
		g_string_append_printf(out, "%4s %-24s", row->id, *row->name ? row->name : row->text);
		for (guint c = 0; c < dr->n_cells; c++) {
			if (!dr->deltas[c])
				continue;
			g_string_append_printf(out, " %s%u +%" G_GUINT64_FORMAT, row->per_cpu ? "CPU" : "#",
					       cell_cpu(diff, row, c), dr->deltas[c]);
			if (rates && diff->interval_s > 0)
				g_string_append_printf(out, " (%.1f/s)", irq_diff_rate(diff, r, c));
			if (dr->flags[c] & (IRQ_CELL_RESET | IRQ_CELL_WRAP))
				g_string_append(out, dr->flags[c] & IRQ_CELL_WRAP ? " (wrapped)" : " (reset)");
		}
		g_string_append_c(out, '\n');
		lines++;
	}
	return lines;
}

void irqmon_diff_build(const struct irq_diff *diff, const GRegex *re, JsonBuilder *b)
{
	json_builder_set_member_name(b, "interval_s");
	json_builder_add_double_value(b, diff->interval_s);
	json_builder_set_member_name(b, "moved");
	json_builder_begin_array(b);
	for (guint r = 0; r < diff->n_rows; r++) {
		const struct irq_diff_row *dr = &diff->rows[r];
		const struct irq_row *row = &diff->after->rows[dr->after_row];

		if (!dr->total || !irqmon_row_matches(row, re))
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "irq");
		json_builder_add_string_value(b, row->id);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, row->name);
		json_builder_set_member_name(b, "total");
		json_builder_add_int_value(b, (gint64)MIN(dr->total, (guint64)G_MAXINT64));
		json_builder_set_member_name(b, row->per_cpu ? "cpus" : "cells");
		json_builder_begin_object(b);
		for (guint c = 0; c < dr->n_cells; c++) {
			char key[16];

			if (!dr->deltas[c])
				continue;
			g_snprintf(key, sizeof(key), "%u", cell_cpu(diff, row, c));
			json_builder_set_member_name(b, key);
			json_builder_add_int_value(b, (gint64)MIN(dr->deltas[c], (guint64)G_MAXINT64));
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "resets");
	json_builder_add_int_value(b, diff->n_resets);
}

char *irqmon_builder_text(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

char *irqmon_diff_json(const struct irq_diff *diff, const GRegex *re)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	irqmon_diff_build(diff, re, b);
	json_builder_end_object(b);
	return irqmon_builder_text(b);
}
