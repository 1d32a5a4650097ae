/* actions.h - libvirt actions a step can take on a domain: lifecycle, devices, migration, dirty rate, monitor. */
#ifndef VIRTCON_ACTIONS_H
#define VIRTCON_ACTIONS_H

#include <gio/gio.h>
#include <libvirt/libvirt.h>

/*
 * Actions (a table, one entry each, with its options checked by action_validate()):
 *   define          xml | file          virDomainDefineXML
 *   undefine        -                   virDomainUndefineFlags (keeps nothing else)
 *   start           -                   virDomainCreate
 *   shutdown        mode                virDomainShutdownFlags, then waits until shut off (the step's
 *                                       timeout; 60 s when timeout_ms <= 0); mode: acpi, agent,
 *                                       initctl, signal, paravirt (default: the hypervisor's choice,
 *                                       for QEMU the agent when the domain has one, else ACPI)
 *   destroy         -                   virDomainDestroy
 *   reboot          mode                virDomainReboot (modes as for shutdown)
 *   suspend/resume  -
 *   attach-device   xml | file, live, config   virDomainAttachDeviceFlags
 *   detach-device   xml | file, live, config   virDomainDetachDeviceFlags
 *   migrate         to (URI), uri (migration data URI, e.g. tcp:127.0.0.1:49152), live (default
 *                   true), persistent, undefine-source, bandwidth (MiB/s)
 *                   virDomainMigrateToURI3 with VIR_MIGRATE_PEER2PEER when `to` is a libvirt URI
 *                   (has "://"); else `to` is the hypervisor's URI (direct migration)
 *   dirty-rate      seconds (1-60, default 1)  virDomainStartDirtyRateCalc, then the result from
 *                   virDomainListGetStats(VIR_DOMAIN_STATS_DIRTYRATE) ("dirty rate: N MiB/s
 *                   (measured over S s)") into the output
 *   monitor         command, hmp (bool)  virDomainQemuMonitorCommand; the reply into the output
 *                                        (a QMP reply with "error" fails: "QEMU answered CLASS: DESC")
 * Every action runs on a worker thread (libvirt calls block: migration for minutes); progress
 * and the result come back on the caller's thread-default main context.
 */
struct action_spec {
	const char *name;     /* the action, as above */
	const char *domain;   /* the domain's name */
	GHashTable *opts;     /* char * -> char *: the options as written (xml, file, live, to, ...) */
	const char *base_dir; /* where relative file: paths are taken from (the suite's directory) */
	gint64 timeout_ms;    /* for actions that wait (shutdown) */
};

/* Checks the action name and options; FALSE with a message naming the bad one ("unknown action
 * 'strat' (did you mean 'start'?)", "attach-device needs xml: or file:"). */
gboolean action_validate(const char *name, GHashTable *opts, GError **error);
/* The action names, NULL-terminated. */
const char *const *action_names(void);

/* Runs the action. text gets what the action printed (a monitor reply, a dirty rate, "started"). */
void action_run_async(virConnectPtr conn, const struct action_spec *spec, GCancellable *cancellable,
		      GAsyncReadyCallback callback, gpointer user_data);
/* Returns the output text (free it) or NULL with the error (libvirt's message, prefixed with
 * the domain and action: VIRT_ERROR, VIRT_ERROR_UNSUPPORTED when the driver cannot; bad options
 * G_IO_ERROR_INVALID_ARGUMENT; a wait that ran out G_IO_ERROR_TIMED_OUT; G_IO_ERROR_CANCELLED). */
char *action_run_finish(GAsyncResult *result, GError **error);

#endif
