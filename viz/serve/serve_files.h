/* serve_files.h — responses for a run's files (serve_files.c); the one
 * internal header that sees libmicrohttpd. */
#ifndef SERVE_FILES_H
#define SERVE_FILES_H

#include <microhttpd.h>

#include "serve_internal.h"

/* The headers every response carries (nosniff, no referrer, same-origin
 * resources, no caching), and csp when not NULL. */
void serve_common_headers(struct MHD_Response *r, const char *csp);

/* The response for file rel of run id, with its content type and policy,
 * or NULL with *status the error to answer (400, 404, 500). */
struct MHD_Response *serve_file_response(const serve_root *root, const char *id,
                                         const char *rel, unsigned *status);

#endif
