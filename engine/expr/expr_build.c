/* expr_build.c — runs a parsed program's stack code against an engine graph. */
#include "expr_internal.h"
#include "mg_size.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What one build needs besides the program: the variables' values and the
 * machine's stack and symbol slots, all in one allocation. */
typedef struct machine {
    const mg_expr *e;
    mg_graph *g;
    double *value;       /* per variable: its binding */
    unsigned char *has;  /* per variable: bound? */
    mg_value **stack;
    mg_value **slots;    /* per symbol: the node the name refers to */
    mg_value **var_nodes;
    mg_value *last;      /* the latest statement's value */
    mg_value *chosen;    /* the latest `z.backward()`: the root when set */
    uint32_t stmt_start; /* node count when the current statement began */
    size_t sp;
} machine;

static mg_code bind(machine *m, const mg_expr_binding *b, size_t nb, mg_expr_error *err)
{
    for (size_t i = 0; i < nb; i++) {
        long var = b[i].name ? mg_expr_var_find(m->e, b[i].name) : -1;
        if (var < 0)
            return expr_fail(err, MG_EINVAL, 0, 0, "no variable '%s' in the program",
                             b[i].name ? b[i].name : "(null)");
        m->value[var] = b[i].value;
        m->has[var] = 1;
    }
    return MG_OK;
}

/* A new input leaf labelled with variable var's name, recorded as its node. */
static mg_value *new_var(machine *m, size_t var, double x)
{
    mg_value *v = mg_label(mg_input(m->g, x), m->e->vars[var].name);
    if (m->var_nodes)
        m->var_nodes[var] = v;
    return v;
}

/* The statement ends with value v: a name refers to it from now on. */
static void end_statement(machine *m, mg_value *v, const char *name)
{
    /* Name the node if this statement made it, so pictures read like the
     * program; `y = x` leaves x's label alone. */
    if (name && v && v->id >= m->stmt_start && mg_value_label(v)[0] == '\0')
        mg_label(v, name);
    m->last = v;
    m->stmt_start = (uint32_t)mg_graph_count(m->g);
}

static mg_value *binary(expr_opcode op, mg_value *a, mg_value *b)
{
    switch (op) {
    case X_ADD: return mg_add(a, b);
    case X_SUB: return mg_sub(a, b);
    case X_MUL: return mg_mul(a, b);
    case X_DIV: return mg_div(a, b);
    default: return mg_pow_value(a, b);
    }
}

static mg_code step(machine *m, const expr_instr *in, mg_expr_error *err)
{
    const mg_expr *e = m->e;
    mg_graph *g = m->g;
    mg_value **top = m->sp ? &m->stack[m->sp - 1] : NULL; /* set whenever the op pops */
    switch ((expr_opcode)in->op) {
    case X_CONST: m->stack[m->sp++] = mg_const(g, in->k); break;
    case X_INPUT: m->stack[m->sp++] = mg_input(g, in->k); break;
    case X_FREE:
        if (!m->has[in->arg])
            return expr_fail(err, MG_EINVAL, in->line, in->column,
                             "unknown variable '%s': it has no value", e->vars[in->arg].name);
        m->stack[m->sp++] = m->slots[e->var_symbol[in->arg]] =
            new_var(m, in->arg, m->value[in->arg]);
        break;
    case X_LITERAL: {
        long var = e->symbols[in->arg].var;
        const mg_expr_var *v = &e->vars[var];
        if (v->free) /* a literal assigned after a free read is just an input */
            m->slots[in->arg] = mg_label(mg_input(g, in->k), v->name);
        else
            m->slots[in->arg] = new_var(m, (size_t)var, m->has[var] ? m->value[var] : in->k);
        end_statement(m, m->slots[in->arg], NULL);
        break;
    }
    case X_LOAD: m->stack[m->sp++] = m->slots[in->arg]; break;
    case X_STORE:
        m->slots[in->arg] = m->stack[--m->sp];
        end_statement(m, m->slots[in->arg], e->symbols[in->arg].name);
        break;
    case X_DROP: end_statement(m, m->stack[--m->sp], NULL); break;
    case X_ROOT:
        m->chosen = m->stack[--m->sp];
        end_statement(m, m->chosen, NULL);
        break;
    case X_NEG: *top = mg_neg(*top); break;
    case X_POWK:
        /* mg_pow() takes finite exponents only; x ** inf is still defined math */
        *top = isfinite(in->k) ? mg_pow(*top, in->k) : mg_pow_value(*top, mg_const(g, in->k));
        break;
    case X_CALL: *top = expr_fn_apply((expr_fn)in->arg, *top); break;
    default:
        top[-1] = binary((expr_opcode)in->op, top[-1], *top);
        m->sp--;
        break;
    }
    return MG_OK;
}

static mg_code run(machine *m, mg_expr_error *err)
{
    for (size_t i = 0; i < m->e->ncode; i++) {
        mg_code rc = step(m, &m->e->code[i], err);
        if (rc != MG_OK)
            return rc;
    }
    if (mg_graph_status(m->g) != MG_OK || !m->last)
        return expr_fail(err, mg_graph_status(m->g) ? mg_graph_status(m->g) : MG_ENOMEM,
                         0, 0, "%s", mg_graph_error(m->g) ? mg_graph_error(m->g)
                                                          : "the graph could not be built");
    return MG_OK;
}

mg_code mg_expr_build(const mg_expr *e, mg_graph *g,
                      const mg_expr_binding *bindings, size_t nbindings,
                      mg_value **root, mg_value **var_nodes, mg_expr_error *err)
{
    if (err)
        *err = (mg_expr_error){0};
    if (root)
        *root = NULL;
    if (!e || !g || !root)
        return expr_fail(err, MG_EINVAL, 0, 0, "mg_expr_build needs a program, a graph and a root pointer");
    size_t nv = e->nvars, ns = e->nsymbols;
    size_t pointers, bytes, per_var;
    bool fits = mg_size_add(e->max_stack, ns, &pointers) &&
                mg_size_mul(pointers, sizeof(mg_value *), &bytes) &&
                mg_size_mul(nv, sizeof(double) + 1, &per_var) &&
                mg_size_add(bytes, per_var, &bytes) && mg_size_add(bytes, 1, &bytes);
    void *mem = fits ? calloc(1, bytes) : NULL;
    if (!mem)
        return expr_fail(err, MG_ENOMEM, 0, 0, "out of memory building the program");
    machine m = {.e = e, .g = g, .var_nodes = var_nodes};
    m.stack = mem;
    m.slots = m.stack + e->max_stack;
    m.value = (double *)(m.slots + ns);
    m.has = (unsigned char *)(m.value + nv);
    if (var_nodes)
        memset(var_nodes, 0, nv * sizeof *var_nodes);
    mg_mark start = mg_graph_mark(g);
    m.stmt_start = start.nodes;
    mg_code rc = bind(&m, bindings, nbindings, err);
    if (rc == MG_OK)
        rc = run(&m, err);
    if (rc == MG_OK)
        *root = m.chosen ? m.chosen : m.last;
    else
        mg_graph_rewind(g, start); /* a failed build leaves no half graph */
    free(mem);
    return rc;
}

mg_value *mg_expr_eval(mg_graph *g, const char *source,
                       const mg_expr_binding *bindings, size_t nbindings,
                       mg_expr_error *err)
{
    mg_expr *e = mg_expr_parse(source, err);
    mg_value *root = NULL;
    if (e)
        mg_expr_build(e, g, bindings, nbindings, &root, NULL, err);
    mg_expr_free(e);
    return root;
}
