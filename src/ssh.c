/* ssh.c - SSH connections and channels over libssh2 in non-blocking mode, driven by the GLib loop. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <libssh2.h>

#include "ssh.h"

G_DEFINE_QUARK(virtcon-ssh-error-quark, ssh_error)

#define SSH_READ_CHUNK (32 * 1024)
#define SSH_OUT_MAX (4 * 1024 * 1024) /* unsent input kept per channel */

enum conn_phase {
	PH_DOWN,
	PH_TCP,
	PH_HANDSHAKE,
	PH_AUTH_LIST,
	PH_AUTH_AGENT,
	PH_AUTH_KEYS,
	PH_AUTH_PASSWORD,
	PH_UP,
};

struct waiter {
	ssh_ready_fn fn;
	void *user_data;
};

struct ssh_conn {
	char *user, *host, *identity, *password, *known_hosts, *target;
	guint port, keepalive_s, connect_timeout_ms;
	gboolean no_agent;
	ssh_lost_fn lost;
	void *user_data;

	enum conn_phase phase;
	GCancellable *cancel;
	GSocketConnection *sock;
	int fd;
	LIBSSH2_SESSION *s;
	guint watch_id;
	GIOCondition watch_cond;
	guint timeout_id, keepalive_id, pump_id;
	GList *waiters; /* struct waiter * */
	GList *chans;   /* struct ssh_chan * */

	/* authentication */
	char *methods;
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_cur, *agent_prev;
	guint agent_keys;
	GPtrArray *keyfiles;
	guint key_i;
	GString *tried;

	ssh_scan_fn scan_fn; /* ssh_scan(): stop after the handshake */
	void *scan_data;

	guint busy; /* inside a callback from the loop */
	gboolean in_pump, pump_again, free_pending;
};

enum chan_phase { CH_OPEN, CH_PTY, CH_START, CH_RUN, CH_SIGNAL, CH_CLOSE, CH_WAIT_CLOSED, CH_FREE, CH_DONE };

struct ssh_chan {
	struct ssh_conn *conn;
	LIBSSH2_CHANNEL *ch;
	char *command;
	guint cols, rows;
	gboolean pty;     /* ask for a pty before starting */
	const struct ssh_chan_ops *ops;
	void *user_data;
	enum chan_phase phase;
	GByteArray *out;
	char *signal;  /* a signal request to send */
	gboolean want_close, closed_by_us, zombie, reported;
};

static void pump(struct ssh_conn *c);
static void conn_real_free(struct ssh_conn *c);

/* ---- helpers ---- */

char *ssh_fingerprint(const void *key_blob, gsize len)
{
	guint8 digest[32];
	gsize dlen = sizeof(digest);
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree char *b64 = NULL;
	gsize n;

	g_checksum_update(sum, key_blob, len);
	g_checksum_get_digest(sum, digest, &dlen);
	b64 = g_base64_encode(digest, dlen);
	n = strlen(b64);
	while (n && b64[n - 1] == '=')
		b64[--n] = '\0';
	return g_strdup_printf("SHA256:%s", b64);
}

int ssh_signal_number(const char *name)
{
	static const struct {
		const char *name;
		int num;
	} sigs[] = { { "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE }, { "HUP", SIGHUP },
		     { "ILL", SIGILL },   { "INT", SIGINT },   { "KILL", SIGKILL }, { "PIPE", SIGPIPE },
		     { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
		     { "USR2", SIGUSR2 } };

	if (!name)
		return 0;
	if (g_str_has_prefix(name, "SIG"))
		name += 3;
	for (gsize i = 0; i < G_N_ELEMENTS(sigs); i++)
		if (strcmp(sigs[i].name, name) == 0)
			return sigs[i].num;
	return 0;
}

static const char *last_error(LIBSSH2_SESSION *s)
{
	char *msg = NULL;

	if (!s)
		return "no session";
	libssh2_session_last_error(s, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

/* Errors that are about one channel or request, not the connection. */
static gboolean channel_error(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
	case LIBSSH2_ERROR_INVALID_MAC:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_DECRYPT:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_PROTO:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_ENCRYPT:
	case LIBSSH2_ERROR_BAD_SOCKET:
		return FALSE;
	default:
		return TRUE;
	}
}

static gboolean sock_alive(const struct ssh_conn *c)
{
	char b;
	ssize_t n;

	if (c->fd < 0)
		return FALSE;
	n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return FALSE;
	return n > 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static char *home_path(const char *rel)
{
	return g_build_filename(g_get_home_dir(), rel, NULL);
}

/* ---- connection teardown ---- */

static void remove_source(guint *id)
{
	if (*id) {
		g_source_remove(*id);
		*id = 0;
	}
}

static void teardown_session(struct ssh_conn *c, gboolean polite)
{
	remove_source(&c->watch_id);
	c->watch_cond = 0;
	remove_source(&c->timeout_id);
	remove_source(&c->keepalive_id);
	if (c->cancel) {
		g_cancellable_cancel(c->cancel);
		g_clear_object(&c->cancel);
	}
	for (GList *l = c->chans; l; l = l->next)
		((struct ssh_chan *)l->data)->ch = NULL; /* libssh2_session_free frees them */
	if (c->agent) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
		c->agent = NULL;
	}
	c->agent_cur = c->agent_prev = NULL;
	if (c->s) {
		if (polite && c->phase == PH_UP)
			libssh2_session_disconnect(c->s, "virtcon: done");
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR); /* every further send and recv fails at once */
		libssh2_session_set_blocking(c->s, 1);
		libssh2_session_free(c->s);
		c->s = NULL;
	}
	if (c->sock) {
		g_io_stream_close(G_IO_STREAM(c->sock), NULL, NULL);
		g_clear_object(&c->sock);
	}
	c->fd = -1;
	g_clear_pointer(&c->methods, g_free);
	if (c->keyfiles)
		g_ptr_array_set_size(c->keyfiles, 0);
	c->key_i = 0;
	c->agent_keys = 0;
	g_string_truncate(c->tried, 0);
	c->phase = PH_DOWN;
}

static void call_waiters(struct ssh_conn *c, const GError *error)
{
	while (c->waiters && !c->free_pending) {
		struct waiter *w = c->waiters->data;
		ssh_ready_fn fn = w->fn;
		void *ud = w->user_data;

		c->waiters = g_list_delete_link(c->waiters, c->waiters);
		g_free(w);
		fn(c, error, ud);
	}
}

/* Connecting failed: every waiter hears why. */
static void conn_fail(struct ssh_conn *c, GError *error)
{
	teardown_session(c, FALSE);
	call_waiters(c, error);
	g_error_free(error);
}

static void chan_report(struct ssh_chan *ch, int exit_status, const char *signame, const GError *error)
{
	if (ch->reported)
		return;
	ch->reported = TRUE;
	if (!ch->zombie && ch->ops->closed)
		ch->ops->closed(exit_status, signame, error, ch->user_data);
}

/* An established connection dropped: its channels end, the owner hears it. */
static void conn_lost(struct ssh_conn *c, const char *why)
{
	g_autoptr(GError) error =
		g_error_new(SSH_ERROR, SSH_ERROR_LOST, "connection to %s lost: %s", c->target, why);

	if (c->phase != PH_UP) {
		conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: %s", c->target, why));
		return;
	}
	teardown_session(c, FALSE);
	for (GList *l = c->chans; l; l = l->next) {
		struct ssh_chan *ch = l->data;

		if (ch->phase != CH_DONE) {
			ch->phase = CH_DONE;
			chan_report(ch, -1, NULL, error);
		}
	}
	if (c->lost && !c->free_pending)
		c->lost(c, error, c->user_data);
}

static void lost_rc(struct ssh_conn *c, int rc)
{
	if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV)
		conn_lost(c, "the server closed the connection");
	else
		conn_lost(c, last_error(c->s));
}

/* ---- the loop ---- */

static gboolean chans_live(const struct ssh_conn *c)
{
	for (GList *l = c->chans; l; l = l->next)
		if (((struct ssh_chan *)l->data)->phase != CH_DONE)
			return TRUE;
	return FALSE;
}

static gboolean on_fd(gint fd, GIOCondition cond, gpointer data);

static void arm_watch(struct ssh_conn *c)
{
	GIOCondition cond = 0;

	if (c->s && c->fd >= 0 && c->phase >= PH_HANDSHAKE) {
		int dirs = libssh2_session_block_directions(c->s);

		if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND)
			cond |= G_IO_IN;
		if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			cond |= G_IO_OUT;
		if (c->phase != PH_UP || chans_live(c))
			cond |= G_IO_IN;
	}
	if (cond == c->watch_cond && c->watch_id)
		return;
	remove_source(&c->watch_id);
	c->watch_cond = cond;
	if (cond)
		c->watch_id = g_unix_fd_add(c->fd, cond, on_fd, c);
}

static void enter(struct ssh_conn *c)
{
	c->busy++;
}

/* Leaves a callback from the loop; FALSE when the connection was freed. */
static gboolean leave(struct ssh_conn *c)
{
	if (--c->busy == 0 && c->free_pending) {
		conn_real_free(c);
		return FALSE;
	}
	return TRUE;
}

static gboolean on_fd(gint fd G_GNUC_UNUSED, GIOCondition cond, gpointer data)
{
	struct ssh_conn *c = data;

	enter(c);
	pump(c);
	if ((cond & (G_IO_HUP | G_IO_ERR)) && c->phase == PH_UP && !c->free_pending && !sock_alive(c))
		conn_lost(c, "the server closed the connection");
	if (!leave(c))
		return G_SOURCE_REMOVE;
	/* pump() re-armed the watch when the condition changed */
	if (c->watch_id == 0)
		return G_SOURCE_REMOVE;
	return G_SOURCE_CONTINUE;
}

static gboolean on_pump_idle(gpointer data)
{
	struct ssh_conn *c = data;

	c->pump_id = 0;
	enter(c);
	pump(c);
	leave(c);
	return G_SOURCE_REMOVE;
}

static void schedule_pump(struct ssh_conn *c)
{
	if (!c->pump_id)
		c->pump_id = g_idle_add(on_pump_idle, c);
}

static gboolean on_keepalive(gpointer data)
{
	struct ssh_conn *c = data;
	int next = 0, rc;

	if (c->phase != PH_UP || !c->s)
		return G_SOURCE_CONTINUE;
	enter(c);
	rc = libssh2_keepalive_send(c->s, &next);
	if (rc < 0 && rc != LIBSSH2_ERROR_EAGAIN)
		lost_rc(c, rc);
	else if (!chans_live(c) && !sock_alive(c))
		conn_lost(c, "the server closed the connection");
	else
		pump(c);
	leave(c);
	return G_SOURCE_CONTINUE;
}

static gboolean on_connect_timeout(gpointer data)
{
	struct ssh_conn *c = data;

	c->timeout_id = 0;
	enter(c);
	conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: timed out connecting (after %u s)", c->target,
				 c->connect_timeout_ms / 1000));
	leave(c);
	return G_SOURCE_REMOVE;
}

/* ---- host keys ---- */

/* What libssh2's host key types are called in known_hosts, in messages and in key lines. */
static const struct hostkey_kind {
	int type;           /* LIBSSH2_HOSTKEY_TYPE_* */
	int knownhost;      /* LIBSSH2_KNOWNHOST_KEY_* */
	const char *name;   /* as OpenSSH's warnings call it */
	const char *method; /* as a known_hosts line starts */
} hostkey_kinds[] = {
	{ LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "RSA", "ssh-rsa" },
	{ LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "DSA", "ssh-dss" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ECDSA", "ecdsa-sha2-nistp256" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ECDSA", "ecdsa-sha2-nistp384" },
	{ LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ECDSA", "ecdsa-sha2-nistp521" },
	{ LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ED25519", "ssh-ed25519" },
};

static const struct hostkey_kind *hostkey_kind(int hostkey_type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(hostkey_kinds); i++)
		if (hostkey_kinds[i].type == hostkey_type)
			return &hostkey_kinds[i];
	return NULL;
}

static int knownhost_type(int hostkey_type)
{
	const struct hostkey_kind *k = hostkey_kind(hostkey_type);

	return k ? k->knownhost : LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

static const char *hostkey_name(int hostkey_type)
{
	const struct hostkey_kind *k = hostkey_kind(hostkey_type);

	return k ? k->name : "ECDSA";
}

static const char *known_hosts_path(const struct ssh_conn *c)
{
	return c->known_hosts;
}

/* known_hosts read line by line (libssh2's reader stops at the first line it does not know). */
static LIBSSH2_KNOWNHOSTS *load_known_hosts(struct ssh_conn *c, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c->s);
	char **lines;

	if (!kh) {
		g_set_error(error, SSH_ERROR, SSH_ERROR_CONNECT, "%s: out of memory for known hosts", c->target);
		return NULL;
	}
	if (!g_file_get_contents(known_hosts_path(c), &text, NULL, &err)) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return kh;
		g_set_error(error, SSH_ERROR, SSH_ERROR_CONNECT, "%s: cannot read the known hosts: %s", c->target,
			    err->message);
		libssh2_knownhost_free(kh);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_strstrip(*l);
		if (**l && **l != '#')
			(void)libssh2_knownhost_readline(kh, *l, strlen(*l), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	g_strfreev(lines);
	return kh;
}

/* Prefers the host key types known_hosts has for this host, as OpenSSH does. */
static void prefer_known_types(struct ssh_conn *c)
{
	static const struct {
		int type;
		const char *methods;
	} types[] = {
		{ LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519" },
		{ LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256" },
		{ LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384" },
		{ LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521" },
		{ LIBSSH2_KNOWNHOST_KEY_SSHRSA, "rsa-sha2-512,rsa-sha2-256,ssh-rsa" },
	};
	LIBSSH2_KNOWNHOSTS *kh = load_known_hosts(c, NULL);
	g_autoptr(GString) first = g_string_new(NULL), rest = g_string_new(NULL);
	static const char dummy[] = "x";

	if (!kh)
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++) {
		struct libssh2_knownhost *found = NULL;
		int rc = libssh2_knownhost_checkp(kh, c->host, (int)c->port, dummy, 1,
						  LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | types[i].type,
						  &found);
		GString *to = rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH ? first : rest;

		g_string_append_printf(to, "%s%s", to->len ? "," : "", types[i].methods);
	}
	libssh2_knownhost_free(kh);
	if (first->len) {
		const char **algs = NULL;
		int n = libssh2_session_supported_algs(c->s, LIBSSH2_METHOD_HOSTKEY, &algs);
		g_autoptr(GString) pref = g_string_new(NULL);
		g_auto(GStrv) wanted = NULL;

		g_string_append_printf(first, ",%s", rest->str);
		wanted = g_strsplit(first->str, ",", -1);
		/* only what this libssh2 supports: its method_pref trips over the others (overlapping memcpy) */
		for (char **w = wanted; n > 0 && *w; w++)
			for (int i = 0; i < n; i++)
				if (strcmp(algs[i], *w) == 0)
					g_string_append_printf(pref, "%s%s", pref->len ? "," : "", *w);
		if (algs && n > 0)
			libssh2_free(c->s, (void *)algs);
		if (pref->len)
			(void)libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY, pref->str);
	}
}

static gboolean check_host_key(struct ssh_conn *c, GError **error)
{
	size_t len = 0;
	int type = 0, rc;
	const char *key = libssh2_session_hostkey(c->s, &len, &type);
	g_autofree char *fp = NULL;
	g_autofree char *name = c->port == 22 ? g_strdup(c->host) : g_strdup_printf("[%s]:%u", c->host, c->port);
	struct libssh2_knownhost *found = NULL;
	LIBSSH2_KNOWNHOSTS *kh;

	if (!key) {
		g_set_error(error, SSH_ERROR, SSH_ERROR_CONNECT, "%s: the server sent no host key", c->target);
		return FALSE;
	}
	fp = ssh_fingerprint(key, len);
	kh = load_known_hosts(c, error);
	if (!kh)
		return FALSE;
	rc = libssh2_knownhost_checkp(kh, c->host, (int)c->port, key, len,
				      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | knownhost_type(type),
				      &found);
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
		libssh2_knownhost_free(kh);
		return TRUE;
	}
	if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH && found && found->key) {
		gsize olen = 0;
		g_autofree guchar *old = g_base64_decode(found->key, &olen);
		g_autofree char *ofp = ssh_fingerprint(old, olen);

		g_set_error(error, SSH_ERROR, SSH_ERROR_HOSTKEY_CHANGED,
			    "%s: WARNING: THE HOST KEY HAS CHANGED! The server offered %s key %s, but %s has %s for %s. "
			    "Someone may be intercepting the connection, or the machine was reinstalled: not connecting. "
			    "If the change is expected, remove the old key (ssh-keygen -R '%s' -f %s) and accept the new one",
			    c->target, hostkey_name(type), fp, known_hosts_path(c), ofp, name, name, known_hosts_path(c));
	} else if (rc == LIBSSH2_KNOWNHOST_CHECK_FAILURE) {
		g_set_error(error, SSH_ERROR, SSH_ERROR_CONNECT, "%s: checking the host key failed: %s", c->target,
			    last_error(c->s));
	} else {
		g_set_error(error, SSH_ERROR, SSH_ERROR_HOSTKEY_UNKNOWN,
			    "%s: the host key is not known (%s has no %s key for %s). The server offered %s key %s. "
			    "If that is the machine's key, accept it with: ssh-keyscan -p %u %s >> %s",
			    c->target, known_hosts_path(c), hostkey_name(type), name, hostkey_name(type), fp, c->port,
			    c->host, known_hosts_path(c));
	}
	libssh2_knownhost_free(kh);
	return FALSE;
}

static const char *hostkey_method(int hostkey_type)
{
	const struct hostkey_kind *k = hostkey_kind(hostkey_type);

	return k ? k->method : NULL;
}

/* ssh_scan(): the handshake is done; hand over the key and let go of the connection. */
static void scan_done(struct ssh_conn *c)
{
	size_t len = 0;
	int type = 0;
	const char *key = libssh2_session_hostkey(c->s, &len, &type);
	g_autofree char *line = NULL, *fp = NULL, *b64 = NULL;
	g_autoptr(GError) error = NULL;
	ssh_scan_fn fn = c->scan_fn;

	if (key && hostkey_method(type)) {
		b64 = g_base64_encode((const guchar *)key, len);
		line = g_strdup_printf("%s %s", hostkey_method(type), b64);
		fp = ssh_fingerprint(key, len);
	} else {
		error = g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: the server sent no host key virtcon knows", c->target);
	}
	teardown_session(c, FALSE);
	c->scan_fn = NULL;
	fn(line, fp, error, c->scan_data);
}

/* ---- connecting ---- */

static void tried(struct ssh_conn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void tried(struct ssh_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (c->tried->len)
		g_string_append(c->tried, ", ");
	va_start(ap, fmt);
	g_string_append_vprintf(c->tried, fmt, ap);
	va_end(ap);
}

static gboolean offers(const struct ssh_conn *c, const char *method)
{
	g_auto(GStrv) m = g_strsplit(c->methods ? c->methods : "", ",", -1);

	return g_strv_contains((const char *const *)m, method);
}

static void conn_up(struct ssh_conn *c)
{
	c->phase = PH_UP;
	remove_source(&c->timeout_id);
	if (c->agent) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
		c->agent = NULL;
		c->agent_cur = c->agent_prev = NULL;
	}
	libssh2_keepalive_config(c->s, 1, c->keepalive_s);
	c->keepalive_id = g_timeout_add_seconds(c->keepalive_s, on_keepalive, c);
	call_waiters(c, NULL);
}

/* Agent keys; TRUE when authenticated, FALSE to go on (phase changed) or wait (EAGAIN). */
static gboolean auth_agent(struct ssh_conn *c, gboolean *again)
{
	*again = FALSE;
	if (c->no_agent || !offers(c, "publickey")) {
		c->phase = PH_AUTH_KEYS;
		return FALSE;
	}
	if (!c->agent) {
		if (!g_getenv("SSH_AUTH_SOCK") || !*g_getenv("SSH_AUTH_SOCK")) {
			tried(c, "ssh-agent (none running)");
			c->phase = PH_AUTH_KEYS;
			return FALSE;
		}
		c->agent = libssh2_agent_init(c->s);
		if (!c->agent || libssh2_agent_connect(c->agent) || libssh2_agent_list_identities(c->agent)) {
			tried(c, "ssh-agent (not reachable)");
			c->phase = PH_AUTH_KEYS;
			return FALSE;
		}
	}
	for (;;) {
		int rc;

		if (!c->agent_cur) {
			rc = libssh2_agent_get_identity(c->agent, &c->agent_cur, c->agent_prev);
			if (rc != 0) {
				tried(c, "ssh-agent (%u key%s)", c->agent_keys, c->agent_keys == 1 ? "" : "s");
				c->phase = PH_AUTH_KEYS;
				return FALSE;
			}
			c->agent_keys++;
		}
		rc = libssh2_agent_userauth(c->agent, c->user, c->agent_cur);
		if (rc == LIBSSH2_ERROR_EAGAIN) {
			*again = TRUE;
			return FALSE;
		}
		if (rc == 0)
			return TRUE;
		c->agent_prev = c->agent_cur;
		c->agent_cur = NULL;
	}
}

static void keyfiles_fill(struct ssh_conn *c)
{
	static const char *const defaults[] = { ".ssh/id_ed25519", ".ssh/id_ecdsa", ".ssh/id_rsa" };

	if (c->identity) {
		g_ptr_array_add(c->keyfiles, g_strdup(c->identity));
		return;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(defaults); i++) {
		char *p = home_path(defaults[i]);

		if (g_file_test(p, G_FILE_TEST_EXISTS))
			g_ptr_array_add(c->keyfiles, p);
		else
			g_free(p);
	}
	if (!c->keyfiles->len)
		tried(c, "no key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa)");
}

/* One step of connecting; returns TRUE when it should be called again at once. */
static gboolean conn_step(struct ssh_conn *c)
{
	int rc;
	gboolean again;
	g_autoptr(GError) error = NULL;

	switch (c->phase) {
	case PH_HANDSHAKE:
		rc = libssh2_session_handshake(c->s, c->fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return FALSE;
		if (rc) {
			conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: SSH handshake failed: %s",
						 c->target, last_error(c->s)));
			return FALSE;
		}
		if (c->scan_fn) {
			scan_done(c);
			return FALSE;
		}
		if (!check_host_key(c, &error)) {
			conn_fail(c, g_steal_pointer(&error));
			return FALSE;
		}
		c->phase = PH_AUTH_LIST;
		return TRUE;
	case PH_AUTH_LIST: {
		const char *m = libssh2_userauth_list(c->s, c->user, (unsigned)strlen(c->user));

		if (!m) {
			if (libssh2_userauth_authenticated(c->s)) {
				conn_up(c);
				return FALSE;
			}
			if (libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
				return FALSE;
			conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: asking for authentication methods failed: %s",
						 c->target, last_error(c->s)));
			return FALSE;
		}
		c->methods = g_strdup(m);
		c->phase = PH_AUTH_AGENT;
		keyfiles_fill(c);
		return TRUE;
	}
	case PH_AUTH_AGENT:
		if (auth_agent(c, &again)) {
			conn_up(c);
			return FALSE;
		}
		return !again;
	case PH_AUTH_KEYS:
		while (c->key_i < c->keyfiles->len && offers(c, "publickey")) {
			const char *path = g_ptr_array_index(c->keyfiles, c->key_i);

			if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
				tried(c, "%s (not found)", path);
				c->key_i++;
				continue;
			}
			rc = libssh2_userauth_publickey_fromfile_ex(c->s, c->user, (unsigned)strlen(c->user), NULL, path, NULL);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return FALSE;
			if (rc == 0) {
				conn_up(c);
				return FALSE;
			}
			c->key_i++;
			if (rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED || rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED)
				tried(c, "%s (rejected)", path);
			else if (rc == LIBSSH2_ERROR_FILE)
				tried(c, "%s (unreadable, or protected by a passphrase)", path);
			else if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
				 rc == LIBSSH2_ERROR_SOCKET_SEND) {
				conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_AUTH,
							 "%s: the server closed the connection during authentication (tried %s)",
							 c->target, c->tried->str));
				return FALSE;
			} else
				tried(c, "%s (%s)", path, last_error(c->s));
		}
		if (c->key_i < c->keyfiles->len)
			tried(c, "no key (the server takes none)");
		c->key_i = c->keyfiles->len;
		c->phase = PH_AUTH_PASSWORD;
		return TRUE;
	case PH_AUTH_PASSWORD:
		if (!c->password) {
			tried(c, "no password given");
		} else if (!offers(c, "password")) {
			tried(c, "a password (the server does not take passwords)");
		} else {
			rc = libssh2_userauth_password_ex(c->s, c->user, (unsigned)strlen(c->user), c->password,
							  (unsigned)strlen(c->password), NULL);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return FALSE;
			if (rc == 0) {
				conn_up(c);
				return FALSE;
			}
			tried(c, "a password (rejected)");
		}
		conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_AUTH, "%s: authentication failed: tried %s (the server takes: %s)",
					 c->target, c->tried->str, c->methods));
		return FALSE;
	default:
		return FALSE;
	}
}

/* A connection that fails before the handshake tells the scan's caller through a waiter. */
static void scan_failed(struct ssh_conn *c, const GError *error, void *user_data G_GNUC_UNUSED)
{
	ssh_scan_fn fn = c->scan_fn;

	c->scan_fn = NULL;
	if (fn)
		fn(NULL, NULL, error, c->scan_data);
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GSocketConnection *sock = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &error);
	struct ssh_conn *c = data;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		if (sock)
			g_object_unref(sock);
		return; /* freed, timed out, or dropped: c may be gone */
	}
	enter(c);
	if (!sock) {
		conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: could not connect: %s", c->target,
					 error->message));
	} else {
		c->sock = sock;
		c->fd = g_socket_get_fd(g_socket_connection_get_socket(sock));
		g_socket_set_keepalive(g_socket_connection_get_socket(sock), TRUE);
		c->s = libssh2_session_init_ex(NULL, NULL, NULL, c);
		if (!c->s) {
			conn_fail(c, g_error_new(SSH_ERROR, SSH_ERROR_CONNECT, "%s: libssh2 could not make a session", c->target));
		} else {
			libssh2_session_set_blocking(c->s, 0);
			prefer_known_types(c);
			c->phase = PH_HANDSHAKE;
			pump(c);
		}
	}
	leave(c);
}

static void conn_start(struct ssh_conn *c)
{
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnectable) addr = g_network_address_new(c->host, (guint16)c->port);

	c->phase = PH_TCP;
	c->cancel = g_cancellable_new();
	c->timeout_id = g_timeout_add(c->connect_timeout_ms, on_connect_timeout, c);
	g_socket_client_set_timeout(client, (c->connect_timeout_ms + 999) / 1000);
	g_socket_client_connect_async(client, addr, c->cancel, on_connected, c);
}

/* ---- channels ---- */

static void chan_fail(struct ssh_chan *ch, const char *what)
{
	struct ssh_conn *c = ch->conn;
	g_autoptr(GError) error = g_error_new(SSH_ERROR, SSH_ERROR_CHANNEL, "%s: %s: %s", c->target, what, last_error(c->s));

	if (ch->ch) {
		/* freed with the session at the latest; try to let go of it now */
		ch->phase = CH_FREE;
	} else {
		ch->phase = CH_DONE;
	}
	chan_report(ch, -1, NULL, error);
}

/* Drives one channel as far as it goes without blocking; FALSE when the connection was lost. */
static gboolean chan_step(struct ssh_chan *ch)
{
	struct ssh_conn *c = ch->conn;
	char buf[SSH_READ_CHUNK];
	ssize_t n;
	int rc;

	for (;;) {
		switch (ch->phase) {
		case CH_OPEN:
			ch->ch = libssh2_channel_open_session(c->s);
			if (!ch->ch) {
				rc = libssh2_session_last_errno(c->s);
				if (rc == LIBSSH2_ERROR_EAGAIN)
					return TRUE;
				if (!channel_error(rc)) {
					lost_rc(c, rc);
					return FALSE;
				}
				chan_fail(ch, "could not open a session channel");
				return TRUE;
			}
			ch->phase = ch->want_close ? CH_CLOSE : ch->pty ? CH_PTY : CH_START;
			break;
		case CH_PTY:
			rc = libssh2_channel_request_pty_ex(ch->ch, "xterm", 5, NULL, 0, (int)ch->cols, (int)ch->rows, 0, 0);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			if (rc && !channel_error(rc)) {
				lost_rc(c, rc);
				return FALSE;
			}
			if (rc) {
				chan_fail(ch, "the server refused a pty");
				break;
			}
			ch->phase = CH_START;
			break;
		case CH_START:
			if (ch->command)
				rc = libssh2_channel_exec(ch->ch, ch->command);
			else
				rc = libssh2_channel_shell(ch->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			if (rc && !channel_error(rc)) {
				lost_rc(c, rc);
				return FALSE;
			}
			if (rc) {
				chan_fail(ch, ch->command ? "the server refused to run the command" : "the server refused a shell");
				break;
			}
			ch->phase = CH_RUN;
			break;
		case CH_SIGNAL:
#if LIBSSH2_VERSION_NUM >= 0x010b00
			/* "signal" (RFC 4254 6.9); OpenSSH signals the command's process group */
			rc = libssh2_channel_signal_ex(ch->ch, ch->signal, strlen(ch->signal));
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			if (rc && !channel_error(rc)) {
				lost_rc(c, rc);
				return FALSE;
			}
#else
			rc = -1; /* libssh2 before 1.11 cannot send signal requests */
#endif
			if (rc)
				g_byte_array_append(ch->out, (const guint8 *)"\003", 1); /* ^C on the pty: SIGINT */
			g_clear_pointer(&ch->signal, g_free);
			ch->phase = CH_RUN;
			break;
		case CH_RUN: {
			gboolean progress = FALSE;

			if (ch->want_close) {
				ch->phase = CH_CLOSE;
				break;
			}
			if (ch->signal) {
				ch->phase = CH_SIGNAL;
				break;
			}
			while (ch->out->len) {
				n = libssh2_channel_write(ch->ch, (const char *)ch->out->data, ch->out->len);
				if (n == LIBSSH2_ERROR_EAGAIN)
					break;
				if (n < 0) {
					if (!channel_error((int)n)) {
						lost_rc(c, (int)n);
						return FALSE;
					}
					g_byte_array_set_size(ch->out, 0);
					break;
				}
				g_byte_array_remove_range(ch->out, 0, (guint)n);
			}
			for (int stream = 0; stream < 2; stream++) {
				n = libssh2_channel_read_ex(ch->ch, stream, buf, sizeof(buf));
				if (n > 0) {
					progress = TRUE;
					if (!ch->zombie && ch->ops->data)
						ch->ops->data(buf, (gsize)n, stream == 1, ch->user_data);
					if (c->phase != PH_UP || c->free_pending)
						return FALSE;
				} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN && !channel_error((int)n)) {
					lost_rc(c, (int)n);
					return FALSE;
				}
			}
			if (progress)
				break;
			if (libssh2_channel_eof(ch->ch)) {
				ch->phase = CH_CLOSE;
				break;
			}
			return TRUE;
		}
		case CH_CLOSE:
			rc = libssh2_channel_close(ch->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			if (rc && !channel_error(rc)) {
				lost_rc(c, rc);
				return FALSE;
			}
			ch->phase = CH_WAIT_CLOSED;
			break;
		case CH_WAIT_CLOSED: {
			char *sig = NULL;
			size_t siglen = 0;
			int status;

			rc = libssh2_channel_wait_closed(ch->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			if (rc && !channel_error(rc)) {
				lost_rc(c, rc);
				return FALSE;
			}
			status = libssh2_channel_get_exit_status(ch->ch);
			libssh2_channel_get_exit_signal(ch->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
			ch->phase = CH_FREE;
			if (sig) {
				g_autofree char *name = g_strndup(sig, siglen);

				libssh2_free(c->s, sig);
				chan_report(ch, -1, name, NULL);
			} else {
				chan_report(ch, ch->closed_by_us ? -1 : status, NULL, NULL);
			}
			if (c->phase != PH_UP || c->free_pending)
				return FALSE;
			break;
		}
		case CH_FREE:
			rc = libssh2_channel_free(ch->ch);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return TRUE;
			ch->ch = NULL;
			ch->phase = CH_DONE;
			break;
		case CH_DONE:
			return TRUE;
		}
	}
}

static void chan_destroy(struct ssh_chan *ch)
{
	g_byte_array_unref(ch->out);
	g_free(ch->command);
	g_free(ch->signal);
	g_free(ch);
}

static void pump(struct ssh_conn *c)
{
	if (c->in_pump) {
		c->pump_again = TRUE;
		return;
	}
	c->in_pump = TRUE;
	do {
		c->pump_again = FALSE;
		while (c->phase >= PH_HANDSHAKE && c->phase < PH_UP && !c->free_pending && conn_step(c))
			;
		if (c->phase == PH_UP && !c->free_pending) {
			for (GList *l = c->chans; l; l = l->next)
				if (!chan_step(l->data))
					break;
		}
	} while (c->pump_again && !c->free_pending);
	c->in_pump = FALSE;
	/* channels their owners let go of, once closed (or when the connection is gone) */
	for (GList *l = c->chans, *next; l; l = next) {
		struct ssh_chan *ch = l->data;

		next = l->next;
		if (ch->zombie && (ch->phase == CH_DONE || c->phase != PH_UP)) {
			c->chans = g_list_delete_link(c->chans, l);
			chan_destroy(ch);
		}
	}
	if (!c->free_pending)
		arm_watch(c);
}

static struct ssh_chan *chan_new(struct ssh_conn *conn, const char *command, gboolean pty, guint cols, guint rows,
			     const struct ssh_chan_ops *ops, void *user_data)
{
	struct ssh_chan *ch;

	if (conn->phase != PH_UP)
		return NULL;
	ch = g_new0(struct ssh_chan, 1);
	ch->conn = conn;
	ch->command = g_strdup(command);
	ch->pty = pty;
	ch->cols = cols ? cols : 80;
	ch->rows = rows ? rows : 24;
	ch->ops = ops;
	ch->user_data = user_data;
	ch->out = g_byte_array_new();
	conn->chans = g_list_append(conn->chans, ch);
	conn->pump_again = TRUE;
	schedule_pump(conn);
	return ch;
}

struct ssh_chan *ssh_chan_open(struct ssh_conn *conn, const char *command, guint cols, guint rows,
			       const struct ssh_chan_ops *ops, void *user_data)
{
	return chan_new(conn, command, TRUE, cols, rows, ops, user_data);
}

struct ssh_chan *ssh_chan_exec(struct ssh_conn *conn, const char *command, const struct ssh_chan_ops *ops,
			       void *user_data)
{
	return chan_new(conn, command, FALSE, 0, 0, ops, user_data);
}

gboolean ssh_chan_write(struct ssh_chan *ch, const char *data, gsize len)
{
	if (ch->phase == CH_DONE || ch->want_close || ch->phase >= CH_CLOSE || ch->out->len + len > SSH_OUT_MAX)
		return FALSE;
	g_byte_array_append(ch->out, (const guint8 *)data, (guint)len);
	schedule_pump(ch->conn);
	return TRUE;
}

void ssh_chan_signal(struct ssh_chan *ch, const char *signame)
{
	if (ch->phase >= CH_CLOSE || ch->want_close)
		return;
	g_free(ch->signal);
	ch->signal = g_strdup(signame);
	schedule_pump(ch->conn);
}

void ssh_chan_close(struct ssh_chan *ch)
{
	if (ch->phase >= CH_CLOSE)
		return;
	ch->want_close = TRUE;
	ch->closed_by_us = TRUE;
	schedule_pump(ch->conn);
}

gboolean ssh_chan_running(const struct ssh_chan *ch)
{
	return ch->phase < CH_CLOSE;
}

void ssh_chan_free(struct ssh_chan *ch)
{
	struct ssh_conn *c;

	if (!ch)
		return;
	c = ch->conn;
	ch->zombie = TRUE;
	if (ch->phase == CH_DONE || c->phase != PH_UP) {
		if (!c->in_pump) {
			c->chans = g_list_remove(c->chans, ch);
			chan_destroy(ch);
		}
		return;
	}
	ssh_chan_close(ch);
}

/* ---- the connection's API ---- */

struct ssh_conn *ssh_conn_new(const struct ssh_options *o, ssh_lost_fn lost, void *user_data)
{
	static gsize once;
	struct ssh_conn *c = g_new0(struct ssh_conn, 1);

	if (g_once_init_enter(&once)) {
		libssh2_init(0);
		g_once_init_leave(&once, 1);
	}
	c->user = g_strdup(o->user);
	c->host = g_strdup(o->host);
	c->port = o->port ? o->port : 22;
	c->identity = g_strdup(o->identity);
	c->password = g_strdup(o->password);
	c->known_hosts = o->known_hosts ? g_strdup(o->known_hosts) : home_path(".ssh/known_hosts");
	c->no_agent = o->no_agent;
	c->keepalive_s = o->keepalive_s ? o->keepalive_s : 15;
	c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 30000;
	c->target = g_strdup_printf(strchr(c->host, ':') ? "%s@[%s]:%u" : "%s@%s:%u", c->user, c->host, c->port);
	c->lost = lost;
	c->user_data = user_data;
	c->fd = -1;
	c->keyfiles = g_ptr_array_new_with_free_func(g_free);
	c->tried = g_string_new(NULL);
	return c;
}

void ssh_conn_connect(struct ssh_conn *c, ssh_ready_fn fn, void *user_data)
{
	struct waiter *w;

	if (c->phase == PH_UP) {
		if (sock_alive(c)) {
			fn(c, NULL, user_data);
			return;
		}
		enter(c);
		conn_lost(c, "the server closed the connection while it was idle");
		if (!leave(c))
			return;
	}
	w = g_new0(struct waiter, 1);
	w->fn = fn;
	w->user_data = user_data;
	c->waiters = g_list_append(c->waiters, w);
	if (c->phase == PH_DOWN)
		conn_start(c);
}

void ssh_conn_cancel_wait(struct ssh_conn *c, ssh_ready_fn fn, void *user_data)
{
	for (GList *l = c->waiters; l; l = l->next) {
		struct waiter *w = l->data;

		if (w->fn == fn && w->user_data == user_data) {
			c->waiters = g_list_delete_link(c->waiters, l);
			g_free(w);
			return;
		}
	}
}

enum ssh_state ssh_conn_state(const struct ssh_conn *c)
{
	return c->phase == PH_UP ? SSH_UP : c->phase == PH_DOWN ? SSH_DOWN : SSH_CONNECTING;
}

const char *ssh_conn_target(const struct ssh_conn *c)
{
	return c->target;
}

void ssh_conn_drop(struct ssh_conn *c, const char *why)
{
	if (c->phase == PH_DOWN)
		return;
	enter(c);
	conn_lost(c, why);
	leave(c);
}

static void conn_real_free(struct ssh_conn *c)
{
	teardown_session(c, TRUE);
	remove_source(&c->pump_id);
	g_list_free_full(c->waiters, g_free);
	g_list_free_full(c->chans, (GDestroyNotify)chan_destroy);
	g_ptr_array_unref(c->keyfiles);
	g_string_free(c->tried, TRUE);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	g_free(c->password);
	g_free(c->user);
	g_free(c->host);
	g_free(c->identity);
	g_free(c->known_hosts);
	g_free(c->target);
	g_free(c);
}

void ssh_conn_free(struct ssh_conn *c)
{
	if (!c)
		return;
	if (c->busy) {
		c->free_pending = TRUE;
		return;
	}
	conn_real_free(c);
}

struct ssh_conn *ssh_scan(const char *host, guint port, ssh_scan_fn fn, void *user_data)
{
	struct ssh_options o = { 0 };
	struct ssh_conn *c;

	o.user = "scan";
	o.host = host;
	o.port = port;
	o.no_agent = TRUE;
	c = ssh_conn_new(&o, NULL, NULL);
	c->scan_fn = fn;
	c->scan_data = user_data;
	ssh_conn_connect(c, scan_failed, NULL);
	return c;
}

gboolean ssh_known_hosts_add(const char *path, const char *host, guint port, const char *key, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *old = NULL;
	g_autofree char *line = NULL, *name = NULL;
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileOutputStream) out = NULL;
	gsize len = 0;

	if (!key || !*key || strchr(key, '\n') || strchr(host, ' ') || strchr(host, '\n')) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "not a host key line for %s: '%s'", path,
			    key ? key : "");
		return FALSE;
	}
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot make %s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	(void)g_file_get_contents(path, &old, &len, NULL);
	name = port == 22 || port == 0 ? g_strdup(host) : g_strdup_printf("[%s]:%u", host, port);
	line = g_strdup_printf("%s%s %s\n", len && old[len - 1] != '\n' ? "\n" : "", name, key);
	out = g_file_append_to(file, G_FILE_CREATE_PRIVATE, NULL, error);
	if (!out || !g_output_stream_write_all(G_OUTPUT_STREAM(out), line, strlen(line), NULL, NULL, error) ||
	    !g_output_stream_close(G_OUTPUT_STREAM(out), NULL, error)) {
		g_prefix_error(error, "cannot add the host key to %s: ", path);
		return FALSE;
	}
	return TRUE;
}
