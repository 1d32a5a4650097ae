/* session.h - a machine's interactive byte session (serial console, SSH shell, host shell) for send/expect. */
#ifndef VIRTCON_SESSION_H
#define VIRTCON_SESSION_H

#include <glib.h>

struct expect;

/*
 * A session is a byte stream to and from a machine that lives across steps: what a step's
 * expect does not consume stays for the next one. A backend (the libvirt console, an SSH shell
 * channel, a /bin/sh under a pty) makes it with its write and free functions, then hands it
 * what the machine prints (session_feed) and says when it ended (session_closed). One listener
 * (the run's pool) hears both after the session's expect buffer has the bytes.
 */
struct session_backend {
	const char *kind; /* "console", "ssh", "shell": names the journal stream ("ssh:vm1") */
	gboolean (*write)(void *impl, const char *data, gsize len);
	void (*free)(void *impl); /* no feed or close after it */
};

struct session;

struct session_listener {
	void (*data)(struct session *session, const char *data, gsize len, void *user_data);
	void (*closed)(struct session *session, void *user_data);
};

struct session *session_new(const char *machine, const struct session_backend *backend, void *impl);
void session_set_listener(struct session *session, const struct session_listener *listener, void *user_data);
/* Frees the backend too. */
void session_free(struct session *session);

/* For backends. */
void session_feed(struct session *session, const char *data, gsize len);
void session_closed(struct session *session, const char *why);

/* For steps. */
gboolean session_write(struct session *session, const char *data, gsize len);
gboolean session_is_open(const struct session *session);
const char *session_closed_why(const struct session *session); /* NULL while open */
const char *session_machine(const struct session *session);
const char *session_kind(const struct session *session);
struct expect *session_expect(struct session *session);
/* A description for messages: "the console of 'vm1'", "the SSH shell of 'vm1'", ... */
const char *session_describe(const struct session *session);

#endif
