"""The Python suite runs against the built package (PYTHONPATH=build/python,
which meson sets); MGVIZ_SANITIZED=1 under ASan, where slow loops shrink."""
import os

SANITIZED = os.environ.get("MGVIZ_SANITIZED") == "1"
