/* pane-throughput-console.c - the console pane's real path timed: a stream into the pane (vtgrid), drawn by ncurses off-screen, and journaled. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "draw.h"
#include "journal.h"
#include "layout.h"
#include "pane.h"
#include "vtgrid.h"

#define CHUNK (64 * 1024)
#define REDRAW_US 16000 /* the console's redraw timer: at most ~60 frames a second */

/* Decodes the journal's output records of step 0 back into bytes and checksums them (untimed). */
static char *journal_checksum(const char *path, guint64 *nbytes, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	GChecksum *sum;
	char *hex;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	sum = g_checksum_new(G_CHECKSUM_SHA256);
	*nbytes = 0;
	for (char *line = text, *next; line && *line; line = next) {
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonObject *o;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strstr(line, "\"output\"") || !json_parser_load_from_data(parser, line, -1, NULL))
			continue;
		o = json_node_get_object(json_parser_get_root(parser));
		if (!o || g_strcmp0(json_object_get_string_member_with_default(o, "type", ""), "output") != 0)
			continue;
		if (json_object_has_member(o, "data")) {
			const char *d = json_object_get_string_member(o, "data");

			g_checksum_update(sum, (const guchar *)d, (gssize)strlen(d));
			*nbytes += strlen(d);
		} else if (json_object_has_member(o, "data_b64")) {
			gsize n = 0;
			g_autofree guchar *b = g_base64_decode(json_object_get_string_member(o, "data_b64"), &n);

			g_checksum_update(sum, b, (gssize)n);
			*nbytes += n;
		}
	}
	hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return hex;
}

/* CPU seconds (user + system) this process used so far. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static void frame(const struct draw *d, struct pane *pane, struct rect box)
{
	/* what the console's redraw does for a pane: the box, the content, one refresh */
	werase(stdscr);
	draw_box(d, stdscr, box, pane->title, TRUE);
	pane_draw(pane, stdscr, rect_inner(box));
	wnoutrefresh(stdscr);
	doupdate();
}

int main(int argc, char **argv)
{
	int rows = 50, cols = 200, scrollback = 10000;
	const char *dump = NULL;
	GOptionEntry entries[] = {
		{ "rows", 0, 0, G_OPTION_ARG_INT, &rows, "pane rows (50)", "N" },
		{ "cols", 0, 0, G_OPTION_ARG_INT, &cols, "pane columns (200)", "N" },
		{ "scrollback", 0, 0, G_OPTION_ARG_INT, &scrollback, "scrollback lines (10000; the pane's own)", "N" },
		{ "dump", 0, 0, G_OPTION_ARG_FILENAME, &dump, "write the final screen's text to FILE", "FILE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx =
		g_option_context_new("STREAM JOURNAL - time a terminal stream through a console pane and the journal");
	g_autoptr(GError) error = NULL;
	struct draw d = { 0 };
	struct rect box;
	struct journal *journal;
	struct pane *pane;
	struct vtgrid *g;
	SCREEN *screen;
	FILE *out_fp, *in_fp;
	GChecksum *sum;
	char *chunk;
	guint64 total = 0, frames = 0;
	gint64 t0, t1, last_draw;
	double secs, c0, cpu;
	int in;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 3) {
		fprintf(stderr, "pane-throughput-console: %s\n", error ? error->message : "usage: STREAM JOURNAL");
		return 2;
	}
	if (scrollback != VTGRID_DEFAULT_SCROLLBACK)
		fprintf(stderr, "pane-throughput-console: the console pane keeps %d lines; --scrollback ignored\n",
			VTGRID_DEFAULT_SCROLLBACK);
	in = open(argv[1], O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "pane-throughput-console: %s: %s\n", argv[1], g_strerror(errno));
		return 1;
	}
	/* an off-screen terminal: ncurses draws into /dev/null, sized to hold the pane and its box */
	out_fp = fopen("/dev/null", "w");
	in_fp = fopen("/dev/null", "r");
	screen = out_fp && in_fp ? newterm("xterm-256color", out_fp, in_fp) : NULL;
	if (!screen) {
		fprintf(stderr, "pane-throughput-console: no off-screen terminal (xterm-256color terminfo?)\n");
		return 1;
	}
	set_term(screen);
	resize_term(rows + 2, cols + 2);
	draw_init(&d, TRUE, TRUE, TRUE);
	box.y = 0;
	box.x = 0;
	box.h = rows + 2;
	box.w = cols + 2;

	journal = journal_open(argv[2], &error);
	if (!journal) {
		endwin();
		fprintf(stderr, "pane-throughput-console: %s\n", error->message);
		return 1;
	}
	journal_session_start(journal, argv[1], "pane-throughput", "console pane throughput", 1, NULL);
	journal_step_start(journal, 0, "stream", "vm", "send", "the stream on the console");
	pane = pane_new(&pane_console_ops, "vm", &d, NULL);
	g = pane_console_grid(pane);
	chunk = g_malloc(CHUNK);

	frame(&d, pane, box); /* the console draws the pane before its first bytes: the grid gets its size */
	t0 = g_get_monotonic_time();
	c0 = cpu_seconds();
	last_draw = t0;
	for (;;) {
		ssize_t n = read(in, chunk, CHUNK);
		gint64 now;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			endwin();
			fprintf(stderr, "pane-throughput-console: %s: %s\n", argv[1], g_strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		/* what a console stream's bytes go through: the run's journal, the pane's grid */
		journal_output(journal, 0, "console:vm", chunk, (gsize)n);
		pane_feed(pane, chunk, (gsize)n);
		total += (guint64)n;
		now = g_get_monotonic_time();
		if (now - last_draw >= REDRAW_US) {
			frame(&d, pane, box);
			frames++;
			last_draw = now;
		}
	}
	frame(&d, pane, box);
	frames++;
	journal_step_end(journal, 0, "pass", -1, NULL, g_get_monotonic_time() - t0);
	journal_session_end(journal, "pass", 1, 0, 0, 0, 0);
	journal_close(journal);
	t1 = g_get_monotonic_time();
	cpu = cpu_seconds() - c0;
	close(in);
	secs = (double)(t1 - t0) / 1e6;

	/* the pane's screen before ncurses goes */
	if (dump) {
		GString *text = g_string_new(NULL);
		gboolean ok;

		for (int row = -MIN(200, vtgrid_scrollback_count(g)); row < vtgrid_rows(g); row++) {
			g_autofree char *line = vtgrid_line_text(g, row);

			g_string_append_printf(text, "%s\n", line);
		}
		ok = g_file_set_contents(dump, text->str, (gssize)text->len, &error);
		g_string_free(text, TRUE);
		if (!ok) {
			endwin();
			fprintf(stderr, "pane-throughput-console: %s\n", error->message);
			return 1;
		}
	}
	printf("virtcon: %" G_GUINT64_FORMAT " bytes in %.3f s: %.1f MB/s (console pane %dx%d through vtgrid, "
	       "%" G_GUINT64_FORMAT " ncurses frames, journal_output; scrollback %d/%d)\n",
	       total, secs, (double)total / 1e6 / secs, vtgrid_rows(g), vtgrid_cols(g), frames,
	       vtgrid_scrollback_count(g), vtgrid_scrollback_limit(g));
	printf("virtcon cpu: %.3f s: %.1f MB/s of CPU time\n", cpu, (double)total / 1e6 / cpu);
	pane_free(pane);
	endwin();
	delscreen(screen);
	fclose(out_fp);
	fclose(in_fp);
	draw_free(&d);

	/* every byte reached the journal: decoded and compared (untimed) */
	{
		guint64 jbytes = 0;
		g_autofree char *jsum = NULL;
		ssize_t n;
		int fd = open(argv[1], O_RDONLY);
		gboolean same;

		sum = g_checksum_new(G_CHECKSUM_SHA256);
		while (fd >= 0 && (n = read(fd, chunk, CHUNK)) > 0)
			g_checksum_update(sum, (const guchar *)chunk, (gsize)n);
		if (fd >= 0)
			close(fd);
		jsum = journal_checksum(argv[2], &jbytes, &error);
		if (!jsum) {
			fprintf(stderr, "pane-throughput-console: %s\n", error->message);
			return 1;
		}
		same = jbytes == total && strcmp(jsum, g_checksum_get_string(sum)) == 0;
		printf("journal: %" G_GUINT64_FORMAT " bytes decoded, sha256 %s: %s\n", jbytes, jsum,
		       same ? "matches the stream" : "DIFFERS from the stream");
		g_checksum_free(sum);
		g_free(chunk);
		if (!same)
			return 1;
	}
	return 0;
}
