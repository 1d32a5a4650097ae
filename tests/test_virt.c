/* test_virt.c - the libvirt connection and domain model against libvirt's test driver. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "virt.h"

struct seen {
	guint domains_calls;
	guint lifecycle_calls;
	int last_event;
	char *last_domain;
	GString *states;
};

static void on_state(struct virt *virt, enum virt_conn_state state, const char *message, void *user_data)
{
	struct seen *s = user_data;

	g_string_append_printf(s->states, "%d:%s\n", state, message ? message : "");
}

static void on_domains(struct virt *virt, void *user_data)
{
	((struct seen *)user_data)->domains_calls++;
}

static void on_lifecycle(struct virt *virt, const char *domain, int event, int detail, void *user_data)
{
	struct seen *s = user_data;

	s->lifecycle_calls++;
	s->last_event = event;
	g_free(s->last_domain);
	s->last_domain = g_strdup(domain);
}

static const struct virt_ops ops = { on_state, on_domains, on_lifecycle };

static gboolean expired_cb(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the loop until pred holds or 5 s pass. */
static gboolean spin_until(gboolean (*pred)(struct virt *, void *), struct virt *virt, void *arg)
{
	gboolean expired = FALSE;
	guint id = g_timeout_add(5000, expired_cb, &expired);

	while (!pred(virt, arg) && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
	return pred(virt, arg);
}

static gboolean domain_in_state(struct virt *virt, void *arg)
{
	const struct virt_domain *d = virt_find_domain(virt, "test");

	return d && d->state == GPOINTER_TO_INT(arg);
}

static gboolean domain_present(struct virt *virt, void *arg)
{
	return virt_find_domain(virt, arg) != NULL;
}

static gboolean domain_absent(struct virt *virt, void *arg)
{
	return virt_find_domain(virt, arg) == NULL;
}

static void test_connect_and_model(void **state)
{
	struct seen s = { .states = g_string_new(NULL) };
	g_autoptr(GError) error = NULL;
	struct virt *virt = virt_new("test:///default", &ops, &s);
	const struct virt_domain *d;

	assert_true(virt_wait_connected(virt, 10000, &error));
	assert_string_equal(virt_uri(virt), "test:///default");
	assert_string_equal(virt_uri_origin(virt), "-c");
	assert_non_null(virt_connection(virt));
	d = virt_find_domain(virt, "test");
	assert_non_null(d);
	assert_int_equal(d->state, VIR_DOMAIN_RUNNING);
	assert_true(d->vcpus >= 1);
	assert_true(d->memory_kib > 0);
	assert_true(d->persistent);
	assert_true(s.domains_calls >= 1);
	assert_non_null(strstr(s.states->str, "1:"));
	virt_free(virt);
	g_string_free(s.states, TRUE);
	g_free(s.last_domain);
}

static void test_lifecycle_events(void **state)
{
	struct seen s = { .states = g_string_new(NULL) };
	g_autoptr(GError) error = NULL;
	struct virt *virt = virt_new("test:///default", &ops, &s);
	virDomainPtr dom, newdom;
	static const char xml[] = "<domain type='test'><name>virtcon-t1</name><memory>65536</memory>"
				  "<vcpu>2</vcpu><os><type>hvm</type></os></domain>";

	assert_true(virt_wait_connected(virt, 10000, &error));
	dom = virDomainLookupByName(virt_connection(virt), "test");
	assert_non_null(dom);
	assert_int_equal(virDomainSuspend(dom), 0);
	assert_true(spin_until(domain_in_state, virt, GINT_TO_POINTER(VIR_DOMAIN_PAUSED)));
	assert_int_equal(s.last_event, VIR_DOMAIN_EVENT_SUSPENDED);
	assert_string_equal(s.last_domain, "test");
	assert_int_equal(virDomainResume(dom), 0);
	assert_true(spin_until(domain_in_state, virt, GINT_TO_POINTER(VIR_DOMAIN_RUNNING)));
	virDomainFree(dom);

	/* a domain defined elsewhere appears, with its vCPUs; undefined, it goes */
	newdom = virDomainDefineXML(virt_connection(virt), xml);
	assert_non_null(newdom);
	assert_true(spin_until(domain_present, virt, (void *)"virtcon-t1"));
	assert_int_equal(virt_find_domain(virt, "virtcon-t1")->vcpus, 2);
	assert_int_equal(virt_find_domain(virt, "virtcon-t1")->state, VIR_DOMAIN_SHUTOFF);
	assert_int_equal(virDomainUndefine(newdom), 0);
	virDomainFree(newdom);
	assert_true(spin_until(domain_absent, virt, (void *)"virtcon-t1"));
	virt_free(virt);
	g_string_free(s.states, TRUE);
	g_free(s.last_domain);
}

static void test_bad_uri(void **state)
{
	struct seen s = { .states = g_string_new(NULL) };
	g_autoptr(GError) error = NULL;
	struct virt *virt = virt_new("virtcon-nodriver:///x", &ops, &s);

	assert_false(virt_wait_connected(virt, 10000, &error));
	assert_non_null(strstr(error->message, "cannot connect to virtcon-nodriver:///x"));
	assert_non_null(strstr(error->message, "reconnecting in 1s"));
	assert_int_equal(virt_state(virt), VIRT_CONN_DOWN);
	assert_null(virt_connection(virt));
	virt_free(virt);
	g_string_free(s.states, TRUE);
}

static void test_resolve(void **state)
{
	g_autofree char *why = NULL, *uri = NULL, *why2 = NULL, *uri2 = NULL;
	g_autoptr(GError) error = NULL;

	uri = virt_resolve_uri("test:///default", &why, &error);
	assert_string_equal(uri, "test:///default");
	assert_string_equal(why, "-c");
	g_setenv("LIBVIRT_DEFAULT_URI", "test:///default", TRUE);
	uri2 = virt_resolve_uri(NULL, &why2, &error);
	assert_string_equal(uri2, "test:///default");
	assert_string_equal(why2, "LIBVIRT_DEFAULT_URI");
	g_unsetenv("LIBVIRT_DEFAULT_URI");
}

static void test_embed_prepare(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("virtcon-embed-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "etc", "qemu.conf", NULL);
	g_autofree char *etc = g_build_filename(dir, "etc", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) error = NULL;

	assert_true(virt_embed_prepare(dir, &error));
	assert_true(g_file_get_contents(conf, &text, NULL, NULL));
	assert_non_null(strstr(text, "stdio_handler = \"file\""));
	/* an operator's own file is kept */
	assert_true(g_file_set_contents(conf, "# mine\n", -1, NULL));
	assert_true(virt_embed_prepare(dir, &error));
	g_free(text);
	assert_true(g_file_get_contents(conf, &text, NULL, NULL));
	assert_string_equal(text, "# mine\n");
	g_remove(conf);
	g_rmdir(etc);
	g_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_and_model),
		cmocka_unit_test(test_lifecycle_events),
		cmocka_unit_test(test_bad_uri),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_embed_prepare),
	};

	virt_init();
	return cmocka_run_group_tests_name("virt", tests, NULL, NULL);
}
