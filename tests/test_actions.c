/* test_actions.c - actions against libvirt's test driver and against the testbed guest under embedded QEMU. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "actions.h"
#include "actions_testbed.h"
#include "virt.h"

#define TEST_XML "<domain type='test'><name>vca-t1</name><memory>65536</memory>" \
		 "<vcpu>1</vcpu><os><type>hvm</type></os></domain>"

/* ---- validation ---- */

static GHashTable *opts_new(const char *k, ...)
{
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	va_list ap;

	va_start(ap, k);
	for (; k; k = va_arg(ap, const char *))
		g_hash_table_insert(h, (gpointer)k, va_arg(ap, char *));
	va_end(ap);
	return h;
}

static void expect_invalid(const char *name, GHashTable *opts, const char *message)
{
	g_autoptr(GError) error = NULL;

	assert_false(action_validate(name, opts, &error));
	assert_non_null(error);
	if (strcmp(error->message, message) != 0)
		fail_msg("validate %s: got '%s', want '%s'", name, error->message, message);
	assert_true(g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
	if (opts)
		g_hash_table_unref(opts);
}

static void test_validate(void **state)
{
	g_autoptr(GError) error = NULL;
	GHashTable *ok;
	const char *const *names = action_names();

	(void)state;
	expect_invalid("strat", NULL, "unknown action 'strat' (did you mean 'start'?)");
	expect_invalid("dirtyrate", NULL, "unknown action 'dirtyrate' (did you mean 'dirty-rate'?)");
	expect_invalid("attach", NULL, "unknown action 'attach' (actions: define, undefine, start, shutdown, destroy, "
				       "reboot, suspend, resume, attach-device, detach-device, migrate, dirty-rate, monitor)");
	expect_invalid("attach-device", NULL, "attach-device needs xml: or file:");
	expect_invalid("define", opts_new("xml", "<a/>", "file", "a.xml", NULL), "define takes xml: or file:, not both");
	expect_invalid("attach-device", opts_new("xml", "<a/>", "lve", "true", NULL),
		       "attach-device: unknown option 'lve' (did you mean 'live'?)");
	expect_invalid("attach-device", opts_new("xml", "<a/>", "live", "yes", NULL),
		       "attach-device: live must be true or false, not 'yes'");
	expect_invalid("start", opts_new("force", "true", NULL), "start takes no options, not 'force'");
	expect_invalid("shutdown", opts_new("mode", "acpy", NULL),
		       "shutdown: mode must be acpi, agent, initctl, signal or paravirt, not 'acpy'");
	expect_invalid("reboot", opts_new("mdoe", "acpi", NULL), "reboot: unknown option 'mdoe' (did you mean 'mode'?)");
	expect_invalid("migrate", NULL, "migrate needs to:");
	expect_invalid("migrate", opts_new("to", "qemu+ssh://h/system", "bandwidth", "10M", NULL),
		       "migrate: bandwidth must be a whole number, not '10M'");
	expect_invalid("dirty-rate", opts_new("seconds", "0", NULL), "dirty-rate: seconds must be between 1 and 60, not 0");
	expect_invalid("monitor", opts_new("hmp", "true", NULL), "monitor needs command:");
	expect_invalid("monitor", opts_new("command", "", NULL), "monitor: command is empty");

	ok = opts_new("to", "qemu+ssh://h/system", "live", "false", "bandwidth", "100", "persistent", "true", NULL);
	assert_true(action_validate("migrate", ok, &error));
	g_hash_table_unref(ok);
	assert_true(action_validate("start", NULL, &error));
	assert_true(action_validate("dirty-rate", NULL, &error));
	assert_null(error);
	/* every listed name validates as a name */
	for (; *names; names++) {
		g_autoptr(GError) e = NULL;

		if (!action_validate(*names, NULL, &e))
			assert_null(strstr(e->message, "unknown action"));
	}
}

/* ---- libvirt's test driver ---- */

static int test_driver_setup(void **state)
{
	virConnectPtr conn;

	virt_init();
	conn = virConnectOpen("test:///default");
	if (!conn)
		return -1;
	*state = conn;
	return 0;
}

static int test_driver_teardown(void **state)
{
	virConnectPtr conn = *state;

	atb_cleanup(conn, "vca-t1");
	virConnectClose(conn);
	return 0;
}

static void run_ok(virConnectPtr conn, const char *action, const char *domain, const char *want, ...)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = action, .domain = domain, .opts = opts, .timeout_ms = 10000 };
	g_autofree char *out = NULL;
	const char *k;
	va_list ap;

	va_start(ap, want);
	while ((k = va_arg(ap, const char *)) != NULL)
		g_hash_table_insert(opts, (gpointer)k, va_arg(ap, char *));
	va_end(ap);
	out = atb_run_spec(conn, &spec, &error);
	if (!out)
		fail_msg("%s %s failed: %s", action, domain, error->message);
	if (!g_str_has_prefix(out, want))
		fail_msg("%s %s: output '%s', want '%s...'", action, domain, out, want);
}

static void test_lifecycle_test_driver(void **state)
{
	virConnectPtr conn = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL;

	run_ok(conn, "define", NULL, "defined vca-t1", "xml", TEST_XML, NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_SHUTOFF);
	run_ok(conn, "start", "vca-t1", "started", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_RUNNING);
	run_ok(conn, "suspend", "vca-t1", "suspended", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_PAUSED);
	run_ok(conn, "resume", "vca-t1", "resumed", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_RUNNING);
	run_ok(conn, "reboot", "vca-t1", "rebooting", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_RUNNING);
	/* the test driver shuts off at once: the wait ends on its first poll */
	run_ok(conn, "shutdown", "vca-t1", "shut off after", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_SHUTOFF);
	/* a second shutdown: libvirt's own message, prefixed */
	out = atb_run(conn, "shutdown", "vca-t1", &error, NULL);
	assert_null(out);
	assert_true(g_str_has_prefix(error->message, "vca-t1: shutdown: "));
	assert_non_null(strstr(error->message, "not running"));
	g_clear_error(&error);
	run_ok(conn, "start", "vca-t1", "started", NULL);
	run_ok(conn, "destroy", "vca-t1", "destroyed", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), VIR_DOMAIN_SHUTOFF);
	run_ok(conn, "undefine", "vca-t1", "undefined", NULL);
	assert_int_equal(atb_state(conn, "vca-t1"), -1);
}

static void test_define_from_file(void **state)
{
	virConnectPtr conn = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("vcat.XXXXXX", NULL);
	g_autofree char *sub = g_build_filename(dir, "xml", NULL);
	g_autofree char *path = g_build_filename(sub, "dom.xml", NULL);
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = "define", .opts = opts, .base_dir = dir };
	g_autofree char *out = NULL;

	assert_int_equal(g_mkdir(sub, 0700), 0);
	assert_true(g_file_set_contents(path, TEST_XML, -1, NULL));
	g_hash_table_insert(opts, (gpointer)"file", (gpointer)"xml/dom.xml");
	out = atb_run_spec(conn, &spec, &error);
	assert_non_null(out);
	assert_string_equal(out, "defined vca-t1");
	g_clear_pointer(&out, g_free);
	/* a missing file names its full path */
	g_hash_table_insert(opts, (gpointer)"file", (gpointer)"xml/none.xml");
	out = atb_run_spec(conn, &spec, &error);
	assert_null(out);
	assert_non_null(strstr(error->message, "-: define: cannot read "));
	assert_non_null(strstr(error->message, "xml/none.xml: No such file or directory"));
	g_clear_error(&error);
	run_ok(conn, "undefine", "vca-t1", "undefined", NULL);
	g_unlink(path);
	g_rmdir(sub);
	g_rmdir(dir);
}

static void test_errors_test_driver(void **state)
{
	virConnectPtr conn = *state;
	g_autoptr(GError) error = NULL;
	char *out;

	/* no such domain */
	out = atb_run(conn, "start", "vca-nosuch", &error, NULL);
	assert_null(out);
	assert_true(g_str_has_prefix(error->message, "vca-nosuch: start: "));
	assert_non_null(strstr(error->message, "vca-nosuch"));
	g_clear_error(&error);
	/* validation on the worker too */
	out = atb_run(conn, "strat", "test", &error, NULL);
	assert_null(out);
	assert_string_equal(error->message, "test: unknown action 'strat' (did you mean 'start'?)");
	g_clear_error(&error);
	/* the test driver has no QEMU monitor */
	out = atb_run(conn, "monitor", "test", &error, "command", "info status", "hmp", "true", NULL);
	assert_null(out);
	assert_true(g_error_matches(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED));
	assert_true(g_str_has_prefix(error->message, "test: monitor: "));
	assert_non_null(strstr(error->message, "not supported"));
	g_clear_error(&error);
	/* nor dirty-rate calculation */
	out = atb_run(conn, "dirty-rate", "test", &error, NULL);
	assert_null(out);
	assert_true(g_str_has_prefix(error->message, "test: dirty-rate: "));
	assert_non_null(strstr(error->message, "not supported"));
	g_clear_error(&error);
	/* a migration to a libvirt nobody runs: libvirt's message */
	out = atb_run(conn, "migrate", "test", &error, "to", "qemu+tcp://127.0.0.1:1/system", NULL);
	assert_null(out);
	assert_true(g_str_has_prefix(error->message, "test: migrate: "));
	fprintf(stderr, "# migrate to an unreachable URI: %s\n", error->message);
	g_clear_error(&error);
	/* no connection */
	out = atb_run(NULL, "start", "test", &error, NULL);
	assert_null(out);
	assert_string_equal(error->message, "test: start: not connected to libvirt");
}

static void test_devices_test_driver(void **state)
{
	virConnectPtr conn = *state;
	g_autoptr(GError) error = NULL;
	static const char disk[] = "<disk type='file' device='disk'><source file='/var/lib/vca.img'/>"
				   "<target dev='vdb' bus='virtio'/></disk>";
	char *out;

	run_ok(conn, "define", NULL, "defined vca-t1", "xml", TEST_XML, NULL);
	out = atb_run(conn, "attach-device", "vca-t1", &error, "xml", disk, "config", "true", NULL);
	if (out) {
		virDomainPtr dom = virDomainLookupByName(conn, "vca-t1");
		char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

		assert_string_equal(out, "device attached");
		assert_non_null(strstr(xml, "/var/lib/vca.img"));
		free(xml);
		g_free(out);
		run_ok(conn, "detach-device", "vca-t1", "device detached", "xml", disk, "config", "true", NULL);
		xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
		assert_null(strstr(xml, "/var/lib/vca.img"));
		free(xml);
		virDomainFree(dom);
	} else {
		/* a driver without device hotplug says so plainly */
		assert_true(g_str_has_prefix(error->message, "vca-t1: attach-device: "));
		assert_non_null(strstr(error->message, "not supported"));
	}
	g_clear_error(&error);
	/* malformed XML: libvirt's parser message */
	out = atb_run(conn, "attach-device", "vca-t1", &error, "xml", "<disk", "config", "true", NULL);
	assert_null(out);
	assert_true(g_str_has_prefix(error->message, "vca-t1: attach-device: "));
	g_clear_error(&error);
	run_ok(conn, "undefine", "vca-t1", "undefined", NULL);
}

static void cancel_soon(GCancellable *c)
{
	g_cancellable_cancel(c);
}

static void cancelled_done(GObject *src G_GNUC_UNUSED, GAsyncResult *res, gpointer data)
{
	GError **error = data;
	char *out = action_run_finish(res, error);

	g_clear_pointer(&out, g_free);
	if (!*error)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "finished");
}

static void test_cancel_before_run(void **state)
{
	virConnectPtr conn = *state;
	GError *error = NULL;
	GCancellable *c = g_cancellable_new();
	struct action_spec spec = { .name = "suspend", .domain = "test" };

	cancel_soon(c);
	action_run_async(conn, &spec, c, cancelled_done, &error);
	while (!error)
		g_main_context_iteration(NULL, TRUE);
	assert_true(g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
	assert_int_equal(atb_state(conn, "test"), VIR_DOMAIN_RUNNING);
	g_error_free(error);
	g_object_unref(c);
}

/* ---- the testbed guest under the embedded QEMU driver ---- */

#define GUEST "vca-guest"

struct real {
	virConnectPtr conn;
	char *root;
	char *xml;
	char *skip_why;
};

static int real_setup(void **state)
{
	struct real *r = g_new0(struct real, 1);
	g_autoptr(GError) error = NULL;

	*state = r;
	if (g_strcmp0(g_getenv("VIRTCON_TEST_TESTBED"), "0") == 0) {
		r->skip_why = g_strdup("VIRTCON_TEST_TESTBED=0");
		return 0;
	}
	r->xml = atb_guest_xml(GUEST, &r->skip_why);
	if (!r->xml)
		return 0;
	r->conn = atb_open_embed(&r->root, &error);
	if (!r->conn) {
		r->skip_why = g_strdup(error->message);
		return 0;
	}
	return 0;
}

static int real_teardown(void **state)
{
	struct real *r = *state;

	atb_cleanup(r->conn, GUEST);
	if (r->conn)
		virConnectClose(r->conn);
	atb_rmdir(r->root);
	g_free(r->root);
	g_free(r->xml);
	g_free(r->skip_why);
	g_free(r);
	return 0;
}

/* Each real test leaves no guest behind, even when it fails. */
static int real_case_teardown(void **state)
{
	struct real *r = *state;

	atb_cleanup(r->conn, GUEST);
	return 0;
}

static gboolean real_skip(struct real *r)
{
	if (r->conn)
		return FALSE;
	fprintf(stderr, "# SKIP testbed guest: %s\n", r->skip_why ? r->skip_why : "unavailable");
	return TRUE;
}

/* Defines and starts the guest through the actions, then waits for its agent. */
static void boot_guest(struct real *r)
{
	gint64 t0 = g_get_monotonic_time();

	run_ok(r->conn, "define", NULL, "defined " GUEST, "xml", r->xml, NULL);
	run_ok(r->conn, "start", GUEST, "started", NULL);
	assert_int_equal(atb_state(r->conn, GUEST), VIR_DOMAIN_RUNNING);
	if (!atb_wait_agent(r->conn, GUEST, 60000))
		fail_msg("the testbed guest's agent did not answer within 60 s of start");
	fprintf(stderr, "# guest agent up %.1f s after define\n", (double)(g_get_monotonic_time() - t0) / 1e6);
}

static char *dom_xml(virConnectPtr conn, const char *name, unsigned int flags)
{
	virDomainPtr dom = virDomainLookupByName(conn, name);
	char *xml = dom ? virDomainGetXMLDesc(dom, flags) : NULL;
	char *out = g_strdup(xml);

	free(xml);
	if (dom)
		virDomainFree(dom);
	return out;
}

static void test_real_guest(void **state)
{
	struct real *r = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *sock = NULL, *ctl = NULL, *chan = NULL, *xml = NULL, *out = NULL;
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = "shutdown", .domain = GUEST, .opts = opts };

	g_hash_table_insert(opts, (gpointer)"mode", (gpointer)"acpi");
	long long rate;
	int period;

	if (real_skip(r))
		skip();
	boot_guest(r);

	/* monitor: HMP and QMP */
	out = atb_run(r->conn, "monitor", GUEST, &error, "command", "info status", "hmp", "true", NULL);
	if (!out)
		fail_msg("monitor info status: %s", error->message);
	fprintf(stderr, "# HMP info status: %s", out);
	assert_non_null(strstr(out, "running"));
	g_clear_pointer(&out, g_free);
	out = atb_run(r->conn, "monitor", GUEST, &error, "command", "{\"execute\":\"query-status\"}", NULL);
	if (!out)
		fail_msg("monitor query-status: %s", error->message);
	fprintf(stderr, "# QMP query-status: %s\n", out);
	assert_non_null(strstr(out, "\"status\":\"running\""));
	g_clear_pointer(&out, g_free);
	out = atb_run(r->conn, "monitor", GUEST, &error, "command", "{\"execute\":\"no-such-command\"}", NULL);
	assert_null(out);
	fprintf(stderr, "# QMP no-such-command: %s\n", error->message);
	assert_string_equal(error->message, GUEST ": monitor: QEMU answered CommandNotFound: The command no-such-command has not been found");
	g_clear_error(&error);

	/* seed 000 step 2 edits the definition: a second virtio-serial controller and a unix-socket
	 * channel on it, into the persistent config while the guest runs */
	sock = g_build_filename(r->root, "rk-vm1.0", NULL);
	ctl = g_strdup("<controller type='virtio-serial' index='1'/>");
	chan = g_strdup_printf("<channel type='unix'><source mode='bind' path='%s'/>"
			       "<target type='virtio' name='rk-vchannel.0'/>"
			       "<address type='virtio-serial' controller='1' bus='0' port='1'/></channel>", sock);
	run_ok(r->conn, "attach-device", GUEST, "device attached", "xml", ctl, "config", "true", NULL);
	run_ok(r->conn, "attach-device", GUEST, "device attached", "xml", chan, "config", "true", NULL);
	xml = dom_xml(r->conn, GUEST, VIR_DOMAIN_XML_INACTIVE);
	assert_non_null(strstr(xml, "rk-vchannel.0"));
	assert_non_null(strstr(xml, "<controller type='virtio-serial' index='1'"));
	g_clear_pointer(&xml, g_free);
	run_ok(r->conn, "detach-device", GUEST, "device detached", "xml", chan, "config", "true", NULL);
	run_ok(r->conn, "detach-device", GUEST, "device detached", "xml", ctl, "config", "true", NULL);
	xml = dom_xml(r->conn, GUEST, VIR_DOMAIN_XML_INACTIVE);
	assert_null(strstr(xml, "rk-vchannel.0"));
	assert_null(strstr(xml, "<controller type='virtio-serial' index='1'"));
	g_clear_pointer(&xml, g_free);
	/* QEMU cannot hot-plug a virtio-serial controller: libvirt says so */
	out = atb_run(r->conn, "attach-device", GUEST, &error, "xml", ctl, "live", "true", NULL);
	assert_null(out);
	fprintf(stderr, "# live controller: %s\n", error->message);
	assert_string_equal(error->message,
			    GUEST ": attach-device: Operation not supported: 'virtio-serial' controller cannot be hot plugged.");
	g_clear_error(&error);
	/* but a channel on the existing controller can, live: QEMU listens on its socket, the guest
	 * sees the port by name, and it unplugs again */
	g_free(chan);
	chan = g_strdup_printf("<channel type='unix'><source mode='bind' path='%s'/>"
			       "<target type='virtio' name='rk-vchannel.0'/>"
			       "<address type='virtio-serial' controller='0' bus='0' port='2'/></channel>", sock);
	run_ok(r->conn, "attach-device", GUEST, "device attached", "xml", chan, "live", "true", NULL);
	xml = dom_xml(r->conn, GUEST, 0);
	assert_non_null(strstr(xml, "rk-vchannel.0"));
	g_clear_pointer(&xml, g_free);
	assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));
	assert_int_equal(atb_exec(r->conn, GUEST, 20, "/bin/sh", "-c",
				  "for i in 1 2 3 4 5 6 7 8 9 10; do grep -qx rk-vchannel.0 /sys/class/virtio-ports/*/name && exit 0; sleep 0.2; done; exit 1",
				  NULL), 0);
	run_ok(r->conn, "detach-device", GUEST, "device detached", "xml", chan, "live", "true", NULL);
	xml = dom_xml(r->conn, GUEST, 0);
	assert_null(strstr(xml, "rk-vchannel.0"));
	g_clear_pointer(&xml, g_free);

	/* dirty rate while dirtymem writes 64 MiB over and over */
	out = atb_agent(r->conn, GUEST,
			"{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/usr/bin/dirtymem\",\"arg\":[\"-q\",\"64\",\"30\"]}}", 10);
	fprintf(stderr, "# guest-exec dirtymem: %s\n", out ? out : "(no reply)");
	assert_non_null(out);
	assert_non_null(strstr(out, "\"pid\""));
	g_clear_pointer(&out, g_free);
	g_usleep(1500000); /* let it touch its pages once */
	out = atb_run(r->conn, "dirty-rate", GUEST, &error, "seconds", "2", NULL);
	if (!out)
		fail_msg("dirty-rate: %s", error->message);
	fprintf(stderr, "# %s\n", out ? out : "");
	assert_int_equal(sscanf(out, "dirty rate: %lld MiB/s (measured over %d s)", &rate, &period), 2);
	assert_int_equal(period, 2);
	assert_true(rate > 0);
	g_clear_pointer(&out, g_free);

	/* without acpid the guest ignores the power button: the wait runs out, clearly */
	assert_int_equal(atb_exec(r->conn, GUEST, 20, "/bin/busybox", "killall", "acpid", NULL), 0);
	spec.timeout_ms = 1000;
	out = atb_run_spec(r->conn, &spec, &error);
	assert_null(out);
	fprintf(stderr, "# shutdown without acpid: %s\n", error->message);
	assert_true(g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
	assert_string_equal(error->message, GUEST ": shutdown: did not shut down within 1s (running)");
	g_clear_error(&error);
	assert_int_equal(atb_exec(r->conn, GUEST, 20, "/bin/sh", "-c",
				  "acpid -c /etc/acpi -a /etc/acpid.conf && sleep 0.5 && pidof acpid", NULL), 0);

	/* ACPI shutdown, waited for: the testbed powers off on the power button */
	spec.timeout_ms = 60000;
	out = atb_run_spec(r->conn, &spec, &error);
	if (!out)
		fail_msg("shutdown: %s", error->message);
	fprintf(stderr, "# shutdown: %s\n", out ? out : "");
	assert_true(g_str_has_prefix(out, "shut off after "));
	assert_int_equal(atb_state(r->conn, GUEST), VIR_DOMAIN_SHUTOFF);
	g_clear_pointer(&out, g_free);
	out = NULL;
	run_ok(r->conn, "undefine", GUEST, "undefined", NULL);
	assert_int_equal(atb_state(r->conn, GUEST), -1);
}

/* A paused guest is not asked to shut down: libvirt's message. */
static void test_real_shutdown_paused(void **state)
{
	struct real *r = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) opts = g_hash_table_new(g_str_hash, g_str_equal);
	struct action_spec spec = { .name = "shutdown", .domain = GUEST, .opts = opts, .timeout_ms = 500 };
	g_autofree char *out = NULL;
	gint64 t0;

	if (real_skip(r))
		skip();
	run_ok(r->conn, "define", NULL, "defined " GUEST, "xml", r->xml, NULL);
	run_ok(r->conn, "start", GUEST, "started", NULL);
	run_ok(r->conn, "suspend", GUEST, "suspended", NULL);
	t0 = g_get_monotonic_time();
	out = atb_run_spec(r->conn, &spec, &error);
	assert_null(out);
	fprintf(stderr, "# shutdown of a paused guest: %s\n", error->message);
	assert_true(g_error_matches(error, VIRT_ERROR, VIRT_ERROR_FAILED));
	assert_string_equal(error->message, GUEST ": shutdown: Requested operation is not valid: domain is not running");
	assert_true(g_get_monotonic_time() - t0 < 3 * G_USEC_PER_SEC);
	assert_int_equal(atb_state(r->conn, GUEST), VIR_DOMAIN_PAUSED);
	run_ok(r->conn, "destroy", GUEST, "destroyed", NULL);
	run_ok(r->conn, "undefine", GUEST, "undefined", NULL);
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_validate),
	};
	const struct CMUnitTest testdrv[] = {
		cmocka_unit_test(test_lifecycle_test_driver),
		cmocka_unit_test(test_define_from_file),
		cmocka_unit_test(test_errors_test_driver),
		cmocka_unit_test(test_devices_test_driver),
		cmocka_unit_test(test_cancel_before_run),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test_teardown(test_real_shutdown_paused, real_case_teardown),
		cmocka_unit_test_teardown(test_real_guest, real_case_teardown),
	};
	int rc = 0;

	rc |= cmocka_run_group_tests_name("actions-validate", unit, NULL, NULL);
	rc |= cmocka_run_group_tests_name("actions-test-driver", testdrv, test_driver_setup, test_driver_teardown);
	rc |= cmocka_run_group_tests_name("actions-testbed", real, real_setup, real_teardown);
	return rc ? 1 : 0;
}
