/* fuzz_serve_request.c — the live server's requests (mgviz serve): what
 * libmicrohttpd hands the server, made from the input, goes through the
 * same decision the server takes (serve_decide: method, Host, path), then
 * to the file, stream or list it names, over a run directory holding what
 * an attacker would plant: links out of the root, a link to a directory
 * outside, a FIFO, hidden files.
 *
 * The input is lines: METHOD, HOST ("-": no Host header), the request
 * target as sent (%-escapes, a query), LAST-EVENT-ID (optional). Nothing
 * may crash, and:
 *   - a file is opened only when it is a regular file under the root;
 *   - only GET and HEAD are answered, and a Host not answered is refused;
 *   - a stream's runs are plain names, its offsets start lines. */
#define _GNU_SOURCE /* mkdtemp, mkfifo */
#include <fcntl.h>
#include <strings.h>
#include <microhttpd.h>
#include <sys/stat.h>

#include "fuzz_input.h"
#include "fuzz_serve_root.h"
#include "serve_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_root fixture;
static serve_root root;
static mg_serve *server;
static const serve_hosts hosts = {
    .check = true, .n = 4,
    .name = { "127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.2:8000" },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_root_make(&fixture);
    mg_error err;
    if (serve_root_open(&root, fixture.root, &err) != MG_OK)
        abort();
    server = mg_serve_start(fixture.root, &(mg_serve_options){ .port = 0 }, &err);
    if (!server)
        abort();
    return 0;
}

/* Cuts the next line off *p (NULL when there is none). */
static char *line(char **p)
{
    if (!*p)
        return NULL;
    char *s = *p, *nl = strchr(s, '\n');
    *p = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    return s;
}

/* The first value of key in a query ("a=1&b=2"), %-decoded as
 * libmicrohttpd does; NULL when absent. */
static char *query_value(const char *query, const char *key, char *buf, size_t n)
{
    size_t k = strlen(key);
    for (const char *p = query; p && *p;) {
        size_t len = strcspn(p, "&");
        if (len > k && strncmp(p, key, k) == 0 && p[k] == '=') {
            snprintf(buf, n, "%.*s", (int)(len - k - 1), p + k + 1);
            MHD_http_unescape(buf);
            return buf;
        }
        p += len + (p[len] == '&');
    }
    return NULL;
}

/* A descriptor the server opened must be a regular file under the root. */
static void check_opened(int fd)
{
    char link[64], real[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    struct stat st;
    if (n <= 0 || fstat(fd, &st) != 0)
        abort();
    real[n] = '\0';
    size_t r = strlen(fixture.root);
    if (!S_ISREG(st.st_mode) || strncmp(real, fixture.root, r) != 0 || real[r] != '/')
        abort(); /* out of the root, or not a file */
}

static void stream(const char *query, const char *last_id)
{
    char runs[2048], from[2048];
    const char *r = query_value(query, "runs", runs, sizeof runs);
    const char *f = query_value(query, "from", from, sizeof from);
    serve_stream_args a;
    if (serve_stream_parse(r, f, last_id, &a)) {
        if (a.n < 1 || a.n > SERVE_STREAM_RUNS)
            abort();
        for (int k = 0; k < a.n; k++)
            if (!serve_name_ok(a.id[k], strlen(a.id[k])))
                abort();
    }
    serve_stream *st = serve_stream_new(server, r, f, last_id);
    if (st) {
        static char buf[4096];
        bool over;
        serve_stream_read(st, buf, sizeof buf, &over); /* what was queued at once */
        serve_stream_free(st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size), *p = text;
    const char *method = line(&p), *host = line(&p);
    char *target = line(&p);
    const char *last_id = line(&p);
    if (host && strcmp(host, "-") == 0)
        host = NULL;
    char *query = target ? strchr(target, '?') : NULL;
    if (query)
        *query++ = '\0';
    if (target)
        MHD_http_unescape(target); /* libmicrohttpd decodes the path */
    serve_route rt = serve_decide(&hosts, method, host, target);
    bool get = method && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    if (get != (rt.kind != ROUTE_METHOD))
        abort();
    bool host_known = !host;
    for (int i = 0; i < hosts.n; i++)
        host_known |= host && strcasecmp(host, hosts.name[i]) == 0;
    if (get && host_known == (rt.kind == ROUTE_HOST))
        abort();
    if (rt.kind == ROUTE_FILE) {
        if (!serve_name_ok(rt.id, strlen(rt.id)) || !serve_path_ok(rt.rel) ||
            strstr(rt.rel, "/.") || rt.rel[0] == '.')
            abort(); /* "..", ".hidden" and the writers' temporaries never routed */
        int fd = serve_open(&root, rt.id, rt.rel, SERVE_FILE);
        if (fd >= 0) {
            check_opened(fd);
            close(fd);
        }
    } else if (rt.kind == ROUTE_EVENTS) {
        stream(query, last_id);
    }
    free(text);
    return 0;
}
