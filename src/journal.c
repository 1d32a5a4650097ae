/* journal.c - the append-only, crash-safe JSON Lines session journal: writing and reading back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "journal.h"

G_DEFINE_QUARK(virtcon-journal-error-quark, journal_error)

#define MASK "********"
#define MASK_LEN (sizeof(MASK) - 1)

/* Output not yet written for one (step, stream): a possible start of a secret or of a UTF-8
 * sequence that the next chunk completes. Flushed at step end. */
struct journal_carry {
	guint step;
	char *stream;
	GString *bytes;
};

struct journal {
	char *path;
	int fd;
	gint64 mono0;       /* g_get_monotonic_time() at open */
	GError *error;      /* the first write error */
	GPtrArray *secrets; /* char * */
	gsize max_secret_len;
	GArray *next_match; /* gsize per secret: scratch for mask_into() */
	GString *line;      /* the record being built (reused) */
	GString *scratch;   /* masked text of a string field (reused) */
	GString *outbuf;    /* masked output bytes (reused) */
	GPtrArray *carries; /* struct journal_carry * */
	gint64 wall_secs;   /* the second that wall_prefix holds */
	char wall_prefix[32];

	/* fdatasync runs on its own thread, so the loop never waits for the disk at a step
	 * boundary; requests made while one runs are covered by the next (one per burst). The
	 * records are written by the loop thread with write(2) at once: a killed process loses
	 * nothing; the thread bounds what a power cut can take to the step in flight. */
	GThread *syncer;
	GMutex sync_lock;
	GCond sync_cond;
	guint64 sync_requested; /* under sync_lock */
	guint64 sync_done;      /* under sync_lock */
	int sync_errno;         /* under sync_lock: the syncer's first failure */
	gboolean sync_stop;     /* under sync_lock */
};

/* ---- writing ---- */

static gpointer syncer_main(gpointer data);

static void journal_set_error(struct journal *journal, const char *what, int errnum)
{
	if (journal->error)
		return;
	g_set_error(&journal->error, JOURNAL_ERROR, JOURNAL_ERROR_IO, "%s: %s failed: %s", journal->path, what,
		    g_strerror(errnum));
}

struct journal *journal_open(const char *path, GError **error)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		int errnum = errno;
		g_set_error(error, JOURNAL_ERROR, JOURNAL_ERROR_IO, "%s: cannot open the journal: %s", path,
			    g_strerror(errnum));
		return NULL;
	}
	/* appending to a journal whose last write was cut (a kill in mid-write): end that
	 * fragment's line, so it stays one bad line and the new records parse */
	{
		struct stat st;
		char last;

		if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
		    last != '\n' && write(fd, "\n", 1) != 1) {
			int errnum = errno;

			close(fd);
			g_set_error(error, JOURNAL_ERROR, JOURNAL_ERROR_IO, "%s: cannot append to the journal: %s",
				    path, g_strerror(errnum));
			return NULL;
		}
	}
	struct journal *journal = g_new0(struct journal, 1);
	journal->path = g_strdup(path);
	journal->fd = fd;
	journal->mono0 = g_get_monotonic_time();
	journal->secrets = g_ptr_array_new_with_free_func(g_free);
	journal->next_match = g_array_new(FALSE, TRUE, sizeof(gsize));
	journal->line = g_string_sized_new(8192);
	journal->scratch = g_string_sized_new(1024);
	journal->outbuf = g_string_sized_new(8192);
	journal->carries = g_ptr_array_new();
	journal->wall_secs = -1;
	g_mutex_init(&journal->sync_lock);
	g_cond_init(&journal->sync_cond);
	journal->syncer = g_thread_new("journal-sync", syncer_main, journal);
	return journal;
}

const char *journal_path(const struct journal *journal)
{
	return journal->path;
}

const GError *journal_error(const struct journal *journal)
{
	return journal->error;
}

void journal_add_secret(struct journal *journal, const char *value)
{
	if (!value || !*value)
		return;
	for (guint i = 0; i < journal->secrets->len; i++)
		if (strcmp(journal->secrets->pdata[i], value) == 0)
			return;
	g_ptr_array_add(journal->secrets, g_strdup(value));
	journal->max_secret_len = MAX(journal->max_secret_len, strlen(value));
}

/* Appends s[0..len) to out with secrets replaced, taking only matches that start before limit
 * (leftmost first, longest on a tie). Returns how far s was consumed: limit, or the end of a
 * match that runs past limit. */
static gsize mask_into(struct journal *journal, GString *out, const char *s, gsize len, gsize limit)
{
	guint n = journal->secrets->len;
	gsize pos = 0;

	if (n == 0) {
		g_string_append_len(out, s, (gssize)limit);
		return limit;
	}
	/* next[i]: where secret i occurs next at or after pos (G_MAXSIZE: nowhere); searched again
	 * only when a match moved pos past it */
	g_array_set_size(journal->next_match, n);
	gsize *next = (gsize *)(void *)journal->next_match->data;
	gboolean first = TRUE;
	while (pos < limit) {
		gsize best = G_MAXSIZE, best_len = 0;
		for (guint i = 0; i < n; i++) {
			const char *secret = journal->secrets->pdata[i];
			gsize slen = strlen(secret);
			if (first || (next[i] != G_MAXSIZE && next[i] < pos)) {
				const char *m = len - pos >= slen ? memmem(s + pos, len - pos, secret, slen) : NULL;
				next[i] = m ? (gsize)(m - s) : G_MAXSIZE;
			}
			if (next[i] < best || (next[i] == best && next[i] != G_MAXSIZE && slen > best_len)) {
				best = next[i];
				best_len = slen;
			}
		}
		first = FALSE;
		if (best >= limit)
			break;
		g_string_append_len(out, s + pos, (gssize)(best - pos));
		g_string_append_len(out, MASK, MASK_LEN);
		pos = best + best_len;
	}
	if (pos < limit) {
		g_string_append_len(out, s + pos, (gssize)(limit - pos));
		pos = limit;
	}
	return pos;
}

/* Where the bytes that may begin a secret continued by the next chunk start: the smallest p such
 * that s[p..len) is a proper prefix of a secret (len when there is none). */
static gsize secret_hold_start(const struct journal *journal, const char *s, gsize len)
{
	if (journal->max_secret_len < 2)
		return len;
	gsize from = len > journal->max_secret_len - 1 ? len - (journal->max_secret_len - 1) : 0;
	for (gsize p = from; p < len; p++) {
		for (guint i = 0; i < journal->secrets->len; i++) {
			const char *secret = journal->secrets->pdata[i];
			if (strlen(secret) > len - p && memcmp(s + p, secret, len - p) == 0)
				return p;
		}
	}
	return len;
}

/* How many bytes at the end of s form the start of a UTF-8 sequence that is not complete yet. */
static gsize utf8_incomplete_tail(const char *s, gsize len)
{
	for (gsize k = 1; k <= 3 && k <= len; k++) {
		unsigned char c = (unsigned char)s[len - k];
		if (c >= 0x80 && c < 0xc0)
			continue; /* a continuation byte: look further back */
		gsize need = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

static const char json_hex[] = "0123456789abcdef";

/* Appends s (valid UTF-8) as a JSON string. */
static void json_put_string_raw(GString *out, const char *s, gsize len)
{
	gsize start = 0;
	g_string_append_c(out, '"');
	for (gsize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (G_LIKELY(c >= 0x20 && c != '"' && c != '\\'))
			continue;
		g_string_append_len(out, s + start, (gssize)(i - start));
		start = i + 1;
		switch (c) {
		case '"': g_string_append_len(out, "\\\"", 2); break;
		case '\\': g_string_append_len(out, "\\\\", 2); break;
		case '\n': g_string_append_len(out, "\\n", 2); break;
		case '\r': g_string_append_len(out, "\\r", 2); break;
		case '\t': g_string_append_len(out, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', json_hex[c >> 4], json_hex[c & 15] };
			g_string_append_len(out, u, 6);
		}
		}
	}
	g_string_append_len(out, s + start, (gssize)(len - start));
	g_string_append_c(out, '"');
}

/* Appends s as a JSON string with secrets masked; invalid UTF-8 becomes U+FFFD. NULL: null. */
static void json_put_string(struct journal *journal, GString *out, const char *s)
{
	if (!s) {
		g_string_append_len(out, "null", 4);
		return;
	}
	gsize len = strlen(s);
	GString *masked = journal->scratch;
	g_string_truncate(masked, 0);
	mask_into(journal, masked, s, len, len);
	if (g_utf8_validate_len(masked->str, masked->len, NULL)) {
		json_put_string_raw(out, masked->str, masked->len);
	} else {
		g_autofree char *valid = g_utf8_make_valid(masked->str, (gssize)masked->len);
		json_put_string_raw(out, valid, strlen(valid));
	}
}

static void json_put_key(GString *out, const char *key)
{
	g_string_append_c(out, ',');
	g_string_append_c(out, '"');
	g_string_append(out, key);
	g_string_append_len(out, "\":", 2);
}

static void json_put_str_member(struct journal *journal, const char *key, const char *value)
{
	json_put_key(journal->line, key);
	json_put_string(journal, journal->line, value);
}

static void json_put_int_member(struct journal *journal, const char *key, gint64 value)
{
	json_put_key(journal->line, key);
	g_string_append_printf(journal->line, "%" G_GINT64_FORMAT, value);
}

static void put_two(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* Starts a record in journal->line: {"type":..,"wall":..,"mono_us":.. */
static void record_begin(struct journal *journal, const char *type)
{
	gint64 now = g_get_real_time();
	gint64 mono = g_get_monotonic_time() - journal->mono0;
	gint64 secs = now / G_USEC_PER_SEC;
	int usec = (int)(now % G_USEC_PER_SEC);
	if (usec < 0) {
		usec += G_USEC_PER_SEC;
		secs--;
	}
	if (secs != journal->wall_secs) {
		time_t t = (time_t)secs;
		struct tm tm;
		gmtime_r(&t, &tm);
		g_snprintf(journal->wall_prefix, sizeof journal->wall_prefix, "%04d-%02d-%02dT%02d:%02d:%02d.",
			   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		journal->wall_secs = secs;
	}
	char frac[8];
	put_two(frac, usec / 10000);
	put_two(frac + 2, usec / 100 % 100);
	put_two(frac + 4, usec % 100);
	frac[6] = 'Z';
	frac[7] = '"';

	GString *out = journal->line;
	g_string_truncate(out, 0);
	g_string_append_len(out, "{\"type\":\"", 9);
	g_string_append(out, type);
	g_string_append_len(out, "\",\"wall\":\"", 10);
	g_string_append(out, journal->wall_prefix);
	g_string_append_len(out, frac, 8);
	g_string_append_printf(out, ",\"mono_us\":%" G_GINT64_FORMAT, mono);
}

/* Ends the record and writes it with one write(2) (the rest again after a partial write). */
static void record_end(struct journal *journal)
{
	GString *out = journal->line;
	g_string_append_len(out, "}\n", 2);
	const char *p = out->str;
	gsize left = out->len;
	while (left > 0) {
		ssize_t n = write(journal->fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			journal_set_error(journal, "write", errno);
			return;
		}
		if (n == 0) {
			journal_set_error(journal, "write", EIO);
			return;
		}
		p += n;
		left -= (gsize)n;
	}
}

static gpointer syncer_main(gpointer data)
{
	struct journal *journal = data;

	g_mutex_lock(&journal->sync_lock);
	for (;;) {
		guint64 target;
		int err = 0;

		while (journal->sync_done == journal->sync_requested && !journal->sync_stop)
			g_cond_wait(&journal->sync_cond, &journal->sync_lock);
		if (journal->sync_done == journal->sync_requested)
			break; /* stop, with nothing left to sync */
		target = journal->sync_requested;
		g_mutex_unlock(&journal->sync_lock);
		while (fdatasync(journal->fd) < 0) {
			if (errno != EINTR) {
				err = errno;
				break;
			}
		}
		g_mutex_lock(&journal->sync_lock);
		if (err && !journal->sync_errno)
			journal->sync_errno = err;
		journal->sync_done = target;
		g_cond_broadcast(&journal->sync_cond);
	}
	g_mutex_unlock(&journal->sync_lock);
	return NULL;
}

/* Asks for an fdatasync of everything written so far; with wait, returns once it is done. */
static void journal_sync_full(struct journal *journal, gboolean wait)
{
	guint64 target;
	int err;

	g_mutex_lock(&journal->sync_lock);
	if (!journal->syncer) {
		g_mutex_unlock(&journal->sync_lock);
		return;
	}
	target = ++journal->sync_requested;
	g_cond_broadcast(&journal->sync_cond);
	while (wait && journal->sync_done < target)
		g_cond_wait(&journal->sync_cond, &journal->sync_lock);
	err = journal->sync_errno;
	g_mutex_unlock(&journal->sync_lock);
	if (err)
		journal_set_error(journal, "fdatasync", err);
}

static void journal_sync(struct journal *journal)
{
	journal_sync_full(journal, FALSE);
}

static void record_step(struct journal *journal, const char *type, guint step)
{
	record_begin(journal, type);
	json_put_int_member(journal, "step", step);
}

/* Writes one output record of bytes that are already masked. */
static void write_output(struct journal *journal, guint step, const char *stream, const char *data, gsize len)
{
	if (len == 0)
		return;
	record_step(journal, "output", step);
	json_put_str_member(journal, "stream", stream);
	if (g_utf8_validate_len(data, len, NULL)) {
		json_put_key(journal->line, "data");
		json_put_string_raw(journal->line, data, len);
	} else {
		json_put_key(journal->line, "data_b64");
		g_string_append_c(journal->line, '"');
		/* base64 in place: g_base64_encode_step into the line's spare room */
		gsize at = journal->line->len;
		g_string_set_size(journal->line, at + (len / 3 + 1) * 4 + 4 + len / 72 + 1);
		gint state = 0, save = 0;
		gsize n = g_base64_encode_step((const guchar *)data, len, FALSE, journal->line->str + at, &state, &save);
		n += g_base64_encode_close(FALSE, journal->line->str + at + n, &state, &save);
		g_string_truncate(journal->line, at + n);
		g_string_append_c(journal->line, '"');
	}
	record_end(journal);
}

static struct journal_carry *carry_find(struct journal *journal, guint step, const char *stream, gboolean create)
{
	for (guint i = 0; i < journal->carries->len; i++) {
		struct journal_carry *c = journal->carries->pdata[i];
		if (c->step == step && strcmp(c->stream, stream) == 0)
			return c;
	}
	if (!create)
		return NULL;
	struct journal_carry *c = g_new0(struct journal_carry, 1);
	c->step = step;
	c->stream = g_strdup(stream);
	c->bytes = g_string_new(NULL);
	g_ptr_array_add(journal->carries, c);
	return c;
}

static void carry_free(struct journal_carry *c)
{
	g_free(c->stream);
	g_string_free(c->bytes, TRUE);
	g_free(c);
}

/* Writes out what the carries hold (of one step, or of all when step < 0). */
static void carries_flush(struct journal *journal, gint64 step)
{
	for (guint i = 0; i < journal->carries->len;) {
		struct journal_carry *c = journal->carries->pdata[i];
		if (step >= 0 && c->step != (guint)step) {
			i++;
			continue;
		}
		GString *masked = journal->outbuf;
		g_string_truncate(masked, 0);
		mask_into(journal, masked, c->bytes->str, c->bytes->len, c->bytes->len);
		write_output(journal, c->step, c->stream, masked->str, masked->len);
		g_ptr_array_remove_index_fast(journal->carries, i);
		carry_free(c);
	}
}

void journal_output(struct journal *journal, guint step, const char *stream, const char *data, gsize len)
{
	if (!journal || len == 0)
		return;
	if (!stream)
		stream = "out";
	struct journal_carry *carry = carry_find(journal, step, stream, FALSE);
	const char *s = data;
	gsize slen = len;
	GString *joined = NULL;
	if (carry && carry->bytes->len > 0) {
		joined = carry->bytes;
		g_string_append_len(joined, data, (gssize)len);
		s = joined->str;
		slen = joined->len;
	}

	GString *out = journal->outbuf;
	g_string_truncate(out, 0);
	gsize consumed = mask_into(journal, out, s, slen, secret_hold_start(journal, s, slen));
	gsize partial = utf8_incomplete_tail(out->str, out->len);
	if (partial > 0 && g_utf8_validate_len(out->str, out->len - partial, NULL)) {
		g_string_truncate(out, out->len - partial);
		consumed -= partial;
	}
	write_output(journal, step, stream, out->str, out->len);

	if (consumed < slen) {
		if (!carry)
			carry = carry_find(journal, step, stream, TRUE);
		if (joined)
			g_string_erase(joined, 0, (gssize)consumed);
		else
			g_string_append_len(carry->bytes, s + consumed, (gssize)(slen - consumed));
	} else if (carry) {
		g_string_truncate(carry->bytes, 0);
	}
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void journal_session_start(struct journal *journal, const char *suite_file, const char *suite_name,
			   const char *title, guint n_steps, GHashTable *vars)
{
	if (!journal)
		return;
	record_begin(journal, "session");
	json_put_str_member(journal, "suite_file", suite_file);
	json_put_str_member(journal, "suite", suite_name);
	json_put_str_member(journal, "title", title);
	json_put_int_member(journal, "n_steps", n_steps);
	json_put_key(journal->line, "vars");
	g_string_append_c(journal->line, '{');
	if (vars) {
		g_autofree gpointer *keys = g_hash_table_get_keys_as_array(vars, NULL);
		guint n = g_hash_table_size(vars);
		qsort(keys, n, sizeof *keys, compare_keys);
		for (guint i = 0; i < n; i++) {
			if (i > 0)
				g_string_append_c(journal->line, ',');
			json_put_string(journal, journal->line, keys[i]);
			g_string_append_c(journal->line, ':');
			json_put_string(journal, journal->line, g_hash_table_lookup(vars, keys[i]));
		}
	}
	g_string_append_c(journal->line, '}');
	json_put_str_member(journal, "hostname", g_get_host_name());
	json_put_str_member(journal, "version", PACKAGE_VERSION);
	json_put_int_member(journal, "pid", (gint64)getpid());
	record_end(journal);
	journal_sync(journal);
}

void journal_step_start(struct journal *journal, guint step, const char *name, const char *on,
			const char *kind, const char *command)
{
	if (!journal)
		return;
	record_step(journal, "step-start", step);
	json_put_str_member(journal, "name", name);
	json_put_str_member(journal, "on", on);
	json_put_str_member(journal, "kind", kind);
	json_put_str_member(journal, "command", command);
	record_end(journal);
}

void journal_input(struct journal *journal, guint step, const char *what, const char *data)
{
	if (!journal)
		return;
	record_step(journal, "input", step);
	json_put_str_member(journal, "what", what);
	json_put_str_member(journal, "data", data);
	record_end(journal);
}

void journal_verdict(struct journal *journal, guint step, const char *verdict, const char *note)
{
	if (!journal)
		return;
	record_step(journal, "verdict", step);
	json_put_str_member(journal, "verdict", verdict);
	json_put_str_member(journal, "note", note);
	record_end(journal);
}

void journal_note(struct journal *journal, guint step, const char *text)
{
	if (!journal)
		return;
	record_step(journal, "note", step);
	json_put_str_member(journal, "text", text);
	record_end(journal);
}

void journal_sample(struct journal *journal, gint step, const char *source, const char *json)
{
	if (!journal)
		return;
	record_begin(journal, "sample");
	if (step >= 0)
		json_put_int_member(journal, "step", step);
	json_put_str_member(journal, "source", source);
	/* Embedded as an object when it is one (re-generated on one line, masked, still valid);
	 * else kept as text in "data_text". */
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autofree char *compact = NULL;
	if (json && json_parser_load_from_data(parser, json, -1, NULL) && json_parser_get_root(parser) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_autoptr(JsonGenerator) gen = json_generator_new();
		json_generator_set_root(gen, json_parser_get_root(parser));
		compact = json_generator_to_data(gen, NULL);
		GString *masked = journal->outbuf;
		g_string_truncate(masked, 0);
		mask_into(journal, masked, compact, strlen(compact), strlen(compact));
		if (strchr(masked->str, '\n') || !json_parser_load_from_data(parser, masked->str, (gssize)masked->len, NULL)) {
			g_clear_pointer(&compact, g_free);
		} else {
			json_put_key(journal->line, "data");
			g_string_append_len(journal->line, masked->str, (gssize)masked->len);
		}
	}
	if (!compact)
		json_put_str_member(journal, "data_text", json);
	record_end(journal);
}

void journal_step_end(struct journal *journal, guint step, const char *status, int exit_status,
		      const char *reason, gint64 duration_us)
{
	if (!journal)
		return;
	carries_flush(journal, step);
	record_step(journal, "step-end", step);
	json_put_str_member(journal, "status", status);
	if (exit_status >= 0)
		json_put_int_member(journal, "exit", exit_status);
	if (reason)
		json_put_str_member(journal, "reason", reason);
	json_put_int_member(journal, "duration_us", duration_us);
	record_end(journal);
	journal_sync(journal);
}

void journal_session_end(struct journal *journal, const char *result, guint passed, guint failed,
			 guint skipped, guint blocked, guint errors)
{
	if (!journal)
		return;
	carries_flush(journal, -1);
	record_begin(journal, "session-end");
	json_put_str_member(journal, "result", result);
	json_put_int_member(journal, "passed", passed);
	json_put_int_member(journal, "failed", failed);
	json_put_int_member(journal, "skipped", skipped);
	json_put_int_member(journal, "blocked", blocked);
	json_put_int_member(journal, "errors", errors);
	record_end(journal);
	journal_sync_full(journal, TRUE);
}

void journal_close(struct journal *journal)
{
	if (!journal)
		return;
	carries_flush(journal, -1);
	journal_sync_full(journal, TRUE);
	g_mutex_lock(&journal->sync_lock);
	journal->sync_stop = TRUE;
	g_cond_broadcast(&journal->sync_cond);
	g_mutex_unlock(&journal->sync_lock);
	g_thread_join(journal->syncer);
	g_mutex_clear(&journal->sync_lock);
	g_cond_clear(&journal->sync_cond);
	if (close(journal->fd) < 0 && errno != EINTR)
		journal_set_error(journal, "close", errno);
	g_ptr_array_free(journal->carries, TRUE);
	g_ptr_array_free(journal->secrets, TRUE);
	g_array_free(journal->next_match, TRUE);
	g_string_free(journal->line, TRUE);
	g_string_free(journal->scratch, TRUE);
	g_string_free(journal->outbuf, TRUE);
	g_clear_error(&journal->error);
	g_free(journal->path);
	g_free(journal);
}

/* ---- reading ---- */

#define READ_LINE_MAX (16 * 1024 * 1024) /* longer lines are skipped as bad */

struct reader {
	struct journal_log *log;
	JsonParser *parser;
	GString *line;
	gboolean overlong;
	gboolean have_session;
	gint64 last_mono;
};

static void step_free(struct journal_step *step)
{
	if (!step)
		return;
	g_free(step->name);
	g_free(step->on);
	g_free(step->kind);
	g_free(step->command);
	g_free(step->status);
	g_free(step->reason);
	g_free(step->wall_start);
	g_string_free(step->output, TRUE);
	g_free(step->verdict);
	g_free(step->verdict_note);
	g_ptr_array_free(step->notes, TRUE);
	g_ptr_array_free(step->edits, TRUE);
	g_free(step);
}

static struct journal_step *step_new(guint index)
{
	struct journal_step *step = g_new0(struct journal_step, 1);
	step->index = index;
	step->name = g_strdup("");
	step->exit_status = -1;
	step->output = g_string_new(NULL);
	step->notes = g_ptr_array_new_with_free_func(g_free);
	step->edits = g_ptr_array_new_with_free_func(g_free);
	return step;
}

void journal_log_free(struct journal_log *log)
{
	if (!log)
		return;
	g_free(log->path);
	g_free(log->suite_file);
	g_free(log->suite_name);
	g_free(log->title);
	g_free(log->hostname);
	g_free(log->wall_start);
	g_free(log->wall_end);
	g_free(log->result);
	g_free(log->version);
	g_ptr_array_free(log->steps, TRUE);
	g_free(log);
}

static const char *member_str(JsonObject *obj, const char *name)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

static gint64 member_int(JsonObject *obj, const char *name, gint64 fallback)
{
	JsonNode *node = json_object_get_member(obj, name);
	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return fallback;
	return json_node_get_int(node);
}

static void set_str(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
}

/* The step a record is about, created (with placeholders before it) when first seen. */
static struct journal_step *reader_step(struct reader *r, JsonObject *obj)
{
	gint64 index = member_int(obj, "step", -1);
	if (index < 0 || index >= JOURNAL_MAX_STEPS)
		return NULL;
	GPtrArray *steps = r->log->steps;
	while (steps->len <= (guint)index)
		g_ptr_array_add(steps, step_new(steps->len));
	return steps->pdata[index];
}

static void output_append(struct journal_step *step, const char *data, gsize len)
{
	g_string_append_len(step->output, data, (gssize)len);
	if (step->output->len > 2 * JOURNAL_OUTPUT_KEEP) {
		g_string_erase(step->output, 0, (gssize)(step->output->len - JOURNAL_OUTPUT_KEEP));
		step->output_truncated = TRUE;
	}
}

static void reader_record(struct reader *r, JsonObject *obj, const char *type)
{
	struct journal_log *log = r->log;
	gint64 mono = member_int(obj, "mono_us", -1);
	if (mono > r->last_mono)
		r->last_mono = mono;

	if (strcmp(type, "session") == 0) {
		if (r->have_session)
			return; /* the first session record describes the journal */
		r->have_session = TRUE;
		set_str(&log->suite_file, member_str(obj, "suite_file"));
		set_str(&log->suite_name, member_str(obj, "suite"));
		set_str(&log->title, member_str(obj, "title"));
		set_str(&log->hostname, member_str(obj, "hostname"));
		set_str(&log->version, member_str(obj, "version"));
		set_str(&log->wall_start, member_str(obj, "wall"));
		gint64 n = member_int(obj, "n_steps", 0);
		log->n_steps = (guint)CLAMP(n, 0, JOURNAL_MAX_STEPS);
		return;
	}
	if (strcmp(type, "session-end") == 0) {
		log->complete = TRUE;
		set_str(&log->result, member_str(obj, "result"));
		set_str(&log->wall_end, member_str(obj, "wall"));
		return;
	}

	struct journal_step *step = reader_step(r, obj);
	if (!step)
		return;
	if (strcmp(type, "step-start") == 0) {
		if (step->started) { /* run again: the last run wins; verdict, notes and edits stay */
			g_clear_pointer(&step->status, g_free);
			g_clear_pointer(&step->reason, g_free);
			step->exit_status = -1;
			step->duration_us = 0;
			g_string_truncate(step->output, 0);
			step->output_truncated = FALSE;
		}
		const char *name = member_str(obj, "name");
		set_str(&step->name, name ? name : "");
		set_str(&step->on, member_str(obj, "on"));
		set_str(&step->kind, member_str(obj, "kind"));
		set_str(&step->command, member_str(obj, "command"));
		set_str(&step->wall_start, member_str(obj, "wall"));
		step->start_us = MAX(mono, 0);
		step->started = TRUE;
		step->runs++;
	} else if (strcmp(type, "output") == 0) {
		const char *data = member_str(obj, "data");
		const char *b64 = member_str(obj, "data_b64");
		if (data) {
			output_append(step, data, strlen(data));
		} else if (b64) {
			gsize n = 0;
			g_autofree guchar *raw = g_base64_decode(b64, &n);
			output_append(step, (const char *)raw, n);
		}
	} else if (strcmp(type, "input") == 0) {
		const char *what = member_str(obj, "what");
		const char *data = member_str(obj, "data");
		if (what && data && strcmp(what, "edit") == 0)
			g_ptr_array_add(step->edits, g_strdup(data));
	} else if (strcmp(type, "verdict") == 0) {
		set_str(&step->verdict, member_str(obj, "verdict"));
		set_str(&step->verdict_note, member_str(obj, "note"));
	} else if (strcmp(type, "note") == 0) {
		const char *text = member_str(obj, "text");
		if (text)
			g_ptr_array_add(step->notes, g_strdup(text));
	} else if (strcmp(type, "step-end") == 0) {
		const char *status = member_str(obj, "status");
		set_str(&step->status, status ? status : "error");
		gint64 exit_status = member_int(obj, "exit", -1);
		step->exit_status = exit_status >= 0 && exit_status <= G_MAXINT ? (int)exit_status : -1;
		set_str(&step->reason, member_str(obj, "reason"));
		step->duration_us = MAX(member_int(obj, "duration_us", 0), 0);
	}
	/* sample and unknown types: not needed by the exports */
}

static void reader_line(struct reader *r, const char *s, gsize len, gboolean overlong)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	if (len == 0 && !overlong)
		return;
	if (overlong || !json_parser_load_from_data(r->parser, s, (gssize)len, NULL)) {
		r->log->bad_lines++;
		return;
	}
	JsonNode *root = json_parser_get_root(r->parser);
	const char *type = NULL;
	if (!root || !JSON_NODE_HOLDS_OBJECT(root) || !(type = member_str(json_node_get_object(root), "type"))) {
		r->log->bad_lines++;
		return;
	}
	reader_record(r, json_node_get_object(root), type);
}

static void reader_feed(struct reader *r, const char *data, gsize len)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		gsize seg = nl ? (gsize)(nl - data) : len;
		if (!r->overlong) {
			if (r->line->len + seg > READ_LINE_MAX) {
				r->overlong = TRUE;
				g_string_truncate(r->line, 0);
			} else if (nl && r->line->len == 0) {
				reader_line(r, data, seg, FALSE); /* a whole line in data: no copy */
				data += seg + 1;
				len -= seg + 1;
				continue;
			} else {
				g_string_append_len(r->line, data, (gssize)seg);
			}
		}
		if (!nl)
			return;
		reader_line(r, r->line->str, r->line->len, r->overlong);
		g_string_truncate(r->line, 0);
		r->overlong = FALSE;
		data += seg + 1;
		len -= seg + 1;
	}
}

static void reader_init(struct reader *r, const char *name)
{
	memset(r, 0, sizeof *r);
	r->log = g_new0(struct journal_log, 1);
	r->log->path = g_strdup(name);
	r->log->steps = g_ptr_array_new_with_free_func((GDestroyNotify)step_free);
	r->parser = json_parser_new_immutable();
	r->line = g_string_new(NULL);
	r->last_mono = 0;
}

static struct journal_log *reader_finish(struct reader *r, const char *name, GError **error)
{
	if (r->line->len > 0 || r->overlong)
		reader_line(r, r->line->str, r->line->len, r->overlong); /* no final newline */
	g_string_free(r->line, TRUE);
	g_object_unref(r->parser);
	struct journal_log *log = r->log;
	if (!r->have_session) {
		g_set_error(error, JOURNAL_ERROR, JOURNAL_ERROR_FORMAT,
			    "%s: not a virtcon journal (no session record found%s)", name,
			    log->bad_lines ? ", and some lines are not JSON" : "");
		journal_log_free(log);
		return NULL;
	}
	while (log->steps->len < log->n_steps)
		g_ptr_array_add(log->steps, step_new(log->steps->len));
	for (guint i = 0; i < log->steps->len; i++) {
		struct journal_step *step = log->steps->pdata[i];
		if (step->started && !step->status) /* never ended: how long it ran before the journal stops */
			step->duration_us = MAX(r->last_mono - step->start_us, 0);
		if (step->output->len > JOURNAL_OUTPUT_KEEP) {
			g_string_erase(step->output, 0, (gssize)(step->output->len - JOURNAL_OUTPUT_KEEP));
			step->output_truncated = TRUE;
		}
	}
	log->duration_us = r->last_mono;
	return log;
}

struct journal_log *journal_read_data(const char *data, gsize len, const char *name, GError **error)
{
	struct reader r;
	reader_init(&r, name);
	reader_feed(&r, data, len);
	return reader_finish(&r, name, error);
}

struct journal_log *journal_read(const char *path, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int errnum = errno;
		g_set_error(error, JOURNAL_ERROR, JOURNAL_ERROR_IO, "%s: cannot open the journal: %s", path,
			    g_strerror(errnum));
		return NULL;
	}
	struct reader r;
	reader_init(&r, path);
	g_autofree char *buf = g_malloc(65536);
	for (;;) {
		ssize_t n = read(fd, buf, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int errnum = errno;
			close(fd);
			g_set_error(error, JOURNAL_ERROR, JOURNAL_ERROR_IO, "%s: cannot read the journal: %s", path,
				    g_strerror(errnum));
			journal_log_free(reader_finish(&r, path, NULL));
			return NULL;
		}
		if (n == 0)
			break;
		reader_feed(&r, buf, (gsize)n);
	}
	close(fd);
	return reader_finish(&r, path, error);
}
