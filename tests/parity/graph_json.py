"""Reading the agreed graph JSON ("format": "mgviz-graph", version 1)."""

import json
import math
from dataclasses import dataclass

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def number(v):
    """A JSON number, or one of the strings "nan", "inf", "-inf", as a float."""
    if isinstance(v, str):
        if v not in _NONFINITE:
            raise ValueError(f"not a number: {v!r}")
        return _NONFINITE[v]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"not a number: {v!r}")
    return float(v)


@dataclass
class Graph:
    value: float
    root: int
    grads: dict  # input name -> float, in order of first appearance
    nodes: list  # the raw node objects


def parse(text):
    """Parses and checks one graph object; raises ValueError when it is not
    one (wrong format tag, missing keys, bad numbers)."""
    obj = json.loads(text)
    if not isinstance(obj, dict) or obj.get("format") != "mgviz-graph" or obj.get("version") != 1:
        raise ValueError("not an mgviz-graph version 1 object: " + text[:200])
    for key in ("value", "root", "grads", "nodes"):
        if key not in obj:
            raise ValueError(f"graph JSON lacks {key!r}")
    grads = {k: number(v) for k, v in obj["grads"].items()}
    nodes = obj["nodes"]
    for i, n in enumerate(nodes):
        if n.get("id") != i:
            raise ValueError(f"node {i} has id {n.get('id')}: nodes must be in id order")
        n["data"] = number(n["data"])
        n["grad"] = number(n["grad"])
    root = obj["root"]
    if not (isinstance(root, int) and 0 <= root < len(nodes)):
        raise ValueError(f"root {root!r} is not a node id")
    value = number(obj["value"])
    return Graph(value, root, grads, nodes)
