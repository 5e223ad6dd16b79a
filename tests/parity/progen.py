"""Seeded random programs in mgviz's expression language.

A program is a list of statements over named inputs:

    t1 = (x * 2.5 + y.tanh()) / x
    t1 += sigmoid(t1 ** 2) - y ** x
    -t1 * t1 + log(x)

Every statement is `name = expr` or `name op= expr`; the last one is a bare
expression: the root. The same tree renders twice: as our language (which is
Python's expression syntax) and as Python function calls over torch tensors
(render_python).

Invariant kept by the generator: every operator has at least one operand that
depends on an input, so Python never folds constants by itself (2.0 / 0.0
would raise instead of giving inf as a tensor does).
"""

import random
from dataclasses import dataclass

FUNCTIONS = ("tanh", "relu", "sigmoid", "exp", "log")
BINARY_OPS = ("+", "-", "*", "/", "**")
AUG_OPS = ("+", "-", "*", "/")

# Python's binding strengths: a higher number binds tighter.
PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
ATOM = 5


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    value: float  # never negative: a negative constant is Neg(Const)


@dataclass(frozen=True)
class Neg:
    a: object


@dataclass(frozen=True)
class Bin:
    op: str
    a: object
    b: object


@dataclass(frozen=True)
class Call:
    fn: str
    a: object
    method: bool  # x.tanh() rather than tanh(x)


@dataclass(frozen=True)
class Assign:
    name: str
    expr: object
    op: str = ""  # "" for `=`, else the op of `op=`


@dataclass
class Program:
    inputs: dict                               # name -> float, in order of first use
    statements: list                           # Assign ...
    root: object                               # the final expression
    parens: bool = False  # parenthesise every operation


def number(v):
    """A float as the shortest text that reads back to the same double."""
    text = repr(float(v))
    return text


def precedence(e):
    if isinstance(e, Bin):
        return PREC[e.op]
    if isinstance(e, Neg):
        return PREC["neg"]
    return ATOM


def _wrap(text, needed):
    return "(" + text + ")" if needed else text


def render_expr(e, parens=False):
    """e in our language (= Python syntax). Structure is always kept exactly:
    a - (b - c) keeps its parentheses; with parens=True every op gets them."""
    return _render(e, parens)[0]


def _render(e, parens):
    """(text, binding strength of text as a whole)."""
    if isinstance(e, Var):
        return e.name, ATOM
    if isinstance(e, Const):
        return number(e.value), ATOM
    if isinstance(e, Call):
        inner, p = _render(e.a, parens)
        if e.method:
            return _wrap(inner, p != ATOM) + "." + e.fn + "()", ATOM
        return e.fn + "(" + inner + ")", ATOM
    if isinstance(e, Neg):
        inner, p = _render(e.a, parens)
        text, p = "-" + _wrap(inner, p < PREC["neg"]), PREC["neg"]
    else:
        p = PREC[e.op]
        (left, pa), (right, pb) = _render(e.a, parens), _render(e.b, parens)
        if e.op == "**":
            # Operands of ** are parenthesised unless atomic: -x ** 2 is
            # -(x ** 2) and x ** -y is legal, but neither is worth the risk.
            left, right = _wrap(left, pa != ATOM), _wrap(right, pb != ATOM)
        else:
            left, right = _wrap(left, pa < p), _wrap(right, pb <= p)
        text = left + " " + e.op + " " + right
    return ("(" + text + ")", ATOM) if parens else (text, p)


def render(program):
    """The program in our language, one statement per line."""
    lines = []
    for s in program.statements:
        lines.append(f"{s.name} {s.op}= {render_expr(s.expr, program.parens)}")
    lines.append(render_expr(program.root, program.parens))
    return "\n".join(lines)


OP_FUNCTIONS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}


def render_python(program, root_name="__root__"):
    """The program as Python in call form: `a - b` is sub(a, b), -a is
    neg(a), x.tanh() is tanh(x), `a op= e` is `a = op(a, e)` (never in place,
    as micrograd's Value, which has no __iadd__), and the root is assigned to
    root_name. The caller binds add, tanh etc. (torch_ref.py), so the same
    text runs with the plain torch operators or with instrumented ones."""
    lines = []
    for s in program.statements:
        expr = Bin(s.op, Var(s.name), s.expr) if s.op else s.expr
        lines.append(f"{s.name} = {render_call(expr)}")
    lines.append(f"{root_name} = {render_call(program.root)}")
    return "\n".join(lines)


def render_call(e):
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Const):
        return number(e.value)
    if isinstance(e, Neg):
        return f"neg({render_call(e.a)})"
    if isinstance(e, Call):
        return f"{e.fn}({render_call(e.a)})"
    return f"{OP_FUNCTIONS[e.op]}({render_call(e.a)}, {render_call(e.b)})"


def walk(e):
    """Every sub-expression of e, e first."""
    stack = [e]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Bin):
            stack.extend((n.b, n.a))
        elif isinstance(n, (Neg, Call)):
            stack.append(n.a)


def ops_used(program):
    """Names of the operations a program uses ("+", "neg", "tanh()", "log", ...)."""
    used = set()
    exprs = [s.expr for s in program.statements] + [program.root]
    for s in program.statements:
        if s.op:
            used.add(s.op + "=")
    for e in exprs:
        for n in walk(e):
            if isinstance(n, Bin):
                kind = "var" if depends(n.b) else "const"
                used.add(n.op if n.op != "**" else "**" + kind)
            elif isinstance(n, Neg):
                used.add("neg")
            elif isinstance(n, Call):
                used.add(n.fn + ("()" if n.method else ""))
    return used


def depends(e):
    """True when e reads a name (an input or an assigned intermediate)."""
    return any(isinstance(n, Var) for n in walk(e))


# ---- generation ----

INPUT_NAMES = ("x", "y", "z", "u", "v", "w")
SPECIAL_INPUTS = (0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -2.0, 1e-3, 10.0)
CONSTANTS = (0.5, 1.0, 2.0, 3.0, 0.1, 1.5, 0.25, 4.0, 10.0, 0.0)
EXPONENTS = (2.0, 3.0, 0.5, -1.0, -2.0, 1.5, 0.0, 1.0, -0.5, 2.5, 4.0, 1.0 / 3.0)


@dataclass
class Config:
    max_inputs: int = 3
    max_statements: int = 6
    max_depth: int = 4
    leaf_bias: float = 0.3     # chance to stop early at a name
    const_chance: float = 0.3  # chance a binary op takes a constant operand
    chain_chance: float = 0.08  # chance of a long repeated-update program


class Generator:
    """gen = Generator(seed); program = gen.program() — the same seed gives
    the same programs on every machine (Python's random is seeded per call)."""

    def __init__(self, seed, config=None):
        self.rng = random.Random(seed)
        self.cfg = config or Config()

    # values
    def input_value(self):
        r = self.rng
        if r.random() < 0.25:
            return r.choice(SPECIAL_INPUTS)
        return round(r.uniform(-2.5, 2.5), r.choice((1, 2, 4, 8)))

    def constant(self):
        r = self.rng
        c = r.choice(CONSTANTS) if r.random() < 0.7 else round(r.uniform(0, 5), 3)
        node = Const(c)
        return Neg(node) if r.random() < 0.25 else node

    # expressions
    def pick_name(self, pool):
        # Favour recent names, so intermediates are reused many times and the
        # graph shares sub-expressions rather than growing as a tree.
        r = self.rng
        if r.random() < 0.5:
            return Var(pool[-1 - min(int(r.expovariate(1.0)), len(pool) - 1)])
        return Var(r.choice(pool))

    def expr(self, pool, depth):
        r = self.rng
        if depth <= 0 or r.random() < self.cfg.leaf_bias:
            return self.pick_name(pool)
        kind = r.random()
        if kind < 0.55:
            return self.binary(pool, depth)
        if kind < 0.65:
            return Neg(self.expr(pool, depth - 1))
        return Call(r.choice(FUNCTIONS), self.expr(pool, depth - 1), r.random() < 0.5)

    def binary(self, pool, depth):
        r = self.rng
        op = r.choice(BINARY_OPS)
        a = self.expr(pool, depth - 1)
        if op == "**":
            if r.random() < 0.6:  # constant exponent, often integer
                e = r.choice(EXPONENTS)
                return Bin(op, a, Neg(Const(-e)) if e < 0 else Const(e))
            if r.random() < 0.3:  # constant base, variable exponent
                return Bin(op, Const(r.choice((2.0, 0.5, 3.0, 1.5, 0.0))), a)
            return Bin(op, a, self.expr(pool, depth - 1))
        if r.random() < self.cfg.const_chance:
            c = self.constant()
            return Bin(op, c, a) if r.random() < 0.5 else Bin(op, a, c)
        return Bin(op, a, self.expr(pool, depth - 1))

    # programs
    def program(self):
        r, cfg = self.rng, self.cfg
        names = list(INPUT_NAMES[: r.randint(1, cfg.max_inputs)])
        inputs = {n: self.input_value() for n in names}
        if r.random() < cfg.chain_chance:
            return self.chain(inputs)
        pool, statements, temps = list(names), [], 0
        for _ in range(r.randint(0, cfg.max_statements)):
            choice = r.random()
            if choice < 0.6 or temps == 0:
                temps += 1
                name = f"t{temps}"
                statements.append(Assign(name, self.expr(pool, r.randint(1, cfg.max_depth))))
                pool.append(name)
            else:
                # op= may rebind an input (its leaf keeps its grad); a plain
                # `=` only rebinds temporaries, so every input is read first
                op = r.choice(AUG_OPS) if choice < 0.9 else ""
                name = r.choice(pool if op else pool[len(names):])
                statements.append(Assign(name, self.expr(pool, r.randint(1, cfg.max_depth)), op))
        root = self.expr(pool, r.randint(1, cfg.max_depth + 1))
        if statements and r.random() < 0.7:  # make the last statement count
            root = Bin(r.choice(("+", "-", "*")), Var(statements[-1].name), root)
        return self.finish(inputs, statements, root)

    def chain(self, inputs):
        """A deep program: one name updated many times, each step reusing it
        twice, so paths through the graph double at every step."""
        r = self.rng
        names = list(inputs)
        statements = [Assign("h", Var(names[0]))]
        for _ in range(r.randint(10, 60)):
            step = r.choice((
                lambda: Bin("*", Call("tanh", Var("h"), r.random() < 0.5),
                            Var(r.choice(names))),
                lambda: Bin("+", Var("h"), Call("sigmoid", Bin("*", Var("h"), Var("h")), False)),
                lambda: Bin("-", Var("h"), Bin("/", Var("h"), Const(3.0))),
                lambda: Call("relu", Bin("+", Var("h"), Var(r.choice(names))), True),
            ))()
            statements.append(Assign("h", step))
        return self.finish(inputs, statements, Var("h"))

    def finish(self, inputs, statements, root):
        # keep the inputs the program reads, in order of first appearance
        order = [n for n in _first_use_order(statements, root) if n in inputs]
        return Program({n: inputs[n] for n in order}, statements, root,
                       parens=self.rng.random() < 0.3)


def _first_use_order(statements, root):
    """Names read, in the order our interpreter meets them: statement by
    statement, each expression left to right (an `a op= e` reads a first)."""
    seen = []

    def visit(e):
        if isinstance(e, Var):
            if e.name not in seen:
                seen.append(e.name)
        elif isinstance(e, Bin):
            visit(e.a)
            visit(e.b)
        elif isinstance(e, (Neg, Call)):
            visit(e.a)

    for s in statements:
        if s.op:
            visit(Var(s.name))
        visit(s.expr)
    visit(root)
    return seen
