/* vconsole.h - a domain's serial console as a non-blocking libvirt stream on the GLib loop. */
#ifndef VIRTCON_VCONSOLE_H
#define VIRTCON_VCONSOLE_H

#include <glib.h>
#include <libvirt/libvirt.h>

/*
 * Opens virDomainOpenConsole() on a non-blocking stream (VIR_STREAM_NONBLOCK) and drives it with
 * virStreamEventAddCallback (libvirt's event loop runs on GLib through virt_init()). Two buffers
 * like virsh console: bytes from the guest go to every listener as they arrive; bytes to the
 * guest are queued and written only while the stream is writable (interest in writability only
 * while bytes are queued). One shutdown path, guarded against late events.
 * Errors: a console in use by another client is a clear error ("the console of 'vm1' is in use
 * by another client (virsh console?); use force: true to take it over"), unless force is set
 * (VIR_DOMAIN_CONSOLE_FORCE). The test driver's "unsupported" becomes a message that says so.
 */
struct vconsole;

struct vconsole_listener {
	void (*data)(const char *data, gsize len, void *user_data);
	/* The stream ended: error NULL for EOF (the guest stopped or the console was taken over),
	 * else why. Called once per listener; no data after it. */
	void (*closed)(const GError *error, void *user_data);
};

struct vconsole *vconsole_open(virConnectPtr conn, const char *domain, const char *device, gboolean force,
			       GError **error);
/* Listeners are called in the order added; the returned id removes one. */
guint vconsole_listen(struct vconsole *console, const struct vconsole_listener *listener, void *user_data);
void vconsole_unlisten(struct vconsole *console, guint id);
/* Queues bytes for the guest; FALSE when the console is closed or over 1 MiB is queued. */
gboolean vconsole_write(struct vconsole *console, const char *data, gsize len);
gboolean vconsole_is_open(const struct vconsole *console);
const char *vconsole_domain(const struct vconsole *console);
/* Aborts the stream and frees; no listener is called after it. */
void vconsole_free(struct vconsole *console);

#endif
