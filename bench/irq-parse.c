/* irq-parse.c - benchmark: parse + diff a generated 256-CPU, 2,000-row /proc/interrupts pair, beside awk. The
 * default parse uses two threads for a sample this big; one thread and the portable path are timed too. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "irq.h"

#define N_CPUS 256
#define N_ROWS 2000

/* Writes one sample in the kernel's layout; step > 0 advances every counter a little. */
static GString *gen(guint step)
{
	GString *s = g_string_sized_new(N_CPUS * 11 * (N_ROWS + 1));
	guint32 x = 12345;

	g_string_append(s, "      ");
	for (guint c = 0; c < N_CPUS; c++)
		g_string_append_printf(s, "CPU%-8u", c);
	g_string_append_c(s, '\n');
	for (guint r = 0; r < N_ROWS; r++) {
		gboolean named = r >= N_ROWS - 20;
		if (named)
			g_string_append_printf(s, "%4s: ", (const char *[]){ "NMI", "LOC", "SPU", "PMI",
				"IWI", "RTR", "RES", "CAL", "TLB", "TRM", "THR", "DFR", "MCE", "MCP",
				"HYP", "HRE", "HVS", "PIN", "NPI", "PIW" }[r - (N_ROWS - 20)]);
		else
			g_string_append_printf(s, "%4u: ", r);
		for (guint c = 0; c < N_CPUS; c++) {
			guint v;
			x = x * 1103515245u + 12345u;
			v = (x >> 16) % 4 == 0 ? (x >> 8) % 1000000 : 0;
			g_string_append_printf(s, "%10u ", v + step * ((r + c) % 3));
		}
		if (named)
			g_string_append(s, "  Some named interrupts\n");
		else
			g_string_append_printf(s, "  IR-PCI-MSI %u-edge      virtio%u-virtqueues\n",
					       327680 + r, r);
	}
	return s;
}

/* ms per sample, parsing the two samples in turn into the two tables */
static double time_parse(struct irq_table *ta, struct irq_table *tb, const GString *a, const GString *b,
			 guint iters)
{
	gint64 t0 = g_get_monotonic_time();

	for (guint i = 0; i < iters; i++)
		if (!irq_parse_into(i % 2 ? tb : ta, i % 2 ? b->str : a->str, i % 2 ? b->len : a->len, NULL))
			g_error("irq-parse: the generated sample does not parse");
	return (double)(g_get_monotonic_time() - t0) / iters / 1000.0;
}

static const char awk_diff[] =
	"FNR == 1 { f++; next }\n"
	"{ id = $1; n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n++;\n"
	"  if (f == 1) { for (i = 2; i < 2 + n; i++) b[id, i] = $i; next }\n"
	"  for (i = 2; i < 2 + n; i++) { d = $i - b[id, i]; if (d < 0) d = $i; sum += d; cells++ } }\n"
	"END { printf \"%d cells, sum of deltas %d\\n\", cells, sum }\n";

int main(int argc, char **argv)
{
	GString *a = gen(0), *b = gen(1);
	g_autofree char *dir = g_dir_make_tmp("virtcon-irq-bench-XXXXXX", NULL);
	g_autofree char *pa = g_build_filename(dir, "before", NULL);
	g_autofree char *pb = g_build_filename(dir, "after", NULL);
	g_autofree char *pawk = g_build_filename(dir, "diff.awk", NULL);
	g_autofree char *out = NULL;
	const char *awk = argc > 1 ? argv[1] : "awk";
	guint iters = 200, check_cells = 0;
	guint64 sum = 0;
	gint64 t0, t1;
	double reused_parse, reused_diff, fresh_parse, fresh_diff, portable_parse, one_thread_parse, awk_s;
	gboolean was;
	int status;

	if (!dir || !g_file_set_contents(pa, a->str, (gssize)a->len, NULL) ||
	    !g_file_set_contents(pb, b->str, (gssize)b->len, NULL) ||
	    !g_file_set_contents(pawk, awk_diff, -1, NULL)) {
		fprintf(stderr, "irq-parse: cannot write the samples to a temporary directory\n");
		return 1;
	}

	/* the monitor's way: one table per sample slot and one diff, refilled every sample */
	{
		struct irq_table *ta = irq_table_new(), *tb = irq_table_new();
		struct irq_diff *d = NULL;

		irq_parse_into(ta, a->str, a->len, NULL);
		irq_parse_into(tb, b->str, b->len, NULL);
		d = irq_diff(ta, tb, 1.0);
		for (guint r = 0; r < d->n_rows; r++) {
			sum += d->rows[r].total;
			check_cells += d->rows[r].n_cells;
		}
		reused_parse = time_parse(ta, tb, a, b, iters);
		t0 = g_get_monotonic_time();
		for (guint i = 0; i < iters; i++)
			irq_diff_into(d, ta, tb, 1.0);
		t1 = g_get_monotonic_time();
		reused_diff = (double)(t1 - t0) / iters / 1000.0;
		was = irq_set_threads(FALSE);
		one_thread_parse = time_parse(ta, tb, a, b, iters);
		was = irq_set_vector(FALSE);
		portable_parse = time_parse(ta, tb, a, b, iters);
		irq_set_vector(was);
		irq_set_threads(TRUE);
		irq_diff_free(d);
		irq_table_free(ta);
		irq_table_free(tb);
	}
	/* a new table and diff every time (memory freshly mapped: page faults included) */
	t0 = g_get_monotonic_time();
	for (guint i = 0; i < iters; i++) {
		struct irq_table *t = irq_parse(i % 2 ? b->str : a->str, i % 2 ? b->len : a->len, NULL);
		irq_table_free(t);
	}
	t1 = g_get_monotonic_time();
	fresh_parse = (double)(t1 - t0) / iters / 1000.0;
	{
		struct irq_table *ta = irq_parse(a->str, a->len, NULL);
		struct irq_table *tb = irq_parse(b->str, b->len, NULL);
		t0 = g_get_monotonic_time();
		for (guint i = 0; i < iters; i++)
			irq_diff_free(irq_diff(ta, tb, 1.0));
		t1 = g_get_monotonic_time();
		fresh_diff = (double)(t1 - t0) / iters / 1000.0;
		irq_table_free(ta);
		irq_table_free(tb);
	}

	{
		char *args[] = { (char *)awk, (char *)"-f", pawk, pa, pb, NULL };
		t0 = g_get_monotonic_time();
		if (!g_spawn_sync(NULL, args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
				  &status, NULL)) {
			fprintf(stderr, "irq-parse: cannot run %s\n", awk);
			return 1;
		}
		t1 = g_get_monotonic_time();
		awk_s = (double)(t1 - t0) / 1e6;
	}

	printf("sample: %u CPUs, %u rows, %zu bytes; %u samples timed each way\n", N_CPUS, N_ROWS, a->len,
	       iters);
	printf("virtcon: %u cells, sum of deltas %" G_GUINT64_FORMAT "\n", check_cells, sum);
	printf("%s: %s", awk, out ? out : "\n");
	printf("virtcon, reused table and diff (as the monitor samples): parse %.3f ms (%.0f MB/s), "
	       "diff %.3f ms\n", reused_parse, (double)a->len / 1e6 / (reused_parse / 1000.0), reused_diff);
	printf("virtcon, new table and diff every sample: parse %.3f ms, diff %.3f ms\n", fresh_parse, fresh_diff);
	printf("virtcon, parse on one thread: %.3f ms; on one thread without %s: %.3f ms\n", one_thread_parse,
	       irq_vector_available() ? "AVX2" : "a vector unit", portable_parse);
	printf("virtcon per sample (parse + diff, reused): %.3f ms (target < 1 ms); new every sample: %.3f ms\n",
	       reused_parse + reused_diff, fresh_parse + fresh_diff);
	printf("%s parse+diff of the pair: %.1f ms (%.1f ms per sample)\n", awk, awk_s * 1000.0, awk_s * 500.0);
	printf("ratio (%s / virtcon reused): %.0f\n", awk, awk_s * 500.0 / (reused_parse + reused_diff));

	g_unlink(pa);
	g_unlink(pb);
	g_unlink(pawk);
	g_rmdir(dir);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
	return 0;
}
