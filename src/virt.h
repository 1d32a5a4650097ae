/* virt.h - the libvirt connection: URI resolution with the embedded fallback, events, keepalive,
 * reconnection, and the domain model kept current by lifecycle events and bulk stats. */
#ifndef VIRTCON_VIRT_H
#define VIRTCON_VIRT_H

#include <glib.h>
#include <libvirt/libvirt.h>

#define VIRT_ERROR (virt_error_quark())
GQuark virt_error_quark(void);
enum virt_error_code {
	VIRT_ERROR_CONNECT,     /* the connection could not be opened or was lost */
	VIRT_ERROR_UNSUPPORTED, /* the driver does not do this (the test driver has no consoles) */
	VIRT_ERROR_FAILED,      /* libvirt said no; the message is libvirt's */
};

/* Sends libvirt's log (warnings and up) to $XDG_STATE_HOME/virtcon/libvirt.log unless
 * LIBVIRT_LOG_OUTPUTS is set: main calls it first thing, before anything can start libvirt
 * (it only sets the environment). */
void virt_log_setup(void);

/* Registers libvirt's event loop on GLib (gvir_event_register) and silences libvirt's own
 * printing of errors to stderr (after virt_log_setup()). Idempotent; virt_new() calls it. */
void virt_init(void);

/* Where virtcon's embedded QEMU driver keeps its state: $XDG_STATE_HOME/virtcon/libvirt. */
char *virt_embed_root(void);

/*
 * The URI to use, as virsh does it: `given` (-c), else LIBVIRT_DEFAULT_URI, else libvirt's own
 * default when it can be reached; else the embedded QEMU driver (qemu:///embed?root=...) when
 * QEMU is installed, with its etc/qemu.conf written; else test:///default. Blocks (it may try
 * to connect): call it on a worker. *why gets a short note on how it was chosen.
 */
char *virt_resolve_uri(const char *given, char **why, GError **error);

/* Writes ROOT/etc/qemu.conf for the embedded driver (stdio_handler = "file", and as root QEMU
 * runs as root) unless it exists. */
gboolean virt_embed_prepare(const char *root, GError **error);

enum virt_conn_state {
	VIRT_CONN_CONNECTING,
	VIRT_CONN_UP,
	VIRT_CONN_DOWN, /* lost or failed; reconnecting with backoff */
};

struct virt_domain {
	char *name;
	char *uuid;
	int state;           /* virDomainState */
	int reason;          /* its reason code */
	guint vcpus;
	guint64 memory_kib;  /* current balloon, else maximum */
	double cpu_percent;  /* of one host CPU, over the last stats interval; < 0 unknown */
	gboolean persistent;
	/* stats bookkeeping */
	guint64 cpu_time_ns;
	gint64 cpu_time_at_us;
};

struct virt;

struct virt_ops {
	void (*state)(struct virt *virt, enum virt_conn_state state, const char *message, void *user_data);
	void (*domains)(struct virt *virt, void *user_data); /* the domain model changed */
	void (*lifecycle)(struct virt *virt, const char *domain, int event, int detail, void *user_data);
};

/* Starts connecting (on a worker) to `uri`, or to what virt_resolve_uri() picks when NULL.
 * Everything after is reported through ops on the caller's thread-default main context. */
struct virt *virt_new(const char *uri, const struct virt_ops *ops, void *user_data);
void virt_free(struct virt *virt);

enum virt_conn_state virt_state(const struct virt *virt);
/* The URI in use: libvirt's canonical one once connected, what is being tried before. */
const char *virt_uri(const struct virt *virt);
/* How the URI was chosen ("-c", "LIBVIRT_DEFAULT_URI", "no libvirt daemon: embedded QEMU"). */
const char *virt_uri_origin(const struct virt *virt);
/* The open connection (borrowed; NULL unless up). */
virConnectPtr virt_connection(const struct virt *virt);
/* Domains by name (struct virt_domain *, borrowed). */
const GPtrArray *virt_domains(const struct virt *virt);
const struct virt_domain *virt_find_domain(const struct virt *virt, const char *name);

/* Bulk stats (virConnectGetAllDomainStats) on a worker every interval_ms (>= 1000), or never
 * with 0 (the default: the console turns them on while the VMs list is shown). */
void virt_set_stats_interval(struct virt *virt, guint interval_ms);

/* Blocks until the connection is up or failed (for the headless commands and tests): runs the
 * thread-default main context meanwhile. FALSE with the failure's message. */
gboolean virt_wait_connected(struct virt *virt, guint timeout_ms, GError **error);

const char *virt_state_name(int domain_state);

#endif
