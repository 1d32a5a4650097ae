/* conhub.h - the process's console sessions by (URI, domain): one libvirt console stream per
 * domain, shared by the console's panes and the runs' steps (libvirt allows one client). */
#ifndef VIRTCON_CONHUB_H
#define VIRTCON_CONHUB_H

#include <glib.h>
#include <libvirt/libvirt.h>

#include "vconsole.h"

struct conhub;

struct conhub *conhub_new(void);
/* Closes every console (no listener is called after it). */
void conhub_free(struct conhub *hub);

/* The open console of domain on conn, opened if there is none or the last one closed.
 * Borrowed: it stays in the hub; listen to it with vconsole_listen() and unlisten when done.
 * A closed console is freed (outside its own callbacks) at the next call for that domain. */
struct vconsole *conhub_get(struct conhub *hub, virConnectPtr conn, const char *domain, const char *device,
			    gboolean force, GError **error);
/* The console of domain if one is open (NULL otherwise), without opening. */
struct vconsole *conhub_lookup(struct conhub *hub, virConnectPtr conn, const char *domain);

#endif
