/* dirtymem.c - testbed guest tool: dirty guest memory at a set rate for dirty-rate and migration tests. */
/*
 * Usage: dirtymem [-r PAGES_PER_SEC] [-q] MIB [SECONDS]
 * Allocates MIB MiB and writes one word into each 4 KiB page, round and round,
 * for SECONDS (0 or absent: until killed), at most PAGES_PER_SEC pages a second
 * (0 or absent: as fast as it can).  Prints the achieved rate once a second
 * unless -q, and a total at the end.  Built static by tools/mkguest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: dirtymem [-r PAGES_PER_SEC] [-q] MIB [SECONDS]\n");
}

int main(int argc, char **argv)
{
	unsigned long rate = 0, mib, secs = 0, npages, i = 0, round = 0;
	unsigned long long total = 0, last_total = 0;
	int opt, quiet = 0;
	uint8_t *mem;
	double start, last, t;
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "r:qh")) != -1) {
		switch (opt) {
		case 'r':
			if (parse_count(optarg, &rate) != 0) {
				fprintf(stderr, "dirtymem: bad rate '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc || parse_count(argv[optind], &mib) != 0 || mib == 0 ||
	    mib > 1024UL * 1024UL ||
	    (optind + 1 < argc && parse_count(argv[optind + 1], &secs) != 0)) {
		usage();
		return 2;
	}
	npages = mib * 1024UL * 1024UL / PAGE;
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "dirtymem: cannot map %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	start = last = now_seconds();
	while (!stop_requested) {
		/* a batch of up to 256 pages between clock reads */
		unsigned long batch = 256, k;

		for (k = 0; k < batch; k++) {
			mem[i * PAGE + (round % (PAGE / 8)) * 8]++;
			if (++i == npages) {
				i = 0;
				round++;
			}
		}
		total += batch;
		t = now_seconds();
		if (rate > 0) {
			double due = start + (double)total / (double)rate;

			if (due > t) {
				struct timespec ts;
				double d = due - t;

				ts.tv_sec = (time_t)d;
				ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				t = now_seconds();
			}
		}
		if (t - last >= 1.0) {
			if (!quiet)
				printf("dirtymem: %.0f pages/s\n",
				       (double)(total - last_total) / (t - last));
			fflush(stdout);
			last = t;
			last_total = total;
		}
		if (secs > 0 && t - start >= (double)secs)
			break;
	}
	t = now_seconds();
	printf("dirtymem: %llu pages in %.1f s (%.0f pages/s, %lu MiB)\n", total, t - start,
	       (double)total / (t - start > 0 ? t - start : 1), mib);
	return 0;
}
