"""draw_dot and the inspector from Python: in-process pictures Jupyter shows."""
import re

import pytest

import mgviz
from mgviz import Value, draw_dot
from mgviz.micrograd.nn import MLP


def small():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    z = x * y + x
    z.label = "z"
    return x, y, z


def test_svg_inline_with_data_and_grad():
    x, y, z = small()
    z.backward()
    d = draw_dot(z)
    svg = d._repr_svg_()
    assert "<svg" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    for value in (x, y, z):
        assert f'id="n{value.id}"' in svg
        assert f"data {value.data:g}" in texts and f"grad {value.grad:g}" in texts
    assert {"x", "y", "*", "+"} <= set(texts)
    assert d._repr_png_() is None  # only the drawn format is offered
    assert d.source.startswith("digraph") and "rankdir=LR" in d.source


def test_png_and_files(tmp_path):
    _, _, z = small()
    d = draw_dot(z, format="png", rankdir="TB")
    png = d._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out = d.render(tmp_path / "gout")
    assert out == str(tmp_path / "gout.png") and open(out, "rb").read() == png
    svg_path = d.render(tmp_path / "again.svg")  # another format: drawn again
    assert open(svg_path, "rb").read().lstrip().startswith(b"<?xml")
    d.save(tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == png


def test_before_after_runs_backward():
    x, y, z = small()
    d = draw_dot(z, before_after=True)
    assert "before backward" in d.data.decode() and "after backward" in d.data.decode()
    assert (x.grad, y.grad) == (4.0, 2.0)
    with pytest.raises(ValueError):
        d.pipe("png")


def test_mlp_picture_folds_by_scope():
    model = MLP(2, [16, 16, 1])
    loss = sum((model([Value(0.5), Value(-1.0)]) - t) ** 2 for t in (1.0, -1.0))
    svg = draw_dot(loss).data.decode()
    assert 'class="node fold' in svg and "mlp/layer2" in svg


def test_options_and_errors(tmp_path):
    _, _, z = small()
    assert "#" in draw_dot(z, show_ids=True, format="dot").data.decode()
    with pytest.raises(ValueError, match="format"):
        draw_dot(z, format="gif")
    with pytest.raises(TypeError):
        draw_dot(3.0)
    with pytest.raises(ValueError):
        draw_dot(z, fold_budget=0)
    with pytest.raises(ValueError):
        draw_dot(z, rankdir="XY")
    focus = draw_dot(z, focus=z, focus_radius=1, format="dot").data.decode()
    assert focus


def test_inspector_page(tmp_path):
    x, _, z = small()
    path = tmp_path / "z.html"
    page = mgviz.inspect(z, path, title="z = x*y + x")
    text = path.read_text()
    assert "<html" in text.lower() and "z = x*y + x" in text
    assert page.path == str(path) and "<iframe" in page._repr_html_()
    assert x.grad == 4.0
    with pytest.raises(OSError):
        mgviz.inspect(z, tmp_path / "missing-dir" / "z.html")
