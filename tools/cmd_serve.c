/* cmd_serve.c — `mgviz serve [RUNS_ROOT]`: the runs under a directory in a
 * browser, live, from a local read-only server (viz/serve/mg_serve.h); and
 * the same server for `mgviz train --serve`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "serve_cli.h"

#define CMD "serve"

static const char usage_text[] =
    "Usage: mgviz serve [RUNS_ROOT] [--host ADDR] [--port N]\n"
    "\n"
    "Serves the training runs under RUNS_ROOT (default mgviz-runs/, where mgviz\n"
    "train puts them; or one run's directory) to a browser, as TensorBoard does:\n"
    "the runs listed, their loss and accuracy curves overlaid (tick several to\n"
    "compare), each layer's health over the steps (activation and grad\n"
    "histograms, dead or saturated units, update-to-data ratios), and every saved\n"
    "step's pictures with the run's inspector. Pages follow runs being written:\n"
    "a logged step is on the page within a second. Ctrl-C stops the server.\n"
    "\n"
    "Safe by default: it listens on 127.0.0.1 (this machine only), answers GET\n"
    "and HEAD only, serves regular files under RUNS_ROOT only (no '..', no link\n"
    "leading out), and limits request sizes, connections and idle time.\n"
    "\n"
    "Options:\n"
    "  --host ADDR            the numeric address to listen on (default 127.0.0.1;\n"
    "                         0.0.0.0 or :: lets every machine that can reach this\n"
    "                         one read every run under RUNS_ROOT)\n"
    "  --port N               the port (default 6180, or a free one when 6180 is\n"
    "                         taken; 0: any free port)\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 a usage error, or the root or\n"
    "port cannot be used.\n"
    "\n"
    "Examples:\n"
    "  mgviz serve                       # then open http://127.0.0.1:6180/\n"
    "  mgviz serve runs/ --port 8080\n"
    "  mgviz train --serve               # train and watch it live\n";

static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

int serve_cli_wait(void)
{
    sigset_t set;
    block_stop_signals(&set);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return sig;
}

mg_serve *serve_cli_start(const char *cmd, const char *root, const serve_cli *how,
                          const char *run_dir)
{
    mg_error err;
    mg_serve_options o = { .host = how->host, .port = how->port_given ? how->port
                                                                      : MG_SERVE_DEFAULT_PORT };
    mg_serve *s = mg_serve_start(root, &o, &err);
    bool moved = false;
    if (!s && !how->port_given && errno == EADDRINUSE) {
        o.port = 0; /* the default is taken: any free port will do */
        s = mg_serve_start(root, &o, &err);
        moved = s != NULL;
    }
    if (!s) {
        cli_fail(cmd, CLI_USAGE, "%s", err.message);
        return NULL;
    }
    if (moved)
        printf("port %d is taken; serving on port %d instead\n", MG_SERVE_DEFAULT_PORT,
               mg_serve_port(s));
    char url[1400];
    if (run_dir && mg_serve_run_url(s, run_dir, url, sizeof url))
        printf("watch it live: %s\n", url);
    else {
        fputs("serving ", stdout);
        cli_put_visible(stdout, root, false);
        printf(" at %s\n", mg_serve_url(s));
    }
    if (how->host && strcmp(how->host, "127.0.0.1") != 0 && strcmp(how->host, "::1") != 0) {
        printf("listening on %s: whoever can reach this machine can read every run under ",
               how->host);
        cli_put_visible(stdout, root, false);
        putchar('\n');
    }
    /* the address is what the user needs: a server nobody was told of stops */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        mg_serve_stop(s);
        cli_fail(cmd, CLI_USAGE, "cannot write to standard output (%s): the server's address "
                 "would be lost", strerror(e));
        return NULL;
    }
    return s;
}

int cmd_serve(int argc, char **argv)
{
    const char *root = NULL;
    serve_cli how = { 0 };
    for (int i = 1; i < argc; i++) {
        const char *v;
        int rc;
        if (cli_flag(argv[i], "-h") || cli_flag(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if ((rc = cli_value(CMD, argc, argv, &i, "--host", &how.host)) != 0) {
            if (rc < 0)
                return CLI_USAGE;
            continue;
        }
        if ((rc = cli_value(CMD, argc, argv, &i, "--port", &v)) != 0) {
            uint64_t port;
            if (rc < 0 || !cli_whole_in(CMD, "--port", v, 0, 65535, &port))
                return CLI_USAGE;
            how.port = (int)port;
            how.port_given = true;
            continue;
        }
        if (cli_is_option(argv[i]))
            return cli_unknown_option(CMD, argv[i], (const char *const[]){ usage_text, NULL });
        if (root)
            return cli_fail(CMD, CLI_USAGE, "one RUNS_ROOT only ('%s' and '%s'); see mgviz serve "
                            "--help", root, argv[i]);
        root = argv[i];
    }
    if (!root)
        root = "mgviz-runs";
    /* blocked before the server's threads start, so only sigwait sees them */
    sigset_t set;
    block_stop_signals(&set);
    mg_serve *s = serve_cli_start(CMD, root, &how, NULL);
    if (!s)
        return CLI_USAGE;
    puts("Ctrl-C stops.");
    fflush(stdout);
    int sig = serve_cli_wait();
    mg_serve_stop(s);
    printf("stopped (%s)\n", sig == SIGINT ? "Ctrl-C" : "SIGTERM");
    return CLI_OK;
}
