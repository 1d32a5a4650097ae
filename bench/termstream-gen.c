/* termstream-gen.c - writes a deterministic colourful terminal stream (build/boot log) for pane benchmarks. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

struct gen {
	uint64_t rng;
	GString *buf;
	guint64 lineno;
};

static uint32_t next(struct gen *g)
{
	/* xorshift64*: fast and the same everywhere. */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (uint32_t)((g->rng * G_GUINT64_CONSTANT(2685821657736338717)) >> 32);
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return next(g) % n;
}

static const char *const words[] = {
	"pci", "0000:00:1f.2", "virtio_net", "virtio0", "eth0", "link", "up", "usb", "hub", "found",
	"ports", "ACPI:", "IRQ", "mapped", "memory", "reserved", "CPU", "online", "kvm-clock:",
	"clocksource", "tsc", "registered", "EXT4-fs", "(vda1):", "mounted", "filesystem", "with",
	"ordered", "data", "mode.", "systemd[1]:", "Starting", "Reached", "target", "Network", "gcc",
	"-O2", "-Wall", "-c", "src/grid.c", "-o", "obj/grid.o", "warning:", "unused", "variable",
	"'len'", "[-Wunused-variable]", "note:", "in", "expansion", "of", "macro", "0x7f3a9c00",
	"bytes", "free", "dirty", "pages", "rate", "MiB/s", "iteration", "migration", "completed",
};

static void word(struct gen *g)
{
	g_string_append(g->buf, words[below(g, G_N_ELEMENTS(words))]);
}

/* Plain text of about n columns, with an occasional UTF-8 symbol or wide character. */
static void text(struct gen *g, int n)
{
	gsize start = g->buf->len;

	while ((int)(g->buf->len - start) < n) {
		uint32_t r = below(g, 100);
		if (r < 2)
			g_string_append(g->buf, "\xe2\x94\x80\xe2\x94\x80"); /* box drawing */
		else if (r < 3)
			g_string_append(g->buf, "\xe2\x9c\x93");             /* check mark */
		else if (r < 4)
			g_string_append(g->buf, "\xe4\xb8\xad\xe6\x96\x87"); /* CJK, wide */
		else
			word(g);
		g_string_append_c(g->buf, ' ');
	}
}

static void sgr(struct gen *g)
{
	uint32_t r = below(g, 100);

	if (r < 60)
		g_string_append_printf(g->buf, "\033[%um", 30 + below(g, 8));
	else if (r < 75)
		g_string_append_printf(g->buf, "\033[1;%um", 90 + below(g, 8));
	else if (r < 88)
		g_string_append_printf(g->buf, "\033[38;5;%um", below(g, 256));
	else if (r < 95)
		g_string_append_printf(g->buf, "\033[38;2;%u;%u;%um", below(g, 256), below(g, 256), below(g, 256));
	else
		g_string_append_printf(g->buf, "\033[4;%um", 40 + below(g, 8));
}

static void line(struct gen *g)
{
	uint32_t kind = below(g, 100);
	int len = (int)below(g, 150);

	g->lineno++;
	if (kind < 40) {
		/* Kernel boot log. */
		g_string_append_printf(g->buf, "\033[32m[%5" G_GUINT64_FORMAT ".%06u]\033[0m ", g->lineno / 1000,
				       below(g, 1000000));
		text(g, len);
	} else if (kind < 65) {
		/* systemd. */
		if (below(g, 10) == 0)
			g_string_append(g->buf, "[\033[0;1;31mFAILED\033[0m] ");
		else
			g_string_append(g->buf, "[\033[0;32m  OK  \033[0m] ");
		text(g, len / 2);
	} else if (kind < 85) {
		/* Build log with colourful words. */
		g_string_append(g->buf, "  \033[1;34mCC\033[0m      ");
		int words_n = 1 + (int)below(g, 12);
		for (int i = 0; i < words_n; i++) {
			if (below(g, 3) == 0) {
				sgr(g);
				word(g);
				g_string_append(g->buf, "\033[0m");
			} else {
				word(g);
			}
			g_string_append_c(g->buf, ' ');
		}
	} else if (kind < 95) {
		g_string_append(g->buf, "\033[1;31merror:\033[0m ");
		text(g, len);
	} else if (kind < 98) {
		/* A long line that wraps at 200 columns. */
		text(g, 200 + (int)below(g, 200));
	} else {
		/* A progress line redrawn in place. */
		for (int i = 0; i < 5; i++)
			g_string_append_printf(g->buf, "\r\033[Kprogress %3u%% \033[7m%*s\033[0m", i * 25, i * 8, "");
	}
	g_string_append(g->buf, "\r\n");
}

int main(int argc, char **argv)
{
	double mb = 150;
	const char *out_path = NULL;
	guint64 seed = 1;
	GOptionEntry entries[] = {
		{ "size", 's', 0, G_OPTION_ARG_DOUBLE, &mb, "megabytes to write (default 150)", "MB" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "file to write (default stdout)", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "random seed (default 1)", "N" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("- write a colourful terminal stream");
	GError *error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "termstream-gen: %s\n", error->message);
		return 2;
	}
	g_option_context_free(ctx);
	FILE *f = out_path ? fopen(out_path, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "termstream-gen: %s: %s\n", out_path, g_strerror(errno));
		return 1;
	}
	struct gen g = { .rng = seed * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) | 1, .buf = g_string_sized_new(1 << 20) };
	guint64 total = (guint64)(mb * 1e6), written = 0;
	while (written < total) {
		g_string_truncate(g.buf, 0);
		while (g.buf->len < (1 << 20))
			line(&g);
		gsize n = (gsize)MIN((guint64)g.buf->len, total - written);
		if (fwrite(g.buf->str, 1, n, f) != n) {
			fprintf(stderr, "termstream-gen: write: %s\n", g_strerror(errno));
			return 1;
		}
		written += n;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "termstream-gen: close: %s\n", g_strerror(errno));
		return 1;
	}
	g_string_free(g.buf, TRUE);
	return 0;
}
