/* serve_route.c — what a request's path asks for. Paths are matched whole;
 * a run file's path must be plain names (serve_path_ok), so "..", "//",
 * "/./" or a leading "/" after /runs/ID/ are refused here, before any file
 * is looked at. */
#include <string.h>

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
