/* cmd_inspect.c — `mgviz inspect`: questions about a program's graph, as text
 * or JSON. The queries themselves live in viz/graph/mg_inspect.h. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mg_inspect.h"
#include "mg_size.h"

#define CMD "inspect"
#define DEFAULT_PATHS 10
#define PATH_ENDS 8 /* ids shown at each end of a long path in text */

static const char usage_text[] =
    "Usage: mgviz inspect PROGRAM [NAME=VALUE ...] [--json] [QUERY ...]\n"
    "       mgviz inspect -f FILE [NAME=VALUE ...] [--json] [QUERY ...]   (FILE '-' is stdin)\n"
    "       mgviz inspect --graph FILE.json [--json] [QUERY ...]\n"
    "\n"
    "Builds PROGRAM (the language of mgviz expr), runs backward from its root\n"
    "first, then answers each QUERY about the nodes the root depends on. With\n"
    "--graph it reads a saved graph JSON (mgviz expr --format json) instead and\n"
    "runs no backward: data and grads are the file's.\n"
    "\n"
    "Queries (any number; without one: --counts --depth --nonfinite):\n"
    "  --counts               node count by op, by leaf kind and by scope (a scope\n"
    "                         counts the nodes in it and below it, as its folded\n"
    "                         box in a picture does; a leaf counts in the scope\n"
    "                         around all its uses)\n"
    "  --depth                longest path from a leaf to the root, and that path\n"
    "  --path LEAF            the paths from LEAF to the root; LEAF is a label\n"
    "                         (a leaf first) or an id (12 or #12)\n"
    "  --limit N              list at most N paths (default 10); all are counted\n"
    "  --top N                the N leaves with the largest |grad| (NaN first)\n"
    "  --nonfinite            the first node in creation (topological) order whose\n"
    "                         data or grad is NaN or Inf, with its op and parents\n"
    "  --node ID              one node with its parents and children\n"
    "\n"
    "Options:\n"
    "  -f FILE                read the program from FILE ('-' for stdin)\n"
    "  --graph FILE.json      inspect a saved graph JSON ('-' for stdin)\n"
    "  --json                 answer in one JSON object (keys counts, depth, paths,\n"
    "                         top, nonfinite, node; nodes as in the graph JSON)\n"
    "  --seed N               seed of the no-values rule (default 1)\n"
    "  -h, --help             this help\n"
    "\n"
    CLI_VALUES_RULE
    "\n"
    "Exit codes: 0 done; 1 a bad program, value or graph file; 2 a usage or I/O\n"
    "error (a LEAF or ID that names no node is one).\n"
    "\n"
    "Examples:\n"
    "  mgviz inspect \"y = x*x; y + y\" x=3\n"
    "  mgviz inspect -f model.py --top 5 --json\n"
    "  mgviz inspect \"log(x) * y\" x=-1 y=2 --nonfinite --node 1\n"
    "  mgviz inspect \"a = 2; b = a*a; b*a + a\" --path a\n"
    "  mgviz expr \"tanh(x*w)\" -o g.json && mgviz inspect --graph g.json --top 2\n";

typedef struct inspect_args {
    const char *program, *file, *graph;
    bool json, counts, depth, nonfinite;
    const char *path_from;  /* --path */
    const char *node;       /* --node */
    uint64_t limit, top;
    bool has_top;
    uint64_t seed;
    mg_expr_binding *bindings;
    size_t nbindings;
} inspect_args;

/* Options with a value; returns -1 to go on, 0 if arg is none of them, or an
 * exit code. */
static int value_option(int argc, char **argv, int *i, inspect_args *a)
{
    const char *v;
    int rc;
    if ((rc = cli_value(CMD, argc, argv, i, "-f", &a->file)) != 0 ||
        (rc = cli_value(CMD, argc, argv, i, "--graph", &a->graph)) != 0 ||
        (rc = cli_value(CMD, argc, argv, i, "--path", &a->path_from)) != 0 ||
        (rc = cli_value(CMD, argc, argv, i, "--node", &a->node)) != 0)
        return rc < 0 ? CLI_USAGE : -1;
    struct { const char *name; uint64_t *out; } numbers[] = {
        {"--limit", &a->limit}, {"--top", &a->top}, {"--seed", &a->seed}};
    for (size_t k = 0; k < 3; k++) {
        if ((rc = cli_value(CMD, argc, argv, i, numbers[k].name, &v)) == 0)
            continue;
        if (rc < 0)
            return CLI_USAGE;
        if (!cli_whole_in(CMD, numbers[k].name, v, 0, UINT64_MAX, numbers[k].out))
            return CLI_USAGE;
        a->has_top |= numbers[k].out == &a->top;
        return -1;
    }
    return 0;
}

static int parse_one(int argc, char **argv, int *i, inspect_args *a, bool *options_done)
{
    char *arg = argv[*i];
    if (!*options_done && cli_is_option(arg)) {
        if (cli_flag(arg, "--"))
            return *options_done = true, -1;
        if (cli_flag(arg, "-h") || cli_flag(arg, "--help"))
            return fputs(usage_text, stdout), CLI_OK;
        bool *flags[] = {&a->json, &a->counts, &a->depth, &a->nonfinite};
        const char *names[] = {"--json", "--counts", "--depth", "--nonfinite"};
        for (size_t k = 0; k < 4; k++)
            if (cli_flag(arg, names[k]))
                return *flags[k] = true, -1;
        int rc = value_option(argc, argv, i, a);
        if (rc != 0)
            return rc;
    }
    return cli_positional(CMD, arg, !*options_done && cli_is_option(arg),
                          a->program || a->file || a->graph, (const char *const[]){usage_text, NULL},
                          &a->program, a->bindings, &a->nbindings);
}

static int parse_args(int argc, char **argv, inspect_args *a)
{
    bool options_done = false;
    a->seed = 1;
    a->limit = DEFAULT_PATHS;
    for (int i = 1; i < argc; i++) {
        int rc = parse_one(argc, argv, &i, a, &options_done);
        if (rc >= 0)
            return rc;
    }
    if (!a->program && !a->file && !a->graph)
        return cli_fail(CMD, CLI_USAGE, "no program: give PROGRAM, -f FILE or --graph FILE"
                        " (see mgviz inspect --help)");
    if (a->program && strcmp(a->program, "-") == 0 && !a->file) /* PROGRAM '-' is stdin */
        a->file = a->program, a->program = NULL;
    if ((a->program != NULL) + (a->file != NULL) + (a->graph != NULL) > 1)
        return cli_fail(CMD, CLI_USAGE, "give only one of PROGRAM, -f FILE and --graph FILE");
    if (a->graph && a->nbindings)
        return cli_fail(CMD, CLI_USAGE, "NAME=VALUE does not apply to --graph");
    if (!a->counts && !a->depth && !a->nonfinite && !a->path_from && !a->node && !a->has_top)
        a->counts = a->depth = a->nonfinite = true;
    return -1;
}

/* Output helpers: text for people, or members of one JSON object. */
typedef struct out {
    bool json;
    bool first;  /* no JSON member written yet */
} out;

static void member(out *o, const char *key)
{
    printf("%s\"%s\":", o->first ? "{" : ",\n", key);
    o->first = false;
}

static void text_node(const mg_value *v)
{
    char op[64];
    mg_value_op_label(v, op, sizeof op);
    printf("#%u", v->id);
    if (*mg_value_label(v)) {
        putchar(' ');
        cli_put_visible(stdout, mg_value_label(v), false);
    }
    printf(" (%s%s%s) data ", mg_node_kind(v), *op ? " " : "", op);
    cli_print_number(stdout, v->data);
    fputs(" grad ", stdout);
    cli_print_number(stdout, v->grad);
}

static void id_list(const uint32_t *ids, size_t n, const char *sep)
{
    for (size_t k = 0; k < n; k++)
        printf("%s%s%u", k ? sep : "", sep[0] == ',' ? "" : "#", ids[k]);
}

static int query_counts(out *o, const mg_value *root)
{
    mg_inspect_counts c;
    mg_error err;
    if (mg_inspect_count(root, &c, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    const mg_graph *g = root->graph;
    char path[256];
    if (o->json) {
        member(o, "counts");
        printf("{\"nodes\":%zu,\"inputs\":%zu,\"params\":%zu,\"consts\":%zu,\"by_op\":{",
               c.nodes, c.inputs, c.params, c.consts);
        const char *sep = "";
        for (int op = 0; op < MG_OP_COUNT; op++)
            if (c.by_op[op])
                printf("%s\"%s\":%zu", sep, op ? mg_op_name((mg_op)op) : "leaf", c.by_op[op]), sep = ",";
        const size_t *per[] = {c.by_scope, c.in_scope};
        const char *key[] = {"},\"by_scope\":{", "},\"in_scope\":{"};
        for (int k = 0; k < 2; k++) {
            fputs(key[k], stdout);
            sep = "";
            for (uint32_t s = 0; s < c.nscopes; s++)
                if (per[k][s]) {
                    mg_scope_path(g, s, path, sizeof path);
                    fputs(sep, stdout);
                    mg_json_write_string(stdout, path);
                    printf(":%zu", per[k][s]);
                    sep = ",";
                }
        }
        fputs("}}", stdout);
    } else {
        printf("nodes: %zu (%zu inputs, %zu params, %zu consts, %zu ops)\nby op:", c.nodes,
               c.inputs, c.params, c.consts, c.nodes - c.by_op[MG_OP_LEAF]);
        for (int op = 1; op < MG_OP_COUNT; op++)
            if (c.by_op[op])
                printf(" %s %zu", mg_op_name((mg_op)op), c.by_op[op]);
        fputs("\nby scope:", stdout);
        for (uint32_t s = 0; s < c.nscopes; s++)
            if (c.in_scope[s]) {
                mg_scope_path(g, s, path, sizeof path);
                putchar(' ');
                cli_put_visible(stdout, s ? path : "(root)", false);
                printf(" %zu", c.in_scope[s]);
            }
        fputc('\n', stdout);
    }
    mg_inspect_counts_free(&c);
    return CLI_OK;
}

/* The paths of p, as JSON arrays or text lines. */
static void print_paths(const out *o, const mg_inspect_paths *p)
{
    for (size_t k = 0; k < p->npaths; k++) {
        const uint32_t *ids = p->ids + p->start[k];
        size_t n = p->start[k + 1] - p->start[k];
        if (o->json) {
            printf("%s[", k ? "," : "");
            id_list(ids, n, ",");
            putchar(']');
        } else if (n <= 2 * PATH_ENDS + 4) {
            fputs("  ", stdout);
            id_list(ids, n, " -> ");
            putchar('\n');
        } else { /* a long path: its ends (--json lists it all) */
            fputs("  ", stdout);
            id_list(ids, PATH_ENDS, " -> ");
            printf(" -> ... %zu more ... -> ", n - 2 * PATH_ENDS);
            id_list(ids + n - PATH_ENDS, PATH_ENDS, " -> ");
            putchar('\n');
        }
    }
}

static int query_depth(out *o, const mg_value *root)
{
    mg_inspect_paths p;
    mg_error err;
    if (mg_inspect_longest_path(root, &p, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    size_t depth = p.start[1] - 1;
    if (o->json) {
        member(o, "depth");
        printf("{\"depth\":%zu,\"path\":", depth);
        print_paths(o, &p);
        putchar('}');
    } else {
        printf("depth: %zu (a longest path from a leaf to the root:)\n", depth);
        print_paths(o, &p);
    }
    mg_inspect_paths_free(&p);
    return CLI_OK;
}

static int query_paths(out *o, const mg_value *root, const char *what, size_t limit)
{
    const mg_value *from = mg_inspect_find(root, what);
    if (!from)
        return cli_fail(CMD, CLI_USAGE, "--path: no node labelled or numbered '%s'", what);
    mg_inspect_paths p;
    mg_error err;
    if (mg_inspect_paths_find(root, from, limit, &p, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    if (o->json) {
        member(o, "paths");
        printf("{\"from\":%u,\"to\":%u,\"total\":%llu,\"paths\":[", from->id, root->id,
               (unsigned long long)p.total);
        print_paths(o, &p);
        fputs("]}", stdout);
    } else {
        printf("paths from #%u to the root #%u: %llu%s\n", from->id, root->id,
               (unsigned long long)p.total,
               p.total == UINT64_MAX ? " or more" : p.npaths < p.total ? " (first ones:)" : "");
        print_paths(o, &p);
    }
    mg_inspect_paths_free(&p);
    return CLI_OK;
}

static int query_top(out *o, const mg_value *root, size_t n)
{
    size_t nodes = mg_graph_count(root->graph); /* no more leaves than nodes */
    if (n > nodes)
        n = nodes;
    const mg_value **top = mg_alloc_array(n, sizeof *top);
    size_t found = 0;
    mg_error err;
    if (!top || mg_inspect_top_grads(root, n, top, &found, &err) != MG_OK) {
        free(top);
        return cli_fail(CMD, CLI_USAGE, "%s", top ? err.message : "out of memory");
    }
    if (o->json)
        member(o, "top"), putchar('[');
    else
        printf("leaves with the largest |grad| (%zu):\n", found);
    for (size_t k = 0; k < found; k++) {
        if (o->json) {
            fputs(k ? "," : "", stdout);
            mg_export_node_json(stdout, top[k]);
        } else {
            fputs("  ", stdout);
            text_node(top[k]);
            putchar('\n');
        }
    }
    if (o->json)
        putchar(']');
    free(top);
    return CLI_OK;
}

/* A node with its parents and children, as JSON or text. */
static int describe_node(out *o, const mg_value *root, const mg_value *v, const char *key)
{
    uint32_t *children;
    size_t nchildren;
    mg_error err;
    if (mg_inspect_children(root, v, &children, &nchildren, &err) != MG_OK)
        return cli_fail(CMD, CLI_USAGE, "%s", err.message);
    mg_value *parents[MG_MAX_OPERANDS];
    int np = mg_node_operands(v, parents);
    if (o->json) {
        member(o, key);
        fputs("{\"node\":", stdout);
        mg_export_node_json(stdout, v);
        fputs(",\"parents\":[", stdout);
        for (int k = 0; k < np; k++) {
            fputs(k ? "," : "", stdout);
            mg_export_node_json(stdout, parents[k]);
        }
        fputs("],\"children\":[", stdout);
        id_list(children, nchildren, ",");
        fputs("]}", stdout);
    } else {
        printf("%s: ", key);
        text_node(v);
        putchar('\n');
        for (int k = 0; k < np; k++) {
            fputs("  parent ", stdout);
            text_node(parents[k]);
            putchar('\n');
        }
        fputs("  children: ", stdout);
        if (nchildren)
            id_list(children, nchildren, " ");
        else
            fputs(v == root ? "none (the root)" : "none", stdout);
        putchar('\n');
    }
    free(children);
    return CLI_OK;
}

static int query_nonfinite(out *o, const mg_value *root)
{
    const mg_value *bad = mg_inspect_first_nonfinite(root);
    if (bad)
        return describe_node(o, root, bad, "nonfinite");
    if (o->json)
        member(o, "nonfinite"), fputs("null", stdout);
    else
        puts("nonfinite: none (every data and grad is finite)");
    return CLI_OK;
}

static int query_node(out *o, const mg_value *root, const char *what)
{
    const mg_value *v = mg_inspect_find(root, what);
    if (!v)
        return cli_fail(CMD, CLI_USAGE, "--node: no node labelled or numbered '%s'", what);
    return describe_node(o, root, v, "node");
}

static int answer(const inspect_args *a, const mg_value *root)
{
    out o = {a->json, true};
    int rc = CLI_OK;
    if (rc == CLI_OK && a->counts)
        rc = query_counts(&o, root);
    if (rc == CLI_OK && a->depth)
        rc = query_depth(&o, root);
    if (rc == CLI_OK && a->path_from)
        rc = query_paths(&o, root, a->path_from, (size_t)a->limit);
    if (rc == CLI_OK && a->has_top)
        rc = query_top(&o, root, (size_t)a->top);
    if (rc == CLI_OK && a->nonfinite)
        rc = query_nonfinite(&o, root);
    if (rc == CLI_OK && a->node)
        rc = query_node(&o, root, a->node);
    if (o.json && !o.first)
        puts("}");
    return rc;
}

/* A program: built, backward run, then the queries. */
static int inspect_program(const inspect_args *a, const char *text)
{
    mg_graph *g = mg_graph_new();
    if (!g)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    cli_values values = {a->bindings, a->nbindings, a->seed, false, stderr};
    cli_program p;
    mg_expr_error perr;
    int status = cli_program_build(&p, text, g, &values, &perr);
    if (status != CLI_OK)
        cli_print_expr_error(CMD, a->file ? a->file : "program", text, &perr);
    else if (mg_backward(p.root) != MG_OK)
        status = cli_fail(CMD, CLI_USAGE, "%s",
                          mg_graph_error(g) ? mg_graph_error(g) : "backward failed");
    else
        status = answer(a, p.root);
    cli_program_free(&p);
    mg_graph_free(g);
    return status;
}

/* A saved graph JSON: imported as it is, then the queries. */
static int inspect_graph(const inspect_args *a, const char *text)
{
    mg_graph *g = mg_graph_new();
    if (!g)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    mg_value *root;
    mg_export_var *vars;
    size_t nvars;
    mg_error err;
    mg_code rc = mg_import_json(text, g, &root, &vars, &nvars, &err);
    int status = rc == MG_OK ? answer(a, root)
               : cli_fail(CMD, rc == MG_ENOMEM ? CLI_USAGE : CLI_BAD, "%s: %s", a->graph,
                          err.message);
    free(vars);
    mg_graph_free(g);
    return status;
}

int cmd_inspect(int argc, char **argv)
{
    inspect_args a = {0};
    a.bindings = mg_alloc_array((size_t)argc, sizeof *a.bindings);
    if (!a.bindings)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    int status = parse_args(argc, argv, &a);
    const char *path = a.graph ? a.graph : a.file;
    char *source = status < 0 && path ? cli_read_file(CMD, path) : NULL;
    if (status < 0 && path && !source)
        status = CLI_USAGE;
    if (status < 0)
        status = a.graph ? inspect_graph(&a, source) : inspect_program(&a, path ? source : a.program);
    free(source);
    free(a.bindings);
    return status;
}
