/* sshtarget.h - a suite machine's ssh:, identity:, password: and known-hosts: resolved into ssh_options. */
#ifndef VIRTCON_SSHTARGET_H
#define VIRTCON_SSHTARGET_H

#include <glib.h>

#include "ssh.h"

struct suite_machine;
struct vars;

/* The strings behind options (expanded, files made absolute); the password is wiped on free. */
struct ssh_target {
	char *user, *host, *identity, *password, *known_hosts;
	guint port;
	struct ssh_options options; /* points into the strings above */
};

/*
 * Expands the machine's fields with vars; identity and known-hosts files starting with "~/" are
 * in the home directory, relative ones in base_dir (the suite's directory). NULL and an error
 * naming the machine when ssh: is missing or not user@host[:port], or a variable is undefined.
 */
struct ssh_target *ssh_target_resolve(const struct suite_machine *machine, struct vars *vars, const char *base_dir,
				      GError **error);
/* A machine file as above ("~/x", "x" relative to base_dir, "/x"), expanded; NULL on error. */
char *ssh_target_file(struct vars *vars, const char *base_dir, const char *text, GError **error);
void ssh_target_free(struct ssh_target *target);

#endif
