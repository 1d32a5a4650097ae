/* suite_model.c - the suite model: allocation, freeing, look-ups and durations. */
#include "config.h"

#include <string.h>

#include "suite.h"
#include "suite_yaml.h"

void suite_requires_free(struct suite_requires *req)
{
	if (!req)
		return;
	g_ptr_array_unref(req->commands);
	g_ptr_array_unref(req->files);
	g_ptr_array_unref(req->modules);
	g_free(req->libvirt);
	g_ptr_array_unref(req->machines);
	g_free(req);
}

static void machine_free(gpointer data)
{
	struct suite_machine *m = data;

	g_free(m->name);
	g_free(m->domain);
	g_free(m->uri);
	g_free(m->ssh);
	g_free(m->identity);
	g_free(m->password);
	g_free(m->known_hosts);
	g_free(m->console);
	g_free(m);
}

static void var_free(gpointer data)
{
	struct suite_var *v = data;

	g_free(v->name);
	g_free(v->value);
	g_free(v->description);
	g_free(v);
}

static void pane_free(gpointer data)
{
	struct suite_pane *p = data;

	g_free(p->kind);
	g_free(p->target);
	if (p->opts)
		g_hash_table_unref(p->opts);
	g_free(p);
}

static void step_free(gpointer data)
{
	struct suite_step *s = data;

	g_free(s->name);
	g_free(s->on);
	g_free(s->run);
	g_free(s->manual);
	g_free(s->send);
	g_free(s->action);
	if (s->with)
		g_hash_table_unref(s->with);
	g_free(s->wait_state);
	g_free(s->wait_migration);
	g_free(s->wait_console);
	g_ptr_array_unref(s->expect.match);
	g_ptr_array_unref(s->expect.no_match);
	suite_requires_free(s->requires);
	if (s->check_interrupts) {
		g_free(s->check_interrupts->on);
		g_free(s->check_interrupts->irq);
		g_free(s->check_interrupts->delta);
		g_free(s->check_interrupts);
	}
	if (s->check_timeline) {
		g_free(s->check_timeline->file);
		g_free(s->check_timeline->format);
		g_free(s->check_timeline->task);
		g_free(s->check_timeline);
	}
	g_free(s);
}

void suite_free(struct suite *suite)
{
	if (!suite)
		return;
	g_free(suite->file);
	g_free(suite->name);
	g_free(suite->title);
	g_free(suite->description);
	suite_requires_free(suite->requires);
	g_ptr_array_unref(suite->machines);
	g_ptr_array_unref(suite->vars);
	g_ptr_array_unref(suite->panes);
	g_ptr_array_unref(suite->steps);
	g_free(suite);
}

const struct suite_machine *suite_find_machine(const struct suite *suite, const char *name)
{
	guint i;

	for (i = 0; i < suite->machines->len; i++) {
		const struct suite_machine *m = suite->machines->pdata[i];

		if (strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

const struct suite_var *suite_find_var(const struct suite *suite, const char *name)
{
	guint i;

	for (i = 0; i < suite->vars->len; i++) {
		const struct suite_var *v = suite->vars->pdata[i];

		if (strcmp(v->name, name) == 0)
			return v;
	}
	return NULL;
}

const char *suite_step_kind_name(enum suite_step_kind kind)
{
	switch (kind) {
	case SUITE_STEP_RUN:
		return "run";
	case SUITE_STEP_MANUAL:
		return "manual";
	case SUITE_STEP_SEND:
		return "send";
	case SUITE_STEP_ACTION:
		return "action";
	case SUITE_STEP_WAIT:
		return "wait";
	}
	return "?";
}

gint64 suite_parse_duration_ms(const char *text)
{
	const char *p = text;
	gint64 whole = 0, frac = 0, scale = 1, mult;
	int digits = 0;

	if (!text)
		return -1;
	while (g_ascii_isdigit(*p)) {
		if (++digits > 9)
			return -1;
		whole = whole * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		int fd = 0;

		p++;
		while (g_ascii_isdigit(*p)) {
			if (fd < 6) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
			fd++;
			p++;
		}
		if (fd == 0)
			return -1;
		digits += fd;
	}
	if (digits == 0)
		return -1;
	if (strcmp(p, "ms") == 0)
		mult = 1;
	else if (*p == '\0' || strcmp(p, "s") == 0)
		mult = 1000;
	else if (strcmp(p, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(p, "h") == 0)
		mult = 3600 * 1000;
	else
		return -1;
	return whole * mult + (frac * mult + scale / 2) / scale;
}

struct suite *suite_new_empty(const char *file)
{
	struct suite *suite = g_new0(struct suite, 1);

	suite->file = g_strdup(file);
	suite->machines = g_ptr_array_new_with_free_func(machine_free);
	suite->vars = g_ptr_array_new_with_free_func(var_free);
	suite->panes = g_ptr_array_new_with_free_func(pane_free);
	suite->steps = g_ptr_array_new_with_free_func(step_free);
	suite->timeout_ms = SUITE_DEFAULT_TIMEOUT_MS;
	return suite;
}
