/* actions.c - libvirt actions a step can take on a domain, one table entry each, run on a worker. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "actions.h"
#include "suite_yaml.h"
#include "virt.h"

#define ACTION_POLL_US 100000                /* state and dirty-rate polls on the worker */
#define ACTION_DEFAULT_TIMEOUT_MS 60000      /* a wait without a step timeout */
#define ACTION_MAX_XML (4 * 1024 * 1024)     /* a device or domain XML file larger is refused */
#define ACTION_DIRTY_RATE_MAX_S 60           /* libvirt's (QEMU's) limit for one calculation */

enum opt_type {
	OPT_TEXT,
	OPT_BOOL,
	OPT_UINT,
	OPT_XML,  /* xml: inline, or file: a path */
	OPT_MODE, /* shutdown/reboot mode: acpi, agent, initctl, signal, paravirt */
};

/* Shutdown and reboot modes; the VIR_DOMAIN_REBOOT_* flags have the same values. */
static const struct {
	const char *name;
	unsigned int flag;
} modes[] = {
	{ "acpi", VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN }, { "agent", VIR_DOMAIN_SHUTDOWN_GUEST_AGENT },
	{ "initctl", VIR_DOMAIN_SHUTDOWN_INITCTL },     { "signal", VIR_DOMAIN_SHUTDOWN_SIGNAL },
	{ "paravirt", VIR_DOMAIN_SHUTDOWN_PARAVIRT },
};

static unsigned int mode_flag(const char *name)
{
	for (gsize i = 0; name && i < G_N_ELEMENTS(modes); i++)
		if (strcmp(modes[i].name, name) == 0)
			return modes[i].flag;
	return 0; /* the hypervisor's choice */
}

struct action_opt {
	const char *name;
	enum opt_type type;
	gboolean required;
};

/* What a run function gets: everything is copied, so the worker owns it. */
struct action_job {
	virConnectPtr conn;
	char *name;
	char *domain;
	char *base_dir;
	GHashTable *opts;
	gint64 timeout_ms;
	GCancellable *cancellable;
	virDomainPtr dom; /* looked up before run, unless the action defines it */
};

struct action_def {
	const char *name;
	const struct action_opt *opts; /* terminated by a NULL name */
	gboolean needs_xml;            /* one of xml: or file: */
	gboolean no_domain;            /* the action makes the domain (define) */
	char *(*run)(struct action_job *job, GError **error);
};

/* The libvirt error of the last call on this thread, as "DOMAIN: ACTION: message". */
static void set_virt_error(GError **error, const struct action_job *job)
{
	const char *msg = virGetLastErrorMessage();
	int code = virGetLastErrorCode();
	int ecode = VIRT_ERROR_FAILED;

	if (code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_OPERATION_UNSUPPORTED || code == VIR_ERR_ARGUMENT_UNSUPPORTED)
		ecode = VIRT_ERROR_UNSUPPORTED;
	else if (code == VIR_ERR_NO_CONNECT || code == VIR_ERR_INVALID_CONN || code == VIR_ERR_RPC)
		ecode = VIRT_ERROR_CONNECT;
	g_set_error(error, VIRT_ERROR, ecode, "%s: %s: %s", job->domain ? job->domain : "-", job->name,
		    msg && *msg ? msg : "unknown libvirt error");
}

static const char *opt(const struct action_job *job, const char *name)
{
	return g_hash_table_lookup(job->opts, name);
}

/* Options were validated: a missing bool is its default, anything else "true". */
static gboolean opt_bool(const struct action_job *job, const char *name, gboolean dflt)
{
	const char *v = opt(job, name);

	return v ? g_strcmp0(v, "true") == 0 : dflt;
}

static guint64 opt_uint(const struct action_job *job, const char *name, guint64 dflt)
{
	const char *v = opt(job, name);

	return v ? g_ascii_strtoull(v, NULL, 10) : dflt;
}

/* The XML text from xml: (inline) or file: (relative to the suite's directory), bounded. */
static char *job_xml(const struct action_job *job, GError **error)
{
	const char *inline_xml = opt(job, "xml");
	const char *file = opt(job, "file");
	g_autofree char *path = NULL;
	char *text = NULL;
	gsize len = 0;
	GStatBuf st;

	if (inline_xml)
		return g_strdup(inline_xml);
	if (g_path_is_absolute(file) || !job->base_dir)
		path = g_strdup(file);
	else
		path = g_build_filename(job->base_dir, file, NULL);
	if (g_stat(path, &st) < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s: cannot read %s: %s",
			    job->domain ? job->domain : "-", job->name, path, g_strerror(errno));
		return NULL;
	}
	if (st.st_size > ACTION_MAX_XML) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s: %s is larger than %d MiB",
			    job->domain ? job->domain : "-", job->name, path, ACTION_MAX_XML >> 20);
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, error)) {
		g_prefix_error(error, "%s: %s: ", job->domain ? job->domain : "-", job->name);
		return NULL;
	}
	return text;
}

static unsigned int affect_flags(const struct action_job *job)
{
	unsigned int flags = 0;

	if (opt_bool(job, "live", FALSE))
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	if (opt_bool(job, "config", FALSE))
		flags |= VIR_DOMAIN_AFFECT_CONFIG;
	return flags ? flags : VIR_DOMAIN_AFFECT_CURRENT;
}

/* Sleeps one poll interval; FALSE (with the error) when cancelled meanwhile. */
static gboolean poll_pause(const struct action_job *job, GError **error)
{
	g_usleep(ACTION_POLL_US);
	if (g_cancellable_set_error_if_cancelled(job->cancellable, error)) {
		g_prefix_error(error, "%s: %s: ", job->domain, job->name);
		return FALSE;
	}
	return TRUE;
}

static char *timeout_text(gint64 ms)
{
	if (ms % 1000 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "s", ms / 1000);
	return g_strdup_printf("%.1fs", (double)ms / 1000.0);
}

static char *run_define(struct action_job *job, GError **error)
{
	g_autofree char *xml = job_xml(job, error);
	virDomainPtr dom;
	char *out;

	if (!xml)
		return NULL;
	dom = virDomainDefineXML(job->conn, xml);
	if (!dom) {
		set_virt_error(error, job);
		return NULL;
	}
	out = g_strdup_printf("defined %s", virDomainGetName(dom));
	virDomainFree(dom);
	return out;
}

static char *run_undefine(struct action_job *job, GError **error)
{
	/* keep nothing: managed save, snapshot and checkpoint metadata, NVRAM */
	unsigned int all = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			   VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM;

	if (virDomainUndefineFlags(job->dom, all) < 0) {
		/* a driver that knows fewer flags (the test driver) */
		if (virGetLastErrorCode() != VIR_ERR_INVALID_ARG && virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
			goto fail;
		if (virDomainUndefineFlags(job->dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
						     VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) < 0)
			goto fail;
	}
	return g_strdup("undefined");
fail:
	set_virt_error(error, job);
	return NULL;
}

/* The simple lifecycle calls: one libvirt call, one word of output. */
#define SIMPLE_ACTION(fn, call, word)                                  \
	static char *fn(struct action_job *job, GError **error)        \
	{                                                              \
		if ((call) < 0) {                                      \
			set_virt_error(error, job);                    \
			return NULL;                                   \
		}                                                      \
		return g_strdup(word);                                 \
	}

SIMPLE_ACTION(run_start, virDomainCreate(job->dom), "started")
SIMPLE_ACTION(run_destroy, virDomainDestroy(job->dom), "destroyed")
SIMPLE_ACTION(run_reboot, virDomainReboot(job->dom, mode_flag(opt(job, "mode"))), "rebooting")
SIMPLE_ACTION(run_suspend, virDomainSuspend(job->dom), "suspended")
SIMPLE_ACTION(run_resume, virDomainResume(job->dom), "resumed")

static char *run_shutdown(struct action_job *job, GError **error)
{
	gint64 limit = job->timeout_ms > 0 ? job->timeout_ms : ACTION_DEFAULT_TIMEOUT_MS;
	gint64 start = g_get_monotonic_time();

	if (virDomainShutdownFlags(job->dom, mode_flag(opt(job, "mode"))) < 0) {
		set_virt_error(error, job);
		return NULL;
	}
	for (;;) {
		int state = VIR_DOMAIN_NOSTATE, reason = 0;

		if (virDomainGetState(job->dom, &state, &reason, 0) < 0) {
			/* a transient domain is gone once it is off */
			if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
				break;
			set_virt_error(error, job);
			return NULL;
		}
		if (state == VIR_DOMAIN_SHUTOFF)
			break;
		if (g_get_monotonic_time() - start >= limit * 1000) {
			g_autofree char *t = timeout_text(limit);

			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s: shutdown: did not shut down within %s (%s)",
				    job->domain, t, virt_state_name(state));
			return NULL;
		}
		if (!poll_pause(job, error))
			return NULL;
	}
	return g_strdup_printf("shut off after %.1f s", (double)(g_get_monotonic_time() - start) / 1e6);
}

static char *run_device(struct action_job *job, GError **error, gboolean attach)
{
	g_autofree char *xml = job_xml(job, error);
	int rc;

	if (!xml)
		return NULL;
	if (attach)
		rc = virDomainAttachDeviceFlags(job->dom, xml, affect_flags(job));
	else
		rc = virDomainDetachDeviceFlags(job->dom, xml, affect_flags(job));
	if (rc < 0) {
		set_virt_error(error, job);
		return NULL;
	}
	return g_strdup(attach ? "device attached" : "device detached");
}

static char *run_attach(struct action_job *job, GError **error)
{
	return run_device(job, error, TRUE);
}

static char *run_detach(struct action_job *job, GError **error)
{
	return run_device(job, error, FALSE);
}

static char *run_migrate(struct action_job *job, GError **error)
{
	const char *to = opt(job, "to");
	const char *uri = opt(job, "uri");
	unsigned int flags = 0;
	virTypedParameterPtr params = NULL;
	int nparams = 0, maxparams = 0, rc;
	gboolean libvirt_uri = strstr(to, "://") != NULL;
	const char *dconnuri = NULL;
	gint64 start = g_get_monotonic_time();

	if (opt_bool(job, "live", TRUE))
		flags |= VIR_MIGRATE_LIVE;
	if (opt_bool(job, "persistent", FALSE))
		flags |= VIR_MIGRATE_PERSIST_DEST;
	if (opt_bool(job, "undefine-source", FALSE))
		flags |= VIR_MIGRATE_UNDEFINE_SOURCE;
	if (libvirt_uri) {
		/* the source's libvirt talks to the destination's (peer to peer) */
		flags |= VIR_MIGRATE_PEER2PEER;
		dconnuri = to;
	} else {
		/* a hypervisor URI (tcp:host:port): the driver migrates there directly */
		uri = to;
	}
	if (uri && virTypedParamsAddString(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_URI, uri) < 0)
		goto fail;
	if (opt(job, "bandwidth") &&
	    virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_BANDWIDTH,
				    opt_uint(job, "bandwidth", 0)) < 0)
		goto fail;
	rc = virDomainMigrateToURI3(job->dom, dconnuri, params, (unsigned int)nparams, flags);
	virTypedParamsFree(params, nparams);
	params = NULL;
	if (rc < 0)
		goto fail;
	return g_strdup_printf("migrated to %s in %.1f s", to, (double)(g_get_monotonic_time() - start) / 1e6);
fail:
	set_virt_error(error, job);
	virTypedParamsFree(params, nparams);
	return NULL;
}

/* The domain's dirtyrate.* stats: calc_status, megabytes_per_second, calc_period. */
static gboolean dirty_rate_stats(struct action_job *job, int *status, long long *mbps, int *period, GError **error)
{
	virDomainPtr doms[] = { job->dom, NULL };
	virDomainStatsRecordPtr *records = NULL;
	int n = virDomainListGetStats(doms, VIR_DOMAIN_STATS_DIRTYRATE, &records, 0);

	if (n < 0) {
		set_virt_error(error, job);
		return FALSE;
	}
	*status = VIR_DOMAIN_DIRTYRATE_UNSTARTED;
	*mbps = -1;
	if (n > 0) {
		virTypedParamsGetInt(records[0]->params, records[0]->nparams, "dirtyrate.calc_status", status);
		virTypedParamsGetLLong(records[0]->params, records[0]->nparams, "dirtyrate.megabytes_per_second", mbps);
		virTypedParamsGetInt(records[0]->params, records[0]->nparams, "dirtyrate.calc_period", period);
	}
	virDomainStatsRecordListFree(records);
	return TRUE;
}

static char *run_dirty_rate(struct action_job *job, GError **error)
{
	int seconds = (int)opt_uint(job, "seconds", 1);
	gint64 start = g_get_monotonic_time();
	/* the calculation takes `seconds`; allow that plus the step's timeout or 10 s */
	gint64 limit_us = (gint64)seconds * G_USEC_PER_SEC + (job->timeout_ms > 0 ? job->timeout_ms : 10000) * 1000;

	if (virDomainStartDirtyRateCalc(job->dom, seconds, 0) < 0) {
		set_virt_error(error, job);
		return NULL;
	}
	for (;;) {
		int status = 0, period = seconds;
		long long mbps = -1;

		if (!poll_pause(job, error))
			return NULL;
		if (!dirty_rate_stats(job, &status, &mbps, &period, error))
			return NULL;
		if (status == VIR_DOMAIN_DIRTYRATE_MEASURED && mbps >= 0)
			return g_strdup_printf("dirty rate: %lld MiB/s (measured over %d s)", mbps, period);
		if (g_get_monotonic_time() - start > limit_us) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "%s: dirty-rate: no result %.0f s after starting a %d s calculation (status %d)",
				    job->domain, (double)(g_get_monotonic_time() - start) / 1e6, seconds, status);
			return NULL;
		}
	}
}

/* A QMP reply {"error": {"class": C, "desc": D}} as an error; libvirt passes it on as a success. */
static gboolean qmp_reply_error(const struct action_job *job, const char *reply, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	JsonObject *err;

	if (!json_parser_load_from_data(parser, reply, -1, NULL))
		return FALSE;
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return FALSE;
	if (!json_object_has_member(json_node_get_object(root), "error"))
		return FALSE;
	err = json_object_get_object_member(json_node_get_object(root), "error");
	if (!err)
		return FALSE;
	g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED, "%s: monitor: QEMU answered %s: %s", job->domain,
		    json_object_get_string_member_with_default(err, "class", "an error"),
		    json_object_get_string_member_with_default(err, "desc", "(no description)"));
	return TRUE;
}

static char *run_monitor(struct action_job *job, GError **error)
{
	gboolean hmp = opt_bool(job, "hmp", FALSE);
	char *reply = NULL;
	char *out;

	if (virDomainQemuMonitorCommand(job->dom, opt(job, "command"), &reply,
					hmp ? VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP : 0) < 0) {
		set_virt_error(error, job);
		return NULL;
	}
	if (!hmp && reply && qmp_reply_error(job, reply, error)) {
		free(reply);
		return NULL;
	}
	out = g_strdup(reply ? reply : "");
	free(reply);
	return out;
}

static const struct action_opt no_opts[] = { { NULL, OPT_TEXT, FALSE } };
static const struct action_opt mode_opts[] = { { "mode", OPT_MODE, FALSE }, { NULL, OPT_TEXT, FALSE } };
static const struct action_opt define_opts[] = {
	{ "xml", OPT_XML, FALSE }, { "file", OPT_XML, FALSE }, { NULL, OPT_TEXT, FALSE } };
static const struct action_opt device_opts[] = {
	{ "xml", OPT_XML, FALSE }, { "file", OPT_XML, FALSE }, { "live", OPT_BOOL, FALSE },
	{ "config", OPT_BOOL, FALSE }, { NULL, OPT_TEXT, FALSE } };
static const struct action_opt migrate_opts[] = {
	{ "to", OPT_TEXT, TRUE }, { "uri", OPT_TEXT, FALSE }, { "live", OPT_BOOL, FALSE },
	{ "persistent", OPT_BOOL, FALSE }, { "undefine-source", OPT_BOOL, FALSE },
	{ "bandwidth", OPT_UINT, FALSE }, { NULL, OPT_TEXT, FALSE } };
static const struct action_opt dirty_rate_opts[] = { { "seconds", OPT_UINT, FALSE }, { NULL, OPT_TEXT, FALSE } };
static const struct action_opt monitor_opts[] = {
	{ "command", OPT_TEXT, TRUE }, { "hmp", OPT_BOOL, FALSE }, { NULL, OPT_TEXT, FALSE } };

static const struct action_def action_table[] = {
	{ "define", define_opts, TRUE, TRUE, run_define },
	{ "undefine", no_opts, FALSE, FALSE, run_undefine },
	{ "start", no_opts, FALSE, FALSE, run_start },
	{ "shutdown", mode_opts, FALSE, FALSE, run_shutdown },
	{ "destroy", no_opts, FALSE, FALSE, run_destroy },
	{ "reboot", mode_opts, FALSE, FALSE, run_reboot },
	{ "suspend", no_opts, FALSE, FALSE, run_suspend },
	{ "resume", no_opts, FALSE, FALSE, run_resume },
	{ "attach-device", device_opts, TRUE, FALSE, run_attach },
	{ "detach-device", device_opts, TRUE, FALSE, run_detach },
	{ "migrate", migrate_opts, FALSE, FALSE, run_migrate },
	{ "dirty-rate", dirty_rate_opts, FALSE, FALSE, run_dirty_rate },
	{ "monitor", monitor_opts, FALSE, FALSE, run_monitor },
};

static const char *const names[] = {
	"define", "undefine", "start", "shutdown", "destroy", "reboot", "suspend", "resume",
	"attach-device", "detach-device", "migrate", "dirty-rate", "monitor", NULL,
};

G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(action_table) + 1);

const char *const *action_names(void)
{
	return names;
}

static const struct action_def *find_action(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(action_table); i++)
		if (g_strcmp0(action_table[i].name, name) == 0)
			return &action_table[i];
	return NULL;
}

static gboolean check_value(const struct action_def *def, const struct action_opt *o, const char *value,
			    GError **error)
{
	const char *p;

	switch (o->type) {
	case OPT_BOOL:
		if (g_strcmp0(value, "true") != 0 && g_strcmp0(value, "false") != 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "%s: %s must be true or false, not '%s'", def->name, o->name, value ? value : "");
			return FALSE;
		}
		return TRUE;
	case OPT_UINT:
		for (p = value; p && *p; p++)
			if (!g_ascii_isdigit(*p))
				break;
		if (!value || !*value || *p || strlen(value) > 15) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "%s: %s must be a whole number, not '%s'", def->name, o->name, value ? value : "");
			return FALSE;
		}
		if (g_strcmp0(o->name, "seconds") == 0) {
			guint64 s = g_ascii_strtoull(value, NULL, 10);

			if (s < 1 || s > ACTION_DIRTY_RATE_MAX_S) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "%s: seconds must be between 1 and %d, not %s", def->name,
					    ACTION_DIRTY_RATE_MAX_S, value);
				return FALSE;
			}
		}
		return TRUE;
	case OPT_MODE:
		if (!mode_flag(value)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "%s: mode must be acpi, agent, initctl, signal or paravirt, not '%s'", def->name,
				    value ? value : "");
			return FALSE;
		}
		return TRUE;
	case OPT_TEXT:
	case OPT_XML:
	default:
		if (!value || !*value) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s is empty", def->name, o->name);
			return FALSE;
		}
		return TRUE;
	}
}

gboolean action_validate(const char *name, GHashTable *opts, GError **error)
{
	const struct action_def *def = find_action(name);
	const struct action_opt *o;
	GHashTableIter iter;
	gpointer key, value;

	if (!def) {
		const char *near = suite_nearest(name ? name : "", names, G_N_ELEMENTS(names) - 1);
		g_autofree char *list = g_strjoinv(", ", (char **)names);

		if (near)
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "unknown action '%s' (did you mean '%s'?)", name ? name : "", near);
		else
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "unknown action '%s' (actions: %s)", name ? name : "", list);
		return FALSE;
	}
	if (opts) {
		g_hash_table_iter_init(&iter, opts);
		while (g_hash_table_iter_next(&iter, &key, &value)) {
			const char *cands[16];
			gsize n = 0;

			for (o = def->opts; o->name; o++) {
				if (n < G_N_ELEMENTS(cands))
					cands[n++] = o->name;
				if (g_strcmp0(o->name, key) == 0)
					break;
			}
			if (!o->name) {
				const char *near = suite_nearest(key, cands, n);

				if (!n)
					g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
						    "%s takes no options, not '%s'", def->name, (const char *)key);
				else if (near)
					g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
						    "%s: unknown option '%s' (did you mean '%s'?)", def->name,
						    (const char *)key, near);
				else
					g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
						    "%s: unknown option '%s'", def->name, (const char *)key);
				return FALSE;
			}
			if (!check_value(def, o, value, error))
				return FALSE;
		}
	}
	for (o = def->opts; o->name; o++) {
		if (o->required && !(opts && g_hash_table_lookup(opts, o->name))) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s needs %s:", def->name, o->name);
			return FALSE;
		}
	}
	if (def->needs_xml) {
		gboolean has_xml = opts && g_hash_table_lookup(opts, "xml");
		gboolean has_file = opts && g_hash_table_lookup(opts, "file");

		if (!has_xml && !has_file) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s needs xml: or file:", def->name);
			return FALSE;
		}
		if (has_xml && has_file) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "%s takes xml: or file:, not both", def->name);
			return FALSE;
		}
	}
	return TRUE;
}

static void job_free(gpointer p)
{
	struct action_job *job = p;

	if (job->dom)
		virDomainFree(job->dom);
	if (job->conn)
		virConnectClose(job->conn);
	g_clear_object(&job->cancellable);
	g_free(job->name);
	g_free(job->domain);
	g_free(job->base_dir);
	g_hash_table_unref(job->opts);
	g_free(job);
}

static void action_thread(GTask *task, gpointer source G_GNUC_UNUSED, gpointer data, GCancellable *cancellable)
{
	struct action_job *job = data;
	const struct action_def *def = find_action(job->name);
	GError *error = NULL;
	char *out;

	if (!action_validate(job->name, job->opts, &error)) {
		g_prefix_error(&error, "%s: ", job->domain ? job->domain : "-");
		g_task_return_error(task, error);
		return;
	}
	if (g_task_return_error_if_cancelled(task))
		return;
	if (!def->no_domain) {
		if (!job->domain || !*job->domain) {
			g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
						"%s: no domain given", job->name);
			return;
		}
		job->dom = virDomainLookupByName(job->conn, job->domain);
		if (!job->dom) {
			set_virt_error(&error, job);
			g_task_return_error(task, error);
			return;
		}
	}
	job->cancellable = cancellable ? g_object_ref(cancellable) : NULL;
	out = def->run(job, &error);
	if (out)
		g_task_return_pointer(task, out, g_free);
	else
		g_task_return_error(task, error);
}

static GHashTable *copy_opts(GHashTable *opts)
{
	GHashTable *copy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTableIter iter;
	gpointer k, v;

	if (opts) {
		g_hash_table_iter_init(&iter, opts);
		while (g_hash_table_iter_next(&iter, &k, &v))
			g_hash_table_insert(copy, g_strdup(k), g_strdup(v));
	}
	return copy;
}

void action_run_async(virConnectPtr conn, const struct action_spec *spec, GCancellable *cancellable,
		      GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	struct action_job *job = g_new0(struct action_job, 1);

	g_task_set_source_tag(task, action_run_async);
	if (conn && virConnectRef(conn) == 0)
		job->conn = conn;
	job->name = g_strdup(spec->name);
	job->domain = g_strdup(spec->domain);
	job->base_dir = g_strdup(spec->base_dir);
	job->opts = copy_opts(spec->opts);
	job->timeout_ms = spec->timeout_ms;
	g_task_set_task_data(task, job, job_free);
	/* the worker sees the cancellable; a cancel does not cut a libvirt call short */
	g_task_set_return_on_cancel(task, FALSE);
	if (!job->conn) {
		g_task_return_new_error(task, VIRT_ERROR, VIRT_ERROR_CONNECT, "%s: %s: not connected to libvirt",
					spec->domain ? spec->domain : "-", spec->name ? spec->name : "-");
		g_object_unref(task);
		return;
	}
	g_task_run_in_thread(task, action_thread);
	g_object_unref(task);
}

char *action_run_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
