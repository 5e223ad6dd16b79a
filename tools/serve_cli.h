/* serve_cli.h — the server as the command line starts it, shared by
 * `mgviz serve` and `mgviz train --serve` (cmd_serve.c). */
#ifndef MGVIZ_SERVE_CLI_H
#define MGVIZ_SERVE_CLI_H

#include <stdbool.h>

#include "mg_serve.h"

/* How the command line asked to listen. */
typedef struct serve_cli {
    const char *host;          /* NULL: 127.0.0.1 */
    int port;                  /* 0: any free one */
    bool port_given;           /* false: the default port, or any free one
                                  when another program has it */
} serve_cli;

/* Starts serving root and prints where ("serving ROOT at URL"; with
 * run_dir, that run's page too). NULL with the message printed as mgviz
 * CMD's when it cannot. */
mg_serve *serve_cli_start(const char *cmd, const char *root, const serve_cli *how,
                          const char *run_dir);

/* Blocks until SIGINT or SIGTERM arrives; returns which. */
int serve_cli_wait(void);

#endif
