/* test_vconsole.c - console streams against the real testbed guest (embedded QEMU driver) and the test driver. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "expect.h"
#include "irqmon.h"
#include "testbed_guest.h"
#include "vconsole.h"
#include "virt.h"

#define BOOT_TIMEOUT_MS 90000

struct tap {
	struct expect *ex; /* NULL: count only */
	guint64 bytes;
	guint closed_calls;
	GError *closed_error;
};

/* A listener that removes itself when the console closes (the ones after it still hear it). */
struct self_remover {
	struct vconsole *console;
	guint id;
	guint closed_calls;
};

static void remover_closed(const GError *error, void *user_data)
{
	struct self_remover *r = user_data;

	r->closed_calls++;
	vconsole_unlisten(r->console, r->id);
}

static const struct vconsole_listener remover_listener = { NULL, remover_closed };

struct fixture {
	struct tb_guest *tb;
	struct self_remover remover;
	struct vconsole *console; /* the current holder */
	struct tap main_tap;
	struct tap second_tap;
};

static void tap_data(const char *data, gsize len, void *user_data)
{
	struct tap *t = user_data;

	t->bytes += len;
	if (t->ex)
		expect_feed(t->ex, data, len);
}

static void tap_closed(const GError *error, void *user_data)
{
	struct tap *t = user_data;

	t->closed_calls++;
	g_clear_error(&t->closed_error);
	if (error)
		t->closed_error = g_error_copy(error);
}

static const struct vconsole_listener tap_listener = { tap_data, tap_closed };

static void tap_reset(struct tap *t)
{
	if (t->ex)
		expect_free(t->ex);
	g_clear_error(&t->closed_error);
	memset(t, 0, sizeof *t);
}

static gboolean expired_cb(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the default main context until pred(arg) holds or timeout_ms pass. */
static gboolean spin_until(gboolean (*pred)(void *), void *arg, guint timeout_ms)
{
	gboolean expired = FALSE;
	guint id = g_timeout_add(timeout_ms, expired_cb, &expired);

	while (!pred(arg) && !expired)
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
	return pred(arg);
}

struct want {
	struct tap *tap;
	GRegex *re;
	char *matched;
};

static gboolean matched_pred(void *p)
{
	struct want *w = p;

	return w->matched || expect_match(w->tap->ex, w->re, &w->matched);
}

/* Waits for pattern on the tap; *matched text returned. Prints the tail on failure. */
static char *wait_for_quiet(struct tap *t, const char *pattern, guint timeout_ms, gboolean quiet)
{
	struct want w = { t, g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL), NULL };

	assert_non_null(w.re);
	if (!spin_until(matched_pred, &w, timeout_ms) && !quiet) {
		g_autofree char *tail = expect_tail(t->ex, 10);

		fprintf(stderr, "no /%s/ within %u ms; last output:\n%s\n", pattern, timeout_ms, tail);
	}
	g_regex_unref(w.re);
	return w.matched;
}

static char *wait_for(struct tap *t, const char *pattern, guint timeout_ms)
{
	return wait_for_quiet(t, pattern, timeout_ms, FALSE);
}

/* Sends "\n" every 2 s until the prompt shows (the guest may still be booting). */
static gboolean wait_prompt(struct fixture *f, guint timeout_ms)
{
	g_autofree char *escaped = g_regex_escape_string(f->tb->prompt, -1);
	g_autofree char *pattern = g_strdup_printf("%s$", escaped);
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (g_get_monotonic_time() < deadline) {
		g_autofree char *m = NULL;

		assert_true(vconsole_write(f->console, "\n", 1));
		m = wait_for_quiet(&f->main_tap, pattern, 2000, TRUE);
		if (m)
			return TRUE;
	}
	{
		g_autofree char *tail = expect_tail(f->main_tap.ex, 10);

		fprintf(stderr, "no prompt within %u ms; last output:\n%s\n", timeout_ms, tail);
	}
	return FALSE;
}

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	g_autoptr(GError) error = NULL;

	f->tb = tb_guest_boot("vct-vconsole", 1, &error);
	if (!f->tb) {
		fprintf(stderr, "cannot boot the testbed guest: %s\n", error->message);
		g_free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vconsole_free(f->console);
	tap_reset(&f->main_tap);
	tap_reset(&f->second_tap);
	tb_guest_destroy(f->tb);
	g_free(f);
	return 0;
}

static gboolean bytes_equal_pred(void *p)
{
	struct fixture *f = p;

	return f->main_tap.bytes == f->second_tap.bytes;
}

static void test_prompt_and_uname(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *kver_pattern = NULL;
	g_autofree char *kver_escaped = g_regex_escape_string(f->tb->kver, -1);
	g_autofree char *m = NULL;

	f->console = vconsole_open(f->tb->conn, f->tb->name, NULL, FALSE, &error);
	assert_null(error);
	assert_non_null(f->console);
	assert_true(vconsole_is_open(f->console));
	assert_string_equal(vconsole_domain(f->console), f->tb->name);
	f->main_tap.ex = expect_new();
	f->remover.console = f->console;
	f->remover.id = vconsole_listen(f->console, &remover_listener, &f->remover);
	vconsole_listen(f->console, &tap_listener, &f->main_tap);
	vconsole_listen(f->console, &tap_listener, &f->second_tap);

	assert_true(wait_prompt(f, BOOT_TIMEOUT_MS));
	assert_true(vconsole_write(f->console, "uname -r\n", 9));
	kver_pattern = g_strdup_printf("^%s$", kver_escaped);
	m = wait_for(&f->main_tap, kver_pattern, 20000);
	assert_non_null(m);
	assert_string_equal(m, f->tb->kver);
	/* a burst of output (about 40 KB) arrives whole and in order */
	assert_true(vconsole_write(f->console, "i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done; echo END\n", 71));
	g_free(m);
	m = wait_for(&f->main_tap, "^line0$", 20000);
	assert_non_null(m);
	for (int i = 1; i < 3000; i += 97) {
		g_autofree char *pattern = g_strdup_printf("^line%d$", i);
		g_autofree char *line = wait_for(&f->main_tap, pattern, 60000);

		assert_non_null(line);
	}
	g_free(m);
	m = wait_for(&f->main_tap, "^END$", 60000);
	assert_non_null(m);
	/* every byte reached both listeners */
	assert_true(spin_until(bytes_equal_pred, f, 1000));
	assert_true(f->main_tap.bytes > strlen(f->tb->kver));
	assert_int_equal(f->main_tap.closed_calls, 0);
}

static void test_in_use(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	struct vconsole *second = vconsole_open(f->tb->conn, f->tb->name, NULL, FALSE, &error);

	assert_null(second);
	assert_non_null(error);
	assert_non_null(strstr(error->message, "in use by another client"));
	assert_non_null(strstr(error->message, f->tb->name));
	assert_non_null(strstr(error->message, "force"));
	/* the holder is untouched */
	assert_true(vconsole_is_open(f->console));
	/* more than 1 MiB queued for the guest is refused, whole */
	{
		gsize big = 1024 * 1024 + 1;
		char *mem = g_malloc0(big);

		assert_false(vconsole_write(f->console, mem, big));
		g_free(mem);
		assert_true(vconsole_write(f->console, "", 0));
		assert_true(vconsole_is_open(f->console));
	}
}

static gboolean closed_pred(void *p)
{
	return ((struct tap *)p)->closed_calls > 0;
}

static void test_force_takes_over(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	struct vconsole *taker = vconsole_open(f->tb->conn, f->tb->name, NULL, TRUE, &error);

	assert_null(error);
	assert_non_null(taker);
	/* the first holder hears EOF, once */
	assert_true(spin_until(closed_pred, &f->main_tap, 5000));
	assert_null(f->main_tap.closed_error);
	assert_false(vconsole_is_open(f->console));
	assert_false(vconsole_write(f->console, "x", 1));
	assert_int_equal(f->second_tap.closed_calls, 1);
	assert_int_equal(f->remover.closed_calls, 1);
	vconsole_free(f->console);
	/* the new holder works */
	f->console = taker;
	tap_reset(&f->main_tap);
	tap_reset(&f->second_tap);
	f->main_tap.ex = expect_new();
	vconsole_listen(f->console, &tap_listener, &f->main_tap);
	assert_true(wait_prompt(f, 20000));
	assert_int_equal(f->main_tap.closed_calls, 0);
}

/*
 * The interrupts monitor of a console-only guest: cat /proc/interrupts typed into its shell, on
 * a console stream of the monitor's own (the fixture's lets go first, and takes it back after).
 */
static void test_interrupts_monitor(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	struct irqmon *mon;
	struct irqmon_sample *a, *b;
	struct irq_diff *d;
	int loc;

	vconsole_free(f->console);
	tap_reset(&f->main_tap);
	f->console = NULL;
	mon = irqmon_new_console(f->tb->conn, f->tb->name, "tb");
	a = irqmon_sample_now(mon, &error);
	if (!a)
		fail_msg("%s", error->message);
	assert_int_equal(a->table->n_cpus, 1);
	loc = irq_table_find(a->table, "LOC");
	assert_true(loc >= 0);
	g_usleep(300 * 1000);
	b = irqmon_sample_now(mon, &error);
	if (!b)
		fail_msg("%s", error->message);
	d = irq_diff(a->table, b->table, irqmon_interval_s(a, b));
	/* the guest's local timer ticked between the two */
	assert_true(d->rows[irq_table_find(b->table, "LOC")].total > 0);
	irq_diff_free(d);
	irqmon_sample_free(a);
	irqmon_sample_free(b);
	irqmon_free(mon);
	/* a domain that is not there: named */
	mon = irqmon_new_console(f->tb->conn, "no-such-vm", "nope");
	a = irqmon_sample_now(mon, &error);
	assert_null(a);
	assert_non_null(strstr(error->message, "no-such-vm"));
	irqmon_free(mon);
	/* the fixture's console again, for the next test */
	f->console = vconsole_open(f->tb->conn, f->tb->name, NULL, FALSE, &error);
	if (!f->console)
		fail_msg("%s", error->message);
	f->main_tap.ex = expect_new();
	vconsole_listen(f->console, &tap_listener, &f->main_tap);
	assert_true(wait_prompt(f, 20000));
}

/* Last: destroys the shared guest. */
static void test_guest_death(void **state)
{
	struct fixture *f = *state;
	virDomainPtr dom = virDomainLookupByName(f->tb->conn, f->tb->name);
	gint64 t0;

	assert_non_null(dom);
	assert_true(vconsole_is_open(f->console));
	t0 = g_get_monotonic_time();
	assert_int_equal(virDomainDestroy(dom), 0);
	virDomainFree(dom);
	assert_true(spin_until(closed_pred, &f->main_tap, 5000));
	fprintf(stderr, "closed() %ld ms after virDomainDestroy (%s)\n", (long)((g_get_monotonic_time() - t0) / 1000),
		f->main_tap.closed_error ? f->main_tap.closed_error->message : "EOF");
	assert_null(f->main_tap.closed_error);
	assert_int_equal(f->main_tap.closed_calls, 1);
	assert_false(vconsole_is_open(f->console));
	/* a listener added now hears closed() too, from the loop */
	vconsole_listen(f->console, &tap_listener, &f->second_tap);
	assert_true(spin_until(closed_pred, &f->second_tap, 1000));
	assert_int_equal(f->main_tap.closed_calls, 1);
}

static void test_test_driver_unsupported(void **state)
{
	virConnectPtr conn;
	g_autoptr(GError) error = NULL;
	struct vconsole *c;

	virt_init();
	conn = virConnectOpen("test:///default");
	assert_non_null(conn);
	c = vconsole_open(conn, "test", NULL, FALSE, &error);
	assert_null(c);
	assert_non_null(error);
	assert_true(g_error_matches(error, VIRT_ERROR, VIRT_ERROR_UNSUPPORTED));
	assert_non_null(strstr(error->message, "test driver has no serial consoles"));
	assert_non_null(strstr(error->message, "'test'"));
	g_clear_error(&error);
	/* an unknown domain names itself */
	c = vconsole_open(conn, "no-such-vm", NULL, FALSE, &error);
	assert_null(c);
	assert_non_null(strstr(error->message, "no-such-vm"));
	virConnectClose(conn);
}

int main(void)
{
	const char *why = tb_guest_skip_reason();
	const struct CMUnitTest unsupported[] = {
		cmocka_unit_test(test_test_driver_unsupported),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prompt_and_uname),
		cmocka_unit_test(test_in_use),
		cmocka_unit_test(test_force_takes_over),
		cmocka_unit_test(test_interrupts_monitor),
		cmocka_unit_test(test_guest_death),
	};
	int rc = cmocka_run_group_tests(unsupported, NULL, NULL);

	if (why) {
		fprintf(stderr, "SKIP: %s\n", why);
		return rc ? rc : 77;
	}
	return rc + cmocka_run_group_tests(tests, setup, teardown);
}
