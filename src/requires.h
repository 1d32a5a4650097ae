/* requires.h - checks a suite's or step's requirements: commands, files, modules, libvirt, machines. */
#ifndef VIRTCON_REQUIRES_H
#define VIRTCON_REQUIRES_H

#include <gio/gio.h>

struct suite;
struct suite_requires;
struct vars;

/*
 * Checks every requirement and answers with NULL when all are met, or a reason a person can
 * act on when one is not ("command 'testpmd' is not on PATH", "kernel module 'vfio_pci' is not
 * loaded", "libvirt 9.0.0 is older than the required >= 10.0", "machine 'backup' (root@backup:22)
 * is not reachable: ..."). Checks that may block (network, libvirt) run on a worker thread;
 * the callback comes on the caller's thread-default main context.
 * suite, req and vars are only read during the call (${var} references are expanded then,
 * VARS_RAW; vars may be NULL: no expansion). Every unmet requirement is listed, joined by "; ".
 * Modules are looked up in /proc/modules (and /sys/module for built-in ones); for tests the
 * environment variable VIRTCON_PROC_MODULES names another file to read instead (then
 * /sys/module is not consulted). A machine is reachable when local; when its libvirt domain
 * is running (read-only connection to its uri or libvirt's default); and when its ssh
 * host:port accepts a TCP connection within 3 s. libvirt's error printing to stderr is
 * turned off (process-wide) by the libvirt and machine checks.
 */
void requires_check_async(const struct suite *suite, const struct suite_requires *req,
			  const struct vars *vars, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data);
/* Returns the unmet reason (free it) or NULL when met; NULL with error set on failure. */
char *requires_check_finish(GAsyncResult *result, GError **error);

/* The same, blocking: for tests and `virtcon check --requires`. */
char *requires_check_sync(const struct suite *suite, const struct suite_requires *req,
			  const struct vars *vars, GCancellable *cancellable, GError **error);

/* Version constraint test: ">= 0.9.8" against a version number as libvirt encodes it
 * (major * 1000000 + minor * 1000 + micro). FALSE with an error on a malformed constraint. */
gboolean requires_version_ok(const char *constraint, unsigned long version, gboolean *ok, GError **error);

#endif
