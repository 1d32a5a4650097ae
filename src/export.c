/* export.c - exports of a journal: JUnit XML, TAP 13, Markdown. Pure functions of a journal_log. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ansi.h"
#include "export.h"

#define UNFINISHED_MESSAGE "session ended before this step finished"
#define TAIL_LINES 40
#define TAIL_BYTES (16 * 1024)

/* What became of a step, as the exports report it. */
enum outcome { OUT_PASS, OUT_FAIL, OUT_SKIP, OUT_BLOCKED, OUT_ERROR, OUT_UNFINISHED, OUT_NOT_RUN, OUT_COUNT };

static const char *const outcome_names[OUT_COUNT] = {
	"pass", "fail", "skip", "blocked", "error", "unfinished", "not run",
};

static enum outcome step_outcome(const struct journal_step *step)
{
	if (!step->status)
		return step->started ? OUT_UNFINISHED : OUT_NOT_RUN;
	if (strcmp(step->status, "pass") == 0)
		return OUT_PASS;
	if (strcmp(step->status, "fail") == 0)
		return OUT_FAIL;
	if (strcmp(step->status, "skip") == 0)
		return OUT_SKIP;
	if (strcmp(step->status, "blocked") == 0)
		return OUT_BLOCKED;
	return OUT_ERROR;
}

static void count_outcomes(const struct journal_log *log, guint counts[OUT_COUNT])
{
	memset(counts, 0, sizeof(guint) * OUT_COUNT);
	for (guint i = 0; i < log->steps->len; i++)
		counts[step_outcome(log->steps->pdata[i])]++;
}

static const char *suite_label(const struct journal_log *log)
{
	if (log->suite_name && *log->suite_name)
		return log->suite_name;
	if (log->title && *log->title)
		return log->title;
	return "virtcon";
}

/* Text fit for any export: terminal escape sequences removed, no control characters but tab and
 * newline (CR LF and a lone CR become LF: both versions of a redrawn line stay, see ansi.h),
 * valid UTF-8, no C1 controls or U+FFFE/U+FFFF (which XML cannot hold: stripping can join the
 * bytes of one from invalid pieces). */
static char *clean_text(const char *s, gsize len)
{
	gsize stripped_len;
	g_autofree char *stripped = ansi_strip(s, len, 0, &stripped_len);
	g_autofree char *valid = g_utf8_make_valid(stripped, (gssize)stripped_len);
	GString *out = g_string_sized_new(strlen(valid));

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar u = g_utf8_get_char(p);
		if ((u >= 0x80 && u <= 0x9f) || u == 0xfffe || u == 0xffff)
			continue;
		g_string_append_len(out, p, g_utf8_next_char(p) - p);
	}
	return g_string_free(out, FALSE);
}

static char *clean_str(const char *s)
{
	return clean_text(s ? s : "", s ? strlen(s) : 0);
}

/* One line: newlines and tabs become spaces. */
static char *clean_line(const char *s)
{
	char *text = clean_str(s);
	g_strdelimit(text, "\n\t", ' ');
	return text;
}

static char *step_title(const struct journal_step *step)
{
	if (step->name && *step->name)
		return clean_line(step->name);
	return g_strdup_printf("step %u", step->index + 1);
}

/* The start of the last n lines of text (a final newline does not start a line). */
static const char *tail_lines(const char *text, guint n, guint *skipped_lines)
{
	gsize len = strlen(text);
	const char *end = len > 0 && text[len - 1] == '\n' ? text + len - 1 : text + len;
	const char *p = end;
	guint lines = 0;
	while (p > text) {
		if (p[-1] == '\n' && ++lines == n)
			break;
		p--;
	}
	if (skipped_lines) {
		*skipped_lines = 0;
		for (const char *q = text; q < p; q++)
			*skipped_lines += *q == '\n';
	}
	if ((gsize)(text + len - p) > TAIL_BYTES) { /* very long lines: the last bytes, on a character */
		p = text + len - TAIL_BYTES;
		while ((*p & 0xc0) == 0x80)
			p++;
	}
	return p;
}

static void append_seconds(GString *out, gint64 us)
{
	if (us < 0)
		us = 0;
	g_string_append_printf(out, "%" G_GINT64_FORMAT ".%03d", us / G_USEC_PER_SEC,
			       (int)(us % G_USEC_PER_SEC / 1000));
}

static char *output_text(const struct journal_step *step)
{
	return clean_text(step->output->str, step->output->len);
}

/* ---- JUnit XML ---- */

static void xml_escape(GString *out, const char *text, gboolean attribute)
{
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, attribute ? "&quot;" : "\""); break;
		case '\n': g_string_append(out, attribute ? "&#10;" : "\n"); break;
		case '\t': g_string_append(out, attribute ? "&#9;" : "\t"); break;
		default: g_string_append_c(out, *p);
		}
	}
}

/* Appends ` name="value"` with value cleaned and escaped. */
static void xml_attr(GString *out, const char *name, const char *value)
{
	g_autofree char *text = clean_str(value);
	g_string_append_printf(out, " %s=\"", name);
	xml_escape(out, text, TRUE);
	g_string_append_c(out, '"');
}

static void xml_text(GString *out, const char *value)
{
	g_autofree char *text = clean_str(value);
	xml_escape(out, text, FALSE);
}

static void xml_property(GString *out, const char *name, const char *value)
{
	if (!value)
		return;
	g_string_append(out, "      <property");
	xml_attr(out, "name", name);
	xml_attr(out, "value", value);
	g_string_append(out, "/>\n");
}

/* The body of a failure or error element: what a reader needs to see why. */
static void junit_details(GString *out, const struct journal_step *step)
{
	GString *d = g_string_new(NULL);
	if (step->reason)
		g_string_append_printf(d, "reason: %s\n", step->reason);
	if (step->exit_status >= 0)
		g_string_append_printf(d, "exit status: %d\n", step->exit_status);
	if (step->on)
		g_string_append_printf(d, "machine: %s\n", step->on);
	if (step->command)
		g_string_append_printf(d, "command: %s\n", step->command);
	if (step->verdict)
		g_string_append_printf(d, "verdict: %s%s%s\n", step->verdict, step->verdict_note ? ": " : "",
				       step->verdict_note ? step->verdict_note : "");
	for (guint i = 0; i < step->notes->len; i++)
		g_string_append_printf(d, "note: %s\n", (const char *)step->notes->pdata[i]);
	xml_text(out, d->str);
	g_string_free(d, TRUE);
}

static void junit_testcase(GString *out, const struct journal_log *log, const struct journal_step *step,
			   int width)
{
	g_autofree char *title = step_title(step);
	g_autofree char *name = g_strdup_printf("%0*u %s", width, step->index + 1, title);
	enum outcome outcome = step_outcome(step);

	g_string_append(out, "    <testcase");
	xml_attr(out, "classname", suite_label(log));
	xml_attr(out, "name", name);
	g_string_append(out, " time=\"");
	append_seconds(out, step->duration_us);
	g_string_append(out, "\">\n");

	const char *element = NULL, *type = NULL;
	g_autofree char *message = NULL;
	switch (outcome) {
	case OUT_PASS:
		break;
	case OUT_FAIL:
		element = "failure", type = "fail";
		message = g_strdup(step->reason ? step->reason : step->verdict_note ? step->verdict_note : "failed");
		break;
	case OUT_ERROR:
		element = "error", type = step->status;
		message = g_strdup(step->reason ? step->reason : "error");
		break;
	case OUT_UNFINISHED:
		element = "error", type = "incomplete";
		message = g_strdup(UNFINISHED_MESSAGE);
		break;
	case OUT_SKIP:
		element = "skipped";
		message = g_strdup(step->reason ? step->reason : step->verdict_note ? step->verdict_note : "skipped");
		break;
	case OUT_BLOCKED:
		element = "skipped";
		message = g_strdup_printf("blocked: %s", step->reason ? step->reason : "a requirement is not met");
		break;
	case OUT_NOT_RUN:
		element = "skipped";
		message = g_strdup(log->complete ? "not run" : "not run: the session ended before this step");
		break;
	case OUT_COUNT:
		break;
	}
	if (element) {
		g_string_append_printf(out, "      <%s", element);
		xml_attr(out, "message", message);
		if (type)
			xml_attr(out, "type", type);
		if (outcome == OUT_FAIL || outcome == OUT_ERROR || outcome == OUT_UNFINISHED) {
			g_string_append_c(out, '>');
			junit_details(out, step);
			g_string_append_printf(out, "</%s>\n", element);
		} else {
			g_string_append(out, "/>\n");
		}
	}
	if (step->output->len > 0) {
		g_autofree char *text = output_text(step);
		g_string_append(out, "      <system-out>");
		if (step->output_truncated)
			g_string_append(out, "[output truncated: only the last part was kept]\n");
		xml_escape(out, text, FALSE);
		g_string_append(out, "</system-out>\n");
	}
	g_string_append(out, "    </testcase>\n");
}

static int index_width(guint n)
{
	int width = 2;
	for (guint v = 100; v <= n && width < 10; v *= 10)
		width++;
	return width;
}

/* JUnit wants a local-looking timestamp without zone: 2026-11-21T07:53:57 (it is UTC). */
static char *junit_timestamp(const char *wall)
{
	if (!wall)
		return NULL;
	gsize n = strcspn(wall, ".Z");
	return g_strndup(wall, MIN(n, 19));
}

char *export_junit(const struct journal_log *log)
{
	guint counts[OUT_COUNT];
	count_outcomes(log, counts);
	guint failures = counts[OUT_FAIL];
	guint errors = counts[OUT_ERROR] + counts[OUT_UNFINISHED];
	guint skipped = counts[OUT_SKIP] + counts[OUT_BLOCKED] + counts[OUT_NOT_RUN];
	g_autofree char *timestamp = junit_timestamp(log->wall_start);

	GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	xml_attr(out, "name", suite_label(log));
	g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" time=\"", log->steps->len, failures,
			       errors);
	append_seconds(out, log->duration_us);
	g_string_append(out, "\">\n  <testsuite");
	xml_attr(out, "name", suite_label(log));
	g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"",
			       log->steps->len, failures, errors, skipped);
	append_seconds(out, log->duration_us);
	g_string_append_c(out, '"');
	if (timestamp)
		xml_attr(out, "timestamp", timestamp);
	if (log->hostname)
		xml_attr(out, "hostname", log->hostname);
	if (log->suite_file)
		xml_attr(out, "file", log->suite_file);
	g_string_append(out, ">\n    <properties>\n");
	xml_property(out, "title", log->title);
	xml_property(out, "suite_file", log->suite_file);
	xml_property(out, "journal", log->path);
	xml_property(out, "virtcon_version", log->version);
	xml_property(out, "session", log->complete ? "complete" : "incomplete");
	xml_property(out, "result", log->complete ? log->result : "incomplete");
	g_string_append(out, "    </properties>\n");

	int width = index_width(log->steps->len);
	for (guint i = 0; i < log->steps->len; i++)
		junit_testcase(out, log, log->steps->pdata[i], width);
	if (!log->complete) {
		g_string_append(out, "    <system-err>session incomplete: the journal ");
		xml_text(out, log->path);
		g_string_append(out, " has no session-end record (virtcon crashed or is still running)");
		if (log->bad_lines)
			g_string_append_printf(out, "; %u line(s) did not parse", log->bad_lines);
		g_string_append(out, "</system-err>\n");
	}
	g_string_append(out, "  </testsuite>\n</testsuites>\n");
	return g_string_free(out, FALSE);
}

/* ---- TAP 13 ---- */

/* A test description: one line, '#' escaped so it does not start a directive. */
static void tap_description(GString *out, const char *text)
{
	g_autofree char *line = clean_line(text);
	for (const char *p = line; *p; p++) {
		if (*p == '#' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
}

static void yaml_quoted(GString *out, const char *text)
{
	g_string_append_c(out, '"');
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default: g_string_append_c(out, *p);
		}
	}
	g_string_append_c(out, '"');
}

/* "  key: value" in a YAML diagnostic block: multi-line text as a literal block scalar (which
 * TAP::Parser's YAMLish reads too: blank lines keep their indentation), else double-quoted. */
static void yaml_member(GString *out, const char *key, const char *value)
{
	if (!value)
		return;
	g_autofree char *text = clean_str(value);
	gsize len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	g_string_append_printf(out, "  %s: ", key);
	/* the first non-empty line sets the block's indentation: it must not start with blanks */
	const char *first = text + strspn(text, "\n");
	gboolean block = strchr(text, '\n') && *first != ' ' && *first != '\t';
	if (!block) {
		yaml_quoted(out, text);
		g_string_append_c(out, '\n');
		return;
	}
	g_string_append(out, "|\n");
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		g_string_append(out, "    ");
		g_string_append_len(out, p, nl ? nl - p : (gssize)strlen(p));
		g_string_append_c(out, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void tap_step(GString *out, const struct journal_log *log, const struct journal_step *step)
{
	enum outcome outcome = step_outcome(step);
	g_autofree char *title = step_title(step);
	gboolean ok = outcome == OUT_PASS || outcome == OUT_SKIP || outcome == OUT_BLOCKED || outcome == OUT_NOT_RUN;
	g_string_append_printf(out, "%s %u - ", ok ? "ok" : "not ok", step->index + 1);
	tap_description(out, title);
	if (outcome == OUT_SKIP || outcome == OUT_BLOCKED || outcome == OUT_NOT_RUN) {
		g_autofree char *reason = clean_line(step->reason ? step->reason : step->verdict_note);
		g_string_append(out, " # SKIP ");
		if (outcome == OUT_BLOCKED)
			g_string_append(out, "blocked: ");
		if (outcome == OUT_NOT_RUN)
			g_string_append(out, log->complete ? "not run" : "not run: the session ended before this step");
		else
			g_string_append(out, *reason ? reason : "skipped");
	} else if (outcome == OUT_UNFINISHED) {
		g_string_append(out, " # " UNFINISHED_MESSAGE);
	}
	g_string_append_c(out, '\n');
	if (outcome == OUT_NOT_RUN)
		return;

	g_string_append(out, "  ---\n");
	g_string_append_printf(out, "  status: %s\n", outcome_names[outcome]);
	g_string_append_printf(out, "  duration_ms: %" G_GINT64_FORMAT "\n", MAX(step->duration_us, 0) / 1000);
	if (step->exit_status >= 0)
		g_string_append_printf(out, "  exit: %d\n", step->exit_status);
	if (outcome == OUT_UNFINISHED)
		yaml_member(out, "reason", UNFINISHED_MESSAGE);
	else
		yaml_member(out, "reason", step->reason);
	yaml_member(out, "machine", step->on);
	yaml_member(out, "command", step->command);
	yaml_member(out, "verdict", step->verdict);
	yaml_member(out, "verdict_note", step->verdict_note);
	if (step->notes->len > 0) {
		g_string_append(out, "  notes:\n");
		for (guint i = 0; i < step->notes->len; i++) {
			g_autofree char *note = clean_line(step->notes->pdata[i]);
			g_string_append(out, "    - ");
			yaml_quoted(out, note);
			g_string_append_c(out, '\n');
		}
	}
	if (step->runs > 1)
		g_string_append_printf(out, "  runs: %u\n", step->runs);
	if (step->output->len > 0) {
		g_autofree char *text = output_text(step);
		guint skipped = 0;
		const char *tail = tail_lines(text, TAIL_LINES, &skipped);
		if (skipped > 0 || step->output_truncated)
			g_string_append(out, "  output_truncated: true\n");
		yaml_member(out, "output", tail);
	}
	g_string_append(out, "  ...\n");
}

char *export_tap(const struct journal_log *log)
{
	GString *out = g_string_new("TAP version 13\n");
	g_string_append_printf(out, "1..%u\n", log->steps->len);
	g_autofree char *label = clean_line(suite_label(log));
	g_string_append_printf(out, "# suite: %s\n", label);
	if (log->title) {
		g_autofree char *title = clean_line(log->title);
		g_string_append_printf(out, "# title: %s\n", title);
	}
	if (log->hostname) {
		g_autofree char *host = clean_line(log->hostname);
		g_string_append_printf(out, "# host: %s\n", host);
	}
	if (log->wall_start)
		g_string_append_printf(out, "# started: %s\n", log->wall_start);
	if (!log->complete)
		g_string_append(out, "# session incomplete (crashed or still running)\n");
	for (guint i = 0; i < log->steps->len; i++)
		tap_step(out, log, log->steps->pdata[i]);
	return g_string_free(out, FALSE);
}

/* ---- Markdown ---- */

/* Inline text: one line, Markdown punctuation escaped. */
static void md_inline(GString *out, const char *text)
{
	g_autofree char *line = clean_line(text);
	for (const char *p = line; *p; p++) {
		if (strchr("\\`*_[]<>|#~!&", *p))
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
}

/* A fenced code block whose fence is longer than any run of backticks in the text. */
static void md_fenced(GString *out, const char *text, const char *info)
{
	guint longest = 0, run = 0;
	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = MAX(longest, run);
	}
	guint n = MAX(3, longest + 1);
	g_autofree char *fence = g_strnfill(n, '`');
	g_string_append_printf(out, "%s%s\n", fence, info ? info : "");
	g_string_append(out, text);
	if (*text && text[strlen(text) - 1] != '\n')
		g_string_append_c(out, '\n');
	g_string_append_printf(out, "%s\n\n", fence);
}

static void md_duration(GString *out, gint64 us)
{
	append_seconds(out, us);
	g_string_append(out, " s");
}

static void md_step(GString *out, const struct journal_log *log, const struct journal_step *step)
{
	enum outcome outcome = step_outcome(step);
	g_autofree char *title = step_title(step);
	g_string_append_printf(out, "## %u. ", step->index + 1);
	md_inline(out, title);
	g_string_append(out, "\n\n");
	g_string_append_printf(out, "- Status: **%s**", outcome_names[outcome]);
	if (outcome == OUT_UNFINISHED)
		g_string_append(out, " (" UNFINISHED_MESSAGE ")");
	if (outcome == OUT_NOT_RUN && !log->complete)
		g_string_append(out, " (the session ended before this step)");
	g_string_append_c(out, '\n');
	if (outcome == OUT_NOT_RUN) {
		g_string_append_c(out, '\n');
		return;
	}
	g_string_append(out, "- Duration: ");
	md_duration(out, step->duration_us);
	g_string_append(out, step->status ? "\n" : " (until the journal ends)\n");
	if (step->wall_start)
		g_string_append_printf(out, "- Started: %s\n", step->wall_start);
	if (step->on) {
		g_string_append(out, "- Machine: ");
		md_inline(out, step->on);
		g_string_append_c(out, '\n');
	}
	if (step->kind) {
		g_string_append(out, "- Kind: ");
		md_inline(out, step->kind);
		g_string_append_c(out, '\n');
	}
	if (step->exit_status >= 0)
		g_string_append_printf(out, "- Exit status: %d\n", step->exit_status);
	if (step->reason) {
		g_string_append(out, "- Reason: ");
		md_inline(out, step->reason);
		g_string_append_c(out, '\n');
	}
	if (step->verdict) {
		g_string_append(out, "- Verdict: ");
		md_inline(out, step->verdict);
		if (step->verdict_note) {
			g_string_append(out, " — ");
			md_inline(out, step->verdict_note);
		}
		g_string_append_c(out, '\n');
	}
	if (step->runs > 1)
		g_string_append_printf(out, "- Runs: %u (the last one is reported)\n", step->runs);
	for (guint i = 0; i < step->notes->len; i++) {
		g_string_append(out, "- Note: ");
		md_inline(out, step->notes->pdata[i]);
		g_string_append_c(out, '\n');
	}
	g_string_append_c(out, '\n');
	if (step->command) {
		g_autofree char *command = clean_str(step->command);
		g_string_append(out, "Command:\n\n");
		md_fenced(out, command, "sh");
	}
	for (guint i = 0; i < step->edits->len; i++) {
		g_autofree char *edit = clean_str(step->edits->pdata[i]);
		g_string_append(out, "Edited by the operator:\n\n");
		md_fenced(out, edit, "sh");
	}
	if (step->output->len > 0) {
		g_autofree char *text = output_text(step);
		guint skipped = 0;
		const char *tail = tail_lines(text, TAIL_LINES, &skipped);
		if (skipped > 0 || step->output_truncated || tail != text)
			g_string_append_printf(out, "Output (the last %u lines):\n\n", TAIL_LINES);
		else
			g_string_append(out, "Output:\n\n");
		md_fenced(out, tail, NULL);
	}
}

char *export_markdown(const struct journal_log *log)
{
	guint counts[OUT_COUNT];
	count_outcomes(log, counts);
	GString *out = g_string_new("# ");
	md_inline(out, log->title && *log->title ? log->title : suite_label(log));
	g_string_append(out, "\n\n");
	if (!log->complete)
		g_string_append(out, "> **Session incomplete**: the journal has no session-end record (virtcon "
				     "crashed or is still running). Steps that had started but not finished are "
				     "marked *unfinished*.\n\n");
	g_string_append(out, "- Suite: ");
	md_inline(out, suite_label(log));
	if (log->suite_file) {
		g_string_append(out, " (");
		md_inline(out, log->suite_file);
		g_string_append_c(out, ')');
	}
	g_string_append_c(out, '\n');
	if (log->hostname) {
		g_string_append(out, "- Host: ");
		md_inline(out, log->hostname);
		g_string_append_c(out, '\n');
	}
	if (log->wall_start)
		g_string_append_printf(out, "- Started: %s\n", log->wall_start);
	g_string_append(out, "- Duration: ");
	md_duration(out, log->duration_us);
	g_string_append_c(out, '\n');
	if (log->version) {
		g_string_append(out, "- virtcon: ");
		md_inline(out, log->version);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "- Result: **");
	md_inline(out, log->complete ? (log->result ? log->result : "unknown") : "incomplete");
	g_string_append_printf(out, "** — %u steps: %u passed, %u failed, %u skipped, %u blocked, %u errors",
			       log->steps->len, counts[OUT_PASS], counts[OUT_FAIL], counts[OUT_SKIP],
			       counts[OUT_BLOCKED], counts[OUT_ERROR]);
	if (counts[OUT_UNFINISHED])
		g_string_append_printf(out, ", %u unfinished", counts[OUT_UNFINISHED]);
	if (counts[OUT_NOT_RUN])
		g_string_append_printf(out, ", %u not run", counts[OUT_NOT_RUN]);
	g_string_append_c(out, '\n');
	if (log->bad_lines)
		g_string_append_printf(out, "- Journal lines that did not parse: %u\n", log->bad_lines);
	g_string_append(out, "\n| № | Step | Status | Time |\n|--:|------|--------|-----:|\n");
	for (guint i = 0; i < log->steps->len; i++) {
		const struct journal_step *step = log->steps->pdata[i];
		g_autofree char *title = step_title(step);
		g_string_append_printf(out, "| %u | ", step->index + 1);
		md_inline(out, title);
		g_string_append_printf(out, " | %s | ", outcome_names[step_outcome(step)]);
		if (step->status)
			md_duration(out, step->duration_us);
		g_string_append(out, " |\n");
	}
	g_string_append_c(out, '\n');
	for (guint i = 0; i < log->steps->len; i++)
		md_step(out, log, log->steps->pdata[i]);
	while (out->len >= 2 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

/* ---- writing ---- */

gboolean export_write(const char *path, const char *content, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		int errnum = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errnum), "%s: cannot create a file in %s: %s",
			    path, dir, g_strerror(errnum));
		return FALSE;
	}
	const char *p = content;
	gsize left = strlen(content);
	const char *what = NULL;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			what = "write";
			break;
		}
		p += n;
		left -= (gsize)n;
	}
	if (!what && fsync(fd) < 0)
		what = "fsync";
	int errnum = what ? (errno ? errno : EIO) : 0;
	if (close(fd) < 0 && !what) {
		what = "close";
		errnum = errno;
	}
	if (!what && rename(tmp, path) < 0) {
		what = "rename";
		errnum = errno;
	}
	if (what) {
		unlink(tmp);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errnum), "%s: %s failed: %s", path, what,
			    g_strerror(errnum));
		return FALSE;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) { /* make the rename itself durable; best effort */
		(void)fsync(dfd);
		close(dfd);
	}
	return TRUE;
}
