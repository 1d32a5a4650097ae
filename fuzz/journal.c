/* journal.c - libFuzzer target: bytes as a journal (journal_read_data), then all three exports of what was read. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "export.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct journal_log *log = journal_read_data((const char *)data, size, "fuzz.jsonl", &error);
	if (!log) {
		if (!error || !strstr(error->message, "fuzz.jsonl"))
			__builtin_trap(); /* a failure must say why, naming the input */
		g_error_free(error);
		return 0;
	}
	char *junit = export_junit(log);
	char *tap = export_tap(log);
	char *markdown = export_markdown(log);
	if (!g_utf8_validate(junit, -1, NULL) || !g_utf8_validate(tap, -1, NULL) || !g_utf8_validate(markdown, -1, NULL))
		__builtin_trap();
	g_free(junit);
	g_free(tap);
	g_free(markdown);
	journal_log_free(log);
	return 0;
}
