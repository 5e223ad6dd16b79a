"""micrograd.engine on mgviz: the scalar Value (a node of mgviz's C graph)."""
from mgviz._mgviz import Value

__all__ = ["Value"]
