/* evlog.c - benchmark: load and index a generated 10 M-event RK log, beside mawk counting events by type. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/resource.h>

#include "evlog.h"

/*
 * bench/evlog [N_EVENTS [AWK]]: runs bench/evlog-gen (beside this program) into a temporary
 * file, then times virtcon's load + index of it and AWK (mawk by default) counting the events by
 * type, and prints both, the memory held per event and "ratio: X" (how many times faster
 * virtcon is); then bench/timeline-draw (when built) on the same file prints the timeline
 * pane's redraw times. The file is removed afterwards.
 */

static double now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

/* CPU seconds (user + system) of this process or of its waited-for children. */
static double cpu(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *n_events = argc > 1 ? argv[1] : "10000000";
	const char *awk = argc > 2 ? argv[2] : "mawk";
	g_autofree char *dir = g_path_get_dirname(argv[0]);
	g_autofree char *gen = g_build_filename(dir, "evlog-gen", NULL);
	g_autofree char *tmp = g_dir_make_tmp("virtcon-evlog-bench-XXXXXX", NULL);
	g_autofree char *path = NULL;
	g_autofree char *awk_out = NULL;
	g_autoptr(GError) error = NULL;
	struct evlog_options o;
	const struct evlog_stats *st;
	struct evlog *log;
	struct evlog_cell cells[1000];
	double t0, c0, t_gen, t_load, t_awk, t_query, c_load, c_awk;
	GStatBuf sb;
	int status;
	guint big = 0;

	if (!tmp) {
		fprintf(stderr, "evlog bench: no temporary directory\n");
		return 1;
	}
	path = g_build_filename(tmp, "log_rk_event.txt", NULL);
	{
		char *args[] = { gen, (char *)n_events, path, NULL };
		t0 = now();
		if (!g_spawn_sync(NULL, args, NULL, 0, NULL, NULL, NULL, NULL, &status, &error) ||
		    !g_spawn_check_wait_status(status, &error)) {
			fprintf(stderr, "evlog bench: %s: %s\n", gen, error->message);
			return 1;
		}
		t_gen = now() - t0;
	}
	if (g_stat(path, &sb) != 0)
		return 1;
	printf("log: %s events, %.0f MB, generated in %.2f s\n", n_events, (double)sb.st_size / 1e6,
	       t_gen);

	evlog_options_init(&o);
	o.format = "rk";
	t0 = now();
	c0 = cpu(RUSAGE_SELF);
	log = evlog_new(&o, NULL);
	if (!evlog_load_file(log, path, &error)) {
		fprintf(stderr, "evlog bench: %s\n", error->message);
		return 1;
	}
	evlog_index(log);
	t_load = now() - t0;
	c_load = cpu(RUSAGE_SELF) - c0;
	st = evlog_get_stats(log);
	printf("virtcon load+index: %.3f s wall, %.3f s CPU (%.0f MB/s): %" G_GUINT64_FORMAT
	       " lines, %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " spans in %u tracks, %"
	       G_GUINT64_FORMAT " malformed\n",
	       t_load, c_load, (double)sb.st_size / 1e6 / t_load, st->lines, st->events, st->spans,
	       evlog_n_tracks(log), st->malformed);
	printf("virtcon memory: %.1f MB held, %.2f bytes per event\n", (double)st->bytes_held / 1e6,
	       (double)st->bytes_held / (double)MAX(st->events, 1));

	for (guint i = 1; i < evlog_n_tracks(log); i++) {
		struct evlog_track_info a, b;
		evlog_track_get_info(log, i, &a);
		evlog_track_get_info(log, big, &b);
		if (a.n_spans > b.n_spans)
			big = i;
	}
	t0 = now();
	for (int i = 0; i < 100; i++)
		evlog_query(log, big, st->t_min, st->t_max + 1, 1000, cells);
	t_query = (now() - t0) / 100;
	{
		struct evlog_track_info info;
		evlog_track_get_info(log, big, &info);
		printf("virtcon query: 1000 cells over %zu spans of '%s': %.3f ms\n", info.n_spans,
		       info.name, t_query * 1000);
	}
	evlog_free(log);

	{
		/* the timeline pane's redraw on the same log, when bench/timeline-draw is built */
		g_autofree char *draw = g_build_filename(dir, "timeline-draw", NULL);
		char *args[] = { draw, path, (char *)"rk", NULL };

		if (g_file_test(draw, G_FILE_TEST_IS_EXECUTABLE)) {
			fflush(stdout);
			if (!g_spawn_sync(NULL, args, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
					  &status, &error) || !g_spawn_check_wait_status(status, &error)) {
				fprintf(stderr, "evlog bench: %s: %s\n", draw, error->message);
				g_clear_error(&error);
			}
		} else {
			printf("timeline pane: not measured (make bench/timeline-draw)\n");
		}
	}

	{
		char *args[] = { (char *)awk, (char *)"-F, ",
				 (char *)"NR > 1 { c[$2]++ } END { for (k in c) printf \"%s:%d \", k, c[k]; print \"\" }",
				 path, NULL };
		t0 = now();
		c0 = cpu(RUSAGE_CHILDREN);
		if (!g_spawn_sync(NULL, args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &awk_out, NULL,
				  &status, &error) || !g_spawn_check_wait_status(status, &error)) {
			fprintf(stderr, "evlog bench: %s: %s\n", awk, error ? error->message : "failed");
			return 1;
		}
		t_awk = now() - t0;
		c_awk = cpu(RUSAGE_CHILDREN) - c0;
	}
	printf("%s count by type: %.3f s wall, %.3f s CPU: %s", awk, t_awk, c_awk, awk_out);
	g_unlink(path);
	g_rmdir(tmp);
	/* CPU time: the machine is shared, wall time depends on the neighbours */
	printf("ratio (wall): %.1f\n", t_awk / t_load);
	printf("ratio: %.1f\n", c_awk / c_load);
	return 0;
}
