/* serve_internal.h — the pieces of mg_serve.h, shared by viz/serve/serve*.c and
 * the tests and fuzz harness only.
 *
 * A request goes: serve.c (the daemon, the method, the Host header, the
 * route) -> serve_path.c (which file under the root, opened without
 * following a link out of it) -> serve_runs.c (the runs list), serve_events.c
 * (the event stream) or serve_files.c (a run's file). */
#ifndef SERVE_INTERNAL_H
#define SERVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "mg_buf.h"
#include "mg_serve.h"

enum {
    SERVE_NAME_MAX = 255,        /* a run id, a path component */
    SERVE_PATH_MAX = 1024,       /* a path under a run */
    SERVE_STREAM_RUNS = 32,      /* runs in one event stream */
    SERVE_LIST_MAX = 2000,       /* runs listed */
    SERVE_INFO_MAX = 256 * 1024, /* bytes of a run.json read */
};

/* ---- serve_path.c: the root and what may be opened under it ---- */

typedef struct serve_root {
    int fd;                      /* the root directory */
    char *real;                  /* its canonical path */
    size_t len;
    char *single;                /* the root is one run: its id; else NULL */
} serve_root;

/* Opens the root directory. MG_OK, or MG_EIO with a message. */
mg_code serve_root_open(serve_root *r, const char *path, mg_error *err);
void serve_root_close(serve_root *r);

/* True when name (n bytes) is one plain path component: 1..255 bytes, not
 * "." or "..", no '/', no NUL or control character, not starting with '.'
 * (hidden files and the atomic writers' temporaries are not served). */
bool serve_name_ok(const char *name, size_t n);
/* True when rel is plain components joined by single '/' (no leading,
 * trailing or doubled '/'), at most SERVE_PATH_MAX bytes; "" is the run
 * directory itself. */
bool serve_path_ok(const char *rel);

typedef enum serve_kind { SERVE_FILE, SERVE_DIR } serve_kind;

/* Opens file rel of run id (rel "" with SERVE_DIR: the run's directory).
 * The path is resolved and must stay under the root (a link may point
 * elsewhere inside it); it is then opened one component at a time with
 * O_NOFOLLOW from the root's descriptor, so a link swapped in meanwhile
 * fails rather than leads out. A FIFO or device is refused without being
 * opened for reading. Returns the descriptor (close-on-exec), or -1 with
 * errno: EINVAL a bad id or path, EACCES out of the root, ENOENT, ... */
int serve_open(const serve_root *r, const char *id, const char *rel, serve_kind kind);

/* ---- serve_route.c: what a request gets, decided without a socket ---- */

enum { SERVE_MAX_HOSTS = 4, SERVE_HOST_MAX = 80 };

/* The Host header values answered. A server listening on a loopback
 * address checks them: a page of another site whose name was made to
 * resolve to 127.0.0.1 (DNS rebinding) sends its own name and is refused. */
typedef struct serve_hosts {
    bool check;                  /* listening on loopback */
    int n;
    char name[SERVE_MAX_HOSTS][SERVE_HOST_MAX];
} serve_hosts;

typedef enum serve_route_kind {
    ROUTE_NONE = 0,              /* no such page: 404 */
    ROUTE_BAD,                   /* a path that cannot be valid: 400 */
    ROUTE_METHOD,                /* not GET or HEAD: 405 */
    ROUTE_HOST,                  /* a Host not answered: 403 */
    ROUTE_PAGE,                  /* "/" */
    ROUTE_ASSET,                 /* "/serve.js", "/serve.css" */
    ROUTE_RUNS,                  /* "/api/runs" */
    ROUTE_EVENTS,                /* "/api/events" */
    ROUTE_FILE,                  /* "/runs/ID/REL" */
} serve_route_kind;

typedef struct serve_route {
    serve_route_kind kind;
    bool head;                   /* a HEAD request: headers only */
    int asset;                   /* ROUTE_ASSET: index into the assets */
    char id[SERVE_NAME_MAX + 1]; /* ROUTE_FILE */
    const char *rel;             /* ROUTE_FILE: points into the url */
} serve_route;

/* Reads a request's path (already %-decoded, without its query). */
serve_route serve_route_of(const char *url);
/* The whole decision for a request: its method, its Host header (NULL when
 * absent: HTTP/1.0, not a browser) and its path (as serve_route_of). */
serve_route serve_decide(const serve_hosts *h, const char *method, const char *host,
                         const char *url);

/* ---- serve_runs.c ---- */

/* Appends the runs under the root as JSON: {"root": name, "runs": [{"id",
 * "info": run.json's text, "last": the last step record's text | null,
 * "end": the end event's text | null, "idle": seconds since steps.jsonl
 * last changed, "bytes"}]}, sorted by id. Records are passed as strings for
 * the page to parse: a damaged file cannot break the list. */
void serve_runs_json(const serve_root *r, mg_buf *b);

/* ---- serve_events.c ---- */

typedef struct serve_stream serve_stream;

/* What an event stream's request asks for (its query and Last-Event-ID). */
typedef struct serve_stream_args {
    int n;                                       /* runs */
    char id[SERVE_STREAM_RUNS][SERVE_NAME_MAX + 1];
    size_t offset[SERVE_STREAM_RUNS];            /* bytes of each steps.jsonl sent */
} serve_stream_args;

/* Reads runs ("A/B/C", ids joined by '/'), from (byte offsets "0,1234,0";
 * NULL: all 0) and last_id (the Last-Event-ID header of a client that
 * reconnects, the same form as from; it wins over from, and a bad one is
 * ignored) into a. False (EINVAL) on bad names or offsets, too many runs. */
bool serve_stream_parse(const char *runs, const char *from, const char *last_id,
                        serve_stream_args *a);
/* A stream over the runs a request names (serve_stream_parse). NULL with
 * errno EINVAL (a bad request, or an offset that does not start a line of
 * its run's steps) or ENOENT (no such run). */
serve_stream *serve_stream_new(mg_serve *s, const char *runs, const char *from,
                               const char *last_id);
/* Copies at most max bytes of the stream into buf, waiting (up to a
 * keep-alive interval) for new lines; 0 when the stream is over: every run
 * ended and said so, or the server is stopping (*over set). */
size_t serve_stream_read(serve_stream *st, char *buf, size_t max, bool *over);
void serve_stream_free(serve_stream *st);

/* ---- serve.c: what the streams ask of the server ---- */

/* True once mg_serve_stop() began. */
bool serve_stopping(mg_serve *s);
/* Waits up to ms milliseconds, or until mg_serve_stop() begins. */
void serve_nap(mg_serve *s, int ms);
/* The root being served. */
const serve_root *serve_root_of(const mg_serve *s);
/* Milliseconds between keep-alive comments on an idle stream. */
int serve_keepalive_ms(const mg_serve *s);

/* ---- the page's files (page/, embedded at build time) ---- */

extern const char mg_html_asset_serve_page[], mg_html_asset_serve_css[],
    mg_html_asset_serve_js[];

#endif
