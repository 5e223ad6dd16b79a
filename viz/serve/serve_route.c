/* serve_route.c — what a request asks for, from its method, its Host header
 * and its path, before any file is looked at (serve.c only carries it out).
 * Paths are matched whole; a run file's path must be plain names
 * (serve_path_ok), so "..", "//", "/./" or a leading "/" after /runs/ID/ are
 * refused here. */
#include <string.h>
#include <strings.h>

#include "serve_internal.h"

static const char *const assets[] = { "/serve.js", "/serve.css" };

serve_route serve_route_of(const char *url)
{
    serve_route r = { .kind = ROUTE_NONE };
    if (!url || url[0] != '/')
        return (serve_route){ .kind = ROUTE_BAD };
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        return (serve_route){ .kind = ROUTE_PAGE };
    for (int i = 0; i < (int)(sizeof assets / sizeof *assets); i++)
        if (strcmp(url, assets[i]) == 0)
            return (serve_route){ .kind = ROUTE_ASSET, .asset = i };
    if (strcmp(url, "/api/runs") == 0)
        return (serve_route){ .kind = ROUTE_RUNS };
    if (strcmp(url, "/api/events") == 0)
        return (serve_route){ .kind = ROUTE_EVENTS };
    if (strncmp(url, "/runs/", 6) != 0)
        return r;
    const char *id = url + 6;
    size_t n = strcspn(id, "/");
    if (!serve_name_ok(id, n) || id[n] != '/' || !serve_path_ok(id + n + 1) || !id[n + 1])
        return (serve_route){ .kind = ROUTE_BAD };
    r.kind = ROUTE_FILE;
    memcpy(r.id, id, n);
    r.id[n] = '\0';
    r.rel = id + n + 1;
    return r;
}

static bool host_ok(const serve_hosts *h, const char *host)
{
    if (!h->check || !host)
        return true; /* HTTP/1.0 without Host: not a browser */
    for (int i = 0; i < h->n; i++)
        if (strcasecmp(host, h->name[i]) == 0)
            return true;
    return false;
}

serve_route serve_decide(const serve_hosts *h, const char *method, const char *host,
                         const char *url)
{
    bool head = method && strcmp(method, "HEAD") == 0;
    if (!head && !(method && strcmp(method, "GET") == 0))
        return (serve_route){ .kind = ROUTE_METHOD };
    if (!host_ok(h, host))
        return (serve_route){ .kind = ROUTE_HOST, .head = head };
    serve_route r = serve_route_of(url);
    r.head = head;
    return r;
}
