/* test_pane_interrupts.c - the interrupts pane's table: deltas since the step started, rates, changed cells, order, match. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "irqmon.h"
#include "pane_interrupts.h"

static const char s0[] = "      CPU0 CPU1\n"
			 " 50:  10  0  PCI-MSI-edge virtio5-virtqueues\n"
			 " 52:  20  0  PCI-MSI-edge virtio6-virtqueues\n"
			 "LOC:  100 100  Local timer interrupts\n";
static const char s1[] = "      CPU0 CPU1\n"
			 " 50:  10  0  PCI-MSI-edge virtio5-virtqueues\n"
			 " 52:  20  4  PCI-MSI-edge virtio6-virtqueues\n"
			 "LOC:  100 100  Local timer interrupts\n";
static const char s2[] = "      CPU0 CPU1\n"
			 " 50:  11  0  PCI-MSI-edge virtio5-virtqueues\n"
			 " 52:  20  4  PCI-MSI-edge virtio6-virtqueues\n"
			 "LOC:  100 100  Local timer interrupts\n";

static struct pane *new_pane(void)
{
	struct pane *pane = g_new0(struct pane, 1);

	pane->ops = &pane_interrupts_ops;
	pane->ops->init(pane);
	return pane;
}

static void free_pane(struct pane *pane)
{
	pane->ops->destroy(pane);
	g_free(pane);
}

static char *text(struct pane *pane)
{
	GString *out = g_string_new(NULL);

	pane_interrupts_text(pane, out);
	return g_string_free(out, FALSE);
}

static void test_empty_and_error(void **state G_GNUC_UNUSED)
{
	struct pane *pane = new_pane();
	g_autofree char *t0 = text(pane);
	g_autofree char *t1 = NULL;

	assert_string_equal(t0, "(no sample yet)\n");
	pane_interrupts_sample(pane, "garbage\n", 8, 1);
	t1 = text(pane);
	assert_string_equal(t1, "interrupts sample, line 1: expected the header of CPU columns (\"CPU0 CPU1 ...\")\n");
	free_pane(pane);
}

static void test_deltas_order_match(void **state G_GNUC_UNUSED)
{
	struct pane *pane = new_pane();
	g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
	g_autoptr(GError) error = NULL;

	assert_true(pane_interrupts_set_match(pane, "virtio", NULL));
	pane_interrupts_sample(pane, s0, strlen(s0), 1000000);
	pane_interrupts_sample(pane, s1, strlen(s1), 2000000);
	a = text(pane);
	/* 52 moved on CPU 1 in the last sample: first (activity), marked changed, 4/s */
	assert_string_equal(a, " IRQ name                    total      /s    CPU0    CPU1\n"
			       "  52 virtio6-virtqueues          4     4.0       .      4*\n"
			       "  50 virtio5-virtqueues          0     0.0       .       .\n");
	pane_interrupts_sample(pane, s2, strlen(s2), 3000000);
	b = text(pane);
	/* since the base: 52 still +4 (not changed now), 50 +1 (changed) */
	assert_string_equal(b, " IRQ name                    total      /s    CPU0    CPU1\n"
			       "  52 virtio6-virtqueues          4     0.0       .       4\n"
			       "  50 virtio5-virtqueues          1     1.0      1*       .\n");
	/* 'c': only the CPUs that moved (both did); Right: from CPU1 on; Left: back */
	assert_true(pane_interrupts_ops.key(pane, 'c'));
	g_free(c);
	c = text(pane);
	assert_string_equal(c, b);
	assert_true(pane_interrupts_ops.key(pane, 'l'));
	g_free(c);
	c = text(pane);
	assert_string_equal(c, " IRQ name                    total      /s    CPU1\n"
			       "  52 virtio6-virtqueues          4     0.0       4\n"
			       "  50 virtio5-virtqueues          1     1.0       .\n");
	assert_true(pane_interrupts_ops.key(pane, 'l')); /* no further than the last column */
	g_free(c);
	c = text(pane);
	assert_non_null(strstr(c, "/s    CPU1\n"));
	assert_true(pane_interrupts_ops.key(pane, 'h'));
	assert_true(pane_interrupts_ops.key(pane, 'c'));
	g_free(c);
	/* 'o': number order */
	assert_true(pane_interrupts_ops.key(pane, 'o'));
	c = text(pane);
	assert_true(strstr(c, "  50 virtio5") < strstr(c, "  52 virtio6"));
	/* a step starts: counted from the latest sample */
	pane_interrupts_ops.reset(pane);
	d = text(pane);
	assert_non_null(strstr(d, "  52 virtio6-virtqueues          0     0.0       .       ."));
	/* nothing moved since: 'c' shows no CPU column */
	assert_true(pane_interrupts_ops.key(pane, 'c'));
	g_free(d);
	d = text(pane);
	assert_non_null(strstr(d, "  52 virtio6-virtqueues          0     0.0\n"));
	assert_true(pane_interrupts_ops.key(pane, 'c'));
	/* a bad pattern shows all, and says so */
	assert_false(pane_interrupts_set_match(pane, "virtio(", &error));
	assert_non_null(error);
	e = text(pane);
	assert_true(g_str_has_prefix(e, "match /virtio(/: "));
	assert_non_null(strstr(e, " LOC Local timer interrup "));
	free_pane(pane);
}

struct watched {
	GMainLoop *loop;
	guint changes;
};

static void on_changed(void *p)
{
	struct watched *w = p;

	if (++w->changes == 2)
		g_main_loop_quit(w->loop);
}

static gboolean too_long(gpointer p G_GNUC_UNUSED)
{
	fail_msg("the pane did not sample within 10 s");
	return G_SOURCE_REMOVE;
}

/* The pane's own sampling of a file. */
static void test_watch(void **state G_GNUC_UNUSED)
{
	g_autofree char *dir = g_dir_make_tmp("pane-irq-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "interrupts", NULL);
	struct pane *pane = new_pane();
	struct watched w = { .loop = g_main_loop_new(NULL, FALSE) };
	g_autofree char *t = NULL;
	guint guard;

	assert_true(g_file_set_contents(path, s0, -1, NULL));
	pane_interrupts_watch(pane, irqmon_new_local(path), 20, on_changed, &w);
	guard = g_timeout_add_seconds(10, too_long, NULL);
	g_main_loop_run(w.loop);
	g_source_remove(guard);
	t = text(pane);
	assert_non_null(strstr(t, "  52 virtio6-virtqueues"));
	free_pane(pane);
	g_main_loop_unref(w.loop);
	g_unlink(path);
	g_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_error),
		cmocka_unit_test(test_deltas_order_match),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
