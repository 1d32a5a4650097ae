/* export_cmd.c - `virtcon export`: a journal to JUnit XML, TAP 13 and Markdown files. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "export.h"

/* Writes content to path, or to stdout when path is "-". */
static gboolean export_to(const char *path, const char *content, GError **error)
{
	if (strcmp(path, "-") != 0)
		return export_write(path, content, error);
	if (fputs(content, stdout) == EOF || fflush(stdout) != 0) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write to standard output");
		return FALSE;
	}
	return TRUE;
}

int export_main(int argc, char **argv)
{
	g_autofree char *junit = NULL, *tap = NULL, *markdown = NULL;
	gboolean help = FALSE;
	GOptionEntry entries[] = {
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL },
		{ "junit", 'j', 0, G_OPTION_ARG_FILENAME, &junit, "Write JUnit XML to FILE", "FILE" },
		{ "tap", 't', 0, G_OPTION_ARG_FILENAME, &tap, "Write TAP 13 to FILE", "FILE" },
		{ "markdown", 'm', 0, G_OPTION_ARG_FILENAME, &markdown, "Write Markdown to FILE (- for stdout)", "FILE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new("JOURNAL");
	g_option_context_set_summary(context, "Exports a session journal to JUnit XML, TAP 13 or Markdown.\n"
					      "With no output option, prints Markdown to standard output.");
	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_help_enabled(context, FALSE); /* GOption's own --help would exit() */
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("virtcon export: %s\n", error->message);
		return 2;
	}
	if (help) {
		g_autofree char *text = g_option_context_get_help(context, TRUE, NULL);
		fputs(text, stdout);
		return 0;
	}
	if (argc != 2) {
		g_printerr("virtcon export: %s\nusage: virtcon export JOURNAL [--junit FILE] [--tap FILE] "
			   "[--markdown FILE]\n",
			   argc < 2 ? "which journal? give one JOURNAL file" : "give exactly one JOURNAL file");
		return 2;
	}
	const char *path = argv[1];
	g_autoptr(journal_log) log = journal_read(path, &error);
	if (!log) {
		g_printerr("virtcon export: %s\n", error->message);
		return 2;
	}
	if (!log->complete)
		g_printerr("%s: session incomplete (crashed or still running)\n", path);
	if (log->bad_lines)
		g_printerr("%s: %u line(s) did not parse and were skipped\n", path, log->bad_lines);

	if (!junit && !tap && !markdown)
		markdown = g_strdup("-");
	int status = 0;
	struct {
		const char *path;
		char *(*fn)(const struct journal_log *log);
	} outputs[] = { { junit, export_junit }, { tap, export_tap }, { markdown, export_markdown } };
	for (gsize i = 0; i < G_N_ELEMENTS(outputs); i++) {
		if (!outputs[i].path)
			continue;
		g_autofree char *content = outputs[i].fn(log);
		g_autoptr(GError) werror = NULL;
		if (!export_to(outputs[i].path, content, &werror)) {
			g_printerr("virtcon export: %s\n", werror->message);
			status = 1;
		}
	}
	return status;
}
