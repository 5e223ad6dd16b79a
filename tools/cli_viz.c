/* cli_viz.c — the drawing options every picture-making subcommand accepts. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char cli_viz_help[] =
    "  --rankdir LR|TB|RL|BT  direction of the graph (default LR)\n"
    "  --ids                  show each node's #id in its box\n"
    "  --precision N          significant digits of data and grad (default 4)\n"
    "  --no-op-nodes          no op ellipses: edges go value to value\n"
    "  --fold-budget N|never  fold by scope above N value boxes (default 300)\n"
    "  --title TEXT           a title above the graph\n"
    "  --focus ID             draw only the neighbourhood of node ID\n"
    "  --radius N             edges around --focus (default 2)\n"
    "  --unfold SCOPE         draw the nodes of scope path SCOPE individually\n"
    "  --open SCOPE           draw SCOPE, one member of a folded group (sample17 of\n"
    "                         sample0..sample99), on its own\n"
    "  --edges auto|grad|plain  edge labels: the chain rule, local x upstream =\n"
    "                         contribution (grad), or counts only (plain); auto:\n"
    "                         grad in pictures of at most 40 boxes after backward\n"
    "  --dpi N                PNG resolution (default 72)\n";

/* A whole number for option name, within [lo, hi]: 1, or -1 with the range
 * named in the message. */
static int number_option(const char *cmd, const char *name, const char *value,
                         uint64_t lo, uint64_t hi, uint64_t *out)
{
    return cli_whole_in(cmd, name, value, lo, hi, out) ? 1 : -1;
}

static int rankdir(const char *cmd, const char *value, mg_viz_options *opt)
{
    static const char *const dirs[] = {"LR", "TB", "RL", "BT", NULL};
    size_t k;
    if (!cli_choice(cmd, "--rankdir", value, dirs, &k))
        return -1;
    opt->rankdir = dirs[k];
    return 1;
}

static int edges(const char *cmd, const char *value, mg_viz_options *opt)
{
    static const char *const names[] = {"auto", "grad", "plain", NULL};
    static const mg_viz_edges kinds[] = {MG_VIZ_EDGES_AUTO, MG_VIZ_EDGES_GRAD, MG_VIZ_EDGES_PLAIN};
    size_t k;
    if (!cli_choice(cmd, "--edges", value, names, &k))
        return -1;
    opt->edges = kinds[k];
    return 1;
}

int cli_viz_option(const char *cmd, int argc, char **argv, int *i, mg_viz_options *opt)
{
    const char *arg = argv[*i], *v;
    uint64_t n;
    int rc;
    if (cli_flag(arg, "--ids"))
        return opt->show_ids = true, 1;
    if (cli_flag(arg, "--no-op-nodes"))
        return opt->hide_op_nodes = true, 1;
    if ((rc = cli_value(cmd, argc, argv, i, "--rankdir", &v)) != 0)
        return rc < 0 ? rc : rankdir(cmd, v, opt);
    if ((rc = cli_value(cmd, argc, argv, i, "--title", &v)) != 0)
        return rc < 0 ? rc : (opt->title = v, 1);
    if ((rc = cli_value(cmd, argc, argv, i, "--unfold", &v)) != 0)
        return rc < 0 ? rc : (opt->unfold_scope = v, 1);
    if ((rc = cli_value(cmd, argc, argv, i, "--open", &v)) != 0)
        return rc < 0 ? rc : (opt->open_member = v, 1);
    if ((rc = cli_value(cmd, argc, argv, i, "--edges", &v)) != 0)
        return rc < 0 ? rc : edges(cmd, v, opt);
    if ((rc = cli_value(cmd, argc, argv, i, "--precision", &v)) != 0) {
        if (rc > 0 && (rc = number_option(cmd, "--precision", v, 1, 17, &n)) > 0)
            opt->precision = (int)n;
        return rc;
    }
    if ((rc = cli_value(cmd, argc, argv, i, "--fold-budget", &v)) != 0) {
        if (rc > 0 && strcmp(v, "never") == 0)
            return opt->fold_budget = SIZE_MAX, 1;
        if (rc > 0 && (rc = number_option(cmd, "--fold-budget", v, 1, SIZE_MAX, &n)) > 0)
            opt->fold_budget = (size_t)n;
        return rc;
    }
    if ((rc = cli_value(cmd, argc, argv, i, "--focus", &v)) != 0) {
        if (rc > 0 && (rc = number_option(cmd, "--focus", v, 0, UINT32_MAX, &n)) > 0)
            opt->focus = true, opt->focus_id = (uint32_t)n;
        return rc;
    }
    if ((rc = cli_value(cmd, argc, argv, i, "--radius", &v)) != 0) {
        if (rc > 0 && (rc = number_option(cmd, "--radius", v, 1, 1000000, &n)) > 0)
            opt->focus_radius = (uint32_t)n;
        return rc;
    }
    if ((rc = cli_value(cmd, argc, argv, i, "--dpi", &v)) != 0) {
        if (rc > 0 && (rc = number_option(cmd, "--dpi", v, 1, 2400, &n)) > 0)
            opt->dpi = (int)n;
        return rc;
    }
    return 0;
}
