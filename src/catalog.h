/* catalog.h - finds suite files: by path, or by name in the suite directories. */
#ifndef VIRTCON_CATALOG_H
#define VIRTCON_CATALOG_H

#include <glib.h>

/* The directories searched, in order: ./suites, $XDG_CONFIG_HOME/virtcon/suites, the installed
 * suites. A NULL-terminated array; free with g_strfreev. */
char **catalog_dirs(void);

/* Every *.yaml / *.yml below the directories (recursively, at most 8 levels), sorted, without
 * duplicates (the first directory wins for equal relative paths). */
GPtrArray *catalog_list(void);

/* Resolves what the user typed: an existing file path, or a name matching a file's base name
 * without extension ("host-basics") or its path relative to a suite dir ("demo/host-basics").
 * NULL with an error listing where it looked when nothing matches. */
char *catalog_resolve(const char *what, GError **error);

#endif
