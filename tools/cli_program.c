/* cli_program.c — a program from the command line to a built graph: values
 * from NAME=VALUE, the no-values rule for the rest, errors with a caret. */
#include "cli.h"
#include "mg_size.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mg_buf.h"
#include "mg_rng.h"

void cli_print_number(FILE *out, double x)
{
    char buf[32];
    mg_format_double(x, buf, sizeof buf);
    fputs(buf, out);
}

void cli_print_expr_error(const char *cmd, const char *origin, const char *source,
                          const mg_expr_error *err)
{
    char buf[2048];
    mg_expr_error_format(source, err, buf, sizeof buf);
    cli_fail(cmd, CLI_BAD, "%s: %s", origin, buf);
}

/* The command line's bindings (those naming a variable, when skip_unknown),
 * then a drawn value for every free variable still without one that the
 * program never assigns. b has room for nbindings + nvars entries; given has
 * nvars zeroed flags. Returns how many bindings b holds. */
static size_t gather_values(const mg_expr *e, const cli_values *v, mg_expr_binding *b,
                            unsigned char *given)
{
    size_t n = 0;
    for (size_t i = 0; i < v->nbindings; i++) {
        long var = mg_expr_var_find(e, v->bindings[i].name);
        if (var >= 0)
            given[var] = 1;
        if (!v->skip_unknown || var >= 0)
            b[n++] = v->bindings[i];
    }
    mg_rng rng;
    mg_rng_seed(&rng, v->seed);
    const mg_expr_var *vars = mg_expr_vars(e);
    mg_buf notes = {0}; /* written at once: stderr is unbuffered */
    for (size_t i = 0; i < mg_expr_var_count(e); i++) {
        if (!vars[i].free || vars[i].assigned || given[i])
            continue;
        double x = round(mg_rng_range(&rng, -2.0, 2.0) * 100.0) / 100.0;
        b[n++] = (mg_expr_binding){vars[i].name, x};
        if (v->notes) {
            char text[32];
            mg_format_double(x, text, sizeof text);
            mg_buf_printf(&notes, "%s = %s (no value given: drawn from [-2, 2] with --seed %llu)\n",
                          vars[i].name, text, (unsigned long long)v->seed);
        }
    }
    if (notes.p || notes.failed)
        fputs(notes.failed ? "(out of memory listing the values drawn)\n" : notes.p, v->notes);
    mg_buf_free(&notes);
    return n;
}

int cli_program_build(cli_program *p, const char *source, mg_graph *g,
                      const cli_values *values, mg_expr_error *err)
{
    memset(p, 0, sizeof *p);
    p->expr = mg_expr_parse(source, err);
    if (!p->expr)
        return err->code == MG_ENOMEM ? CLI_USAGE : CLI_BAD;
    p->nvars = mg_expr_var_count(p->expr);
    size_t room = values->nbindings + p->nvars + 1;
    mg_expr_binding *b = mg_alloc_array(room, sizeof *b);
    unsigned char *given = calloc(p->nvars + 1, 1);
    p->var_nodes = calloc(p->nvars + 1, sizeof *p->var_nodes);
    p->vars = calloc(p->nvars + 1, sizeof *p->vars);
    if (!b || !given || !p->var_nodes || !p->vars) {
        free(b);
        free(given);
        *err = (mg_expr_error){.code = MG_ENOMEM};
        snprintf(err->message, sizeof err->message, "out of memory");
        return CLI_USAGE;
    }
    size_t nb = gather_values(p->expr, values, b, given);
    mg_code rc = mg_expr_build(p->expr, g, b, nb, &p->root, p->var_nodes, err);
    free(b);
    free(given);
    if (rc != MG_OK)
        return rc == MG_ENOMEM ? CLI_USAGE : CLI_BAD;
    const mg_expr_var *vars = mg_expr_vars(p->expr);
    for (size_t i = 0; i < p->nvars; i++)
        p->vars[i] = (mg_export_var){vars[i].name, p->var_nodes[i]};
    return CLI_OK;
}

void cli_program_free(cli_program *p)
{
    mg_expr_free(p->expr);
    free(p->var_nodes);
    free(p->vars);
    memset(p, 0, sizeof *p);
}
