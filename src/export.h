/* export.h - exports of a journal: JUnit XML, TAP 13, Markdown. Pure functions of a journal_log. */
#ifndef VIRTCON_EXPORT_H
#define VIRTCON_EXPORT_H

#include <glib.h>
#include "journal.h"

/* Each returns the whole document; an incomplete session is marked as such in it. */
char *export_junit(const struct journal_log *log);
char *export_tap(const struct journal_log *log);
char *export_markdown(const struct journal_log *log);

/* Writes one export to path atomically (temp file in the same directory, fsync, rename). */
gboolean export_write(const char *path, const char *content, GError **error);

/* `virtcon export JOURNAL [--junit F] [--tap F] [--markdown F]`: argv[0] is the command name
 * ("export"), the rest its arguments. No output option: Markdown to stdout ("-" also means stdout).
 * Returns the exit status: 0 done, 1 an output could not be written, 2 usage error or unreadable
 * journal (message on stderr naming the file). Warns on stderr when the session is incomplete. */
int export_main(int argc, char **argv);

#endif
