/* session.c - a machine's interactive byte session: its expect buffer, backend and listener. */
#include "config.h"

#include <string.h>

#include "expect.h"
#include "session.h"

struct session {
	char *machine;
	char *describe;
	const struct session_backend *backend;
	void *impl;
	struct expect *ex;
	gboolean open;
	char *closed_why;
	const struct session_listener *listener;
	void *user_data;
};

struct session *session_new(const char *machine, const struct session_backend *backend, void *impl)
{
	struct session *s = g_new0(struct session, 1);
	const char *what = strcmp(backend->kind, "ssh") == 0	  ? "the SSH shell"
			   : strcmp(backend->kind, "shell") == 0 ? "the shell"
								 : "the console";

	s->machine = g_strdup(machine);
	s->describe = g_strdup_printf("%s of '%s'", what, machine);
	s->backend = backend;
	s->impl = impl;
	s->ex = expect_new();
	s->open = TRUE;
	return s;
}

void session_set_listener(struct session *s, const struct session_listener *listener, void *user_data)
{
	s->listener = listener;
	s->user_data = user_data;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	if (s->backend->free)
		s->backend->free(s->impl);
	expect_free(s->ex);
	g_free(s->machine);
	g_free(s->describe);
	g_free(s->closed_why);
	g_free(s);
}

void session_feed(struct session *s, const char *data, gsize len)
{
	expect_feed(s->ex, data, len);
	if (s->listener && s->listener->data)
		s->listener->data(s, data, len, s->user_data);
}

void session_closed(struct session *s, const char *why)
{
	if (!s->open)
		return;
	s->open = FALSE;
	s->closed_why = why ? g_strdup(why) : g_strdup_printf("%s closed", s->describe);
	if (s->listener && s->listener->closed)
		s->listener->closed(s, s->user_data);
}

gboolean session_write(struct session *s, const char *data, gsize len)
{
	return s->open && s->backend->write(s->impl, data, len);
}

gboolean session_is_open(const struct session *s)
{
	return s->open;
}

const char *session_closed_why(const struct session *s)
{
	return s->closed_why;
}

const char *session_machine(const struct session *s)
{
	return s->machine;
}

const char *session_kind(const struct session *s)
{
	return s->backend->kind;
}

struct expect *session_expect(struct session *s)
{
	return s->ex;
}

const char *session_describe(const struct session *s)
{
	return s->describe;
}
