/* ssh.h - SSH connections and channels (libssh2, non-blocking), driven by the GLib main loop. */
#ifndef VIRTCON_SSH_H
#define VIRTCON_SSH_H

#include <glib.h>

#define SSH_ERROR (ssh_error_quark())
GQuark ssh_error_quark(void);

enum ssh_error_code {
	SSH_ERROR_CONNECT,         /* TCP connect, handshake or timeout */
	SSH_ERROR_HOSTKEY_UNKNOWN, /* the host key is not in known_hosts: the message says how to accept it */
	SSH_ERROR_HOSTKEY_CHANGED, /* known_hosts has another key for this host */
	SSH_ERROR_AUTH,            /* every method was refused: the message lists what was tried */
	SSH_ERROR_LOST,            /* the connection dropped */
	SSH_ERROR_CHANNEL,         /* a channel could not be opened or started */
};

struct ssh_options {
	const char *user;
	const char *host;
	guint port;               /* 0: 22 */
	const char *identity;     /* private key file; NULL: ~/.ssh/id_ed25519, id_ecdsa, id_rsa */
	const char *password;     /* NULL: none (never logged) */
	const char *known_hosts;  /* NULL: ~/.ssh/known_hosts */
	gboolean no_agent;        /* do not ask ssh-agent */
	guint keepalive_s;        /* 0: 15 */
	guint connect_timeout_ms; /* TCP connect + handshake + authentication; 0: 30000 */
};

/*
 * A connection: ssh_conn_connect() starts (or reuses) it; the callback comes once it is
 * authenticated or failed. Host keys are checked against known_hosts, never trusted silently.
 * When an established connection drops, every channel ends with SSH_ERROR_LOST and lost() is
 * called; ssh_conn_connect() then connects anew. All callbacks run on the thread-default main
 * context and never after ssh_conn_free().
 */
struct ssh_conn;
typedef void (*ssh_ready_fn)(struct ssh_conn *conn, const GError *error, void *user_data);
typedef void (*ssh_lost_fn)(struct ssh_conn *conn, const GError *error, void *user_data);

enum ssh_state { SSH_DOWN, SSH_CONNECTING, SSH_UP };

struct ssh_conn *ssh_conn_new(const struct ssh_options *options, ssh_lost_fn lost, void *user_data);
/* Calls fn when the connection is up (at once when it is and still alive) or failed. Several
 * callers may wait; ssh_conn_cancel_wait() forgets one (by fn and user_data). */
void ssh_conn_connect(struct ssh_conn *conn, ssh_ready_fn fn, void *user_data);
void ssh_conn_cancel_wait(struct ssh_conn *conn, ssh_ready_fn fn, void *user_data);
enum ssh_state ssh_conn_state(const struct ssh_conn *conn);
const char *ssh_conn_target(const struct ssh_conn *conn); /* "user@host:port" */
/* Drops the connection as if lost (tests, or a caller that knows better). */
void ssh_conn_drop(struct ssh_conn *conn, const char *why);
void ssh_conn_free(struct ssh_conn *conn);

/*
 * Accepting a host key, as the operator would with ssh-keyscan: ssh_scan() connects only far
 * enough to get the server's host key (no authentication) and calls fn with it as a
 * known_hosts key ("ssh-ed25519 AAAA...") and its fingerprint, or an error. Free the handle
 * with ssh_conn_free() (after the callback, or to cancel). After the operator compared the
 * fingerprint, ssh_known_hosts_add() appends the line for host:port to a known_hosts file.
 */
typedef void (*ssh_scan_fn)(const char *key, const char *fingerprint, const GError *error, void *user_data);
struct ssh_conn *ssh_scan(const char *host, guint port, ssh_scan_fn fn, void *user_data);
gboolean ssh_known_hosts_add(const char *path, const char *host, guint port, const char *key, GError **error);

/* "SHA256:" and the unpadded base64 of the key blob's SHA-256, as OpenSSH prints it. */
char *ssh_fingerprint(const void *key_blob, gsize len);

/*
 * A session channel on a connection: a command (exec) or a login shell, with a pty of
 * cols x rows so output interleaves as on a terminal. data() gets its output as it comes;
 * closed() comes exactly once when it ended: exit_status (-1: none), exit_signal ("TERM",
 * NULL: none), error (NULL, or why it failed or broke off).
 */
struct ssh_chan;
struct ssh_chan_ops {
	void (*data)(const char *data, gsize len, gboolean is_stderr, void *user_data);
	void (*closed)(int exit_status, const char *exit_signal, const GError *error, void *user_data);
};

/* command NULL: a shell. NULL when the connection is not up. Free channels before their connection. */
struct ssh_chan *ssh_chan_open(struct ssh_conn *conn, const char *command, guint cols, guint rows,
			       const struct ssh_chan_ops *ops, void *user_data);
/* A command without a pty, for reading data: its output byte for byte, stderr apart (a signal
 * request is then the only way to stop it early). */
struct ssh_chan *ssh_chan_exec(struct ssh_conn *conn, const char *command, const struct ssh_chan_ops *ops,
			       void *user_data);
/* Queues bytes for the channel's stdin (FALSE when it has ended). */
gboolean ssh_chan_write(struct ssh_chan *chan, const char *data, gsize len);
/* Asks the server to signal the command ("TERM", "KILL", ...) with a "signal" request (libssh2
 * 1.11 and later); where that is not possible or refused, the pty gets ^C (SIGINT) instead. */
void ssh_chan_signal(struct ssh_chan *chan, const char *signame);
/* Closes the channel (the server hangs up the pty); closed() follows. */
void ssh_chan_close(struct ssh_chan *chan);
gboolean ssh_chan_running(const struct ssh_chan *chan);
/* No callback after this; closes the channel if it is still open. */
void ssh_chan_free(struct ssh_chan *chan);

/* A signal's number from its SSH name ("TERM" -> 15); 0 when unknown. */
int ssh_signal_number(const char *name);

#endif
