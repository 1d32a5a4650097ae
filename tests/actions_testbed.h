/* actions_testbed.h - test helpers for actions and migmon: the testbed guest under the embedded QEMU driver. */
#ifndef VIRTCON_ACTIONS_TESTBED_H
#define VIRTCON_ACTIONS_TESTBED_H

#include <glib.h>
#include <libvirt/libvirt.h>

#include "actions.h"

/* The testbed's domain XML (with @NAME@ replaced by name), built or reused by tools/mkguest;
 * NULL with *why set when QEMU or the guest is unavailable (the caller skips). */
char *atb_guest_xml(const char *name, char **why);
/* A fresh embedded QEMU driver in a new short temporary root (*root, rm -rf it with atb_rmdir). */
virConnectPtr atb_open_embed(char **root, GError **error);
void atb_rmdir(const char *dir);
/* Polls guest-ping through the guest agent until it answers (TRUE) or timeout_ms passes. */
gboolean atb_wait_agent(virConnectPtr conn, const char *name, guint timeout_ms);
/* One guest agent command; the reply (free it) or NULL. */
char *atb_agent(virConnectPtr conn, const char *name, const char *json, int timeout_s);
/* Runs a program in the guest through the agent (guest-exec), waits up to timeout_s for it:
 * its exit code, or -1. argv is NULL-terminated. */
int atb_exec(virConnectPtr conn, const char *name, int timeout_s, const char *path, ...) G_GNUC_NULL_TERMINATED;
/* Destroys and undefines the domain, ignoring errors (cleanup). */
void atb_cleanup(virConnectPtr conn, const char *name);
/* Runs one action to its end, iterating the thread-default main context meanwhile. */
char *atb_run(virConnectPtr conn, const char *action, const char *domain, GError **error, ...)
	G_GNUC_NULL_TERMINATED;
/* The same with a spec (base_dir, timeout) and an option table. */
char *atb_run_spec(virConnectPtr conn, const struct action_spec *spec, GError **error);
/* The domain's state (virDomainState) or -1. */
int atb_state(virConnectPtr conn, const char *name);

#endif
