/* test_irq.c - unit tests of the /proc/interrupts parser and diff on the tests/irq corpus. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "irq.h"

/* g_autoptr needs a type name: local typedefs for the tests only. */
typedef struct irq_table irq_table_t;
typedef struct irq_diff irq_diff_t;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(irq_table_t, irq_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(irq_diff_t, irq_diff_free)

static struct irq_table *load(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *path = g_build_filename(top ? top : ".", "tests", "irq", name, NULL);
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	struct irq_table *t;

	if (!g_file_get_contents(path, &data, &len, &error))
		fail_msg("%s", error->message);
	t = irq_parse(data, len, &error);
	if (!t)
		fail_msg("%s: %s", path, error->message);
	return t;
}

static const struct irq_row *row(const struct irq_table *t, const char *id)
{
	int i = irq_table_find(t, id);

	if (i < 0)
		fail_msg("IRQ %s not found", id);
	return &t->rows[i];
}

static void assert_split(const struct irq_row *r, const char *chip, const char *hwirq,
			 const char *trigger, const char *name)
{
	assert_string_equal(r->chip, chip);
	assert_string_equal(r->hwirq, hwirq);
	assert_string_equal(r->trigger, trigger);
	assert_string_equal(r->name, name);
}

static void test_seed_sample(void **state)
{
	g_autoptr(irq_table_t) t = load("seed000-step6.txt");
	const struct irq_row *r;

	assert_int_equal(t->n_cpus, 4);
	assert_int_equal(t->cpu_ids[3], 3);
	assert_int_equal(t->n_rows, 22);
	assert_int_equal(t->n_bad, 0);
	r = row(t, "0");
	assert_int_equal(r->counts[0], 31);
	assert_split(r, "IO-APIC", "", "edge", "timer");
	r = row(t, "11");
	assert_split(r, "IO-APIC", "", "fasteoi", "uhci_hcd:usb1, virtio2");
	r = row(t, "12");
	assert_int_equal(r->counts[0], 145);
	assert_int_equal(r->counts[1], 255);
	r = row(t, "52");
	assert_split(r, "PCI-MSI", "", "edge", "virtio6-virtqueues");
	assert_int_equal(r->n_counts, 4);
	assert_true(r->per_cpu);
	assert_int_equal(r->counts[0], 19);
	assert_int_equal(r->line, 23);
	assert_string_equal(t->rows[t->n_rows - 1].id, "52");
}

/* The seed's step 13: one vchannel message reaches VCPU3. */
static void test_seed_diff(void **state)
{
	g_autoptr(irq_table_t) a = load("seed000-step6.txt");
	g_autoptr(irq_table_t) b = load("seed000-step13.txt");
	g_autoptr(irq_diff_t) d = irq_diff(a, b, 2.0);
	guint64 delta = 99;
	guint8 flags = 99;
	int r;

	assert_true(irq_diff_get(d, "52", 3, &delta, &flags));
	assert_int_equal(delta, 1);
	assert_int_equal(flags, 0);
	assert_true(irq_diff_get(d, "52", 0, &delta, &flags));
	assert_int_equal(delta, 0);
	assert_false(irq_diff_get(d, "52", 4, &delta, &flags));
	assert_false(irq_diff_get(d, "53", 0, &delta, &flags));
	r = irq_table_find(b, "52");
	assert_int_equal(d->rows[r].total, 1);
	assert_true(irq_diff_rate(d, (guint)r, 3) == 0.5);
	for (guint i = 0; i < d->n_rows; i++)
		if ((int)i != r)
			assert_int_equal(d->rows[i].total, 0);
	assert_int_equal(d->n_resets, 0);
	assert_int_equal(d->n_removed, 0);
}

static void test_x86_old_2cpu(void **state)
{
	g_autoptr(irq_table_t) t = load("x86-2cpu-old.txt");

	assert_int_equal(t->n_cpus, 2);
	assert_int_equal(t->n_rows, 29);
	assert_int_equal(t->n_bad, 0);
	assert_split(row(t, "2"), "XT-PIC-XT-PIC", "", "", "cascade");
	assert_split(row(t, "16"), "IO-APIC", "", "fasteoi", "uhci_hcd:usb1, ehci_hcd:usb2");
	assert_split(row(t, "26"), "PCI-MSI", "", "edge", "virtio0-output.0");
	assert_split(row(t, "27"), "xen-dyn", "", "event", "xenbus");
	assert_split(row(t, "28"), "xen-percpu-virq", "", "", "timer0");
	assert_int_equal(row(t, "28")->counts[1], 3991);
	assert_split(row(t, "LOC"), "", "", "", "Local timer interrupts");
	assert_int_equal(row(t, "LOC")->counts[1], 162437);
	assert_int_equal(row(t, "HYP")->counts[0], 980);
	assert_int_equal(row(t, "ERR")->n_counts, 1);
	assert_false(row(t, "ERR")->per_cpu);
	assert_string_equal(row(t, "MIS")->name, "");
}

static void test_x86_modern(void **state)
{
	g_autoptr(irq_table_t) t4 = load("x86-4cpu.txt");
	g_autoptr(irq_table_t) t8 = load("x86-8cpu.txt");
	const struct irq_row *r;

	assert_int_equal(t4->n_cpus, 4);
	assert_int_equal(t4->n_rows, 39);
	assert_split(row(t4, "0"), "IO-APIC", "2", "edge", "timer");
	assert_int_equal(row(t4, "0")->counts[3], 3289);
	assert_split(row(t4, "16"), "IO-APIC", "16", "fasteoi", "i801_smbus, uhci_hcd:usb1");
	assert_split(row(t4, "25"), "IR-PCI-MSI", "327680", "edge", "xhci_hcd");
	assert_split(row(t4, "26"), "IR-PCI-MSI", "512000", "edge", "ahci[0000:00:1f.2]");
	assert_split(row(t4, "27"), "DMAR-MSI", "0", "edge", "dmar0");
	assert_string_equal(row(t4, "0")->text, "IO-APIC   2-edge      timer");
	assert_split(row(t4, "PIW"), "", "", "", "Posted-interrupt wakeup event");
	assert_split(row(t4, "DFR"), "", "", "", "Deferred Error APIC interrupts");
	assert_int_equal(row(t4, "MCE")->counts[3], 849212);

	assert_int_equal(t8->n_cpus, 8);
	assert_int_equal(t8->n_rows, 47);
	r = row(t8, "35");
	assert_split(r, "PCI-MSI", "55297", "edge", "virtio3-virtqueues");
	assert_int_equal(r->counts[2], 2065);
	assert_int_equal(r->counts[7], 0);
	assert_int_equal(irq_row_total(r), 2065 + 2589 + 1480 + 1015);
	assert_int_equal(row(t8, "LOC")->counts[7], 393305);
	assert_int_equal(row(t8, "ERR")->line, 44);
}

static void test_x86_many_cpus(void **state)
{
	g_autoptr(irq_table_t) t64 = load("x86-64cpu.txt");
	g_autoptr(irq_table_t) t256 = load("x86-256cpu.txt");
	const struct irq_row *r;

	assert_int_equal(t64->n_cpus, 64);
	assert_int_equal(t64->n_rows, 127);
	assert_int_equal(t64->cpu_ids[63], 63);
	assert_string_equal(t64->rows[t64->n_rows - 1].id, "PIW");
	assert_int_equal(t256->n_cpus, 256);
	assert_int_equal(t256->n_rows, 351);
	assert_int_equal(t256->n_bad, 0);
	r = row(t256, "0");
	assert_int_equal(r->counts[0], 3541);
	assert_int_equal(r->counts[255], 0);
	r = row(t256, "347");
	assert_split(r, "IR-PCI-MSI", "1048831", "edge", "nvme0q255");
	assert_int_equal(r->counts[0], 123064);
	assert_int_equal(r->counts[255], 995849);
	assert_int_equal(irq_table_cpu_column(t256, 255), 255);
}

static void test_arm_gicv3_its(void **state)
{
	g_autoptr(irq_table_t) t = load("arm64-gicv3-its-8cpu.txt");

	assert_int_equal(t->n_cpus, 8);
	assert_int_equal(t->n_rows, 29);
	assert_split(row(t, "11"), "GICv3", "27", "Level", "arch_timer");
	assert_int_equal(row(t, "11")->counts[7], 45660);
	assert_split(row(t, "16"), "GICv3", "36", "Edge", "ACPI:Ged");
	assert_split(row(t, "17"), "ITS-MSI", "16384", "Edge", "virtio0-config");
	assert_split(row(t, "20"), "ITS-MSI", "16387", "Edge", "virtio1-virtqueues");
	assert_split(row(t, "IPI3"), "", "", "", "CPU stop (for crash dump) interrupts");
	assert_split(row(t, "IPI6"), "", "", "", "CPU wake-up interrupts");
	assert_int_equal(row(t, "Err")->n_counts, 1);
}

static void test_hotplug_diff(void **state)
{
	g_autoptr(irq_table_t) a = load("hotplug-before.txt");
	g_autoptr(irq_table_t) b = load("hotplug-after.txt");
	g_autoptr(irq_diff_t) d = NULL;
	guint64 delta;
	guint8 flags;

	assert_int_equal(b->n_cpus, 3);
	assert_int_equal(b->cpu_ids[0], 0);
	assert_int_equal(b->cpu_ids[1], 2);
	assert_int_equal(b->cpu_ids[2], 3);
	assert_int_equal(irq_table_cpu_column(b, 1), -1);
	assert_int_equal(irq_table_cpu_column(b, 2), 1);
	assert_true(row(b, "LOC")->per_cpu);

	d = irq_diff(a, b, 1.0);
	assert_int_equal(d->n_gone_cpus, 1);
	assert_int_equal(d->n_new_cpus, 0);
	/* virtio0-config: before 5 0 0 1 (CPU0..3), after 7 0 1 (CPU0,2,3) */
	assert_true(irq_diff_get(d, "28", 0, &delta, &flags));
	assert_int_equal(delta, 2);
	assert_true(irq_diff_get(d, "28", 2, &delta, &flags));
	assert_int_equal(delta, 0);
	assert_true(irq_diff_get(d, "28", 3, &delta, &flags));
	assert_int_equal(delta, 0);
	assert_false(irq_diff_get(d, "28", 1, &delta, &flags));
	/* virtio0-virtqueues: 0 2720 2994 0 -> 3 2995 1 */
	assert_true(irq_diff_get(d, "29", 2, &delta, &flags));
	assert_int_equal(delta, 1);
	assert_true(irq_diff_get(d, "29", 3, &delta, &flags));
	assert_int_equal(delta, 1);
	/* LOC on CPU0 went from 291335 to 5: a reset */
	assert_true(irq_diff_get(d, "LOC", 0, &delta, &flags));
	assert_int_equal(flags, IRQ_CELL_RESET);
	assert_int_equal(delta, 5);
	assert_int_equal(d->n_resets, 1);
	/* a removed IRQ and a new one */
	assert_int_equal(d->n_removed, 1);
	assert_string_equal(a->rows[d->removed[0]].id, "30");
	assert_true(irq_diff_get(d, "60", 3, &delta, &flags));
	assert_int_equal(flags, IRQ_CELL_NEW);
	assert_int_equal(delta, 0);
	assert_int_equal(d->rows[irq_table_find(b, "60")].before_row, -1);
	/* ERR: a single global count 0 -> 2 */
	assert_true(irq_diff_get(d, "ERR", 0, &delta, &flags));
	assert_int_equal(delta, 2);
	assert_int_equal(flags, 0);
}

static void test_new_cpu_and_wrap(void **state)
{
	const char *s1 = "  CPU0 CPU1\n 5: 4294967290 7 chip 5-edge dev\n";
	const char *s2 = "  CPU0 CPU1 CPU4\n 5: 10 9 100 chip 5-edge dev\n";
	g_autoptr(irq_table_t) a = irq_parse(s1, strlen(s1), NULL);
	g_autoptr(irq_table_t) b = irq_parse(s2, strlen(s2), NULL);
	g_autoptr(irq_diff_t) d = irq_diff(a, b, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(d->n_new_cpus, 1);
	assert_int_equal(d->rows[0].deltas[0], 16);
	assert_int_equal(d->rows[0].flags[0], IRQ_CELL_WRAP);
	assert_int_equal(d->rows[0].deltas[1], 2);
	assert_int_equal(d->rows[0].flags[2], IRQ_CELL_NEW);
	assert_true(irq_diff_rate(d, 0, 1) == 0.0);
}

static void test_reset_same_cpus(void **state)
{
	const char *s1 = "  CPU0 CPU1\n 5: 10 20 chip 5-edge dev\n 6: 1 1 chip 6-edge dev2\n";
	const char *s2 = "  CPU0 CPU1\n 5: 3 25 chip 5-edge dev\n 6: 2 4 chip 6-edge dev2\n";
	g_autoptr(irq_table_t) a = irq_parse(s1, strlen(s1), NULL);
	g_autoptr(irq_table_t) b = irq_parse(s2, strlen(s2), NULL);
	g_autoptr(irq_diff_t) d = irq_diff(a, b, 0.5);

	assert_int_equal(d->n_resets, 1);
	assert_int_equal(d->rows[0].deltas[0], 3);
	assert_int_equal(d->rows[0].flags[0], IRQ_CELL_RESET);
	assert_int_equal(d->rows[0].deltas[1], 5);
	assert_int_equal(d->rows[0].flags[1], 0);
	assert_int_equal(d->rows[0].total, 8);
	assert_int_equal(d->rows[1].total, 4);
	assert_true(irq_diff_rate(d, 1, 1) == 6.0);
}

static void test_garbage(void **state)
{
	const char *s = "\n   CPU0  CPU1\r\n"
			"  0:   1 2   IO-APIC   2-edge  timer\r\n"
			"garbage line here\n"
			" 1 2 3\n"
			"  7:   virtio\n"
			"  8: 99999999999999999999999 1 chip\n"
			"  9: 3\n"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ: 1 2 x\n"
			" 10: 1 2 3 4 GICv3 5 Level    \n"
			"NMI: 4 5\n"
			" 11: 1 2 x";
	g_autoptr(irq_table_t) t = irq_parse(s, strlen(s), NULL);

	assert_non_null(t);
	assert_int_equal(t->n_rows, 5);
	assert_int_equal(t->n_bad, 5);
	assert_int_equal(t->n_bad_kept, 5);
	assert_int_equal(t->bad[0].line, 4);
	assert_int_equal(t->bad[1].line, 5);
	assert_int_equal(t->bad[2].line, 6);
	assert_int_equal(t->bad[3].line, 7);
	assert_int_equal(t->bad[4].line, 9);
	assert_string_equal(row(t, "0")->name, "timer");
	assert_int_equal(row(t, "9")->n_counts, 1);
	/* "3 4" past the CPU columns is free text */
	assert_int_equal(row(t, "10")->n_counts, 2);
	assert_split(row(t, "10"), "3", "4", "", "GICv3 5 Level");
	assert_split(row(t, "11"), "x", "", "", ""); /* one token: the chip */
	assert_int_equal(row(t, "NMI")->counts[1], 5);
}

/* Every field of two parses is the same. */
static void assert_tables_equal(const struct irq_table *a, const struct irq_table *b, gboolean same_lines)
{
	assert_int_equal(a->n_rows, b->n_rows);
	assert_int_equal(a->n_cpus, b->n_cpus);
	assert_memory_equal(a->cpu_ids, b->cpu_ids, a->n_cpus * sizeof(guint));
	assert_int_equal(a->n_bad, b->n_bad);
	for (guint i = 0; same_lines && i < a->n_bad_kept; i++) {
		assert_int_equal(a->bad[i].line, b->bad[i].line);
		assert_string_equal(a->bad[i].reason, b->bad[i].reason);
	}
	for (guint r = 0; r < a->n_rows; r++) {
		assert_string_equal(a->rows[r].id, b->rows[r].id);
		assert_int_equal(a->rows[r].n_counts, b->rows[r].n_counts);
		assert_int_equal(a->rows[r].per_cpu, b->rows[r].per_cpu);
		assert_memory_equal(a->rows[r].counts, b->rows[r].counts, a->rows[r].n_counts * sizeof(guint64));
		assert_string_equal(a->rows[r].chip, b->rows[r].chip);
		assert_string_equal(a->rows[r].hwirq, b->rows[r].hwirq);
		assert_string_equal(a->rows[r].trigger, b->rows[r].trigger);
		assert_string_equal(a->rows[r].name, b->rows[r].name);
		if (same_lines) {
			assert_string_equal(a->rows[r].text, b->rows[r].text);
			assert_int_equal(a->rows[r].line, b->rows[r].line);
		}
	}
}

/* Parses data with the vector path off and on (when the CPU has one): the same table. */
static struct irq_table *parse_both_ways(const char *data, gsize len)
{
	gboolean was = irq_set_vector(FALSE);
	struct irq_table *portable = irq_parse(data, len, NULL);
	struct irq_table *vector;

	irq_set_vector(TRUE);
	vector = irq_parse(data, len, NULL);
	irq_set_vector(was);
	assert_int_equal(portable == NULL, vector == NULL);
	if (portable)
		assert_tables_equal(portable, vector, TRUE);
	irq_table_free(vector);
	return portable;
}

static const char *const corpus[] = { "seed000-step6.txt", "seed000-step13.txt", "x86-2cpu-old.txt",
				      "x86-4cpu.txt", "x86-8cpu.txt", "x86-64cpu.txt", "x86-256cpu.txt",
				      "arm64-gicv3-its-8cpu.txt", "hotplug-before.txt", "hotplug-after.txt" };

/*
 * The fixed-layout fast paths (vector and portable) and the byte-by-byte path agree: the
 * corpus as it is, and with spaces squeezed (no layout left).
 */
static void test_fast_vs_generic(void **state)
{
	for (gsize f = 0; f < G_N_ELEMENTS(corpus); f++) {
		const char *top = g_getenv("top_srcdir");
		g_autofree char *path = g_build_filename(top ? top : ".", "tests", "irq", corpus[f], NULL);
		g_autofree char *data = NULL;
		g_autoptr(GRegex) re = g_regex_new(" +", 0, 0, NULL);
		g_autofree char *squeezed = NULL;
		g_autoptr(irq_table_t) a = NULL, b = NULL;

		assert_true(g_file_get_contents(path, &data, NULL, NULL));
		squeezed = g_regex_replace_literal(re, data, -1, 0, " ", 0, NULL);
		a = parse_both_ways(data, strlen(data));
		b = parse_both_ways(squeezed, strlen(squeezed));
		assert_non_null(a);
		assert_non_null(b);
		assert_tables_equal(a, b, FALSE);
	}
}

/*
 * Rows in the kernel's layout with one cell in ten damaged at a random byte (a digit's
 * neighbours '/' and ':', a tab, '-', a letter, NUL, 0xFF, a newline, a byte cut out, an
 * extra digit) and random row ends: the vector and the portable paths give the same tables.
 */
static void test_vector_vs_portable_mutated(void **state)
{
	static const char damage[] = { '/', ':', '\t', '-', 'a', '\0', (char)0xFF, '\n', ' ', '7' };
	g_autoptr(GRand) rand = g_rand_new_with_seed(20261121);

	if (!irq_vector_available())
		print_message("# no vector unit here: the portable path is compared with itself\n");
	for (guint round = 0; round < 200; round++) {
		guint n_cpus = (guint)g_rand_int_range(rand, 1, 41);
		GString *s = g_string_new("     ");
		g_autoptr(irq_table_t) t = NULL;

		for (guint c = 0; c < n_cpus; c++)
			g_string_append_printf(s, "CPU%-8u", c);
		g_string_append_c(s, '\n');
		for (guint r = 0; r < 30; r++) {
			g_string_append_printf(s, "%4u:", r);
			for (guint c = 0; c < n_cpus; c++) {
				guint digits = (guint)g_rand_int_range(rand, 1, 12);
				char cell[32];
				guint64 v = 0;
				gsize at, len;

				for (guint d = 0; d < digits; d++)
					v = v * 10 + (guint64)g_rand_int_range(rand, d == 0 ? 1 : 0, 10);
				g_snprintf(cell, sizeof(cell), " %10" G_GUINT64_FORMAT, digits == 1 ? v % 3 : v);
				len = strlen(cell);
				if (g_rand_int_range(rand, 0, 10) == 0) {
					at = (gsize)g_rand_int_range(rand, 0, (gint32)len);
					if (g_rand_boolean(rand))
						memmove(cell + at, cell + at + 1, len-- - at); /* cut */
					else
						cell[at] = damage[g_rand_int_range(rand, 0, (gint32)sizeof(damage))];
				}
				g_string_append_len(s, cell, (gssize)len);
			}
			switch (g_rand_int_range(rand, 0, 4)) {
			case 0:
				g_string_append(s, "   IR-PCI-MSI 327680-edge      virtio0-config\n");
				break;
			case 1:
				g_string_append(s, "\n");
				break;
			case 2:
				g_string_append(s, "-edge x\n");
				break;
			default:
				g_string_append(s, "   Local timer interrupts\n");
			}
		}
		/* the last row may end at the end of the data, right after its last cell */
		if (g_rand_boolean(rand))
			g_string_truncate(s, s->len - 1);
		t = parse_both_ways(s->str, s->len);
		assert_non_null(t);
		g_string_free(s, TRUE);
	}
}

/*
 * A sample of IRQ_SPLIT_MIN bytes or more is parsed in two halves on two threads: the same table
 * as on one, line numbers and bad lines (three in each half) included, filled again and again.
 */
static void test_two_threads(void **state)
{
	GString *s = g_string_new("     ");
	g_autoptr(irq_table_t) one = NULL, reused = irq_table_new();
	const guint n_cpus = 64, n_rows = 2600;
	gboolean was;

	for (guint c = 0; c < n_cpus; c++)
		g_string_append_printf(s, "CPU%-8u", c);
	g_string_append_c(s, '\n');
	for (guint r = 0; r < n_rows; r++) {
		if (r % 700 == 350) {
			g_string_append(s, "this line is not a row\n\n"); /* bad, then blank */
			continue;
		}
		g_string_append_printf(s, "%4u:", r);
		for (guint c = 0; c < n_cpus; c++)
			g_string_append_printf(s, " %10u", (r * 7919u + c * 104729u) % (r % 3 ? 1000u : 4000000000u));
		g_string_append_printf(s, "   IR-PCI-MSI %u-edge      virtio%u-req.%u\n", 327680 + r, r / 4, r % 4);
	}
	g_string_append(s, " ERR:          5\n");
	assert_true(s->len >= IRQ_SPLIT_MIN);
	was = irq_set_threads(FALSE);
	one = irq_parse(s->str, s->len, NULL);
	irq_set_threads(TRUE);
	assert_non_null(one);
	assert_int_equal(one->n_bad, 4);
	/* row 2450: after the header, 2450 rows' lines and the blank lines after 3 bad ones */
	assert_int_equal(one->bad[3].line, 1 + 2450 + 3 + 1);
	for (int i = 0; i < 3; i++) {
		assert_true(irq_parse_into(reused, s->str, s->len, NULL));
		assert_tables_equal(one, reused, TRUE);
	}
	/* a small sample into the same table after a split one */
	assert_true(irq_parse_into(reused, "CPU0\n 1: 5 x\n", 14, NULL));
	assert_int_equal(reused->n_rows, 1);
	assert_int_equal(reused->rows[0].counts[0], 5);
	irq_set_threads(was);
	g_string_free(s, TRUE);
}

/* A table and a diff refilled again and again equal new ones; an error leaves the table empty. */
static void test_reuse(void **state)
{
	const char *files[] = { "x86-256cpu.txt", "seed000-step6.txt", "hotplug-before.txt", "x86-64cpu.txt",
				"hotplug-after.txt", "x86-4cpu.txt" };
	g_autoptr(irq_table_t) prev = irq_table_new(), cur = irq_table_new();
	g_autoptr(irq_diff_t) diff = NULL;
	g_autoptr(GError) error = NULL;

	assert_int_equal(prev->n_rows, 0);
	for (gsize f = 0; f < G_N_ELEMENTS(files); f++) {
		const char *top = g_getenv("top_srcdir");
		g_autofree char *path = g_build_filename(top ? top : ".", "tests", "irq", files[f], NULL);
		g_autofree char *data = NULL;
		gsize len;
		g_autoptr(irq_table_t) fresh = NULL;
		irq_table_t *swap;

		assert_true(g_file_get_contents(path, &data, &len, NULL));
		fresh = irq_parse(data, len, NULL);
		assert_true(irq_parse_into(cur, data, len, NULL));
		assert_tables_equal(fresh, cur, TRUE);
		if (f > 0) {
			g_autoptr(irq_diff_t) want = irq_diff(prev, cur, 1.0);

			if (!diff)
				diff = irq_diff(prev, cur, 1.0);
			else
				irq_diff_into(diff, prev, cur, 1.0);
			assert_int_equal(diff->n_rows, want->n_rows);
			assert_int_equal(diff->n_removed, want->n_removed);
			assert_memory_equal(diff->removed, want->removed, want->n_removed * sizeof(guint));
			assert_int_equal(diff->n_resets, want->n_resets);
			assert_int_equal(diff->n_new_cpus, want->n_new_cpus);
			assert_int_equal(diff->n_gone_cpus, want->n_gone_cpus);
			for (guint r = 0; r < want->n_rows; r++) {
				assert_int_equal(diff->rows[r].before_row, want->rows[r].before_row);
				assert_int_equal(diff->rows[r].n_cells, want->rows[r].n_cells);
				assert_int_equal(diff->rows[r].total, want->rows[r].total);
				assert_memory_equal(diff->rows[r].deltas, want->rows[r].deltas,
						    want->rows[r].n_cells * sizeof(guint64));
				assert_memory_equal(diff->rows[r].flags, want->rows[r].flags, want->rows[r].n_cells);
			}
		}
		swap = prev;
		prev = cur;
		cur = swap;
	}
	assert_false(irq_parse_into(cur, "no header\n", 10, &error));
	assert_true(g_error_matches(error, IRQ_ERROR, IRQ_ERROR_NO_HEADER));
	assert_int_equal(cur->n_rows, 0);
	assert_int_equal(cur->n_cpus, 0);
	assert_true(irq_parse_into(cur, "CPU0\n 1: 5 x\n", 14, NULL));
	assert_int_equal(cur->n_rows, 1);
	assert_int_equal(cur->rows[0].counts[0], 5);
}

/* Counts of 9, 10 and 11+ digits in the kernel's layout. */
static void test_big_counts(void **state)
{
	const char *s = "           CPU0       CPU1       CPU2       \n"
			"LOC:  123456789 1234567890 4294967295   Local timer interrupts\n"
			"RES:         12 12345678901          7   Rescheduling interrupts\n"
			"  0:   99999999          0          1   IO-APIC   2-edge      timer\n";
	g_autoptr(irq_table_t) t = irq_parse(s, strlen(s), NULL);
	const struct irq_row *r;

	assert_non_null(t);
	r = row(t, "LOC");
	assert_int_equal(r->counts[0], 123456789);
	assert_int_equal(r->counts[1], 1234567890);
	assert_int_equal(r->counts[2], 4294967295ULL);
	assert_string_equal(r->name, "Local timer interrupts");
	r = row(t, "RES");
	assert_int_equal(r->counts[0], 12);
	assert_int_equal(r->counts[1], 12345678901ULL);
	assert_int_equal(r->counts[2], 7);
	assert_string_equal(r->name, "Rescheduling interrupts");
	r = row(t, "0");
	assert_int_equal(r->counts[0], 99999999);
	assert_int_equal(r->counts[2], 1);
	assert_string_equal(r->name, "timer");
}

/* 512 CPU columns, some offline (not contiguous), in the kernel's layout. */
static void test_512_cpus(void **state)
{
	GString *s = g_string_new("     ");
	g_autoptr(irq_table_t) t = NULL;
	guint n = 0;

	for (guint c = 0; c < 516; c++)
		if (c < 100 || c > 103)
			g_string_append_printf(s, "CPU%-8u", c);
	g_string_append(s, "\n LOC:");
	for (guint c = 0; c < 516; c++)
		if (c < 100 || c > 103)
			g_string_append_printf(s, " %10u", c * 3);
	g_string_append(s, "   Local timer interrupts\n ERR:          5\n");
	t = irq_parse(s->str, s->len, NULL);
	g_string_free(s, TRUE);
	assert_non_null(t);
	assert_int_equal(t->n_cpus, 512);
	assert_int_equal(t->cpu_ids[99], 99);
	assert_int_equal(t->cpu_ids[100], 104);
	assert_int_equal(t->cpu_ids[511], 515);
	assert_int_equal(irq_table_cpu_column(t, 101), -1);
	assert_int_equal(irq_table_cpu_column(t, 515), 511);
	for (guint i = 0; i < t->n_cpus; i++)
		n += row(t, "LOC")->counts[i] == t->cpu_ids[i] * 3;
	assert_int_equal(n, 512);
	assert_true(row(t, "LOC")->per_cpu);
	assert_string_equal(row(t, "LOC")->name, "Local timer interrupts");
	assert_int_equal(row(t, "ERR")->counts[0], 5);
}

static void test_bad_headers(void **state)
{
	const char *bad[] = { "", "\n\n", " 0: 1 2 timer\n", "CPU1 CPU0\n", "CPU0 CPU0\n",
			      "CPU0 CPUx\n", "CPU0 foo\n", "CPU99999999999\n" };
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		struct irq_table *t = irq_parse(bad[i], strlen(bad[i]), &error);
		assert_null(t);
		assert_true(g_error_matches(error, IRQ_ERROR, IRQ_ERROR_NO_HEADER));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_sample),
		cmocka_unit_test(test_seed_diff),
		cmocka_unit_test(test_x86_old_2cpu),
		cmocka_unit_test(test_x86_modern),
		cmocka_unit_test(test_x86_many_cpus),
		cmocka_unit_test(test_arm_gicv3_its),
		cmocka_unit_test(test_hotplug_diff),
		cmocka_unit_test(test_new_cpu_and_wrap),
		cmocka_unit_test(test_reset_same_cpus),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_fast_vs_generic),
		cmocka_unit_test(test_vector_vs_portable_mutated),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_big_counts),
		cmocka_unit_test(test_512_cpus),
		cmocka_unit_test(test_bad_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
