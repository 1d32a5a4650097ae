/* pane-throughput-feed.c - virtcon's pane path timed: a stream in 64 KiB chunks into a vtgrid and a journal-like file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "vtgrid.h"

#define CHUNK (64 * 1024)

/* Escapes: \" \\ \n \r \t and \u00XX for other controls and every byte >= 0x80 (so any bytes
 * round-trip; a stand-in for the journal module's own encoding). Returns the length written. */
static size_t json_escape(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			break;
		}
	}
	return (size_t)(o - out);
}

/* CPU seconds (user + system) this process used so far. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static gboolean write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		buf += n;
		len -= (size_t)n;
	}
	return TRUE;
}

/* Decodes the journal's data strings back into bytes and checksums them. */
static char *journal_checksum(const char *path, guint64 *nbytes, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	GByteArray *bytes = g_byte_array_new();
	const char *key = "\"data\":\"";
	*nbytes = 0;
	for (const char *p = text; (p = strstr(p, key)) != NULL;) {
		p += strlen(key);
		g_byte_array_set_size(bytes, 0);
		while (*p && *p != '"') {
			guint8 c = (guint8)*p++;
			if (c == '\\') {
				char e = *p++;
				switch (e) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case 'u': {
					char hex[5] = { 0 };
					for (int i = 0; i < 4 && *p; i++)
						hex[i] = *p++;
					c = (guint8)strtoul(hex, NULL, 16);
					break;
				}
				default: c = (guint8)e; break;
				}
			}
			g_byte_array_append(bytes, &c, 1);
		}
		g_checksum_update(sum, bytes->data, bytes->len);
		*nbytes += bytes->len;
	}
	char *hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	g_byte_array_free(bytes, TRUE);
	return hex;
}

int main(int argc, char **argv)
{
	int rows = 50, cols = 200, scrollback = 10000;
	gboolean no_journal = FALSE;
	const char *dump = NULL;
	GOptionEntry entries[] = {
		{ "rows", 0, 0, G_OPTION_ARG_INT, &rows, "pane rows (50)", "N" },
		{ "cols", 0, 0, G_OPTION_ARG_INT, &cols, "pane columns (200)", "N" },
		{ "scrollback", 0, 0, G_OPTION_ARG_INT, &scrollback, "scrollback lines (10000)", "N" },
		{ "no-journal", 0, 0, G_OPTION_ARG_NONE, &no_journal, "only feed the grid (profiling)", NULL },
		{ "dump", 0, 0, G_OPTION_ARG_FILENAME, &dump, "write the final screen's text to FILE", "FILE" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("STREAM JOURNAL - time a terminal stream into a pane and a journal");
	GError *error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 3) {
		fprintf(stderr, "pane-throughput-feed: %s\n", error ? error->message : "usage: STREAM JOURNAL");
		return 2;
	}
	g_option_context_free(ctx);
	int in = open(argv[1], O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "pane-throughput-feed: %s: %s\n", argv[1], g_strerror(errno));
		return 1;
	}
	int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (out < 0) {
		fprintf(stderr, "pane-throughput-feed: %s: %s\n", argv[2], g_strerror(errno));
		return 1;
	}

	struct vtgrid *g = vtgrid_new(rows, cols, scrollback);
	char *chunk = g_malloc(CHUNK);
	const char head[] = "{\"type\":\"output\",\"step\":0,\"stream\":\"console\",\"data\":\"";
	const size_t head_len = sizeof(head) - 1;
	char *rec = g_malloc(head_len + 6 * (size_t)CHUNK + 3);
	memcpy(rec, head, head_len);
	guint64 total = 0;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gint64 t0 = g_get_monotonic_time();
	double c0 = cpu_seconds();
	for (;;) {
		ssize_t n = read(in, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "pane-throughput-feed: %s: %s\n", argv[1], g_strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		vtgrid_feed(g, chunk, (size_t)n);
		if (!no_journal) {
			size_t len = head_len + json_escape((const unsigned char *)chunk, (size_t)n, rec + head_len);
			rec[len++] = '"';
			rec[len++] = '}';
			rec[len++] = '\n';
			if (!write_all(out, rec, len)) {
				fprintf(stderr, "pane-throughput-feed: %s: %s\n", argv[2], g_strerror(errno));
				return 1;
			}
		}
		total += (guint64)n;
	}
	gint64 t1 = g_get_monotonic_time();
	double cpu = cpu_seconds() - c0;
	close(in);
	close(out);
	double secs = (double)(t1 - t0) / 1e6;
	printf("virtcon: %" G_GUINT64_FORMAT " bytes in %.3f s: %.1f MB/s (pane %dx%d, scrollback %d/%d, %" G_GUINT64_FORMAT
	       " lines scrolled)\n",
	       total, secs, (double)total / 1e6 / secs, vtgrid_rows(g), vtgrid_cols(g), vtgrid_scrollback_count(g),
	       vtgrid_scrollback_limit(g), vtgrid_lines_scrolled(g));
	printf("virtcon cpu: %.3f s: %.1f MB/s of CPU time\n", cpu, (double)total / 1e6 / cpu);

	if (!no_journal) {
		/* Every byte must have reached the journal: decode it and compare checksums (untimed). */
		int fd = open(argv[1], O_RDONLY);
		ssize_t n;
		while (fd >= 0 && (n = read(fd, chunk, CHUNK)) > 0)
			g_checksum_update(sum, (const guchar *)chunk, (gsize)n);
		if (fd >= 0)
			close(fd);
		guint64 jbytes = 0;
		g_autofree char *jsum = journal_checksum(argv[2], &jbytes, &error);
		if (!jsum) {
			fprintf(stderr, "pane-throughput-feed: %s\n", error->message);
			return 1;
		}
		gboolean same = jbytes == total && strcmp(jsum, g_checksum_get_string(sum)) == 0;
		printf("journal: %" G_GUINT64_FORMAT " bytes decoded, sha256 %s: %s\n", jbytes, jsum,
		       same ? "matches the stream" : "DIFFERS from the stream");
		if (!same)
			return 1;
	}
	if (dump) {
		/* The last 200 scrollback lines and the screen, like tmux capture-pane -p -S -200. */
		GString *text = g_string_new(NULL);
		for (int row = -MIN(200, vtgrid_scrollback_count(g)); row < vtgrid_rows(g); row++) {
			g_autofree char *line = vtgrid_line_text(g, row);
			g_string_append_printf(text, "%s\n", line);
		}
		gboolean ok = g_file_set_contents(dump, text->str, (gssize)text->len, &error);
		g_string_free(text, TRUE);
		if (!ok) {
			fprintf(stderr, "pane-throughput-feed: %s\n", error->message);
			return 1;
		}
	}
	g_checksum_free(sum);
	g_free(chunk);
	g_free(rec);
	vtgrid_free(g);
	return 0;
}
