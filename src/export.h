/* export.h - exports of a journal: JUnit XML, TAP 13, Markdown. Pure functions of a journal_log. */
#ifndef VIRTCON_EXPORT_H
#define VIRTCON_EXPORT_H

#include <glib.h>
#include "journal.h"

/* Each returns the whole document; an incomplete session is marked as such in it. */
char *export_junit(const struct journal_log *log);
char *export_tap(const struct journal_log *log);
char *export_markdown(const struct journal_log *log);

/* Writes one export to path atomically (temp file + rename). */
gboolean export_write(const char *path, const char *content, GError **error);

#endif
