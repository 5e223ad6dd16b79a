/* mg_serve.h — watch training runs in a browser while they are written: a
 * local, read-only web server over a directory of run directories
 * (mg_run.h), in the process that calls it (a thread per connection,
 * through libmicrohttpd).
 *
 *     mg_error err;
 *     mg_serve *s = mg_serve_start("mgviz-runs", NULL, &err);
 *     if (!s) { fprintf(stderr, "%s\n", err.message); return 1; }
 *     printf("open %s\n", mg_serve_url(s));        // http://127.0.0.1:6180/
 *     ... train, writing runs under mgviz-runs/ ...
 *     mg_serve_stop(s);
 *
 * The page lists the runs and shows, for the runs selected, the loss and
 * accuracy curves overlaid (with smoothing, like TensorBoard), each layer's
 * health over the steps (activation and grad histograms, dead or saturated
 * fractions, update-to-data ratios against the ~-3 guide, warnings), and
 * every saved step's pictures (graph, sample graph, decision boundary) with
 * the run's inspector.html. Open pages follow a run as it is written
 * (Server-Sent Events; a step is on the page within a second of being
 * logged).
 *
 * Root: a directory whose subdirectories are runs (each holds run.json), or
 * one run directory itself. What it serves (GET and HEAD only; any other
 * method is 405):
 *     /                          the page (its script and style beside it)
 *     /api/runs                  the runs as JSON
 *     /api/events?runs=A/B&from=0,0   one event stream over runs A and B:
 *                                run.json, then every complete line of
 *                                steps.jsonl as it appears
 *     /runs/ID/PATH              a file of run ID (pictures, manifests)
 *
 * Safe by default: binds 127.0.0.1 unless options.host says otherwise;
 * serves regular files under the root only (no "..", no absolute paths, no
 * symbolic link leading out of the root, no devices or FIFOs), refuses a
 * Host header that is not the address served (DNS rebinding) when bound to
 * loopback; bounds request size, connections (in all and per address) and
 * idle time; a bad request gets a 4xx and touches nothing else. Pages show
 * run names and labels as text, never as markup. The server's threads block
 * every signal, so SIGINT and SIGTERM reach the caller's threads. */
#ifndef MG_SERVE_H
#define MG_SERVE_H

#include <stddef.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

enum { MG_SERVE_DEFAULT_PORT = 6180 };

/* Server options; a zero-initialised struct (or NULL) means the defaults. */
typedef struct mg_serve_options {
    const char *host;           /* numeric address to bind ("127.0.0.1",
                                   "::1", "0.0.0.0"); NULL: 127.0.0.1 */
    int port;                   /* 0: any free port (mg_serve_port() says
                                   which); `mgviz serve` asks for
                                   MG_SERVE_DEFAULT_PORT */
    unsigned max_connections;   /* open connections in all; 0: 256 */
    unsigned max_per_address;   /* from one client address; 0: 200 */
    unsigned timeout_seconds;   /* an idle connection is closed; 0: 15 */
    size_t max_request_bytes;   /* request line and headers; 0: 16 KiB */
    int log_fd;                 /* the HTTP layer's error messages; 0 or
                                   less: none (a training terminal stays
                                   clean) */
} mg_serve_options;

typedef struct mg_serve mg_serve;

/* Starts serving root (which must be a directory) in background threads.
 * NULL with err filled when the root cannot be opened, the address is not
 * numeric, or the port cannot be bound (MG_EIO; errno EADDRINUSE when
 * another program has it). */
MG_API mg_serve *mg_serve_start(const char *root, const mg_serve_options *options,
                                mg_error *err);
/* The port bound. */
MG_API int mg_serve_port(const mg_serve *s);
/* The page's address, "http://127.0.0.1:6180/" ("http://[::1]:PORT/" for
 * IPv6). */
MG_API const char *mg_serve_url(const mg_serve *s);
/* The address of one run's page: the page with that run selected, given
 * the run's directory (its last name is the run's id). Written into buf (n
 * bytes); returns buf, or NULL when it does not fit. */
MG_API char *mg_serve_run_url(const mg_serve *s, const char *run_dir, char *buf, size_t n);
/* Stops: open event streams end, connections close, threads are joined,
 * s is freed. NULL is a no-op. */
MG_API void mg_serve_stop(mg_serve *s);

MG_EXTERN_C_END

#endif
