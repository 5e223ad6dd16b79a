"""Reading the agreed graph JSON ("format": "mgviz-graph", version 2).

JSON has no NaN or infinity: such a number is written as null and its member
gets a companion "<name>_str" ("data": null, "data_str": "nan"); "grads_str"
spells out the non-finite grads by name (mg_export.h).
"""

import json
import math
from dataclasses import dataclass

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def number(v, spelled=None):
    """A JSON number as a float; null with spelled (its "_str" companion)
    one of "nan", "inf", "-inf"."""
    if v is None:
        if spelled not in _NONFINITE:
            raise ValueError(f"null without a nan/inf/-inf companion (got {spelled!r})")
        return _NONFINITE[spelled]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"not a number: {v!r}")
    return float(v)


def member(obj, key):
    """obj[key] as a float, reading its companion obj[key + "_str"] for null."""
    if key not in obj:
        raise ValueError(f"missing {key!r}")
    return number(obj[key], obj.get(key + "_str"))


def numbers(obj, key):
    """obj[key], a list, as floats: null elements are spelled in the list
    obj[key + "_str"] (graph JSON v2's rule for arrays)."""
    spelled = obj.get(key + "_str") or [None] * len(obj[key])
    return [number(v, s) for v, s in zip(obj[key], spelled)]


@dataclass
class Edge:
    source: int          # "from": the operand's id
    to: int              # the node that uses it
    operand: int         # 0 or 1
    local: float
    upstream: float
    contribution: float


@dataclass
class Graph:
    value: float
    root: int
    grads: dict  # input name -> float, in order of first appearance
    nodes: list  # the raw node objects, with "data" and "grad" as floats
    edges: list  # Edge, one per operand edge of every node the root reaches


def parse(text):
    """Parses and checks one graph object; raises ValueError when it is not
    one (wrong format tag, missing keys, bad numbers)."""
    obj = json.loads(text)
    if not isinstance(obj, dict) or obj.get("format") != "mgviz-graph" or obj.get("version") != 2:
        raise ValueError("not an mgviz-graph version 2 object: " + text[:200])
    for key in ("value", "root", "grads", "nodes", "edges"):
        if key not in obj:
            raise ValueError(f"graph JSON lacks {key!r}")
    spelled = obj.get("grads_str", {})
    grads = {k: number(v, spelled.get(k)) for k, v in obj["grads"].items()}
    nodes = obj["nodes"]
    for i, n in enumerate(nodes):
        if n.get("id") != i:
            raise ValueError(f"node {i} has id {n.get('id')}: nodes must be in id order")
        n["data"] = member(n, "data")
        n["grad"] = member(n, "grad")
    root = obj["root"]
    if not (isinstance(root, int) and 0 <= root < len(nodes)):
        raise ValueError(f"root {root!r} is not a node id")
    edges = []
    for e in obj["edges"]:
        if not (0 <= e["from"] < e["to"] < len(nodes)) or e["operand"] not in (0, 1):
            raise ValueError(f"edge {e!r} does not join an operand to a later node")
        edges.append(Edge(e["from"], e["to"], e["operand"], member(e, "local"),
                          member(e, "upstream"), member(e, "contribution")))
    return Graph(member(obj, "value"), root, grads, nodes, edges)
