/* serve.c — mg_serve.h: the daemon (libmicrohttpd, a thread per
 * connection, so an event stream may wait for its run without holding up
 * anyone else) and what each request gets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "serve_files.h"
#include "serve_internal.h"

enum { STACK_BYTES = 1024 * 1024, STREAM_BLOCK = 16 * 1024 };

struct mg_serve {
    serve_root root;
    struct MHD_Daemon *daemon;
    int port;
    char url[96];
    serve_hosts hosts;                   /* checked when listening on loopback */
    int keepalive_ms;
    int log_fd;
    pthread_mutex_t lock;
    pthread_cond_t wake;                 /* broadcast when stopping */
    bool stopping;
};

/* The page: what the browser loads first. Its script and style are files
 * of their own so the policy allows no inline code at all. */
#define CSP_APP                                                                            \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "      \
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "          \
    "frame-ancestors 'none'"

/* ---- what the streams ask ---- */

bool serve_stopping(mg_serve *s)
{
    pthread_mutex_lock(&s->lock);
    bool stop = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

void serve_nap(mg_serve *s, int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += (long)ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &t) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&s->lock);
}

const serve_root *serve_root_of(const mg_serve *s) { return &s->root; }

int serve_keepalive_ms(const mg_serve *s) { return s->keepalive_ms; }

/* ---- answers ---- */

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A short text answer (errors, the page's files). */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, size_t n, const char *csp)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    serve_common_headers(r, csp);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    return queue(c, status, r);
}

static enum MHD_Result fail(struct MHD_Connection *c, unsigned status)
{
    char text[96];
    int n = snprintf(text, sizeof text, "%u %s\n", status, MHD_get_reason_phrase_for(status));
    return reply(c, status, "text/plain; charset=utf-8", text, (size_t)n,
                 "default-src 'none'; sandbox");
}

static enum MHD_Result runs_list(mg_serve *s, struct MHD_Connection *c)
{
    mg_buf b = { 0 };
    serve_runs_json(&s->root, &b);
    enum MHD_Result ok = b.failed ? fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR)
                                  : reply(c, MHD_HTTP_OK, "application/json; charset=utf-8",
                                          b.p, b.len, "default-src 'none'; sandbox");
    mg_buf_free(&b);
    return ok;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    bool over;
    size_t n = serve_stream_read(cls, buf, max, &over);
    return n ? (ssize_t)n : (ssize_t)MHD_CONTENT_READER_END_OF_STREAM;
}

static void stream_free(void *cls) { serve_stream_free(cls); }

static enum MHD_Result events(mg_serve *s, struct MHD_Connection *c, bool head)
{
    const char *runs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "runs");
    const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    serve_stream *st = serve_stream_new(s, runs, from, last);
    if (!st)
        return fail(c, errno == ENOENT ? MHD_HTTP_NOT_FOUND
                       : errno == ENOMEM ? MHD_HTTP_SERVICE_UNAVAILABLE
                                         : MHD_HTTP_BAD_REQUEST);
    struct MHD_Response *r;
    if (head) {
        serve_stream_free(st);
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, st,
                                              stream_free);
        if (!r)
            serve_stream_free(st);
    }
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    serve_common_headers(r, "default-src 'none'; sandbox");
    return queue(c, MHD_HTTP_OK, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)version, (void)upload, (void)upload_size, (void)state;
    mg_serve *s = cls;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    serve_route rt = serve_decide(&s->hosts, method, host, url);
    static const char *const asset_type[] = { "text/javascript; charset=utf-8",
                                              "text/css; charset=utf-8" };
    const char *const asset[] = { mg_html_asset_serve_js, mg_html_asset_serve_css };
    switch (rt.kind) {
    case ROUTE_PAGE:
        return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", mg_html_asset_serve_page,
                     strlen(mg_html_asset_serve_page), CSP_APP);
    case ROUTE_ASSET:
        return reply(c, MHD_HTTP_OK, asset_type[rt.asset], asset[rt.asset],
                     strlen(asset[rt.asset]), CSP_APP);
    case ROUTE_RUNS: return runs_list(s, c);
    case ROUTE_EVENTS: return events(s, c, rt.head);
    case ROUTE_FILE: {
        unsigned status;
        struct MHD_Response *r = serve_file_response(&s->root, rt.id, rt.rel, &status);
        return r ? queue(c, status, r) : fail(c, status);
    }
    case ROUTE_BAD: return fail(c, MHD_HTTP_BAD_REQUEST);
    case ROUTE_METHOD: return fail(c, MHD_HTTP_METHOD_NOT_ALLOWED);
    case ROUTE_HOST: return fail(c, MHD_HTTP_FORBIDDEN);
    default: return fail(c, MHD_HTTP_NOT_FOUND);
    }
}

/* ---- starting and stopping ---- */

static void log_line(void *cls, const char *fmt, va_list ap)
{
    mg_serve *s = cls;
    if (s->log_fd > 0) {
        dprintf(s->log_fd, "mgviz serve: ");
        vdprintf(s->log_fd, fmt, ap);
    }
}

typedef union address {
    struct sockaddr any;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} address;

/* A numeric address ("127.0.0.1", "::1", "[::1]") into a; false if none. */
static bool parse_host(const char *host, int port, address *a, socklen_t *len)
{
    char text[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof text)
        snprintf(text, sizeof text, "%.*s", (int)(n - 2), host + 1);
    else if (n < sizeof text)
        snprintf(text, sizeof text, "%s", host);
    else
        return false;
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, &a->v4.sin_addr) == 1) {
        a->v4.sin_family = AF_INET;
        a->v4.sin_port = htons((uint16_t)port);
        *len = sizeof a->v4;
        return true;
    }
    if (inet_pton(AF_INET6, text, &a->v6.sin6_addr) == 1) {
        a->v6.sin6_family = AF_INET6;
        a->v6.sin6_port = htons((uint16_t)port);
        *len = sizeof a->v6;
        return true;
    }
    return false;
}

static bool is_loopback(const address *a)
{
    if (a->any.sa_family == AF_INET)
        return (ntohl(a->v4.sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&a->v6.sin6_addr);
}

/* The listening socket, made here so a port in use is said plainly. */
static int listen_on(address *a, socklen_t len, const char *host, int port, mg_error *err)
{
    int fd = socket(a->any.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, &a->any, len) != 0 || listen(fd, 64) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (e == EADDRINUSE)
            mg_error_set(err, MG_EIO, "port %d is in use on %s (another server? --port "
                         "picks another, --port 0 any free one)", port, host);
        else
            mg_error_set(err, MG_EIO, "cannot listen on %s port %d: %s", host, port,
                         strerror(e));
        errno = e;
        return -1;
    }
    if (getsockname(fd, &a->any, &len) != 0) {
        close(fd);
        mg_error_set(err, MG_EIO, "cannot read the port bound: %s", strerror(errno));
        return -1;
    }
    return fd;
}

static void name_hosts(mg_serve *s, const char *host, bool v6)
{
    const char *const names[] = { "127.0.0.1", "localhost", "[::1]", NULL };
    serve_hosts *h = &s->hosts;
    for (int i = 0; names[i]; i++)
        snprintf(h->name[h->n++], sizeof h->name[0], "%s:%d", names[i], s->port);
    snprintf(h->name[h->n++], sizeof h->name[0], v6 && host[0] != '[' ? "[%s]:%d" : "%s:%d",
             host, s->port);
    snprintf(s->url, sizeof s->url, v6 && host[0] != '[' ? "http://[%s]:%d/" : "http://%s:%d/",
             host, s->port);
}

static void serve_free(mg_serve *s)
{
    serve_root_close(&s->root);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static bool init_sync(mg_serve *s)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_cond_init(&s->wake, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (ok && pthread_mutex_init(&s->lock, NULL) != 0) {
        pthread_cond_destroy(&s->wake);
        ok = false;
    }
    return ok;
}

mg_serve *mg_serve_start(const char *root, const mg_serve_options *options, mg_error *err)
{
    static const mg_serve_options none = { 0 };
    const mg_serve_options *o = options ? options : &none;
    const char *host = o->host ? o->host : "127.0.0.1";
    address a;
    socklen_t len;
    if (o->port < 0 || o->port > 65535) {
        mg_error_set(err, MG_EINVAL, "bad port %d: expected 0 (any free) to 65535", o->port);
        return NULL;
    }
    if (!parse_host(host, o->port, &a, &len)) {
        mg_error_set(err, MG_EINVAL, "bad host '%s': expected a numeric address such as "
                     "127.0.0.1, ::1 or 0.0.0.0", host);
        return NULL;
    }
    mg_serve *s = calloc(1, sizeof *s);
    if (!s || !init_sync(s)) {
        free(s);
        mg_error_set(err, MG_ENOMEM, "out of memory starting the server");
        return NULL;
    }
    if (serve_root_open(&s->root, root, err) != MG_OK) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    unsigned timeout = o->timeout_seconds ? o->timeout_seconds : 15;
    s->keepalive_ms = (int)(timeout * 1000 / 3);
    s->log_fd = o->log_fd;
    s->hosts.check = is_loopback(&a);
    int fd = listen_on(&a, len, host, o->port, err);
    if (fd < 0) {
        int e = errno;
        serve_free(s);
        errno = e; /* EADDRINUSE: the port is taken */
        return NULL;
    }
    bool v6 = a.any.sa_family == AF_INET6;
    s->port = ntohs(v6 ? a.v6.sin6_port : a.v4.sin_port);
    name_hosts(s, host, v6);
    /* the daemon's threads inherit a mask of every signal: SIGINT and
     * SIGTERM go to the caller's threads */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
            (v6 ? MHD_USE_IPv6 : 0) | (s->log_fd > 0 ? MHD_USE_ERROR_LOG : 0),
        0, NULL, NULL, on_request, s,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_CONNECTION_LIMIT, o->max_connections ? o->max_connections : 256u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_address ? o->max_per_address : 200u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        o->max_request_bytes ? o->max_request_bytes : (size_t)16 * 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK_BYTES,
        MHD_OPTION_STRICT_FOR_CLIENT, 1,
        MHD_OPTION_EXTERNAL_LOGGER, log_line, s,
        MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!s->daemon) {
        close(fd);
        mg_error_set(err, MG_EIO, "cannot start the web server on %s", s->url);
        serve_free(s);
        return NULL;
    }
    return s;
}

int mg_serve_port(const mg_serve *s) { return s ? s->port : 0; }

const char *mg_serve_url(const mg_serve *s) { return s ? s->url : NULL; }

char *mg_serve_run_url(const mg_serve *s, const char *run_dir, char *buf, size_t n)
{
    if (!s || !run_dir || !buf)
        return NULL;
    size_t end = strlen(run_dir);
    while (end > 1 && run_dir[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && run_dir[start - 1] != '/')
        start--;
    int len = snprintf(buf, n, "%s#runs=", s->url);
    for (size_t i = start; len >= 0 && (size_t)len < n && i < end; i++) {
        unsigned char ch = (unsigned char)run_dir[i];
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || strchr("-._~", ch);
        len += snprintf(buf + len, n - (size_t)len, plain ? "%c" : "%%%02X", ch);
    }
    return len >= 0 && (size_t)len < n ? buf : NULL;
}

void mg_serve_stop(mg_serve *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    MHD_stop_daemon(s->daemon);
    serve_free(s);
}
