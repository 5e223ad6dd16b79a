"""The parity machinery itself, without mgviz: the generator, the reference,
the comparison, the JSON reader and the shrinker. A referee that cannot see
a wrong gradient would make every other test here worthless, so a wrong
reference must be caught."""

import ast
import json
import math

import pytest
import torch

import cli
import compare
import graph_json
import parity
import progen
import torch_ref
from progen import Assign, Bin, Call, Const, Neg, Var


def program(text_root, inputs, statements=()):
    return progen.Program(dict(inputs), list(statements), text_root)


def test_generator_is_deterministic_per_seed():
    def texts(seed, n):
        g = progen.Generator(seed)
        return [progen.render(g.program()) for _ in range(n)]

    assert texts(11, 50) == texts(11, 50)
    assert texts(12, 5) != texts(11, 5)


def test_generator_covers_every_operation():
    used = set()
    g = progen.Generator(3)
    for _ in range(400):
        used |= progen.ops_used(g.program())
    wanted = {"+", "-", "*", "/", "**const", "**var", "neg", "+=", "-=", "*=", "/="}
    wanted |= set(progen.FUNCTIONS) | {f + "()" for f in progen.FUNCTIONS}
    assert wanted <= used, wanted - used


def test_every_operator_reads_an_input():
    g = progen.Generator(5)
    for _ in range(300):
        p = g.program()
        for e in [s.expr for s in p.statements] + [p.root]:
            for n in progen.walk(e):
                if isinstance(n, Bin):
                    assert progen.depends(n.a) or progen.depends(n.b)
                if isinstance(n, Call):
                    assert progen.depends(n.a)


def _from_python(node):
    """Python's reading of our program text, back in progen's terms."""
    ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
    if isinstance(node, ast.Name):
        return Var(node.id)
    if isinstance(node, ast.Constant):
        return Const(float(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return Neg(_from_python(node.operand))
    if isinstance(node, ast.BinOp):
        return Bin(ops[type(node.op)], _from_python(node.left), _from_python(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return Call(node.func.attr, _from_python(node.func.value), True)
    if isinstance(node, ast.Call):
        return Call(node.func.id, _from_python(node.args[0]), False)
    raise AssertionError(ast.dump(node))


def test_program_text_reads_back_as_the_same_tree():
    # Our language is Python's expression syntax: whatever parentheses the
    # printer leaves out, Python must read the very tree that was generated.
    g = progen.Generator(9)
    for _ in range(500):
        p = g.program()
        body = ast.parse(progen.render(p)).body
        for s, node in zip(p.statements, body):
            if s.op:
                assert isinstance(node, ast.AugAssign)
                got = Assign(node.target.id, _from_python(node.value),
                             {ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
                              ast.Div: "/"}[type(node.op)])
            else:
                got = Assign(node.targets[0].id, _from_python(node.value))
            assert got == s, progen.render(p)
        assert _from_python(body[-1].value) == p.root, progen.render(p)


def test_precedence_as_python():
    assert progen.render_expr(Neg(Bin("**", Var("x"), Const(2.0)))) == "-x ** 2.0"
    assert progen.render_expr(Bin("-", Var("a"), Bin("-", Var("b"), Var("c")))) == "a - (b - c)"
    assert progen.render_expr(Bin("**", Neg(Var("x")), Neg(Const(1.0)))) == "(-x) ** (-1.0)"
    assert progen.render_expr(Call("tanh", Bin("+", Var("x"), Const(1.0)), True)) == \
        "(x + 1.0).tanh()"


def test_augmented_assignment_is_not_in_place():
    # b keeps the old a, as micrograd's Value (no __iadd__) does
    p = program(Bin("*", Var("a"), Var("b")), {"x": 2.0},
                [Assign("a", Bin("*", Var("x"), Const(3.0))), Assign("b", Var("a")),
                 Assign("a", Var("x"), "+")])
    assert "a = add(a, x)" in progen.render_python(p)
    r = torch_ref.run(p)
    assert r.value == 48.0          # (6 + 2) * 6
    assert r.grads["x"] == 48.0     # d/dx (4x * 3x) = 24x


def test_reference_on_micrograd_example():
    r = torch_ref.run(program(Bin("+", Bin("*", Var("x"), Var("y")), Var("x")),
                              {"x": 2.0, "y": 3.0}))
    assert (r.value, r.grads) == (8.0, {"x": 4.0, "y": 2.0})


def test_reference_unreached_input_has_grad_zero():
    p = program(Call("tanh", Var("x"), False), {"x": 0.5, "y": 1.0},
                [Assign("t1", Bin("*", Var("y"), Const(2.0)))])
    assert torch_ref.run(p).grads["y"] == 0.0


def test_reference_undefined_math_gives_nan_and_inf():
    r = torch_ref.run(program(Call("log", Var("x"), False), {"x": -1.0}))
    assert math.isnan(r.value) and r.grads["x"] == -1.0  # 1/x stays defined
    r = torch_ref.run(program(Bin("/", Const(1.0), Var("x")), {"x": 0.0}))
    assert r.value == math.inf and r.grads["x"] == -math.inf


def test_close():
    assert compare.close(1.0, 1.0 + 1e-13)
    assert not compare.close(1.0, 1.0 + 1e-11)
    assert compare.close(1e20, 1e20 * (1 + 5e-13))
    assert compare.close(0.0, 5e-13) and not compare.close(0.0, 5e-12)
    assert compare.close(math.nan, math.nan)
    assert not compare.close(math.nan, 0.0) and not compare.close(0.0, math.nan)
    assert compare.close(math.inf, math.inf) and compare.close(-math.inf, -math.inf)
    assert not compare.close(math.inf, -math.inf)
    assert not compare.close(math.inf, 1e308) and not compare.close(math.nan, math.inf)
    assert compare.close(0.0, -0.0)


def test_differences_name_what_differs():
    ref = torch_ref.Result(1.0, {"x": 2.0, "y": 3.0})
    assert compare.differences(torch_ref.Result(1.0, {"x": 2.0, "y": 3.0}), ref) == []
    d = compare.differences(torch_ref.Result(1.0, {"x": -2.0}), ref)
    assert ("grad x", -2.0, 2.0) in d and ("grad y (missing)", None, 3.0) in d
    d = compare.differences(torch_ref.Result(1.5, {"x": 2.0, "y": 3.0, "t1": 0.0}), ref)
    assert [w for w, _, _ in d] == ["value", "grad t1 (not an input)"]


def test_graph_json_reads_nonfinite_numbers():
    text = json.dumps({
        "format": "mgviz-graph", "version": 2, "value": None, "value_str": "nan", "root": 1,
        "grads": {"x": None}, "grads_str": {"x": "-inf"},
        "nodes": [
            {"id": 0, "op": "", "label": "x", "kind": "input", "data": 0.0, "grad": None,
             "grad_str": "-inf", "parents": [], "scope": ""},
            {"id": 1, "op": "log", "label": "", "kind": "op", "data": None, "data_str": "nan",
             "grad": 1.0, "parents": [0], "scope": ""},
        ],
        "edges": [{"from": 0, "to": 1, "operand": 0, "local": None, "local_str": "inf",
                   "upstream": 1.0, "contribution": None, "contribution_str": "-inf"}]})
    g = graph_json.parse(text)
    assert math.isnan(g.value) and g.grads == {"x": -math.inf} and g.root == 1
    assert g.edges[0].local == math.inf and g.edges[0].contribution == -math.inf
    with pytest.raises(ValueError):
        graph_json.parse(text.replace("mgviz-graph", "other"))
    with pytest.raises(ValueError):
        graph_json.parse(text.replace('"-inf"', '"-infinity"'))
    with pytest.raises(ValueError):  # a null with no companion
        graph_json.parse(text.replace('"data_str": "nan", ', ""))


class _Flipped(torch.autograd.Function):
    """tanh with the sign of its gradient flipped: a deliberately wrong engine."""

    @staticmethod
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * (1 - y * y)


def _as_outcome(result):
    class Ours:
        error, crashed, value, grads = "", False, result.value, result.grads
    return Ours


def test_a_wrong_gradient_is_caught():
    wrong = dict(torch_ref.default_functions(), tanh=_Flipped.apply)
    g = progen.Generator(21)
    caught = with_tanh = 0
    for _ in range(300):
        p = g.program()
        right = parity.judge(p, _as_outcome(torch_ref.run(p)))
        assert right == [], parity.report(p, right)
        problems = parity.judge(p, _as_outcome(torch_ref.run(p, wrong)))
        with_tanh += any(f.startswith("tanh") for f in progen.ops_used(p))
        caught += bool(problems)
    assert with_tanh > 50 and caught > with_tanh // 3


def test_a_rejected_or_crashed_program_is_a_failure():
    p = program(Bin("*", Var("x"), Var("x")), {"x": 2.0})
    assert parity.judge(p, cli.Outcome(error="exit 2: syntax error"))
    assert parity.judge(p, cli.Outcome(error="killed by signal 11", crashed=True))


def test_shrink_finds_a_small_program():
    g = progen.Generator(4)
    big = next(p for p in (g.program() for _ in range(500))
               if len(p.statements) >= 4 and "log" in progen.ops_used(p))

    def has_log(p):
        return "log" in progen.ops_used(p)

    small = parity.shrink(big, has_log)
    assert has_log(small)
    assert small.statements == [] and isinstance(small.root, Call)
    assert small.root.a == Var(next(iter(small.inputs))) and len(small.inputs) == 1


def test_batch_text_declares_inputs_first():
    p = program(Bin("+", Var("x"), Var("y")), {"x": -0.5, "y": 1e-08})
    assert cli.batch_text(p) == "x = -0.5\ny = 1e-08\nx + y"
    assert cli.bindings(p.inputs) == ["x=-0.5", "y=1e-08"]


def test_rounding_sensitivity_tells_singular_from_wrong():
    # exp() rounds differently in torch and libm; the cancellation below then
    # gives 0 or 5.6e-17, and 0 ** -1.74 is inf: nobody is wrong
    sensitive = program(Bin("**", Bin("+", Var("x"), Var("t1")), Var("y")),
                        {"y": -1.7412, "x": -0.35},
                        [Assign("t1", Bin("-", Call("exp", Var("y"), False), Neg(Var("x")))),
                         Assign("t1", Bin("+", Var("x"), Var("t1")), "-")])
    ref = torch_ref.run(sensitive)
    assert torch_ref.rounding_sensitive(sensitive, ref)
    # NaN through relu, or a flipped sign, is no matter of rounding
    for p in (program(Call("relu", Call("log", Var("x"), False), True), {"x": -1.0}),
              program(Call("tanh", Bin("*", Var("x"), Var("y")), False), {"x": 0.3, "y": 2.0})):
        assert not torch_ref.rounding_sensitive(p, torch_ref.run(p))
    wrong = torch_ref.Result(0.0, {"x": 0.0})
    parity.INCONCLUSIVE.clear()
    assert parity.judge(program(Call("relu", Call("log", Var("x"), False), True), {"x": -1.0}),
                        _as_outcome(wrong))
    assert parity.INCONCLUSIVE == []
