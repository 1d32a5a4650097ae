/* vconsole.c - a domain's serial console as a non-blocking libvirt stream on the GLib loop. */
#include "config.h"

#include <string.h>

#include <libvirt/virterror.h>

#include "vconsole.h"
#include "virt.h"

#define VCONSOLE_QUEUE_MAX (1024 * 1024)
#define VCONSOLE_READ_CHUNK 65536
#define VCONSOLE_READS_PER_EVENT 16 /* then back to the loop, so one chatty guest can't starve it */

struct vconsole_entry {
	guint id;
	struct vconsole_listener listener;
	void *user_data;
	gboolean closed_called;
};

struct vconsole {
	virConnectPtr conn;
	char *domain;
	virStreamPtr st;
	gboolean open;            /* the stream carries bytes: no EOF, error or abort yet */
	gboolean watching;        /* the event callback is registered */
	gboolean want_writable;   /* interest in writability (only while bytes are queued) */
	GByteArray *out;          /* bytes for the guest not yet accepted by the stream */
	GArray *listeners;        /* struct vconsole_entry */
	guint next_id;
	guint dispatching;        /* depth of listener calls: frees wait until they return */
	gboolean free_pending;
	guint close_idle;         /* the deferred shutdown */
	GError *close_error;      /* why it closed; NULL for EOF */
	char *buf;
};

static void set_libvirt_error(GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void set_libvirt_error(GError **error, int code, const char *fmt, ...)
{
	const char *msg = virGetLastErrorMessage();
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, VIRT_ERROR, code, "%s: %s", what, msg && *msg ? msg : "unknown libvirt error");
}

static void stream_stop(struct vconsole *console, gboolean abort)
{
	if (!console->st)
		return;
	if (console->watching)
		virStreamEventRemoveCallback(console->st);
	console->watching = FALSE;
	if (abort)
		virStreamAbort(console->st);
	else if (virStreamFinish(console->st) < 0)
		virStreamAbort(console->st);
	virResetLastError();
	virStreamFree(console->st);
	console->st = NULL;
}

static void really_free(struct vconsole *console)
{
	if (console->close_idle)
		g_source_remove(console->close_idle);
	stream_stop(console, TRUE);
	if (console->conn)
		virConnectClose(console->conn);
	g_clear_error(&console->close_error);
	g_byte_array_unref(console->out);
	g_array_unref(console->listeners);
	g_free(console->domain);
	g_free(console->buf);
	g_free(console);
}

/* Ends a listener call; TRUE when the console is gone (freed by a listener). */
static gboolean dispatch_end(struct vconsole *console)
{
	if (--console->dispatching == 0 && console->free_pending) {
		really_free(console);
		return TRUE;
	}
	return FALSE;
}

/* The ids of the listeners now: listeners may add or remove listeners while called, so calls go
 * by id, each looked up again just before it is made. */
static GArray *listener_ids(const struct vconsole *console)
{
	GArray *ids = g_array_sized_new(FALSE, FALSE, sizeof(guint), console->listeners->len);

	for (guint i = 0; i < console->listeners->len; i++)
		g_array_append_val(ids, g_array_index(console->listeners, struct vconsole_entry, i).id);
	return ids;
}

static struct vconsole_entry *find_entry(struct vconsole *console, guint id)
{
	for (guint i = 0; i < console->listeners->len; i++) {
		struct vconsole_entry *e = &g_array_index(console->listeners, struct vconsole_entry, i);

		if (e->id == id)
			return e;
	}
	return NULL;
}

/* Gives bytes to every listener, in order. FALSE when a listener freed the console. */
static gboolean deliver(struct vconsole *console, const char *data, gsize len)
{
	g_autoptr(GArray) ids = listener_ids(console);

	console->dispatching++;
	for (guint i = 0; i < ids->len && !console->free_pending; i++) {
		struct vconsole_entry *e = find_entry(console, g_array_index(ids, guint, i));
		struct vconsole_entry copy;

		if (!e || !e->listener.data || e->closed_called)
			continue;
		copy = *e;
		copy.listener.data(data, len, copy.user_data);
	}
	return !dispatch_end(console);
}

/* The one shutdown path: runs from the loop (never inside libvirt's callbacks or the open of
 * another console), stops the stream and tells each listener once. */
static gboolean close_idle_cb(gpointer data)
{
	struct vconsole *console = data;
	g_autoptr(GArray) ids = listener_ids(console);

	console->close_idle = 0;
	stream_stop(console, console->close_error != NULL);
	console->dispatching++;
	for (guint i = 0; i < ids->len && !console->free_pending; i++) {
		struct vconsole_entry *e = find_entry(console, g_array_index(ids, guint, i));
		struct vconsole_entry copy;

		if (!e || e->closed_called)
			continue;
		e->closed_called = TRUE;
		copy = *e;
		if (copy.listener.closed)
			copy.listener.closed(console->close_error, copy.user_data);
	}
	dispatch_end(console);
	return G_SOURCE_REMOVE;
}

/* Marks the console closed (late events are ignored from here) and schedules the shutdown. */
static void begin_close(struct vconsole *console, GError *error)
{
	if (!console->open) {
		if (error)
			g_error_free(error);
		return;
	}
	console->open = FALSE;
	console->close_error = error;
	g_byte_array_set_size(console->out, 0);
	if (console->watching && console->st) {
		/* no more events; the stream itself is stopped from the idle */
		virStreamEventRemoveCallback(console->st);
		console->watching = FALSE;
	}
	console->close_idle = g_idle_add(close_idle_cb, console);
}

static void update_interest(struct vconsole *console)
{
	gboolean want = console->out->len > 0;
	int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

	if (!console->watching || want == console->want_writable)
		return;
	console->want_writable = want;
	if (want)
		events |= VIR_STREAM_EVENT_WRITABLE;
	virStreamEventUpdateCallback(console->st, events);
}

static GError *stream_error(struct vconsole *console, const char *what)
{
	GError *error = NULL;

	set_libvirt_error(&error, VIRT_ERROR_FAILED, "console of '%s': %s", console->domain, what);
	virResetLastError();
	return error;
}

/* Reads what the stream has. FALSE when the console closed or was freed. */
static gboolean read_some(struct vconsole *console)
{
	for (int i = 0; i < VCONSOLE_READS_PER_EVENT; i++) {
		int got = virStreamRecv(console->st, console->buf, VCONSOLE_READ_CHUNK);

		if (got == -2)
			return TRUE;
		if (got == 0) {
			begin_close(console, NULL);
			return FALSE;
		}
		if (got < 0) {
			begin_close(console, stream_error(console, "reading failed"));
			return FALSE;
		}
		if (!deliver(console, console->buf, (gsize)got))
			return FALSE;
		if (!console->open)
			return FALSE;
	}
	return TRUE;
}

static gboolean write_some(struct vconsole *console)
{
	while (console->out->len > 0) {
		int sent = virStreamSend(console->st, (const char *)console->out->data, console->out->len);

		if (sent == -2)
			break;
		if (sent < 0) {
			begin_close(console, stream_error(console, "writing failed"));
			return FALSE;
		}
		g_byte_array_remove_range(console->out, 0, (guint)sent);
	}
	update_interest(console);
	return TRUE;
}

static void stream_event(virStreamPtr st G_GNUC_UNUSED, int events, void *opaque)
{
	struct vconsole *console = opaque;

	if (!console->open)
		return; /* a late event after the shutdown began */
	if (events & VIR_STREAM_EVENT_READABLE) {
		if (!read_some(console))
			return;
	}
	if (events & VIR_STREAM_EVENT_WRITABLE) {
		if (!write_some(console))
			return;
	}
	if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP)) {
		/* The other end went away: the guest stopped, or another client forced the console
		 * (libvirt aborts our stream then). Like an EOF. */
		begin_close(console, NULL);
	}
}

static gboolean is_test_driver(virConnectPtr conn)
{
	g_autofree char *uri = NULL;
	char *u = virConnectGetURI(conn);

	if (!u)
		return FALSE;
	uri = g_strdup(u);
	free(u);
	return g_str_has_prefix(uri, "test:");
}

struct vconsole *vconsole_open(virConnectPtr conn, const char *domain, const char *device, gboolean force,
			       GError **error)
{
	struct vconsole *console;
	virDomainPtr dom;
	virErrorPtr err;
	unsigned int flags = force ? VIR_DOMAIN_CONSOLE_FORCE : VIR_DOMAIN_CONSOLE_SAFE;
	int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

	g_return_val_if_fail(conn != NULL && domain != NULL, NULL);
	dom = virDomainLookupByName(conn, domain);
	if (!dom) {
		set_libvirt_error(error, VIRT_ERROR_FAILED, "cannot open the console of '%s'", domain);
		return NULL;
	}
	console = g_new0(struct vconsole, 1);
	console->domain = g_strdup(domain);
	console->out = g_byte_array_new();
	console->listeners = g_array_new(FALSE, TRUE, sizeof(struct vconsole_entry));
	console->buf = g_malloc(VCONSOLE_READ_CHUNK);
	console->next_id = 1;
	console->st = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (!console->st) {
		set_libvirt_error(error, VIRT_ERROR_FAILED, "cannot open the console of '%s'", domain);
		goto fail;
	}
	if (virDomainOpenConsole(dom, device, console->st, flags) < 0) {
		err = virGetLastError();
		if (err && err->code == VIR_ERR_OPERATION_FAILED && !force && err->message &&
		    strstr(err->message, "Active console session")) {
			g_set_error(error, VIRT_ERROR, VIRT_ERROR_FAILED,
				    "the console of '%s' is in use by another client (virsh console?); "
				    "use force: true to take it over", domain);
		} else if (err && (err->code == VIR_ERR_NO_SUPPORT || err->code == VIR_ERR_OPERATION_UNSUPPORTED ||
				   err->code == VIR_ERR_ARGUMENT_UNSUPPORTED)) {
			g_set_error(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED,
				    "'%s': %s has no serial consoles (%s)", domain,
				    is_test_driver(conn) ? "libvirt's test driver" : "this libvirt driver",
				    err->message ? err->message : "not supported");
		} else if (!err && is_test_driver(conn)) {
			g_set_error(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED,
				    "'%s': libvirt's test driver has no serial consoles", domain);
		} else {
			set_libvirt_error(error, VIRT_ERROR_FAILED, "cannot open the console of '%s'", domain);
		}
		goto fail;
	}
	if (virStreamEventAddCallback(console->st, events, stream_event, console, NULL) < 0) {
		set_libvirt_error(error, VIRT_ERROR_FAILED,
				  "cannot watch the console of '%s' (is libvirt's event loop registered?)", domain);
		goto fail;
	}
	console->watching = TRUE;
	console->open = TRUE;
	virConnectRef(conn);
	console->conn = conn;
	virDomainFree(dom);
	return console;
fail:
	virResetLastError();
	virDomainFree(dom);
	really_free(console);
	return NULL;
}

guint vconsole_listen(struct vconsole *console, const struct vconsole_listener *listener, void *user_data)
{
	struct vconsole_entry e = { 0 };

	g_return_val_if_fail(console != NULL && listener != NULL, 0);
	e.id = console->next_id++;
	e.listener = *listener;
	e.user_data = user_data;
	/* a listener added to a console that already ended hears closed() from the loop */
	g_array_append_val(console->listeners, e);
	if (!console->open && !console->close_idle)
		console->close_idle = g_idle_add(close_idle_cb, console);
	return e.id;
}

void vconsole_unlisten(struct vconsole *console, guint id)
{
	for (guint i = 0; i < console->listeners->len; i++) {
		if (g_array_index(console->listeners, struct vconsole_entry, i).id == id) {
			g_array_remove_index(console->listeners, i);
			return;
		}
	}
}

gboolean vconsole_write(struct vconsole *console, const char *data, gsize len)
{
	if (!console->open || console->out->len + len > VCONSOLE_QUEUE_MAX)
		return FALSE;
	if (len == 0)
		return TRUE;
	g_byte_array_append(console->out, (const guint8 *)data, (guint)len);
	update_interest(console);
	return TRUE;
}

gboolean vconsole_is_open(const struct vconsole *console)
{
	return console->open;
}

const char *vconsole_domain(const struct vconsole *console)
{
	return console->domain;
}

void vconsole_free(struct vconsole *console)
{
	if (!console)
		return;
	/* no listener is called after this */
	console->open = FALSE;
	g_array_set_size(console->listeners, 0);
	if (console->dispatching) {
		console->free_pending = TRUE;
		if (console->watching && console->st) {
			virStreamEventRemoveCallback(console->st);
			console->watching = FALSE;
		}
		return;
	}
	really_free(console);
}
