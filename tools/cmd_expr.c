/* cmd_expr.c — `mgviz expr`: evaluate a program, run backward, and draw or
 * export its graph; `--batch` runs many programs to JSON lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mg_size.h"
#include "mg_html.h"

#define CMD "expr"
#define DEFAULT_PICTURE "mgviz-expr.png"
#define DEFAULT_PAGE "mgviz-expr.html"

static const char usage_text[] =
    "Usage: mgviz expr PROGRAM [NAME=VALUE ...] [options]\n"
    "       mgviz expr -f FILE [NAME=VALUE ...] [options]     (FILE '-' is stdin)\n"
    "       mgviz expr - [NAME=VALUE ...] [options]           (the program on stdin)\n"
    "       mgviz expr --batch FILE [NAME=VALUE ...] [--seed N]\n"
    "\n"
    "Evaluates PROGRAM, runs backward from its last statement, and draws the graph\n"
    "or exports it. The language is Python as micrograd writes it: numbers (2, 2.5,\n"
    ".5, 1e-3), names, + - * / ** (Python precedence: -x**2 is -(x**2), ** is\n"
    "right-associative, 2**-1 works), parentheses, tanh relu sigmoid exp log as\n"
    "f(z) or z.f(), Value(-4.0), statements NAME = EXPR and += -= *= /= separated\n"
    "by newlines or ';', # comments. The last statement is the root, unless a\n"
    "statement z.backward() names it. Lines import ..., from ... and print(...)\n"
    "are skipped, so micrograd snippets paste whole. A name assigned a plain\n"
    "number (a = -4.0, a = Value(-4.0)) is an input; a name read before any\n"
    "assignment is a free variable, valued by NAME=VALUE.\n"
    "\n"
    CLI_VALUES_RULE
    "\n"
    "Output:\n"
    "  -o FILE                write FILE; the format comes from its extension\n"
    "                         (.png .svg .dot .json .txt .html); '-o -' is stdout\n"
    "  --format FMT           png, svg, dot, json, text or html (the inspector: one\n"
    "                         self-contained page to explore the graph before and\n"
    "                         after backward in a browser; a file, not stdout)\n"
    "  Without -o, a PNG goes to ./" DEFAULT_PICTURE ", a page to ./" DEFAULT_PAGE ",\n"
    "  the other formats to stdout. When the output is a file, mgviz says where it\n"
    "  wrote and prints the root's value and each variable's grad on stdout; when\n"
    "  the output is stdout, it prints only the output (drawn values go to stderr).\n"
    "  --before-after         one picture of the graph before and after backward\n"
    "                         (png, svg or dot file)\n"
    "\n"
    "Drawing:\n"
    "%s"
    "\n"
    "Programs:\n"
    "  -f FILE                read the program from FILE ('-' for stdin)\n"
    "  --seed N               seed of the no-values rule (default 1)\n"
    "  --batch FILE           run every program of FILE ('-' for stdin); programs\n"
    "                         are separated by lines '---'. Prints one JSON object\n"
    "                         per program per line: the graph JSON, or\n"
    "                         {\"format\":\"mgviz-error\",\"program\":I,\"error\":...,\n"
    "                         \"line\":L,\"column\":C} for a program that fails.\n"
    "                         NAME=VALUE applies to the programs that use NAME.\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit codes: 0 done; 1 a bad program or value (syntax error, unknown function\n"
    "or variable; in --batch, any program failed); 2 a usage or I/O error (also\n"
    "an option naming what the graph lacks, e.g. --focus 99).\n"
    "Syntax errors show the line with a caret under the column.\n"
    "\n"
    "Examples:\n"
    "  mgviz expr \"x*y + x\" x=2 y=3\n"
    "  mgviz expr \"a = Value(-4.0); b = 2; c = (a*b).relu() + b**3\" -o c.svg --ids\n"
    "  mgviz expr -f micrograd_test.py --format json\n"
    "  mgviz expr \"tanh(w*x + b)\" --seed 7 --format text\n"
    "  mgviz expr --batch programs.txt > results.jsonl\n";

typedef struct expr_args {
    const char *program;   /* the PROGRAM argument */
    const char *file;      /* -f */
    const char *output;    /* -o */
    const char *format;    /* --format */
    const char *batch;     /* --batch */
    bool before_after;
    uint64_t seed;
    mg_viz_options viz;
    mg_expr_binding *bindings;
    size_t nbindings;
} expr_args;

static const char *const formats[] = {"png", "svg", "dot", "json", "text", "html"};

static bool known_format(const char *f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(f, formats[i]) == 0)
            return true;
    return false;
}

/* The format a file name's extension asks for, or NULL. */
static const char *format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return NULL;
    static const struct { const char *ext, *format; } map[] = {
        {".png", "png"}, {".svg", "svg"}, {".dot", "dot"}, {".gv", "dot"},
        {".json", "json"}, {".txt", "text"}, {".text", "text"},
        {".html", "html"}, {".htm", "html"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i].ext) == 0)
            return map[i].format;
    return NULL;
}

static bool is_picture(const char *format)
{
    return strcmp(format, "json") && strcmp(format, "text") && strcmp(format, "html");
}

/* One argument; returns -1 to go on, or an exit code. */
static int parse_one(int argc, char **argv, int *i, expr_args *a, bool *options_done)
{
    char *arg = argv[*i];
    const char *v;
    int rc;
    if (!*options_done && cli_is_option(arg)) {
        if (cli_flag(arg, "--"))
            return *options_done = true, -1;
        if (cli_flag(arg, "-h") || cli_flag(arg, "--help"))
            return printf(usage_text, cli_viz_help), CLI_OK;
        if (cli_flag(arg, "--before-after"))
            return a->before_after = true, -1;
        if ((rc = cli_value(CMD, argc, argv, i, "-f", &a->file)) != 0 ||
            (rc = cli_value(CMD, argc, argv, i, "-o", &a->output)) != 0 ||
            (rc = cli_value(CMD, argc, argv, i, "--format", &a->format)) != 0 ||
            (rc = cli_value(CMD, argc, argv, i, "--batch", &a->batch)) != 0)
            return rc < 0 ? CLI_USAGE : -1;
        if ((rc = cli_value(CMD, argc, argv, i, "--seed", &v)) != 0) {
            if (rc > 0 && !cli_whole_in(CMD, "--seed", v, 0, UINT64_MAX, &a->seed))
                return CLI_USAGE;
            return rc < 0 ? CLI_USAGE : -1;
        }
        if ((rc = cli_viz_option(CMD, argc, argv, i, &a->viz)) != 0)
            return rc < 0 ? CLI_USAGE : -1;
    }
    return cli_positional(CMD, arg, !*options_done && cli_is_option(arg),
                          a->program || a->file || a->batch,
                          (const char *const[]){usage_text, cli_viz_help, NULL}, &a->program,
                          a->bindings, &a->nbindings);
}

static int parse_args(int argc, char **argv, expr_args *a)
{
    bool options_done = false;
    a->seed = 1;
    for (int i = 1; i < argc; i++) {
        int rc = parse_one(argc, argv, &i, a, &options_done);
        if (rc >= 0)
            return rc;
    }
    if (!a->program && !a->file && !a->batch)
        return cli_fail(CMD, CLI_USAGE, "no program: give PROGRAM, -f FILE or --batch FILE"
                        " (see mgviz expr --help)");
    if (a->program && strcmp(a->program, "-") == 0 && !a->file) /* PROGRAM '-' is stdin */
        a->file = a->program, a->program = NULL;
    if ((a->program != NULL) + (a->file != NULL) + (a->batch != NULL) > 1)
        return cli_fail(CMD, CLI_USAGE, "give only one of PROGRAM, -f FILE and --batch FILE");
    if (a->format && !known_format(a->format))
        return cli_fail(CMD, CLI_USAGE, "unknown format '%s': expected png, svg, dot, json, text or html",
                        a->format);
    if (a->output && strcmp(a->output, "-") && !a->format && !format_of(a->output))
        return cli_fail(CMD, CLI_USAGE, "cannot tell the format of '%s' from its extension:"
                        " use .png .svg .dot .json .txt .html or --format", a->output);
    return -1;
}

/* Prints the root's value and each variable's grad. */
static void print_summary(FILE *out, const cli_program *p)
{
    fputs("value = ", out);
    cli_print_number(out, p->root->data);
    fputc('\n', out);
    for (size_t i = 0; i < p->nvars; i++) {
        fprintf(out, "grad %s = ", p->vars[i].name);
        cli_print_number(out, p->vars[i].node ? p->vars[i].node->grad : 0.0);
        fputc('\n', out);
    }
}

/* Writes p in format to path (NULL = stdout); backward has run. */
static mg_code write_output(const cli_program *p, const char *format, const char *path,
                            const mg_viz_options *viz, mg_error *err)
{
    if (strcmp(format, "json") == 0)
        return path ? mg_export_json_file(path, p->root, p->vars, p->nvars, 0, err)
                    : mg_export_json(stdout, p->root, p->vars, p->nvars, 0, err);
    if (strcmp(format, "text") == 0)
        return path ? mg_export_text_file(path, p->root, p->vars, p->nvars, err)
                    : mg_export_text(stdout, p->root, p->vars, p->nvars, err);
    if (path)
        return mg_draw_dot_format(p->root, path, format, viz, err);
    char *data;
    size_t len;
    mg_code rc = mg_draw_dot_data(p->root, format, viz, &data, &len, err);
    if (rc == MG_OK) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            rc = mg_error_set(err, MG_EIO, "cannot write to stdout: %s", strerror(errno));
        free(data);
    }
    return rc;
}

static int run_one(const expr_args *a, const char *source, const char *origin)
{
    const char *format = a->format ? a->format
                       : a->output && strcmp(a->output, "-") ? format_of(a->output) : "png";
    const char *path = a->output ? (strcmp(a->output, "-") ? a->output : NULL)
                                 : strcmp(format, "png") == 0 ? DEFAULT_PICTURE
                                 : strcmp(format, "html") == 0 ? DEFAULT_PAGE : NULL;
    bool page = strcmp(format, "html") == 0;
    if (page && !path)
        return cli_fail(CMD, CLI_USAGE, "an html page is a file: give -o FILE.html");
    if (a->before_after && (!path || !is_picture(format) ||
                            !format_of(path) || strcmp(format_of(path), format)))
        return cli_fail(CMD, CLI_USAGE, "--before-after writes a picture file:"
                        " give -o FILE.png, FILE.svg or FILE.dot");
    mg_graph *g = mg_graph_new();
    if (!g)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    cli_values values = {a->bindings, a->nbindings, a->seed, false, path ? stdout : stderr};
    cli_program p;
    mg_expr_error perr;
    int status = cli_program_build(&p, source, g, &values, &perr);
    if (status != CLI_OK) {
        cli_print_expr_error(CMD, origin, source, &perr);
    } else {
        mg_error err = {0};
        /* the page records the graph before and after the backward it runs */
        mg_html_options page_opt = {.title = strcmp(origin, "program") ? origin : source,
                                    .viz = &a->viz};
        mg_code rc = a->before_after ? mg_draw_backward(p.root, path, &a->viz, &err)
                   : page ? mg_html_write(p.root, path, &page_opt, &err)
                          : mg_backward(p.root);
        if (rc == MG_OK && !a->before_after && !page)
            rc = write_output(&p, format, path, &a->viz, &err);
        if (rc != MG_OK) {
            /* the program ran: what failed is the output or its options */
            status = cli_fail(CMD, CLI_USAGE, "%s",
                              err.message[0] ? err.message : mg_code_name(rc));
        } else if (path) {
            fputs("wrote ", stdout);
            cli_put_visible(stdout, path, false);
            putchar('\n');
            print_summary(stdout, &p);
        }
    }
    cli_program_free(&p);
    mg_graph_free(g);
    return status;
}

/* The error line of a failed batch program. */
static void print_batch_error(size_t index, const mg_expr_error *e)
{
    printf("{\"format\":\"mgviz-error\",\"program\":%zu,\"error\":", index);
    char text[MG_ERROR_MESSAGE_SIZE + 64];
    if (e->line > 0)
        snprintf(text, sizeof text, "line %d, column %d: %s", e->line, e->column, e->message);
    else
        snprintf(text, sizeof text, "%s", e->message);
    mg_json_write_string(stdout, text);
    printf(",\"line\":%d,\"column\":%d}\n", e->line, e->column);
}

/* The end of the program starting at s: the start of its '---' line or the
 * end of the text; *next gets where the following program starts (NULL at
 * the end). */
static char *program_end(char *s, char **next)
{
    for (char *line = s; *line;) {
        size_t len = strcspn(line, "\n");
        size_t trimmed = len;
        while (trimmed > 0 && (line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t' ||
                               line[trimmed - 1] == '\r'))
            trimmed--;
        if (trimmed == 3 && strncmp(line, "---", 3) == 0) {
            *next = line[len] ? line + len + 1 : line + len;
            return line;
        }
        line += len + (line[len] == '\n');
    }
    *next = NULL;
    return s + strlen(s);
}

static int run_batch(const expr_args *a)
{
    if (a->output || (a->format && strcmp(a->format, "json")) || a->before_after)
        return cli_fail(CMD, CLI_USAGE, "--batch writes JSON lines to stdout:"
                        " -o, --before-after and formats other than json do not apply");
    char *text = cli_read_file(CMD, a->batch);
    mg_graph *g = text ? mg_graph_new() : NULL;
    if (!g) {
        free(text);
        return CLI_USAGE;
    }
    static char buffer[1 << 16];
    setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    mg_mark empty = mg_graph_mark(g);
    cli_values values = {a->bindings, a->nbindings, a->seed, true, NULL};
    int status = CLI_OK;
    size_t index = 0;
    for (char *s = text, *next; s; s = next, index++) {
        *program_end(s, &next) = '\0';
        mg_graph_rewind(g, empty);
        mg_graph_clear_error(g);
        cli_program p;
        mg_expr_error perr;
        int rc = cli_program_build(&p, s, g, &values, &perr);
        mg_error err = {0};
        if (rc == CLI_OK && mg_backward(p.root) == MG_OK &&
            mg_export_json(stdout, p.root, p.vars, p.nvars, MG_EXPORT_COMPACT, &err) == MG_OK) {
            /* one line written */
        } else {
            if (rc == CLI_OK) { /* built, but backward or the export failed */
                perr = (mg_expr_error){.code = MG_EIO};
                snprintf(perr.message, sizeof perr.message, "%s",
                         err.message[0] ? err.message
                         : mg_graph_error(g) ? mg_graph_error(g) : "backward failed");
            }
            print_batch_error(index, &perr);
            status = CLI_BAD;
        }
        cli_program_free(&p);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        status = cli_fail(CMD, CLI_USAGE, "cannot write to stdout: %s", strerror(errno));
    mg_graph_free(g);
    free(text);
    return status;
}

int cmd_expr(int argc, char **argv)
{
    expr_args a = {0};
    a.bindings = mg_alloc_array((size_t)argc, sizeof *a.bindings);
    if (!a.bindings)
        return cli_fail(CMD, CLI_USAGE, "out of memory");
    int status = parse_args(argc, argv, &a);
    if (status < 0 && a.batch) {
        status = run_batch(&a);
    } else if (status < 0 && a.file) {
        char *source = cli_read_file(CMD, a.file);
        status = source ? run_one(&a, source, strcmp(a.file, "-") ? a.file : "stdin")
                        : CLI_USAGE;
        free(source);
    } else if (status < 0) {
        status = run_one(&a, a.program, "program");
    }
    free(a.bindings);
    return status;
}
