/* test_irqmon.c - unit tests of irqmon: sampling files once and at an interval, selecting and formatting what moved. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "irqmon.h"
#include "suite.h"
#include "vars.h"
#include "virt.h"

static char *corpus(const char *name)
{
	const char *top = g_getenv("top_srcdir");

	return g_build_filename(top ? top : ".", "tests", "irq", name, NULL);
}

static struct irqmon_sample *sample_file(const char *name)
{
	g_autofree char *path = corpus(name);
	struct irqmon *mon = irqmon_new_local(path);
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *s = irqmon_sample_now(mon, &error);

	if (!s)
		fail_msg("%s: %s", path, error->message);
	assert_string_equal(irqmon_describe(mon), path);
	irqmon_free(mon);
	return s;
}

static void test_sample_now(void **state G_GNUC_UNUSED)
{
	struct irqmon_sample *s = sample_file("seed000-step6.txt");

	assert_int_equal(s->table->n_cpus, 4);
	assert_true(irq_table_find(s->table, "52") >= 0);
	assert_true(s->mono_us > 0);
	irqmon_sample_free(s);
}

static void test_missing_file(void **state G_GNUC_UNUSED)
{
	struct irqmon *mon = irqmon_new_local("/nonexistent/interrupts");
	g_autoptr(GError) error = NULL;

	assert_null(irqmon_sample_now(mon, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "/nonexistent/interrupts"));
	irqmon_free(mon);
}

static void test_not_interrupts(void **state G_GNUC_UNUSED)
{
	g_autofree char *dir = g_dir_make_tmp("irqmon-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "garbage", NULL);
	struct irqmon *mon = irqmon_new_local(path);
	g_autoptr(GError) error = NULL;

	assert_true(g_file_set_contents(path, "hello\nworld\n", -1, NULL));
	assert_null(irqmon_sample_now(mon, &error));
	assert_true(g_error_matches(error, IRQ_ERROR, IRQ_ERROR_NO_HEADER));
	assert_non_null(strstr(error->message, path));
	irqmon_free(mon);
	g_unlink(path);
	g_rmdir(dir);
}

static void test_row_matches(void **state G_GNUC_UNUSED)
{
	struct irqmon_sample *s = sample_file("seed000-step6.txt");
	g_autoptr(GRegex) by_name = g_regex_new("virtio6-virtqueues", 0, 0, NULL);
	g_autoptr(GRegex) by_id = g_regex_new("52", 0, 0, NULL);
	g_autoptr(GRegex) part_id = g_regex_new("5", 0, 0, NULL);
	const struct irq_row *r52 = &s->table->rows[irq_table_find(s->table, "52")];
	const struct irq_row *r50 = &s->table->rows[irq_table_find(s->table, "50")];

	assert_true(irqmon_row_matches(r52, NULL));
	assert_true(irqmon_row_matches(r52, by_name));
	assert_false(irqmon_row_matches(r50, by_name));
	assert_true(irqmon_row_matches(r52, by_id));
	assert_false(irqmon_row_matches(r52, part_id)); /* a number must match whole */
	irqmon_sample_free(s);
}

static void test_format_moved(void **state G_GNUC_UNUSED)
{
	struct irqmon_sample *a = sample_file("seed000-step6.txt");
	struct irqmon_sample *b = sample_file("seed000-step13.txt");
	struct irq_diff *diff = irq_diff(a->table, b->table, 2.0);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GString) none = g_string_new(NULL);
	g_autoptr(GRegex) other = g_regex_new("virtio5", 0, 0, NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree char *json = NULL;
	JsonObject *root, *moved0;

	assert_int_equal(irqmon_format_moved(diff, NULL, FALSE, out), 1);
	assert_string_equal(out->str, "  52 virtio6-virtqueues       CPU3 +1\n");
	g_string_truncate(out, 0);
	assert_int_equal(irqmon_format_moved(diff, NULL, TRUE, out), 1);
	assert_string_equal(out->str, "  52 virtio6-virtqueues       CPU3 +1 (0.5/s)\n");
	assert_int_equal(irqmon_format_moved(diff, other, FALSE, none), 0);
	assert_int_equal(none->len, 0);

	json = irqmon_diff_json(diff, NULL);
	assert_true(json_parser_load_from_data(parser, json, -1, NULL));
	root = json_node_get_object(json_parser_get_root(parser));
	assert_int_equal(json_array_get_length(json_object_get_array_member(root, "moved")), 1);
	moved0 = json_array_get_object_element(json_object_get_array_member(root, "moved"), 0);
	assert_string_equal(json_object_get_string_member(moved0, "irq"), "52");
	assert_string_equal(json_object_get_string_member(moved0, "name"), "virtio6-virtqueues");
	assert_int_equal(json_object_get_int_member(json_object_get_object_member(moved0, "cpus"), "3"), 1);
	assert_int_equal(json_object_get_int_member(root, "resets"), 0);
	irq_diff_free(diff);
	irqmon_sample_free(a);
	irqmon_sample_free(b);
}

/* ---- asynchronous sampling and watching ---- */

struct watch_state {
	GMainLoop *loop;
	struct irqmon *mon;
	char *path;
	guint calls;
	guint64 delta_cpu1; /* what the second sample saw move on IRQ 0, CPU 1 */
	gboolean first_had_prev;
};

static void on_watch(struct irqmon *mon, const struct irqmon_sample *prev, const struct irqmon_sample *cur,
		     const struct irq_diff *diff, const GError *error, void *p)
{
	struct watch_state *w = p;

	assert_null(error);
	assert_non_null(cur);
	w->calls++;
	if (w->calls == 1) {
		w->first_had_prev = prev != NULL || diff != NULL;
		/* the counters move before the next sample */
		assert_true(g_file_set_contents(w->path, "      CPU0 CPU1\n  0:  10  17  IO-APIC 2-edge timer\n", -1, NULL));
		return;
	}
	assert_non_null(prev);
	assert_non_null(diff);
	assert_true(irq_diff_get(diff, "0", 1, &w->delta_cpu1, NULL));
	irqmon_unwatch(mon);
	g_main_loop_quit(w->loop);
}

static gboolean too_long(gpointer p G_GNUC_UNUSED)
{
	fail_msg("no sample within 10 s");
	return G_SOURCE_REMOVE;
}

static void test_watch(void **state G_GNUC_UNUSED)
{
	g_autofree char *dir = g_dir_make_tmp("irqmon-XXXXXX", NULL);
	struct watch_state w = { 0 };
	guint guard;

	w.path = g_build_filename(dir, "interrupts", NULL);
	assert_true(g_file_set_contents(w.path, "      CPU0 CPU1\n  0:  10  12  IO-APIC 2-edge timer\n", -1, NULL));
	w.loop = g_main_loop_new(NULL, FALSE);
	w.mon = irqmon_new_local(w.path);
	irqmon_watch(w.mon, 20, on_watch, &w);
	guard = g_timeout_add_seconds(10, too_long, NULL);
	g_main_loop_run(w.loop);
	g_source_remove(guard);
	assert_int_equal(w.calls, 2);
	assert_false(w.first_had_prev);
	assert_int_equal(w.delta_cpu1, 5);
	irqmon_free(w.mon);
	g_main_loop_unref(w.loop);
	g_unlink(w.path);
	g_rmdir(dir);
	g_free(w.path);
}

struct async_state {
	GMainLoop *loop;
	gboolean cancelled;
	gboolean done;
};

static void on_sampled(GObject *source G_GNUC_UNUSED, GAsyncResult *res, gpointer p)
{
	struct async_state *a = p;
	g_autoptr(GError) error = NULL;
	struct irqmon_sample *s = irqmon_sample_finish(res, &error);

	a->cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	a->done = TRUE;
	irqmon_sample_free(s);
	g_main_loop_quit(a->loop);
}

/* Freed while a sample is in flight: the callback still comes, cancelled, and nothing leaks. */
static void test_free_in_flight(void **state G_GNUC_UNUSED)
{
	g_autofree char *path = corpus("seed000-step6.txt");
	struct irqmon *mon = irqmon_new_local(path);
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	struct async_state a = { .loop = g_main_loop_new(NULL, FALSE) };

	irqmon_sample_async(mon, cancel, on_sampled, &a);
	g_cancellable_cancel(cancel);
	irqmon_free(mon);
	g_main_loop_run(a.loop);
	assert_true(a.done);
	assert_true(a.cancelled);
	g_main_loop_unref(a.loop);
}

static void test_machines(void **state G_GNUC_UNUSED)
{
	struct suite_machine console = { .name = (char *)"vm3", .domain = (char *)"d3" };
	struct suite_machine agent = { .name = (char *)"vm1", .domain = (char *)"d1", .agent = TRUE };
	struct suite_machine local = { .name = (char *)"host", .local = TRUE };
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;
	g_autoptr(GError) e3 = NULL;
	struct irqmon *mon;
	static const char yaml[] = "suite: m\nmachines:\n  vm2: { ssh: 'root@vm2:2222' }\n"
				   "  vm5: { ssh: '${target}' }\nvars:\n  target: no-user-here\n"
				   "steps:\n  - name: a\n    run: echo\n";
	g_autoptr(GError) load_error = NULL;
	struct suite *suite = suite_load_data(yaml, strlen(yaml), "m.yaml", &load_error);
	struct vars *vars;
	virConnectPtr conn;

	assert_non_null(suite);
	vars = vars_new(suite);
	/* made, not connected yet: the connection is made by the first sample (tests/test_ssh.c) */
	mon = irqmon_new_for_machine(suite_find_machine(suite, "vm2"), NULL, NULL, vars, "/tmp", NULL);
	assert_string_equal(irqmon_describe(mon), "vm2 (SSH root@vm2:2222)");
	irqmon_free(mon);
	/* an ssh: that does not resolve: said, naming the machine */
	assert_null(irqmon_new_for_machine(suite_find_machine(suite, "vm5"), NULL, NULL, vars, "/tmp", &e1));
	assert_true(g_error_matches(e1, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
	assert_non_null(strstr(e1->message, "machine 'vm5': ssh 'no-user-here' is not user@host[:port]"));
	vars_free(vars);
	suite_free(suite);
	assert_null(irqmon_new_for_machine(&console, NULL, NULL, NULL, NULL, &e2));
	assert_non_null(strstr(e2->message, "vm3: its /proc/interrupts is read on its serial console"));
	/* made, not opened yet: the console is opened by the first sample (tests/test_vconsole.c) */
	virt_init();
	conn = virConnectOpen("test:///default");
	assert_non_null(conn);
	mon = irqmon_new_for_machine(&console, "d3", conn, NULL, NULL, NULL);
	assert_string_equal(irqmon_describe(mon), "vm3 (serial console of d3)");
	irqmon_free(mon);
	virConnectClose(conn);
	assert_null(irqmon_new_for_machine(&agent, "d1", NULL, NULL, NULL, &e3));
	assert_non_null(strstr(e3->message, "vm1:"));
	mon = irqmon_new_for_machine(&local, NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(irqmon_describe(mon), "/proc/interrupts");
	irqmon_free(mon);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_now),   cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_interrupts), cmocka_unit_test(test_row_matches),
		cmocka_unit_test(test_format_moved), cmocka_unit_test(test_watch),
		cmocka_unit_test(test_free_in_flight), cmocka_unit_test(test_machines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
