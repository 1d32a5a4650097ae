/* timeline.c - an event log file read incrementally (follow mode), and time/duration text. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timeline.h"

#define READ_CHUNK (1u << 20)

struct timeline_source {
	char *path;
	struct evlog_options options;
	char *format;     /* options.format points here */
	struct evlog *log;
	guint64 offset;   /* bytes of the file read so far */
	dev_t dev;
	ino_t ino;
	guint64 generation;
	guint resets;
	char *buf;
};

static struct evlog *source_new_log(struct timeline_source *src, GError **error)
{
	struct evlog *log = evlog_new(&src->options, error);

	if (!log)
		g_prefix_error(error, "%s: ", src->path);
	return log;
}

struct timeline_source *timeline_source_new(const char *path, const struct evlog_options *options,
					    GError **error)
{
	struct timeline_source *src = g_new0(struct timeline_source, 1);

	src->path = g_strdup(path);
	if (options)
		src->options = *options;
	else
		evlog_options_init(&src->options);
	src->format = g_strdup(src->options.format);
	src->options.format = src->format;
	src->log = source_new_log(src, error);
	if (!src->log) {
		timeline_source_free(src);
		return NULL;
	}
	return src;
}

void timeline_source_free(struct timeline_source *src)
{
	if (!src)
		return;
	evlog_free(src->log);
	g_free(src->path);
	g_free(src->format);
	g_free(src->buf);
	g_free(src);
}

struct evlog *timeline_source_log(struct timeline_source *src)
{
	return src->log;
}

const char *timeline_source_path(const struct timeline_source *src)
{
	return src->path;
}

guint64 timeline_source_generation(const struct timeline_source *src)
{
	return src->generation;
}

guint timeline_source_resets(const struct timeline_source *src)
{
	return src->resets;
}

static gboolean io_error(const struct timeline_source *src, int fd, const char *what, GError **error)
{
	int e = errno;

	g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_IO, "%s: %s%s", src->path, what, g_strerror(e));
	if (fd >= 0)
		close(fd);
	return FALSE;
}

gboolean timeline_source_poll(struct timeline_source *src, gboolean *changed, GError **error)
{
	struct stat st;
	int fd = open(src->path, O_RDONLY | O_CLOEXEC);
	gboolean grew = FALSE;

	if (changed)
		*changed = FALSE;
	if (fd < 0 || fstat(fd, &st) != 0)
		return io_error(src, fd, "", error);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return io_error(src, fd, "", error);
	}
	if (src->offset > 0 && ((guint64)st.st_size < src->offset || st.st_dev != src->dev || st.st_ino != src->ino)) {
		/* truncated or replaced: start again */
		struct evlog *log = source_new_log(src, error);

		if (!log) {
			close(fd);
			return FALSE;
		}
		evlog_free(src->log);
		src->log = log;
		src->offset = 0;
		src->generation++;
		src->resets++;
		if (changed)
			*changed = TRUE;
	}
	src->dev = st.st_dev;
	src->ino = st.st_ino;
	if (!src->buf)
		src->buf = g_malloc(READ_CHUNK);
	for (;;) {
		ssize_t n = pread(fd, src->buf, READ_CHUNK, (off_t)src->offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return io_error(src, fd, "", error);
		if (n == 0)
			break;
		src->offset += (guint64)n;
		grew = TRUE;
		if (!evlog_append(src->log, src->buf, (gsize)n, error)) {
			g_prefix_error(error, "%s: ", src->path);
			close(fd);
			return FALSE;
		}
	}
	close(fd);
	if (grew) {
		src->generation++;
		if (changed)
			*changed = TRUE;
	}
	return TRUE;
}

gboolean timeline_source_finish(struct timeline_source *src, GError **error)
{
	if (!evlog_flush(src->log, error)) {
		g_prefix_error(error, "%s: ", src->path);
		return FALSE;
	}
	src->generation++;
	return TRUE;
}

gboolean timeline_parse_duration(const char *text, gint64 *ns)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {
		{ "ns", 1.0 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e9 },
	};
	const char *p;
	char *end = NULL;
	double v;

	if (!text)
		return FALSE;
	p = text;
	while (g_ascii_isspace(*p))
		p++;
	if (!g_ascii_isdigit(*p) && *p != '.')
		return FALSE;
	v = g_ascii_strtod(p, &end);
	if (end == p || v < 0 || v > 9e9)
		return FALSE;
	while (g_ascii_isspace(*end))
		end++;
	for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
		gsize n = strlen(units[i].suffix);
		const char *rest = end + n;

		if (strncmp(end, units[i].suffix, n) != 0)
			continue;
		while (g_ascii_isspace(*rest))
			rest++;
		if (*rest)
			continue;
		*ns = (gint64)(v * units[i].scale + 0.5);
		return TRUE;
	}
	return FALSE;
}

/* v with up to 3 significant decimals, trailing zeros dropped ("6.2", "12.5", "850"). */
static void append_scaled(GString *s, gint64 ns, gint64 unit)
{
	gint64 whole = ns / unit, frac = ns % unit;
	int decimals = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
	gint64 div = unit;
	gint64 f;

	if (unit == 1)
		decimals = 0;
	for (int i = 0; i < decimals; i++)
		div /= 10;
	f = div > 0 ? (frac + div / 2) / div : 0;
	if (decimals == 0 && unit > 1 && frac >= unit / 2)
		whole++;
	if (decimals > 0 && f >= (gint64)(decimals == 1 ? 10 : 100)) {
		whole++;
		f = 0;
	}
	g_string_append_printf(s, "%" G_GINT64_FORMAT, whole);
	if (decimals > 0 && f > 0) {
		char tmp[8];
		int n = g_snprintf(tmp, sizeof(tmp), "%0*" G_GINT64_FORMAT, decimals, f);

		while (n > 0 && tmp[n - 1] == '0')
			tmp[--n] = '\0';
		g_string_append_printf(s, ".%s", tmp);
	}
}

char *timeline_format_duration(gint64 ns, gboolean ascii)
{
	GString *s = g_string_new(NULL);

	if (ns < 0) {
		g_string_append_c(s, '-');
		ns = ns == G_MININT64 ? G_MAXINT64 : -ns;
	}
	if (ns >= 1000000000) {
		/* seconds always with 3 decimals: "1.250s" */
		g_string_append_printf(s, "%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT "s", ns / 1000000000,
				       (ns % 1000000000) / 1000000);
	} else if (ns >= 1000000) {
		append_scaled(s, ns, 1000000);
		g_string_append(s, "ms");
	} else if (ns >= 1000) {
		append_scaled(s, ns, 1000);
		g_string_append(s, ascii ? "us" : "µs");
	} else {
		append_scaled(s, ns, 1);
		g_string_append(s, "ns");
	}
	return g_string_free(s, FALSE);
}

char *timeline_format_time(gint64 ns)
{
	gboolean neg = ns < 0;
	guint64 a = neg ? (guint64)0 - (guint64)ns : (guint64)ns;
	guint64 sec = a / 1000000000u, frac = a % 1000000000u;

	if (frac % 1000000u == 0)
		return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%03" G_GUINT64_FORMAT "s", neg ? "-" : "", sec,
				       frac / 1000000u);
	if (frac % 1000u == 0)
		return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT "s", neg ? "-" : "", sec,
				       frac / 1000u);
	return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT "s", neg ? "-" : "", sec, frac);
}

static const char *issue_kind_text(enum evlog_issue_kind kind)
{
	switch (kind) {
	case EVLOG_ISSUE_MALFORMED:
		return "malformed line";
	case EVLOG_ISSUE_OUT_OF_ORDER:
		return "out of order";
	default:
		return "unpaired event";
	}
}

void timeline_report_issues(struct evlog *log, const char *path, guint max, GString *out)
{
	const struct evlog_stats *st = evlog_get_stats(log);
	guint n = evlog_n_issues(log), shown = 0;

	for (guint i = 0; i < n && shown < max; i++) {
		const struct evlog_issue *is = evlog_get_issue(log, i);

		if (is->kind != EVLOG_ISSUE_MALFORMED)
			continue;
		g_string_append_printf(out, "%s:%" G_GUINT64_FORMAT ": %s: %s\n", path, is->line,
				       issue_kind_text(is->kind), is->reason);
		shown++;
	}
	for (guint i = 0; i < n && shown < max; i++) {
		const struct evlog_issue *is = evlog_get_issue(log, i);

		if (is->kind == EVLOG_ISSUE_MALFORMED)
			continue;
		g_string_append_printf(out, "%s:%" G_GUINT64_FORMAT ": %s: %s\n", path, is->line,
				       issue_kind_text(is->kind), is->reason);
		shown++;
	}
	if (st->malformed || st->out_of_order || st->unpaired)
		g_string_append_printf(out,
				       "%s: %" G_GUINT64_FORMAT " malformed line%s, %" G_GUINT64_FORMAT
				       " out of order, %" G_GUINT64_FORMAT " unpaired (not fatal: such lines are skipped)\n",
				       path, st->malformed, st->malformed == 1 ? "" : "s", st->out_of_order,
				       st->unpaired);
}
