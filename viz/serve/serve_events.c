/* serve_events.c — one Server-Sent Events stream over several runs: each
 * run's run.json, then every complete line of its steps.jsonl as it is
 * appended (mg_run_read_lines_fd: a line still being written waits for its
 * newline), until every run has logged its end.
 *
 *     retry: 1000
 *
 *     event: info
 *     data: 0 {"format":"mgviz-run",...}        run 0's run.json
 *
 *     id: 4711,0
 *     data: 0 {"step":3,...}                     a line of run 0; the id is
 *                                                every run's offset after it
 *     : keep-alive                               while nothing happens
 *
 *     event: done                                every run has ended
 *
 * A client that reconnects sends the last id back (Last-Event-ID) and
 * continues where it was; a page that changes its selection passes the
 * offsets it has as from=. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_file.h"
#include "mg_run.h"
#include "serve_internal.h"

enum { BATCH_BYTES = 256 * 1024, NAP_MS = 50 };

typedef struct stream_run {
    char id[SERVE_NAME_MAX + 1];
    int fd;                      /* steps.jsonl; -1 until it exists */
    size_t offset;               /* bytes of it sent */
    bool ended;                  /* its end event was sent */
} stream_run;

struct serve_stream {
    mg_serve *s;
    int n;
    stream_run run[SERVE_STREAM_RUNS];
    mg_buf out;                  /* events formatted, not yet handed out */
    size_t pos;                  /* of out, handed out */
    int reading;                 /* the run whose lines are being read */
    size_t cursor;               /* the offset after the line being read */
    bool done, broken;
    double last_out;             /* monotonic seconds */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the request's runs and offsets ---- */

static bool parse_runs(const char *runs, serve_stream_args *a)
{
    for (const char *p = runs; *p;) {
        size_t k = strcspn(p, "/");
        if (a->n == SERVE_STREAM_RUNS || !serve_name_ok(p, k))
            return false;
        memcpy(a->id[a->n], p, k);
        a->id[a->n][k] = '\0';
        a->n++;
        p += k;
        if (*p == '/' && !*++p)
            return false;
    }
    return a->n > 0;
}

/* "12,0,345": one offset per run, or false. */
static bool parse_offsets(const char *text, size_t *off, int n)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        if (*p < '0' || *p > '9')
            return false;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end - p > 18)
            return false;
        off[i] = (size_t)v;
        p = end;
        if (*p != (i + 1 < n ? ',' : '\0'))
            return false;
        p += *p == ',';
    }
    return true;
}

bool serve_stream_parse(const char *runs, const char *from, const char *last_id,
                        serve_stream_args *a)
{
    memset(a, 0, sizeof *a);
    bool ok = runs && parse_runs(runs, a);
    if (ok && !(last_id && parse_offsets(last_id, a->offset, a->n))) {
        memset(a->offset, 0, sizeof a->offset); /* a bad Last-Event-ID is ignored */
        ok = !from || parse_offsets(from, a->offset, a->n);
    }
    if (!ok)
        errno = EINVAL;
    return ok;
}

/* An offset is valid when it starts a line of the file as it is now. */
static bool starts_line(int fd, size_t offset)
{
    struct stat st;
    char c;
    return offset == 0 ||
           (fstat(fd, &st) == 0 && offset <= (size_t)st.st_size &&
            pread(fd, &c, 1, (off_t)offset - 1) == 1 && c == '\n');
}

/* ---- formatting ---- */

/* "data: K TEXT\n" with line breaks in TEXT made spaces (JSON allows them
 * between tokens; a raw one inside a string was never valid JSON). */
static void data_line(mg_buf *b, int k, const char *text, size_t n)
{
    mg_buf_printf(b, "data: %d ", k);
    size_t start = b->len;
    mg_buf_put(b, text, n);
    for (size_t i = start; !b->failed && i < b->len; i++)
        if (b->p[i] == '\n' || b->p[i] == '\r')
            b->p[i] = ' ';
    mg_buf_puts(b, "\n");
}

static void queue_info(serve_stream *st, int k)
{
    const serve_root *root = serve_root_of(st->s);
    int fd = serve_open(root, st->run[k].id, MG_RUN_INFO_FILE, SERVE_FILE);
    char *info = NULL;
    size_t len = 0;
    if (fd >= 0 && mg_file_read_fd(fd, MG_RUN_INFO_FILE, SERVE_INFO_MAX, &info, &len, NULL) ==
                       MG_OK) {
        mg_buf_puts(&st->out, "event: info\n");
        data_line(&st->out, k, info, len);
        mg_buf_puts(&st->out, "\n");
    }
    free(info);
    if (fd >= 0)
        close(fd);
}

static int queue_line(void *ctx, const char *line, size_t len)
{
    serve_stream *st = ctx;
    stream_run *r = &st->run[st->reading];
    st->cursor += len + 1;
    mg_buf_puts(&st->out, "id: ");
    for (int i = 0; i < st->n; i++)
        mg_buf_printf(&st->out, "%s%zu", i ? "," : "", i == st->reading ? st->cursor : st->run[i].offset);
    mg_buf_puts(&st->out, "\n");
    data_line(&st->out, st->reading, line, len);
    mg_buf_puts(&st->out, "\n");
    /* the writer's end event comes last (mg_run_close) */
    if (strncmp(line, "{\"event\":\"end\"", 14) == 0) {
        r->ended = true;
        return 1;
    }
    return st->out.len >= BATCH_BYTES;
}

/* Reads what the runs' files gained since the last call. */
static void fill(serve_stream *st)
{
    const serve_root *root = serve_root_of(st->s);
    for (int k = 0; k < st->n && st->out.len < BATCH_BYTES; k++) {
        stream_run *r = &st->run[k];
        if (r->ended)
            continue;
        if (r->fd < 0 && (r->fd = serve_open(root, r->id, MG_RUN_STEPS_FILE, SERVE_FILE)) < 0)
            continue;
        struct stat s;
        if (fstat(r->fd, &s) != 0 || (size_t)s.st_size < r->offset) {
            st->broken = true; /* replaced under us: the client starts again */
            return;
        }
        if ((size_t)s.st_size == r->offset)
            continue;
        st->reading = k;
        st->cursor = r->offset;
        size_t offset = r->offset;
        if (mg_run_read_lines_fd(r->fd, &offset, queue_line, st, NULL) != MG_OK) {
            st->broken = true;
            return;
        }
        r->offset = offset;
    }
}

static bool all_ended(const serve_stream *st)
{
    for (int k = 0; k < st->n; k++)
        if (!st->run[k].ended)
            return false;
    return true;
}

/* ---- the stream ---- */

serve_stream *serve_stream_new(mg_serve *s, const char *runs, const char *from,
                               const char *last_id)
{
    serve_stream *st = calloc(1, sizeof *st);
    if (!st) {
        errno = ENOMEM;
        return NULL;
    }
    st->s = s;
    serve_stream_args a;
    if (!serve_stream_parse(runs, from, last_id, &a)) {
        serve_stream_free(st);
        errno = EINVAL;
        return NULL;
    }
    st->n = a.n;
    for (int k = 0; k < st->n; k++) {
        memcpy(st->run[k].id, a.id[k], sizeof st->run[k].id);
        st->run[k].fd = -1;
    }
    const serve_root *root = serve_root_of(s);
    for (int k = 0; k < st->n; k++) {
        int dir = serve_open(root, st->run[k].id, "", SERVE_DIR);
        int e = errno;
        if (dir < 0) {
            serve_stream_free(st);
            errno = e == EINVAL ? EINVAL : ENOENT;
            return NULL;
        }
        close(dir);
        stream_run *r = &st->run[k];
        r->fd = serve_open(root, r->id, MG_RUN_STEPS_FILE, SERVE_FILE);
        r->offset = a.offset[k];
        if (r->offset && (r->fd < 0 || !starts_line(r->fd, r->offset))) {
            serve_stream_free(st);
            errno = EINVAL;
            return NULL;
        }
    }
    mg_buf_puts(&st->out, "retry: 1000\n\n");
    for (int k = 0; k < st->n; k++)
        queue_info(st, k);
    st->last_out = now();
    return st;
}

size_t serve_stream_read(serve_stream *st, char *buf, size_t max, bool *over)
{
    *over = false;
    double keepalive = serve_keepalive_ms(st->s) / 1000.0;
    for (;;) {
        if (st->out.failed)
            st->broken = true;
        if (!st->broken && st->pos < st->out.len) {
            size_t k = st->out.len - st->pos < max ? st->out.len - st->pos : max;
            memcpy(buf, st->out.p + st->pos, k);
            st->pos += k;
            if (st->pos == st->out.len)
                st->pos = st->out.len = 0;
            st->last_out = now();
            return k;
        }
        if (st->broken || st->done || serve_stopping(st->s)) {
            *over = true;
            return 0;
        }
        fill(st);
        if (st->out.len)
            continue;
        if (all_ended(st)) {
            mg_buf_puts(&st->out, "event: done\ndata: \n\n");
            st->done = true;
        } else if (now() - st->last_out >= keepalive) {
            mg_buf_puts(&st->out, ": keep-alive\n\n");
        } else {
            serve_nap(st->s, NAP_MS);
        }
    }
}

void serve_stream_free(serve_stream *st)
{
    if (!st)
        return;
    for (int k = 0; k < st->n; k++)
        if (st->run[k].fd >= 0)
            close(st->run[k].fd);
    mg_buf_free(&st->out);
    free(st);
}
