/* evlog-gen.c - writes a synthetic RK event log (two VMs, four vCPUs and four tasks each) for benchmarks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/*
 * evlog-gen N_EVENTS [FILE]: the header, each task's first 101, then rounds in time order: a
 * vCPU starts on its physical CPU, its task runs (entering and leaving the global critical
 * section every fourth round), stops, and the vCPU stops. Output is exactly N_EVENTS lines
 * after the header, in "%llu.%09llu, %d, %d, %d, %lu, %lu" as rk_event_log_get writes them.
 */

struct out {
	char *buf;
	size_t len, cap;
	FILE *f;
};

static void flush_out(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		perror("evlog-gen: write");
		exit(1);
	}
	o->len = 0;
}

static char *put_u(char *p, unsigned long long v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void event(struct out *o, unsigned long long t, int type, int cpu, int pid,
		  unsigned long arg1, unsigned long arg2)
{
	char *p;

	if (o->cap - o->len < 128)
		flush_out(o);
	p = o->buf + o->len;
	p = put_u(p, t / 1000000000ULL, 1);
	*p++ = '.';
	p = put_u(p, t % 1000000000ULL, 9);
	*p++ = ',';
	*p++ = ' ';
	p = put_u(p, (unsigned)type, 1);
	*p++ = ',';
	*p++ = ' ';
	p = put_u(p, (unsigned)cpu, 1);
	*p++ = ',';
	*p++ = ' ';
	p = put_u(p, (unsigned)pid, 1);
	*p++ = ',';
	*p++ = ' ';
	p = put_u(p, arg1, 1);
	*p++ = ',';
	*p++ = ' ';
	p = put_u(p, arg2, 1);
	*p++ = '\n';
	o->len = (size_t)(p - o->buf);
}

int main(int argc, char **argv)
{
	static const int vcpu[8] = { 12091, 12092, 12093, 12094, 12196, 12197, 12198, 12199 };
	static const int task[8] = { 2801, 2802, 2803, 2804, 3001, 3002, 3003, 3004 };
	struct out o = { 0 };
	unsigned long long n, emitted = 0, t = 1385571296000000000ULL;
	guint32 x = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: evlog-gen N_EVENTS [FILE]\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	o.f = argc > 2 ? fopen(argv[2], "w") : stdout;
	if (!o.f) {
		perror(argv[2]);
		return 1;
	}
	o.cap = 1 << 20;
	o.buf = malloc(o.cap);
	if (!o.buf)
		return 1;
	memcpy(o.buf, "time, type, cpuid, pid, arg1, arg2\n", 35);
	o.len = 35;
	for (int i = 0; i < 8 && emitted < n; i++, emitted++)
		event(&o, t += 1000, 101, i % 4, vcpu[i], (unsigned long)task[i], 98);
	for (unsigned long long round = 0; emitted < n; round++) {
		int i = (int)(round % 8), cpu = i % 4;
		gboolean cs = round % 4 == 0;
		int k = cs ? 6 : 4;
		int types[6];
		x = x * 1664525u + 1013904223u;
		types[0] = 0;
		types[1] = 100;
		if (cs) {
			types[2] = 102;
			types[3] = 103;
		}
		types[k - 2] = 101;
		types[k - 1] = 1;
		for (int e = 0; e < k && emitted < n; e++, emitted++) {
			t += 1000 + (x >> 20);
			event(&o, t, types[e], cpu, vcpu[i], types[e] >= 100 ? (unsigned long)task[i] : 0,
			      98 - (unsigned long)i);
		}
	}
	flush_out(&o);
	if (o.f != stdout && fclose(o.f) != 0) {
		perror(argv[2]);
		return 1;
	}
	free(o.buf);
	return 0;
}
