"""Pictures of a graph (micrograd's draw_dot) and the HTML inspector, drawn
in-process by mgviz's renderer: no `dot` program is run.

    d = draw_dot(loss)                  # Jupyter shows it inline
    d.render("loss")                    # writes loss.svg, returns the path
    draw_dot(loss, before_after=True)   # runs backward; both states in one picture
    inspect(loss, "loss.html")          # the inspector page (runs backward too)

before_after=True and inspect() run the library's backward (mg_backward): the
leaves' grads accumulate, interior grads hold that pass's values. On a graph
whose interior grads are 0 (nothing ran backward on it yet) that is exactly
micrograd's backward; Value.backward() is micrograd's rule everywhere.

Options are those of the C API (mg_viz_options in viz/draw/mg_viz.h): rankdir,
show_ids, hide_op_nodes, precision, title, fold_budget (None, an int, or
float('inf') never to fold), unfold_scope, focus (a Value, Tensor or node id),
focus_radius, max_inches, dpi, no_heatmaps, heatmap_dir.
"""
import html
import os
import tempfile

from ._mgviz import _draw, _inspect

__all__ = ["Drawing", "Inspector", "draw_dot", "inspect"]

_FORMATS = ("svg", "png", "dot")


def _write_atomically(path, data):
    """Writes data to path through a temporary file in the same directory, so
    the file is complete or absent."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".mgviz-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


class Drawing:
    """A picture of a graph as it was when drawn: `data` holds its bytes in
    `format` ('svg', 'png' or 'dot'). Jupyter shows SVG and PNG inline."""

    def __init__(self, data, format, root, options, before_after=False):
        self.data = data
        self.format = format
        self._root = root
        self._options = options
        self._before_after = before_after

    def _repr_svg_(self):
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _repr_png_(self):
        return self.data if self.format == "png" else None

    def pipe(self, format=None):
        """The picture's bytes in format; another format than the drawing's
        is drawn anew from the graph as it is now."""
        if format is None or format == self.format:
            return self.data
        if self._before_after:
            raise ValueError("a before/after drawing runs backward: draw it again with "
                             f"draw_dot(root, format={format!r}, before_after=True)")
        return _draw(self._root, format, **self._options)

    @property
    def source(self):
        """The DOT text of the picture (as graphviz.Digraph.source)."""
        return self.pipe("dot").decode("utf-8")

    def save(self, path):
        """Writes the picture's bytes to path; returns path."""
        return _write_atomically(os.fspath(path), self.data)

    def render(self, filename="graph", format=None):
        """Writes the picture to filename, adding '.FORMAT' unless it already
        ends so (render('gout') writes gout.svg); returns the path written."""
        filename = os.fspath(filename)
        ext = os.path.splitext(filename)[1].lstrip(".").lower()
        if format is None:
            format = ext if ext in _FORMATS else self.format
        if format not in _FORMATS:
            raise ValueError(f"format must be one of {', '.join(_FORMATS)}, not {format!r}")
        path = filename if ext == format else f"{filename}.{format}"
        return _write_atomically(path, self.pipe(format))

    def __repr__(self):
        return f"<mgviz.Drawing {self.format}, {len(self.data)} bytes>"


def draw_dot(root, format="svg", rankdir="LR", *, before_after=False, **options):
    """micrograd's draw_dot: a picture of every node root depends on (record
    boxes 'label | data | grad', op ellipses), folded by scope when large.
    before_after=True runs backward from root and draws both states."""
    options = dict(options, rankdir=rankdir)
    data = _draw(root, format, before_after=before_after, **options)
    return Drawing(data, format, root, options, before_after)


class Inspector:
    """The inspector page of a graph; Jupyter shows it in a frame."""

    def __init__(self, page, path=None):
        self.page = page
        self.path = path

    def _repr_html_(self):
        doc = html.escape(self.page.decode("utf-8"), quote=True)
        return (f'<iframe srcdoc="{doc}" style="width:100%;height:640px;border:1px solid #ccc">'
                "</iframe>")

    def save(self, path):
        return _write_atomically(os.fspath(path), self.page)

    def __repr__(self):
        where = f" at {self.path}" if self.path else ""
        return f"<mgviz.Inspector {len(self.page)} bytes{where}>"


def inspect(root, path=None, title=None, **options):
    """Writes the HTML inspector of root's graph to path (runs backward, to
    show grads before and after) and returns it as an Inspector; without a
    path the page is only returned."""
    if path is not None:
        path = os.fspath(path)
        _inspect(root, path, title, **options)
        with open(path, "rb") as f:
            return Inspector(f.read(), path)
    with tempfile.TemporaryDirectory(prefix="mgviz-") as d:
        tmp = os.path.join(d, "inspector.html")
        _inspect(root, tmp, title, **options)
        with open(tmp, "rb") as f:
            return Inspector(f.read())
