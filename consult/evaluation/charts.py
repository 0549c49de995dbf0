"""pygal, the server-side SVG chart library of the opinion-group map (the evaluation charts
are drawn without it: consult.evaluation.svg)."""

from __future__ import annotations

import sys
from types import ModuleType


def chart_library() -> ModuleType:
    """pygal, imported on first use (175 ms; by the first map, not at a worker's start),
    without the import hook it installs for its map plugins: that
    hook raises ImportWarning on every later import (warnings are errors in the tests),
    and no map plugin is used."""
    import pygal  # noqa: PLC0415 - heavy (pygal): imported only when a chart is drawn
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal
