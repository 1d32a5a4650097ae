/* catalog.c - finds suite files: by path, or by name in the suite directories. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "catalog.h"

#define CATALOG_MAX_DEPTH 8

char **catalog_dirs(void)
{
	GStrvBuilder *b = g_strv_builder_new();
	g_autofree char *cwd = g_get_current_dir();
	g_autofree char *local = g_build_filename(cwd, "suites", NULL);
	g_autofree char *user = g_build_filename(g_get_user_config_dir(), "virtcon", "suites", NULL);
	char **dirs;

	g_strv_builder_add(b, local);
	g_strv_builder_add(b, user);
	if (g_strcmp0(VIRTCON_SUITEDIR, local) != 0)
		g_strv_builder_add(b, VIRTCON_SUITEDIR);
	dirs = g_strv_builder_end(b);
	g_strv_builder_unref(b);
	return dirs;
}

static gboolean is_suite_name(const char *name)
{
	return g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".yml");
}

/* Adds files below dir to out; rel is the path relative to the suite dir ("" at the top). */
static void scan_dir(const char *dir, const char *rel, int depth, GHashTable *seen, GPtrArray *out)
{
	g_autoptr(GDir) d = NULL;
	const char *name;

	if (depth > CATALOG_MAX_DEPTH)
		return;
	d = g_dir_open(dir, 0, NULL);
	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = NULL;
		g_autofree char *relpath = NULL;

		if (name[0] == '.')
			continue;
		path = g_build_filename(dir, name, NULL);
		relpath = *rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			scan_dir(path, relpath, depth + 1, seen, out);
		} else if (is_suite_name(name) && !g_hash_table_contains(seen, relpath)) {
			g_hash_table_add(seen, g_steal_pointer(&relpath));
			g_ptr_array_add(out, g_steal_pointer(&path));
		}
	}
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *catalog_list(void)
{
	g_auto(GStrv) dirs = catalog_dirs();
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (char **d = dirs; *d; d++) {
		guint before = out->len;

		scan_dir(*d, "", 0, seen, out);
		/* sort each directory's part on its own: earlier directories stay first */
		if (out->len > before)
			qsort(out->pdata + before, out->len - before, sizeof(gpointer), compare_paths);
	}
	g_hash_table_unref(seen);
	return out;
}

static gboolean name_matches(const char *path, const char *what)
{
	g_autofree char *base = g_path_get_basename(path);
	char *dot = strrchr(base, '.');
	gsize wl = strlen(what), pl;
	g_autofree char *noext = NULL;

	if (dot)
		*dot = '\0';
	if (g_str_equal(base, what))
		return TRUE;
	/* "demo/host-basics": the tail of the path without extension */
	noext = g_strdup(path);
	dot = strrchr(noext, '.');
	if (dot)
		*dot = '\0';
	pl = strlen(noext);
	return strchr(what, '/') && pl > wl && noext[pl - wl - 1] == '/' && g_str_equal(noext + pl - wl, what);
}

char *catalog_resolve(const char *what, GError **error)
{
	g_autoptr(GPtrArray) all = NULL;
	g_auto(GStrv) dirs = NULL;
	g_autofree char *where = NULL;

	if (g_file_test(what, G_FILE_TEST_IS_REGULAR))
		return g_strdup(what);
	if (g_file_test(what, G_FILE_TEST_EXISTS)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: not a suite file", what);
		return NULL;
	}
	all = catalog_list();
	for (guint i = 0; i < all->len; i++)
		if (name_matches(g_ptr_array_index(all, i), what))
			return g_strdup(g_ptr_array_index(all, i));
	dirs = catalog_dirs();
	where = g_strjoinv(", ", dirs);
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		    "%s: no such suite file, and no suite of that name in %s", what, where);
	return NULL;
}
