/* testbed_guest.h - integration-test helper: boot the local testbed guest under libvirt's embedded QEMU driver. */
#ifndef VIRTCON_TESTBED_GUEST_H
#define VIRTCON_TESTBED_GUEST_H

#include <glib.h>
#include <libvirt/libvirt.h>

/*
 * Usage, once per test program (the guest is shared by its tests):
 *
 *	const char *why = tb_guest_skip_reason();
 *	if (why) { fprintf(stderr, "SKIP: %s\n", why); return 77; }
 *	struct tb_guest *tb = tb_guest_boot("vct-mytest", 1, &error);   // NULL: fail the test
 *	tb_guest_wait_agent(tb, 90, &error);  // optional: until qemu-ga answers guest-ping
 *	... tb->conn, tb->name, tb->kver, tb->prompt ...
 *	tb_guest_destroy(tb);                 // always, also on failure paths
 *
 * tb_guest_boot() runs $top_srcdir/tools/mkguest --quiet (top_srcdir from the environment,
 * as the test harness sets it; else "."), reads its testbed.env, makes an embed root
 * /tmp/vct-XXXXXX (short: unix socket paths), calls virt_init() and virt_embed_prepare(),
 * opens qemu:///embed?root=... and starts the guest transient from TESTBED_XML with @NAME@
 * replaced (and <vcpu> set when vcpus > 0). It returns as soon as QEMU runs: wait for the
 * console prompt or the agent yourself. The libvirt event loop runs on GLib's default main
 * context: iterate it (console streams, domain events need it). Both functions set
 * LIBVIRT_LOG_OUTPUTS=4:stderr (errors only) unless it is set: call one before libvirt's first use.
 */
struct tb_guest {
	virConnectPtr conn;
	char *name;      /* the domain's name */
	char *root;      /* the embed root (removed by tb_guest_destroy) */
	char *uri;       /* qemu:///embed?root=... */
	GHashTable *env; /* testbed.env: TESTBED_* -> value */
	const char *kver;   /* TESTBED_KVER */
	const char *prompt; /* TESTBED_PROMPT ("testbed# ") */
	const char *banner; /* TESTBED_BANNER */
};

/* NULL when the testbed can run here; else why not (no qemu-system-x86_64, mkguest cannot get
 * the guest's packages (its exit 3)): print it and exit 77. Runs
 * mkguest --quiet (milliseconds once the guest is built). */
const char *tb_guest_skip_reason(void);

struct tb_guest *tb_guest_boot(const char *name, guint vcpus, GError **error);
/* Polls guest-ping until the agent answers or timeout_s passes (runs the default main context
 * meanwhile). */
gboolean tb_guest_wait_agent(struct tb_guest *tb, int timeout_s, GError **error);
/* A testbed.env value (NULL when absent). */
const char *tb_guest_env(const struct tb_guest *tb, const char *key);
/* Destroys the domain (if still running), closes the connection, removes the embed root. */
void tb_guest_destroy(struct tb_guest *tb);

#endif
