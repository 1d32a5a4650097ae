/* test_requires.c - tests of requires checks: commands, files, modules, versions, libvirt, machines, async. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "requires.h"
#include "suite.h"

struct fixture {
	struct suite suite;
	struct suite_requires req;
	char *tmpdir;
};

static struct suite_machine *machine_new(const char *name)
{
	struct suite_machine *m = g_new0(struct suite_machine, 1);

	m->name = g_strdup(name);
	return m;
}

static void machine_free(gpointer data)
{
	struct suite_machine *m = data;

	g_free(m->name);
	g_free(m->domain);
	g_free(m->uri);
	g_free(m->ssh);
	g_free(m);
}

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->suite.file = g_strdup("test.yaml");
	f->suite.machines = g_ptr_array_new_with_free_func(machine_free);
	f->req.commands = g_ptr_array_new_with_free_func(g_free);
	f->req.files = g_ptr_array_new_with_free_func(g_free);
	f->req.modules = g_ptr_array_new_with_free_func(g_free);
	f->req.machines = g_ptr_array_new_with_free_func(g_free);
	f->tmpdir = g_dir_make_tmp("requires-XXXXXX", NULL);
	assert_non_null(f->tmpdir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	g_autofree char *modules = g_build_filename(f->tmpdir, "modules", NULL);
	g_autofree char *node = g_build_filename(f->tmpdir, "node.xml", NULL);

	unlink(modules);
	unlink(node);
	rmdir(f->tmpdir);
	g_free(f->tmpdir);
	g_unsetenv("VIRTCON_PROC_MODULES");
	g_free(f->suite.file);
	g_ptr_array_unref(f->suite.machines);
	g_ptr_array_unref(f->req.commands);
	g_ptr_array_unref(f->req.files);
	g_ptr_array_unref(f->req.modules);
	g_ptr_array_unref(f->req.machines);
	g_free(f->req.libvirt);
	g_free(f);
	return 0;
}

static char *check(struct fixture *f)
{
	g_autoptr(GError) error = NULL;
	char *reason = requires_check_sync(&f->suite, &f->req, NULL, NULL, &error);

	assert_null(error);
	return reason;
}

static void add(GPtrArray *array, const char *s)
{
	g_ptr_array_add(array, g_strdup(s));
}

static void test_nothing_required(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	assert_null(check(f));
	assert_null(requires_check_sync(NULL, NULL, NULL, NULL, &error));
	assert_null(error);
}

static void test_commands(void **state)
{
	struct fixture *f = *state;
	g_autofree char *reason = NULL;

	add(f->req.commands, "sh");
	assert_null(check(f));
	add(f->req.commands, "virtcon-no-such-command-4711");
	reason = check(f);
	assert_string_equal(reason, "command 'virtcon-no-such-command-4711' is not on PATH");
}

static void test_files(void **state)
{
	struct fixture *f = *state;
	g_autofree char *reason = NULL;

	add(f->req.files, f->tmpdir);
	add(f->req.files, "/etc/passwd");
	assert_null(check(f));
	add(f->req.files, "/nonexistent/virtcon/file");
	reason = check(f);
	assert_string_equal(reason, "file '/nonexistent/virtcon/file' does not exist");
}

static void test_modules(void **state)
{
	struct fixture *f = *state;
	g_autofree char *path = g_build_filename(f->tmpdir, "modules", NULL);
	g_autofree char *reason = NULL;
	static const char proc_modules[] =
		"vfio_pci 16384 0 - Live 0x0000000000000000\n"
		"kvm_intel 372736 0 - Live 0x0000000000000000\n"
		"br_netfilter 32768 0 - Live 0x0000000000000000\n";

	assert_true(g_file_set_contents(path, proc_modules, -1, NULL));
	g_setenv("VIRTCON_PROC_MODULES", path, TRUE);
	add(f->req.modules, "vfio-pci");
	add(f->req.modules, "kvm_intel");
	add(f->req.modules, "br-netfilter");
	assert_null(check(f));
	add(f->req.modules, "nbd");
	add(f->req.modules, "vfio");
	reason = check(f);
	assert_string_equal(reason, "kernel module 'nbd' is not loaded; kernel module 'vfio' is not loaded");
}

static void test_modules_unreadable(void **state)
{
	struct fixture *f = *state;
	g_autofree char *reason = NULL;

	g_setenv("VIRTCON_PROC_MODULES", "/nonexistent/virtcon/modules", TRUE);
	add(f->req.modules, "kvm");
	reason = check(f);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, "kernel modules cannot be checked: "));
	assert_non_null(strstr(reason, "/nonexistent/virtcon/modules"));
}

static void test_version_constraints(void **state)
{
	static const struct {
		const char *constraint;
		unsigned long version;
		int want; /* 1 ok, 0 not ok, -1 malformed */
	} cases[] = {
		{ ">= 0.9.8", 9000000, 1 },
		{ ">= 0.9.8", 9008, 1 },
		{ ">= 0.9.8", 9007, 0 },
		{ ">=0.9.8", 9008, 1 },
		{ "  >=   9.0  ", 9000000, 1 },
		{ ">= 10.0", 9000000, 0 },
		{ "> 9.0", 9000000, 0 },
		{ "> 9.0", 9000001, 1 },
		{ "<= 9.0", 9000000, 1 },
		{ "<= 9.0", 9000001, 0 },
		{ "< 10", 9999999, 1 },
		{ "< 10", 10000000, 0 },
		{ "== 9.0.0", 9000000, 1 },
		{ "== 9.0", 9000001, 0 },
		{ "= 9.1.2", 9001002, 1 },
		{ "9.0", 9000000, 1 },   /* no operator means >= */
		{ "9.0", 8999999, 0 },
		{ "9", 9000000, 1 },
		{ "0.0.0", 0, 1 },
		{ "999999.999.999", 999999999999ul, 1 },
		{ "", 1, -1 },
		{ ">=", 1, -1 },
		{ ">= ", 1, -1 },
		{ "abc", 1, -1 },
		{ ">= 1.2.3.4", 1, -1 },
		{ ">= 1..2", 1, -1 },
		{ ">= 1.", 1, -1 },
		{ ">= .1", 1, -1 },
		{ ">= 1.1000", 1, -1 },
		{ ">= 1.2.3x", 1, -1 },
		{ "=> 1.0", 1, -1 },
		{ "!= 1.0", 1, -1 },
		{ ">= -1", 1, -1 },
		{ ">= 1234567", 1, -1 },
		{ ">= 1 2", 1, -1 },
	};

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok = 2;
		gboolean parsed = requires_version_ok(cases[i].constraint, cases[i].version, &ok, &error);

		if (cases[i].want < 0) {
			if (parsed)
				fail_msg("'%s' should be malformed", cases[i].constraint);
			assert_non_null(error);
			assert_non_null(strstr(error->message, "malformed version constraint"));
		} else {
			if (!parsed)
				fail_msg("'%s': %s", cases[i].constraint, error->message);
			if (ok != cases[i].want)
				fail_msg("'%s' against %lu: got %d", cases[i].constraint, cases[i].version, ok);
		}
	}
	{
		g_autoptr(GError) error = NULL;
		gboolean ok;

		assert_false(requires_version_ok(NULL, 1, &ok, &error));
		assert_non_null(error);
	}
}

static void test_libvirt_version(void **state)
{
	struct fixture *f = *state;
	unsigned long v = 0;
	g_autofree char *reason = NULL;
	g_autofree char *want = NULL;

	assert_int_equal(virGetVersion(&v, NULL, NULL), 0);
	f->req.libvirt = g_strdup(">= 0.9.8");
	assert_null(check(f));
	g_free(f->req.libvirt);
	f->req.libvirt = g_strdup(">= 999.0");
	reason = check(f);
	want = g_strdup_printf("libvirt %lu.%lu.%lu is older than the required >= 999.0", v / 1000000,
			       v / 1000 % 1000, v % 1000);
	assert_string_equal(reason, want);
}

static void test_libvirt_malformed(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;

	f->req.libvirt = g_strdup("newer than 9");
	assert_null(requires_check_sync(&f->suite, &f->req, NULL, NULL, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "'newer than 9'"));
}

static void test_machine_local(void **state)
{
	struct fixture *f = *state;
	struct suite_machine *m = machine_new("builder");
	g_autofree char *reason = NULL;

	m->local = TRUE;
	g_ptr_array_add(f->suite.machines, m);
	add(f->req.machines, "host"); /* exists even when not declared */
	add(f->req.machines, "builder");
	assert_null(check(f));
	add(f->req.machines, "ghost");
	reason = check(f);
	assert_string_equal(reason, "machine 'ghost' is not defined in the suite");
}

/* A port nobody listens on: bound by a listener that is then closed. */
static guint16 closed_port(void)
{
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	guint16 port = g_socket_listener_add_any_inet_port(listener, NULL, NULL);

	assert_true(port > 0);
	g_socket_listener_close(listener);
	return port;
}

static void test_machine_ssh(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) bind_addr = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) effective = NULL;
	g_autoptr(GError) error = NULL;
	struct suite_machine *up = machine_new("up");
	struct suite_machine *down = machine_new("backup");
	g_autofree char *reason = NULL;
	g_autofree char *want = NULL;
	guint16 port, dead = closed_port();

	assert_true(g_socket_listener_add_address(listener, bind_addr, G_SOCKET_TYPE_STREAM,
						  G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error));
	port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	up->ssh = g_strdup_printf("tester@127.0.0.1:%u", port);
	down->ssh = g_strdup_printf("root@127.0.0.1:%u", dead);
	g_ptr_array_add(f->suite.machines, up);
	g_ptr_array_add(f->suite.machines, down);
	add(f->req.machines, "up");
	assert_null(check(f));
	add(f->req.machines, "backup");
	reason = check(f);
	want = g_strdup_printf("machine 'backup' (root@127.0.0.1:%u) is not reachable: ", dead);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, want));
	assert_true(strlen(reason) > strlen(want)); /* the error text follows */
}

static void test_machine_ssh_default_port(void **state)
{
	struct fixture *f = *state;
	struct suite_machine *m = machine_new("backup");
	g_autofree char *reason = NULL;

	m->ssh = g_strdup("root@backup.invalid");
	g_ptr_array_add(f->suite.machines, m);
	add(f->req.machines, "backup");
	reason = check(f);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, "machine 'backup' (root@backup.invalid:22) is not reachable: "));
	assert_non_null(strstr(reason, "backup.invalid"));
}

static void test_machine_domain(void **state)
{
	struct fixture *f = *state;
	struct suite_machine *vm = machine_new("vm");
	struct suite_machine *vm1 = machine_new("vm1");
	struct suite_machine *bad = machine_new("bad");
	g_autofree char *reason = NULL;

	vm->domain = g_strdup("test");
	vm->uri = g_strdup("test:///default");
	vm1->domain = g_strdup("nope");
	vm1->uri = g_strdup("test:///default");
	bad->domain = g_strdup("test");
	bad->uri = g_strdup("nosuchdriver:///system");
	g_ptr_array_add(f->suite.machines, vm);
	g_ptr_array_add(f->suite.machines, vm1);
	g_ptr_array_add(f->suite.machines, bad);
	add(f->req.machines, "vm");
	assert_null(check(f));
	add(f->req.machines, "vm1");
	add(f->req.machines, "bad");
	reason = check(f);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, "machine 'vm1': domain 'nope' not found at test:///default; "
					     "machine 'bad': cannot connect to libvirt at nosuchdriver:///system: "));
}

/* A libvirt test driver node with a shut-off domain, as a custom test:// URI. */
static void test_machine_domain_not_running(void **state)
{
	struct fixture *f = *state;
	g_autofree char *node = g_build_filename(f->tmpdir, "node.xml", NULL);
	g_autofree char *uri = g_strdup_printf("test://%s", node);
	g_autofree char *reason = NULL;
	g_autofree char *want = NULL;
	struct suite_machine *stopped = machine_new("vm2");
	struct suite_machine *both = machine_new("vm3");
	guint16 dead = closed_port();
	static const char xml[] =
		"<node>\n"
		"  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
		"    <name>stopped</name><memory>65536</memory><os><type>hvm</type></os>\n"
		"    <test:runstate>5</test:runstate>\n"
		"  </domain>\n"
		"  <domain type='test'>\n"
		"    <name>up</name><memory>65536</memory><os><type>hvm</type></os>\n"
		"  </domain>\n"
		"</node>\n";

	assert_true(g_file_set_contents(node, xml, -1, NULL));
	stopped->domain = g_strdup("stopped");
	stopped->uri = g_strdup(uri);
	/* A running domain whose ssh port is closed: the ssh check follows the domain check. */
	both->domain = g_strdup("up");
	both->uri = g_strdup(uri);
	both->ssh = g_strdup_printf("127.0.0.1:%u", dead);
	g_ptr_array_add(f->suite.machines, stopped);
	g_ptr_array_add(f->suite.machines, both);
	add(f->req.machines, "vm2");
	add(f->req.machines, "vm3");
	reason = check(f);
	want = g_strdup_printf("machine 'vm2': domain 'stopped' at %s is not running (shut off); "
			       "machine 'vm3' (127.0.0.1:%u) is not reachable: ", uri, dead);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, want));
}

/* Every unmet requirement is listed, in order, joined by "; ". */
static void test_all_reasons(void **state)
{
	struct fixture *f = *state;
	g_autofree char *reason = NULL;

	add(f->req.commands, "virtcon-no-such-command-1");
	add(f->req.commands, "virtcon-no-such-command-2");
	add(f->req.files, "/nonexistent/a");
	f->req.libvirt = g_strdup("< 0.1");
	add(f->req.machines, "ghost");
	reason = check(f);
	assert_non_null(reason);
	assert_true(g_str_has_prefix(reason, "command 'virtcon-no-such-command-1' is not on PATH; "
					     "command 'virtcon-no-such-command-2' is not on PATH; "
					     "file '/nonexistent/a' does not exist; libvirt "));
	assert_non_null(strstr(reason, " is not older than the required < 0.1; "
				       "machine 'ghost' is not defined in the suite"));
}

struct async_result {
	GMainLoop *loop;
	GThread *thread;
	gboolean done;
	char *reason;
	GError *error;
};

static void on_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	struct async_result *r = user_data;

	(void)source;
	r->thread = g_thread_self();
	r->reason = requires_check_finish(result, &r->error);
	r->done = TRUE;
	g_main_loop_quit(r->loop);
}

static gboolean on_safety(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

static void run_async(struct fixture *f, GCancellable *cancellable, struct async_result *r)
{
	GMainContext *context = g_main_context_new();
	GSource *timer = g_timeout_source_new_seconds(20);

	g_main_context_push_thread_default(context);
	r->loop = g_main_loop_new(context, FALSE);
	g_source_set_callback(timer, on_safety, r->loop, NULL);
	g_source_attach(timer, context);
	requires_check_async(&f->suite, &f->req, NULL, cancellable, on_checked, r);
	assert_false(r->done); /* never called back before the loop runs */
	g_main_loop_run(r->loop);
	g_source_destroy(timer);
	g_source_unref(timer);
	g_main_loop_unref(r->loop);
	g_main_context_pop_thread_default(context);
	g_main_context_unref(context);
	assert_true(r->done);
	assert_true(r->thread == g_thread_self());
}

static void test_async(void **state)
{
	struct fixture *f = *state;
	struct async_result r = { 0 };
	struct suite_machine *vm = machine_new("vm1");

	vm->domain = g_strdup("nope");
	vm->uri = g_strdup("test:///default");
	g_ptr_array_add(f->suite.machines, vm);
	add(f->req.commands, "sh");
	add(f->req.machines, "vm1");
	run_async(f, NULL, &r);
	assert_null(r.error);
	assert_string_equal(r.reason, "machine 'vm1': domain 'nope' not found at test:///default");
	g_free(r.reason);

	memset(&r, 0, sizeof(r));
	g_ptr_array_set_size(f->req.machines, 0);
	run_async(f, NULL, &r);
	assert_null(r.error);
	assert_null(r.reason);
}

static void test_async_cancelled(void **state)
{
	struct fixture *f = *state;
	struct async_result r = { 0 };
	g_autoptr(GCancellable) cancellable = g_cancellable_new();

	add(f->req.commands, "virtcon-no-such-command-1");
	g_cancellable_cancel(cancellable);
	run_async(f, cancellable, &r);
	assert_null(r.reason);
	assert_true(g_error_matches(r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
	g_error_free(r.error);
}

static void test_async_error(void **state)
{
	struct fixture *f = *state;
	struct async_result r = { 0 };

	f->req.libvirt = g_strdup(">> 1");
	run_async(f, NULL, &r);
	assert_null(r.reason);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error->message, "malformed version constraint"));
	g_error_free(r.error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libvirt_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_libvirt_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_ssh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_ssh_default_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_domain_not_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
