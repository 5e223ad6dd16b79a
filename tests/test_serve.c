/* test_serve.c — the live server (viz/serve/mg_serve.h) over loopback, with
 * every wait bounded (a stuck server fails the test, it never hangs it):
 * which files may be opened under the root (links out, "..", FIFOs, hidden
 * files), the routes and methods, 100 event-stream clients following a run
 * being written from its first step to its end, 1,000 requests good and
 * hostile (malformed, escapes, over-long headers, slow and stalled clients)
 * while a run is written and followed, a killed `mgviz train` whose run
 * still reads, connection limits, a clean stop, and the command line
 * (`mgviz serve`, `mgviz train --serve`; MGVIZ names the built mgviz). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_json.h"
#include "mg_run.h"
#include "mg_serve.h"
#include "serve_internal.h"
#include "test_util.h"

static char dir[64];          /* the test's scratch directory */
static char root[128];        /* the runs root served: dir/runs */
static char secret[64];       /* the text of a file outside the root */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap_ms(int ms) { nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L }, NULL); }

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void path_of(char *buf, size_t n, const char *fmt, const char *name)
{
    snprintf(buf, n, fmt, dir, name);
}

/* dir/runs/run1 with a run's files and, around it, everything a request
 * must not reach: dir/outside/secret.txt (with a marker the answers are
 * searched for), links to it and to /etc/passwd, a link to a directory
 * outside, a run directory that is a link out, a FIFO, a hidden file. */
static void setup(void)
{
    tu_tmpdir(dir, sizeof dir, "test_serve");
    snprintf(root, sizeof root, "%s/runs", dir);
    snprintf(secret, sizeof secret, "TOPSECRET-%ld", (long)getpid());
    char p[512], q[512];
    const char *dirs[] = { "%s/runs", "%s/runs/run1", "%s/runs/run1/snapshots", "%s/outside" };
    for (int i = 0; i < 4; i++) {
        path_of(p, sizeof p, dirs[i], "");
        ck_assert_int_eq(mkdir(p, 0755), 0);
    }
    path_of(p, sizeof p, "%s/outside/secret.txt%s", "");
    write_text(p, secret);
    path_of(p, sizeof p, "%s/outside/run.json%s", ""); /* makes outside/ look like a run */
    write_text(p, "{\"format\":\"mgviz-run\",\"name\":\"outside\"}\n");
    path_of(p, sizeof p, "%s/runs/run1/run.json%s", "");
    write_text(p, "{\"format\":\"mgviz-run\",\"version\":1,\"name\":\"run1\",\"layers\":[]}\n");
    path_of(p, sizeof p, "%s/runs/run1/steps.jsonl%s", "");
    write_text(p, "{\"step\":0,\"loss\":1}\n{\"step\":1,\"loss\":0.5}\n{\"event\":\"end\",\"status\":\"ok\"}\n");
    path_of(p, sizeof p, "%s/runs/run1/snapshots/a.svg%s", "");
    write_text(p, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    path_of(p, sizeof p, "%s/runs/run1/.hidden.txt%s", "");
    write_text(p, secret);
    path_of(p, sizeof p, "%s/outside/secret.txt%s", "");
    path_of(q, sizeof q, "%s/runs/run1/link_out%s", "");
    ck_assert_int_eq(symlink(p, q), 0);
    path_of(q, sizeof q, "%s/runs/run1/passwd%s", "");
    ck_assert_int_eq(symlink("/etc/passwd", q), 0);
    path_of(q, sizeof q, "%s/runs/run1/up%s", "");
    ck_assert_int_eq(symlink("../../outside/secret.txt", q), 0);
    path_of(q, sizeof q, "%s/runs/run1/link_in%s", "");
    ck_assert_int_eq(symlink("snapshots/a.svg", q), 0);
    path_of(p, sizeof p, "%s/outside%s", "");
    path_of(q, sizeof q, "%s/runs/run1/snapshots/dirlink%s", "");
    ck_assert_int_eq(symlink(p, q), 0);
    path_of(q, sizeof q, "%s/runs/escape%s", "");
    ck_assert_int_eq(symlink(p, q), 0);
    path_of(q, sizeof q, "%s/runs/run1/fifo%s", "");
    ck_assert_int_eq(mkfifo(q, 0644), 0);
}

static void teardown(void) { tu_rmrf(dir); }

/* ---- a small HTTP client: raw bytes, so requests can be malformed ---- */

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = { 20, 0 }; /* a guard: nothing here waits longer */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return false;
        p += k, n -= (size_t)k;
    }
    return true;
}

/* Reads until the server closes (or the guard expires); true on a close. */
static bool read_all(int fd, mg_buf *out)
{
    char buf[16384];
    for (;;) {
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k == 0)
            return true;
        if (k < 0)
            return errno == ECONNRESET;
        mg_buf_put(out, buf, (size_t)k);
    }
}

/* The status of an answer ("HTTP/1.1 404 ..."), 0 when there is none. */
static int status_of(const mg_buf *b)
{
    int status = 0;
    if (b->len >= 12 && strncmp(b->p, "HTTP/1.", 7) == 0)
        sscanf(b->p + 9, "%3d", &status);
    return status;
}

static const char *body_of(const mg_buf *b)
{
    const char *p = b->len ? strstr(b->p, "\r\n\r\n") : NULL;
    return p ? p + 4 : "";
}

/* Sends n bytes of request and reads the whole answer into out; its status,
 * 0 when the server closed without one, -1 when it did not close. */
static int exchange(int port, const char *req, size_t n, mg_buf *out)
{
    int fd = dial(port);
    if (fd < 0)
        return -1;
    out->len = 0;
    send_all(fd, req, n); /* the server may close before it has all of it */
    bool closed = read_all(fd, out);
    close(fd);
    mg_buf_put(out, "", 1);
    out->len--;
    return closed ? status_of(out) : -1;
}

/* GET path (HTTP/1.0 with the Host a browser sends); status, body in out. */
static int get(int port, const char *method, const char *path, mg_buf *out)
{
    char req[4096];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", method,
                     path, port);
    return exchange(port, req, (size_t)n, out);
}

static mg_serve *start(const mg_serve_options *o)
{
    mg_error err;
    mg_serve *s = mg_serve_start(root, o, &err);
    ck_assert_msg(s != NULL, "mg_serve_start: %s", err.message);
    ck_assert_int_gt(mg_serve_port(s), 0);
    return s;
}

/* ---- what may be opened ---- */

START_TEST(names_and_paths_are_plain)
{
    ck_assert(serve_name_ok("run1", 4));
    ck_assert(serve_name_ok("step-000010.json", 16));
    ck_assert(!serve_name_ok("", 0));
    ck_assert(!serve_name_ok(".", 1));
    ck_assert(!serve_name_ok("..", 2));
    ck_assert(!serve_name_ok(".hidden", 7));
    ck_assert(!serve_name_ok("a/b", 3));
    ck_assert(!serve_name_ok("a\\b", 3));
    ck_assert(!serve_name_ok("a\nb", 3));
    ck_assert(serve_path_ok("snapshots/a.svg"));
    ck_assert(serve_path_ok(""));
    const char *bad[] = { "/etc/passwd", "a//b", "a/", "a/../b", "../x", "./x", "a/./b", "a/.b" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!serve_path_ok(bad[i]), "'%s' accepted", bad[i]);
    char long_path[SERVE_PATH_MAX + 8];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    ck_assert(!serve_path_ok(long_path));
}
END_TEST

START_TEST(routes_take_whole_paths)
{
    ck_assert_int_eq(serve_route_of("/").kind, ROUTE_PAGE);
    ck_assert_int_eq(serve_route_of("/serve.js").kind, ROUTE_ASSET);
    ck_assert_int_eq(serve_route_of("/api/runs").kind, ROUTE_RUNS);
    ck_assert_int_eq(serve_route_of("/api/events").kind, ROUTE_EVENTS);
    serve_route r = serve_route_of("/runs/run1/snapshots/a.svg");
    ck_assert_int_eq(r.kind, ROUTE_FILE);
    ck_assert_str_eq(r.id, "run1");
    ck_assert_str_eq(r.rel, "snapshots/a.svg");
    const char *bad[] = { "/runs/run1/../x", "/runs/../etc/passwd", "/runs//etc/passwd",
                          "/runs/run1/", "/runs/run1", "http://x/runs/run1/a", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(serve_route_of(bad[i]).kind == ROUTE_BAD, "'%s' routed", bad[i]);
    ck_assert_int_eq(serve_route_of("/etc/passwd").kind, ROUTE_NONE);
    ck_assert_int_eq(serve_route_of("/api/runs/").kind, ROUTE_NONE);
}
END_TEST

/* The whole decision, without a socket: the method first, then the Host
 * (checked only when listening on loopback), then the path. */
START_TEST(requests_are_decided_by_method_host_and_path)
{
    serve_hosts h = { .check = true, .n = 2, .name = { "127.0.0.1:8000", "localhost:8000" } };
    ck_assert_int_eq(serve_decide(&h, "GET", "127.0.0.1:8000", "/").kind, ROUTE_PAGE);
    ck_assert_int_eq(serve_decide(&h, "GET", "LocalHost:8000", "/api/runs").kind, ROUTE_RUNS);
    serve_route r = serve_decide(&h, "HEAD", NULL, "/api/events");
    ck_assert_int_eq(r.kind, ROUTE_EVENTS);
    ck_assert(r.head);
    ck_assert(!serve_decide(&h, "GET", NULL, "/").head);
    const char *methods[] = { "POST", "PUT", "DELETE", "get", "GETX", "", NULL };
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        ck_assert_int_eq(serve_decide(&h, methods[i], "127.0.0.1:8000", "/").kind, ROUTE_METHOD);
    const char *hosts[] = { "evil.example", "127.0.0.1:8001", "127.0.0.1", "localhost:8000.evil",
                            "" };
    for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++)
        ck_assert_int_eq(serve_decide(&h, "GET", hosts[i], "/").kind, ROUTE_HOST);
    /* the method is refused before the Host, the Host before the path */
    ck_assert_int_eq(serve_decide(&h, "POST", "evil", "/runs/../x").kind, ROUTE_METHOD);
    ck_assert_int_eq(serve_decide(&h, "GET", "evil", "/runs/../x").kind, ROUTE_HOST);
    ck_assert_int_eq(serve_decide(&h, "GET", "localhost:8000", "/runs/../x").kind, ROUTE_BAD);
    h.check = false; /* listening on another address: any Host */
    ck_assert_int_eq(serve_decide(&h, "GET", "evil.example", "/").kind, ROUTE_PAGE);
}
END_TEST

/* The event stream's query: plain run names, one offset per run, the
 * reconnecting client's Last-Event-ID over from=, a bad one ignored. */
START_TEST(stream_queries_are_parsed_strictly)
{
    serve_stream_args a;
    ck_assert(serve_stream_parse("a/b", "12,0", NULL, &a));
    ck_assert_int_eq(a.n, 2);
    ck_assert_str_eq(a.id[1], "b");
    ck_assert_uint_eq(a.offset[0], 12);
    ck_assert(serve_stream_parse("a/b", "12,0", "5,6", &a));
    ck_assert_uint_eq(a.offset[1], 6);
    ck_assert(serve_stream_parse("a/b", "12,0", "5", &a));
    ck_assert_uint_eq(a.offset[0], 12);
    ck_assert(serve_stream_parse("a", NULL, NULL, &a));
    ck_assert_uint_eq(a.offset[0], 0);
    const char *bad_runs[] = { "", "a/", "/a", "a//b", "..", ".x", "a\nb", NULL };
    for (size_t i = 0; i < sizeof bad_runs / sizeof *bad_runs; i++)
        ck_assert(!serve_stream_parse(bad_runs[i], NULL, NULL, &a));
    const char *bad_from[] = { "", "1", "1,2,3", "-1,0", "1,+2", "1 ,2", "1,2,",
                               "1234567890123456789,0", "0x1,0" };
    for (size_t i = 0; i < sizeof bad_from / sizeof *bad_from; i++)
        ck_assert_msg(!serve_stream_parse("a/b", bad_from[i], NULL, &a), "from=%s", bad_from[i]);
    char many[40 * 3] = "";
    for (int i = 0; i <= SERVE_STREAM_RUNS; i++)
        strcat(strcat(many, i ? "/" : ""), "r");
    ck_assert(!serve_stream_parse(many, NULL, NULL, &a));
}
END_TEST

START_TEST(only_regular_files_under_the_root_open)
{
    serve_root r;
    mg_error err;
    ck_assert_int_eq(serve_root_open(&r, root, &err), MG_OK);
    ck_assert_ptr_null(r.single);
    int fd = serve_open(&r, "run1", "run.json", SERVE_FILE);
    ck_assert_int_ge(fd, 0);
    close(fd);
    fd = serve_open(&r, "run1", "link_in", SERVE_FILE); /* a link inside the root */
    ck_assert_int_ge(fd, 0);
    close(fd);
    const struct { const char *id, *rel; int err; } refused[] = {
        { "run1", "link_out", EACCES },        { "run1", "passwd", EACCES },
        { "run1", "up", EACCES },              { "run1", "snapshots/dirlink/secret.txt", EACCES },
        { "escape", "secret.txt", EACCES },    { "run1", "fifo", EACCES },
        { "run1", "snapshots", EACCES },       { "run1", ".hidden.txt", EINVAL },
        { "run1", "../outside/secret.txt", EINVAL }, { "..", "outside/secret.txt", EINVAL },
        { "run1", "/etc/passwd", EINVAL },     { "nope", "run.json", ENOENT },
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        errno = 0;
        fd = serve_open(&r, refused[i].id, refused[i].rel, SERVE_FILE);
        ck_assert_msg(fd < 0 && errno == refused[i].err, "%s/%s: fd %d errno %d (want %d)",
                      refused[i].id, refused[i].rel, fd, errno, refused[i].err);
    }
    fd = serve_open(&r, "run1", "", SERVE_DIR);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_lt(serve_open(&r, "escape", "", SERVE_DIR), 0);
    serve_root_close(&r);
    /* one run served alone: its name is its id */
    char one[256];
    snprintf(one, sizeof one, "%s/run1", root);
    ck_assert_int_eq(serve_root_open(&r, one, &err), MG_OK);
    ck_assert_str_eq(r.single, "run1");
    fd = serve_open(&r, "run1", "snapshots/a.svg", SERVE_FILE);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_lt(serve_open(&r, "other", "run.json", SERVE_FILE), 0);
    serve_root_close(&r);
    ck_assert_int_eq(serve_root_open(&r, "/nonexistent/runs", &err), MG_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/runs"));
}
END_TEST

/* ---- the routes over HTTP ---- */

START_TEST(the_page_runs_and_files_are_served_read_only)
{
    mg_serve *s = start(NULL);
    int port = mg_serve_port(s);
    mg_buf b = { 0 };
    ck_assert_int_eq(get(port, "GET", "/", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.p, "Content-Type: text/html"));
    ck_assert_ptr_nonnull(strstr(b.p, "Content-Security-Policy: default-src 'none'; script-src 'self'"));
    ck_assert_ptr_nonnull(strstr(b.p, "X-Content-Type-Options: nosniff"));
    ck_assert_ptr_nonnull(strstr(body_of(&b), "<script src=\"serve.js\""));
    ck_assert_int_eq(get(port, "GET", "/serve.js", &b), 200);
    ck_assert_ptr_nonnull(strstr(body_of(&b), "EventSource"));
    ck_assert_int_eq(get(port, "GET", "/api/runs", &b), 200);
    ck_assert_ptr_nonnull(strstr(body_of(&b), "\"id\":\"run1\""));
    ck_assert_ptr_null(strstr(body_of(&b), "escape")); /* a link out is no run */
    ck_assert_ptr_nonnull(strstr(body_of(&b), "\"end\":\"{\\\"event\\\":\\\"end\\\""));
    ck_assert_int_eq(get(port, "GET", "/runs/run1/run.json", &b), 200);
    ck_assert_ptr_nonnull(strstr(body_of(&b), "\"name\":\"run1\""));
    ck_assert_ptr_nonnull(strstr(b.p, "Content-Type: application/json"));
    ck_assert_int_eq(get(port, "GET", "/runs/run1/snapshots/a.svg", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.p, "Content-Type: image/svg+xml"));
    ck_assert_ptr_nonnull(strstr(b.p, "sandbox")); /* an SVG opened alone runs no script */
    ck_assert_int_eq(get(port, "HEAD", "/runs/run1/run.json", &b), 200);
    ck_assert_str_eq(body_of(&b), "");
    const char *methods[] = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE" };
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(get(port, methods[i], "/runs/run1/run.json", &b), 405);
        ck_assert_ptr_nonnull(strstr(b.p, "Allow: GET, HEAD"));
    }
    ck_assert_int_eq(get(port, "GET", "/nowhere", &b), 404);
    ck_assert_int_eq(get(port, "GET", "/runs/nope/run.json", &b), 404);
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

START_TEST(nothing_outside_the_root_is_served)
{
    mg_serve *s = start(NULL);
    int port = mg_serve_port(s);
    mg_buf b = { 0 };
    const struct { const char *path; int status; } cases[] = {
        { "/runs/run1/link_out", 404 },         { "/runs/run1/passwd", 404 },
        { "/runs/run1/up", 404 },               { "/runs/escape/secret.txt", 404 },
        { "/runs/run1/snapshots/dirlink/secret.txt", 404 },
        { "/runs/run1/fifo", 404 },             { "/runs/run1/snapshots", 404 },
        { "/runs/run1/.hidden.txt", 400 },      { "/runs/run1/../../outside/secret.txt", 400 },
        { "/runs/run1/%2e%2e/%2e%2e/outside/secret.txt", 400 },
        { "/runs/run1/..%2f..%2foutside%2fsecret.txt", 400 },
        { "/runs/%2e%2e/outside/secret.txt", 400 }, { "/runs//etc/passwd", 400 },
        { "/runs/run1//etc/passwd", 400 },      { "/../../etc/passwd", 404 },
        { "/etc/passwd", 404 },                 { "http://127.0.0.1/etc/passwd", 400 },
        { "/runs/run1/run.json%00.png", 200 }, /* cut at the NUL: still inside */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int status = get(port, "GET", cases[i].path, &b);
        ck_assert_msg(status == cases[i].status, "%s: %d, want %d", cases[i].path, status,
                      cases[i].status);
        ck_assert_msg(!strstr(b.p, secret) && !strstr(b.p, "root:x:0:0"), "%s leaked",
                      cases[i].path);
    }
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

START_TEST(a_foreign_host_name_is_refused)
{
    mg_serve *s = start(NULL);
    int port = mg_serve_port(s);
    mg_buf b = { 0 };
    char req[256];
    const char *hosts[] = { "evil.example", "evil.example:%d", "127.0.0.1:1", "localhost.evil:%d" };
    for (int i = 0; i < 4; i++) {
        char host[64];
        snprintf(host, sizeof host, hosts[i], port);
        int n = snprintf(req, sizeof req, "GET /api/runs HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
        ck_assert_int_eq(exchange(port, req, (size_t)n, &b), 403);
        ck_assert_ptr_null(strstr(b.p, "run1"));
    }
    const char *ok[] = { "127.0.0.1:%d", "localhost:%d", "LOCALHOST:%d", "[::1]:%d" };
    for (int i = 0; i < 4; i++) {
        char host[64];
        snprintf(host, sizeof host, ok[i], port);
        int n = snprintf(req, sizeof req, "GET /api/runs HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
        ck_assert_int_eq(exchange(port, req, (size_t)n, &b), 200);
    }
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

START_TEST(bad_hosts_and_ports_are_refused_with_a_message)
{
    mg_error err;
    ck_assert_ptr_null(mg_serve_start(root, &(mg_serve_options){ .host = "example.com" }, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "numeric address"));
    ck_assert_ptr_null(mg_serve_start(root, &(mg_serve_options){ .port = 70000 }, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "65535"));
    mg_serve *s = start(NULL);
    ck_assert_ptr_null(mg_serve_start(root, &(mg_serve_options){ .port = mg_serve_port(s) }, &err));
    ck_assert_int_eq(errno, EADDRINUSE);
    ck_assert_ptr_nonnull(strstr(err.message, "in use"));
    char url[256];
    ck_assert_ptr_nonnull(mg_serve_run_url(s, "/x/runs/a b#1/", url, sizeof url));
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/#runs=a%%20b%%231", mg_serve_port(s));
    ck_assert_str_eq(url, want);
    mg_serve_stop(s);
    s = start(&(mg_serve_options){ .host = "::1" });
    snprintf(want, sizeof want, "http://[::1]:%d/", mg_serve_port(s));
    ck_assert_str_eq(mg_serve_url(s), want);
    mg_serve_stop(s);
}
END_TEST

/* ---- event streams ---- */

/* A run being written by a thread, as a training loop would. */
typedef struct writer {
    char dir[256];
    int steps, pause_ms;
    mg_run *run;
    pthread_t thread;
    volatile bool go;
} writer;

static void writer_open(writer *w, const char *name, int steps, int pause_ms)
{
    snprintf(w->dir, sizeof w->dir, "%s/%s", root, name);
    w->steps = steps;
    w->pause_ms = pause_ms;
    mg_error err;
    const char *layers[] = { "mlp/layer1" };
    w->run = mg_run_open(w->dir, &(mg_run_info){ .dataset = "moons", .model = "mlp",
                                                 .layers = layers, .nlayers = 1 }, 0, &err);
    ck_assert_msg(w->run != NULL, "%s", err.message);
}

static void *writer_main(void *arg)
{
    writer *w = arg;
    while (!w->go)
        nap_ms(1);
    for (int k = 0; k < w->steps; k++) {
        mg_run_log_step(w->run, &(mg_run_step){ .step = k, .loss = 1.0 / (k + 1),
                                                .accuracy = NAN, .lr = 0.1 }, NULL);
        nap_ms(w->pause_ms);
    }
    mg_run_close(w->run, MG_RUN_OK, NULL, NULL);
    return NULL;
}

/* One event-stream client, fed whatever arrives on its socket. */
typedef struct sse_client {
    int fd;
    mg_buf in;
    size_t parsed;
    bool header_done, info, ended, done, closed;
    int next;              /* the step the next record must have */
    int bad;               /* records out of order or malformed */
} sse_client;

/* Reads the complete events in c->in. */
static void sse_parse(sse_client *c)
{
    if (!c->header_done) {
        const char *end = c->in.len ? strstr(c->in.p, "\r\n\r\n") : NULL;
        if (!end)
            return;
        if (status_of(&c->in) != 200)
            c->bad++;
        c->header_done = true;
        c->parsed = (size_t)(end + 4 - c->in.p);
    }
    for (;;) {
        const char *start = c->in.p + c->parsed, *end = strstr(start, "\n\n");
        if (!end)
            return;
        bool info = false;
        for (const char *line = start; line < end; line = strchr(line, '\n') + 1) {
            if (strncmp(line, "event: info", 11) == 0)
                info = true;
            if (strncmp(line, "event: done", 11) == 0)
                c->done = true;
            if (strncmp(line, "data: 0 ", 8) != 0)
                continue;
            int step;
            if (info)
                c->info = true;
            else if (sscanf(line + 8, "{\"step\":%d,", &step) == 1)
                c->bad += step != c->next++;
            else if (strncmp(line + 8, "{\"event\":\"end\"", 14) == 0)
                c->ended = true;
            else
                c->bad++;
        }
        c->parsed = (size_t)(end + 2 - c->in.p);
    }
}

static void sse_connect(sse_client *c, int port, const char *runs)
{
    *c = (sse_client){ .fd = dial(port) };
    ck_assert_int_ge(c->fd, 0);
    char req[512];
    int n = snprintf(req, sizeof req, "GET /api/events?runs=%s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n",
                     runs, port);
    ck_assert(send_all(c->fd, req, (size_t)n));
}

/* Feeds every client what arrived, until each has ended (or the guard). */
static void sse_pump(sse_client *c, int n, bool (*until)(const sse_client *), double guard)
{
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    double deadline = now() + guard;
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < n; i++) {
            p[i] = (struct pollfd){ .fd = until(&c[i]) || c[i].closed ? -1 : c[i].fd, .events = POLLIN };
            waiting += p[i].fd >= 0;
        }
        if (!waiting || now() > deadline)
            break;
        poll(p, (nfds_t)n, 100);
        for (int i = 0; i < n; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[8192];
            ssize_t k = recv(c[i].fd, buf, sizeof buf - 1, 0);
            if (k <= 0) {
                c[i].closed = true;
                continue;
            }
            mg_buf_put(&c[i].in, buf, (size_t)k);
            sse_parse(&c[i]);
        }
    }
    free(p);
}

static bool has_info(const sse_client *c) { return c->info; }
static int target_steps;
static bool reached(const sse_client *c) { return c->next >= target_steps || c->done; }
static bool is_done(const sse_client *c) { return c->done; }

START_TEST(a_hundred_clients_follow_a_run_from_start_to_end)
{
    enum { CLIENTS = 100, STEPS = 40 };
    mg_serve *s = start(NULL);
    writer w = { 0 };
    writer_open(&w, "live", STEPS, 15);
    sse_client *c = calloc(CLIENTS, sizeof *c);
    for (int i = 0; i < CLIENTS; i++)
        sse_connect(&c[i], mg_serve_port(s), "live");
    sse_pump(c, CLIENTS, has_info, 60); /* every one subscribed before the first step */
    for (int i = 0; i < CLIENTS; i++)
        ck_assert_msg(c[i].info, "client %d got no run.json", i);
    ck_assert_int_eq(pthread_create(&w.thread, NULL, writer_main, &w), 0);
    w.go = true;
    sse_pump(c, CLIENTS, is_done, 120);
    pthread_join(w.thread, NULL);
    for (int i = 0; i < CLIENTS; i++) {
        ck_assert_msg(c[i].done && c[i].ended, "client %d: done %d end %d", i, c[i].done, c[i].ended);
        ck_assert_msg(c[i].next == STEPS && c[i].bad == 0, "client %d: %d steps, %d out of order",
                      i, c[i].next, c[i].bad);
        close(c[i].fd);
        mg_buf_free(&c[i].in);
    }
    free(c);
    mg_serve_stop(s);
}
END_TEST

START_TEST(streams_resume_from_an_offset_and_refuse_bad_ones)
{
    mg_serve *s = start(NULL);
    int port = mg_serve_port(s);
    mg_buf b = { 0 };
    /* run1's steps.jsonl: two steps (20 + 22 bytes) and the end */
    ck_assert_int_eq(get(port, "GET", "/api/events?runs=run1&from=20", &b), 200);
    ck_assert_ptr_null(strstr(b.p, "{\"step\":0,"));
    ck_assert_ptr_nonnull(strstr(b.p, "id: 42\ndata: 0 {\"step\":1,"));
    ck_assert_ptr_nonnull(strstr(b.p, "event: done"));
    char req[256];
    int n = snprintf(req, sizeof req, "GET /api/events?runs=run1 HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n"
                     "Last-Event-ID: 42\r\n\r\n", port);
    ck_assert_int_eq(exchange(port, req, (size_t)n, &b), 200);
    ck_assert_ptr_null(strstr(b.p, "\"step\":"));
    ck_assert_ptr_nonnull(strstr(b.p, "{\"event\":\"end\""));
    const char *bad[] = { "/api/events", "/api/events?runs=", "/api/events?runs=run1&from=7",
                          "/api/events?runs=run1&from=99999", "/api/events?runs=run1&from=-1",
                          "/api/events?runs=run1&from=0,0", "/api/events?runs=..",
                          "/api/events?runs=run1/", "/api/events?runs=.hidden" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(get(port, "GET", bad[i], &b) == 400, "%s: %d", bad[i], status_of(&b));
    ck_assert_int_eq(get(port, "GET", "/api/events?runs=nope", &b), 404);
    ck_assert_int_eq(get(port, "GET", "/api/events?runs=escape", &b), 404);
    char many[1024] = "/api/events?runs=run1";
    for (int i = 0; i < SERVE_STREAM_RUNS; i++)
        strcat(many, "/run1");
    ck_assert_int_eq(get(port, "GET", many, &b), 400);
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

/* ---- a thousand requests, good and hostile, while a run is written ---- */

typedef struct barrage {
    int port, first, count;
    int failures;
    char why[256];
    int served, refused;
} barrage;

/* Request k of the mix: its bytes and the statuses that are right. */
static size_t request_of(int k, int port, char *req, size_t cap, int want[3])
{
    static char long_header[20000];
    if (!long_header[0]) {
        memset(long_header, 'x', sizeof long_header - 1);
        long_header[sizeof long_header - 1] = '\0';
    }
    want[0] = want[1] = want[2] = -2;
    int n;
    switch (k % 16) {
    case 0: want[0] = 200; n = snprintf(req, cap, "GET /runs/run1/run.json HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", port); break;
    case 1: want[0] = 200; n = snprintf(req, cap, "HEAD /api/runs HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n", port); break;
    case 2: want[0] = 405; n = snprintf(req, cap, "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", port); break;
    case 3: want[0] = 400; n = snprintf(req, cap, "GET /runs/run1/../../outside/secret.txt HTTP/1.0\r\n\r\n"); break;
    case 4: want[0] = 404; n = snprintf(req, cap, "GET /runs/run1/link_out HTTP/1.0\r\n\r\n"); break;
    case 5: /* a request line with no space: libmicrohttpd closes, unanswered */
        want[0] = 400, want[1] = 0;
        n = snprintf(req, cap, "GARBAGE\r\n\r\n");
        break;
    case 6: /* over-long header: refused, or the connection closed */
        want[0] = 431, want[1] = 413, want[2] = 0;
        n = snprintf(req, cap, "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Long: %s\r\n\r\n", port, long_header);
        break;
    case 7: want[0] = 400; n = snprintf(req, cap, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"); break; /* no Host */
    case 8: want[0] = 403; n = snprintf(req, cap, "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"); break;
    case 9: want[0] = 400; n = snprintf(req, cap, "GET /runs/%%2e%%2e/outside/secret.txt HTTP/1.0\r\n\r\n"); break;
    case 10: want[0] = 404; n = snprintf(req, cap, "GET /runs/escape/secret.txt HTTP/1.0\r\n\r\n"); break;
    case 11: want[0] = 400; want[1] = 505; n = snprintf(req, cap, "GET / HTTP/9.9\r\n\r\n"); break;
    case 12: want[0] = 400; n = snprintf(req, cap, "GET /api/events?runs=run1&from=3 HTTP/1.0\r\n\r\n"); break;
    case 13: want[0] = 414; want[1] = 431; want[2] = 0; /* an over-long URL */
        n = snprintf(req, cap, "GET /%.*s HTTP/1.0\r\n\r\n", 19000, long_header);
        break;
    case 14: want[0] = 400; want[1] = 404; /* cut at the NUL, or refused */
        n = snprintf(req, cap, "GET /runs/run1/a%%00/../../x HTTP/1.0\r\n\r\n");
        break;
    default: want[0] = 200; n = snprintf(req, cap, "GET /api/events?runs=run1 HTTP/1.0\r\n\r\n"); break;
    }
    return (size_t)n;
}

static void *barrage_main(void *arg)
{
    barrage *b = arg;
    char *req = malloc(64 * 1024);
    mg_buf out = { 0 };
    for (int k = b->first; k < b->first + b->count; k++) {
        int want[3];
        size_t n = request_of(k, b->port, req, 64 * 1024, want);
        int status = exchange(b->port, req, n, &out);
        bool right = status == want[0] || status == want[1] || status == want[2];
        bool leak = out.p && (strstr(out.p, secret) || strstr(out.p, "root:x:0:0"));
        if ((!right || leak) && !b->failures++)
            snprintf(b->why, sizeof b->why, "request %d (kind %d): status %d%s", k, k % 16,
                     status, leak ? ", leaked a file outside the root" : "");
        if (status >= 200 && status < 300)
            b->served++;
        else
            b->refused++;
    }
    mg_buf_free(&out);
    free(req);
    return NULL;
}

/* A client that sends its request one byte every few milliseconds. */
static void *slow_main(void *arg)
{
    barrage *b = arg;
    char req[256];
    int n = snprintf(req, sizeof req, "GET /api/runs HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", b->port);
    int fd = dial(b->port);
    for (int i = 0; fd >= 0 && i < n; i++) {
        send_all(fd, req + i, 1);
        nap_ms(8);
    }
    mg_buf out = { 0 };
    if (fd >= 0) {
        read_all(fd, &out);
        close(fd);
    }
    mg_buf_put(&out, "", 1);
    b->failures = status_of(&out) == 200 && strstr(out.p, "run1") ? 0 : 1;
    mg_buf_free(&out);
    return NULL;
}

START_TEST(a_thousand_good_and_hostile_requests_leave_training_unharmed)
{
    enum { THREADS = 4, REQUESTS = 1000, STEPS = 60, STALLED = 20 };
    mg_serve *s = start(&(mg_serve_options){ .timeout_seconds = 1 });
    int port = mg_serve_port(s);
    /* a run written and followed the whole time */
    writer w = { 0 };
    writer_open(&w, "live", STEPS, 25);
    sse_client follower;
    sse_connect(&follower, port, "live");
    sse_pump(&follower, 1, has_info, 30);
    ck_assert(follower.info);
    ck_assert_int_eq(pthread_create(&w.thread, NULL, writer_main, &w), 0);
    w.go = true;
    /* stalled clients: half a request line, then nothing */
    int stalled[STALLED];
    for (int i = 0; i < STALLED; i++) {
        stalled[i] = dial(port);
        ck_assert_int_ge(stalled[i], 0);
        ck_assert(send_all(stalled[i], "GET /api/ru", 11));
    }
    barrage b[THREADS], slow = { .port = port };
    pthread_t t[THREADS], ts;
    for (int i = 0; i < THREADS; i++) {
        b[i] = (barrage){ .port = port, .first = i * (REQUESTS / THREADS), .count = REQUESTS / THREADS };
        ck_assert_int_eq(pthread_create(&t[i], NULL, barrage_main, &b[i]), 0);
    }
    ck_assert_int_eq(pthread_create(&ts, NULL, slow_main, &slow), 0);
    int served = 0, refused = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_msg(b[i].failures == 0, "%d wrong answers, first: %s", b[i].failures, b[i].why);
        served += b[i].served, refused += b[i].refused;
    }
    pthread_join(ts, NULL);
    ck_assert_msg(slow.failures == 0, "the slow client was not answered");
    ck_assert_int_eq(served + refused, REQUESTS);
    /* the stalled ones were let go after the idle timeout, not kept */
    for (int i = 0; i < STALLED; i++) {
        mg_buf out = { 0 };
        ck_assert_msg(read_all(stalled[i], &out), "stalled client %d never closed", i);
        close(stalled[i]);
        mg_buf_free(&out);
    }
    /* training unharmed: every step written, and followed in order */
    sse_pump(&follower, 1, is_done, 120);
    pthread_join(w.thread, NULL);
    ck_assert_msg(follower.next == STEPS && follower.bad == 0 && follower.ended,
                  "follower: %d of %d steps, %d bad", follower.next, STEPS, follower.bad);
    close(follower.fd);
    mg_buf_free(&follower.in);
    mg_serve_stop(s);
}
END_TEST

START_TEST(connections_are_limited)
{
    mg_serve *s = start(&(mg_serve_options){ .max_connections = 4, .timeout_seconds = 5 });
    int port = mg_serve_port(s), idle[4];
    mg_buf b = { 0 };
    for (int i = 0; i < 4; i++) {
        idle[i] = dial(port);
        ck_assert_int_ge(idle[i], 0);
    }
    nap_ms(200); /* the server has accepted them */
    ck_assert_int_eq(get(port, "GET", "/api/runs", &b), 0); /* closed, unanswered */
    for (int i = 0; i < 4; i++)
        close(idle[i]);
    int status = 0;
    for (int tries = 0; tries < 100 && status != 200; tries++, nap_ms(50))
        status = get(port, "GET", "/api/runs", &b);
    ck_assert_int_eq(status, 200);
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

static int open_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        n += fcntl(fd, F_GETFD) != -1;
    return n;
}

START_TEST(stop_ends_open_streams_and_leaks_nothing)
{
    int before = open_fds();
    mg_serve *s = start(NULL);
    writer w = { 0 };
    writer_open(&w, "unended", 0, 0); /* a run that never ends */
    sse_client c;
    sse_connect(&c, mg_serve_port(s), "unended");
    sse_pump(&c, 1, has_info, 30);
    ck_assert(c.info);
    double t0 = now();
    mg_serve_stop(s);
    ck_assert_msg(now() - t0 < 30, "stop took %.1f s", now() - t0);
    mg_buf rest = { 0 };
    ck_assert(read_all(c.fd, &rest)); /* the stream ended */
    close(c.fd);
    mg_buf_free(&rest);
    mg_buf_free(&c.in);
    mg_run_close(w.run, MG_RUN_OK, NULL, NULL);
    ck_assert_int_eq(open_fds(), before);
}
END_TEST

/* ---- a killed training process ---- */

static pid_t spawn(char *const *args, const char *out)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(args[0], args);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    return pid;
}

static int count_lines(const char *path, const char *prefix)
{
    char *t = tu_slurp(path, NULL);
    int n = 0;
    for (char *p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
        n += strncmp(p, prefix, strlen(prefix)) == 0 && strchr(p, '\n');
    free(t);
    return n;
}

START_TEST(a_killed_training_still_shows_every_complete_step)
{
    char out[256], steps[300], log[300];
    snprintf(out, sizeof out, "%s/killed", root);
    snprintf(steps, sizeof steps, "%s/steps.jsonl", out);
    snprintf(log, sizeof log, "%s/train.log", dir);
    char *args[] = { (char *)tu_mgviz(), "train", "--steps", "1000000", "--samples", "20",
                     "--hidden", "4", "--snapshot-every", "0", "--out", out, "--quiet",
                     "--no-progress", NULL };
    pid_t pid = spawn(args, log);
    for (int tries = 0; tries < 6000 && count_lines(steps, "{\"step\":") < 10; tries++)
        nap_ms(10);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    /* a record cut mid-write, as a crash of the machine could leave */
    FILE *f = fopen(steps, "a");
    fputs("{\"step\":999999,\"loss\":0.", f);
    fclose(f);
    int complete = count_lines(steps, "{\"step\":");
    ck_assert_int_ge(complete, 10);
    mg_serve *s = start(NULL);
    int port = mg_serve_port(s);
    mg_buf b = { 0 };
    ck_assert_int_eq(get(port, "GET", "/api/runs", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.p, "\"id\":\"killed\""));
    sse_client c;
    sse_connect(&c, port, "killed");
    target_steps = complete;
    sse_pump(&c, 1, reached, 60);
    sse_pump(&c, 1, is_done, 0.5); /* and nothing more comes */
    /* every complete step, in order; the torn one never */
    ck_assert_int_eq(c.next, complete);
    ck_assert_int_eq(c.bad, 0);
    ck_assert(!c.ended && !c.done);
    ck_assert_ptr_null(strstr(c.in.p, "\"step\":999999"));
    close(c.fd);
    mg_buf_free(&c.in);
    mg_buf_free(&b);
    mg_serve_stop(s);
}
END_TEST

/* ---- the command line ---- */

/* Waits for text in the file at path; the file's text, or NULL. */
static char *wait_for(const char *path, const char *text, double guard)
{
    for (double end = now() + guard; now() < end; nap_ms(20)) {
        char *t = tu_slurp(path, NULL);
        if (t && strstr(t, text))
            return t;
        free(t);
    }
    return NULL;
}

static int port_in(const char *text)
{
    const char *p = strstr(text, "http://127.0.0.1:");
    return p ? atoi(p + 17) : 0;
}

static int exit_code(pid_t pid)
{
    int status = 0;
    pid_t done = 0;
    for (int tries = 0; tries < 3000 && (done = waitpid(pid, &status, WNOHANG)) == 0; tries++)
        nap_ms(20);
    if (done != pid)
        kill(pid, SIGKILL), waitpid(pid, &status, 0);
    ck_assert_msg(done == pid && WIFEXITED(status), "did not exit by itself (status %d)", status);
    return WEXITSTATUS(status);
}

START_TEST(mgviz_serve_serves_until_sigterm)
{
    char log[256];
    snprintf(log, sizeof log, "%s/serve.log", dir);
    char *args[] = { (char *)tu_mgviz(), "serve", root, "--port", "0", NULL };
    pid_t pid = spawn(args, log);
    char *text = wait_for(log, "Ctrl-C stops", 30);
    ck_assert_msg(text != NULL, "no address printed");
    int port = port_in(text);
    ck_assert_int_gt(port, 0);
    mg_buf b = { 0 };
    ck_assert_int_eq(get(port, "GET", "/api/runs", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.p, "run1"));
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_int_eq(exit_code(pid), 0);
    free(text);
    text = tu_slurp(log, NULL);
    ck_assert_ptr_nonnull(strstr(text, "stopped (SIGTERM)"));
    free(text);
    mg_buf_free(&b);
    char errors[256];
    snprintf(errors, sizeof errors, "%s/stderr", dir);
    ck_assert_int_eq(tu_run(dir, "'%s' serve \"$D/nowhere\"", tu_mgviz()), 2);
    text = tu_slurp(errors, NULL);
    ck_assert_ptr_nonnull(strstr(text, "cannot serve"));
    free(text);
    ck_assert_int_eq(tu_run(dir, "'%s' serve \"$D/runs\" --host example.com", tu_mgviz()), 2);
    ck_assert_int_eq(tu_run(dir, "'%s' serve \"$D/runs\" --port 65536", tu_mgviz()), 2);
    ck_assert_int_eq(tu_run(dir, "'%s' serve a b", tu_mgviz()), 2);
    ck_assert_int_eq(tu_run(dir, "'%s' train --port 8000", tu_mgviz()), 2);
    text = tu_slurp(errors, NULL);
    ck_assert_ptr_nonnull(strstr(text, "--port needs --serve"));
    free(text);
}
END_TEST

START_TEST(train_serve_shows_the_run_and_finishes_it_on_sigterm)
{
    char log[256], out[256], steps[300];
    snprintf(log, sizeof log, "%s/train.log", dir);
    snprintf(out, sizeof out, "%s/served", dir);
    snprintf(steps, sizeof steps, "%s/steps.jsonl", out);
    char *args[] = { (char *)tu_mgviz(), "train", "--serve", "--port", "0", "--steps", "30",
                     "--samples", "20", "--hidden", "4", "--snapshot-every", "10", "--out", out,
                     "--no-progress", NULL };
    pid_t pid = spawn(args, log);
    char *text = wait_for(log, "watch it live: http://127.0.0.1:", 60);
    ck_assert_msg(text != NULL, "no address printed");
    ck_assert_ptr_nonnull(strstr(text, "#runs=served"));
    int port = port_in(text);
    free(text);
    sse_client c;
    sse_connect(&c, port, "served");
    sse_pump(&c, 1, is_done, 120);
    ck_assert_msg(c.done && c.ended && c.next == 30 && c.bad == 0, "%d steps, %d bad", c.next, c.bad);
    close(c.fd);
    mg_buf_free(&c.in);
    text = wait_for(log, "still serving", 60);
    ck_assert_msg(text != NULL, "it did not keep serving");
    free(text);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_int_eq(exit_code(pid), 0);
    text = tu_slurp(steps, NULL);
    ck_assert_ptr_nonnull(strstr(text, "{\"event\":\"end\",\"time\":"));
    ck_assert_ptr_nonnull(strstr(text, "\"status\":\"ok\""));
    free(text);
    /* interrupted while training: the run ends stopped, the server with it */
    char out2[256], steps2[300];
    snprintf(out2, sizeof out2, "%s/interrupted", dir);
    snprintf(steps2, sizeof steps2, "%s/steps.jsonl", out2);
    char *args2[] = { (char *)tu_mgviz(), "train", "--serve", "--port", "0", "--steps", "1000000",
                      "--samples", "20", "--hidden", "4", "--snapshot-every", "0", "--out", out2,
                      "--quiet", NULL };
    pid = spawn(args2, log);
    for (int tries = 0; tries < 6000 && count_lines(steps2, "{\"step\":") < 5; tries++)
        nap_ms(10);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    ck_assert_int_eq(exit_code(pid), 130);
    text = tu_slurp(steps2, NULL);
    ck_assert_ptr_nonnull(strstr(text, "\"status\":\"stopped\""));
    free(text);
}
END_TEST

/* ---- the example: a training loop of one's own, served live ---- */

START_TEST(the_live_example_serves_its_run)
{
    const char *example = getenv("MG_EXAMPLE_LIVE");
    ck_assert_msg(example != NULL, "MG_EXAMPLE_LIVE names build/examples/live");
    char log[256], runs[256];
    snprintf(log, sizeof log, "%s/live.log", dir);
    snprintf(runs, sizeof runs, "%s/example-runs", dir);
    int in[2];
    ck_assert_int_eq(pipe(in), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(in[0], 0);
        dup2(fd, 1);
        dup2(fd, 2);
        close(in[1]);
        execl(example, example, "25", runs, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    close(in[0]);
    char *text = wait_for(log, "(Enter stops)", 120);
    ck_assert_msg(text != NULL, "the example did not finish training");
    ck_assert_ptr_nonnull(strstr(text, "watch it live: http://127.0.0.1:"));
    const char *at = strstr(text, "#runs="), *in_dir = strstr(text, "the run is in ");
    ck_assert(at && in_dir);
    char id[128] = "", run_dir[512] = "";
    sscanf(at + 6, "%127[^ \n]", id);
    sscanf(in_dir + 14, "%511[^\n]", run_dir);
    int port = port_in(text);
    free(text);
    /* the server is the example's: its run listed and streamed, ended */
    mg_buf b = { 0 };
    ck_assert_int_eq(get(port, "GET", "/api/runs", &b), 200);
    char want[160];
    snprintf(want, sizeof want, "\"id\":\"%s\"", id);
    ck_assert_msg(strstr(b.p, want) != NULL, "%s not listed", id);
    sse_client c;
    sse_connect(&c, port, id);
    sse_pump(&c, 1, is_done, 60);
    ck_assert_msg(c.done && c.ended && c.next == 25 && c.bad == 0, "%d steps, %d bad", c.next, c.bad);
    ck_assert_ptr_nonnull(strstr(c.in.p, "\"mlp/layer2\":{\"act\":\"tanh\""));
    close(c.fd);
    mg_buf_free(&c.in);
    mg_buf_free(&b);
    /* Enter stops it */
    ck_assert_int_eq(write(in[1], "\n", 1), 1);
    close(in[1]);
    ck_assert_int_eq(exit_code(pid), 0);
    char steps[600];
    snprintf(steps, sizeof steps, "%s/steps.jsonl", run_dir);
    ck_assert_int_eq(count_lines(steps, "{\"step\":"), 25);
}
END_TEST

static Suite *serve_suite(void)
{
    Suite *s = suite_create("serve");
    TCase *c = tcase_create("paths");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_add_test(c, names_and_paths_are_plain);
    tcase_add_test(c, routes_take_whole_paths);
    tcase_add_test(c, requests_are_decided_by_method_host_and_path);
    tcase_add_test(c, stream_queries_are_parsed_strictly);
    tcase_add_test(c, only_regular_files_under_the_root_open);
    suite_add_tcase(s, c);
    c = tcase_create("http");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_set_timeout(c, 300);
    tcase_add_test(c, the_page_runs_and_files_are_served_read_only);
    tcase_add_test(c, nothing_outside_the_root_is_served);
    tcase_add_test(c, a_foreign_host_name_is_refused);
    tcase_add_test(c, bad_hosts_and_ports_are_refused_with_a_message);
    tcase_add_test(c, streams_resume_from_an_offset_and_refuse_bad_ones);
    tcase_add_test(c, a_hundred_clients_follow_a_run_from_start_to_end);
    tcase_add_test(c, a_thousand_good_and_hostile_requests_leave_training_unharmed);
    tcase_add_test(c, connections_are_limited);
    tcase_add_test(c, stop_ends_open_streams_and_leaks_nothing);
    suite_add_tcase(s, c);
    c = tcase_create("processes");
    tcase_add_checked_fixture(c, setup, teardown);
    tcase_set_timeout(c, 300);
    tcase_add_test(c, a_killed_training_still_shows_every_complete_step);
    tcase_add_test(c, mgviz_serve_serves_until_sigterm);
    tcase_add_test(c, train_serve_shows_the_run_and_finishes_it_on_sigterm);
    tcase_add_test(c, the_live_example_serves_its_run);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return tu_run_suite(serve_suite()); }
