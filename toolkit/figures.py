"""A matplotlib ``Figure`` that shows itself in any notebook front end.

The toolkit's plots use matplotlib's object-oriented API (no ``pyplot`` state, so they work
under any backend and in ``toolkit report``).  A bare ``Figure`` built that way has no rich
representation: a notebook cell ending in one prints ``<Figure size 965x760 with 2 Axes>``
unless pyplot's inline backend happened to register its formatter.  :class:`InlineFigure`
carries its own ``_repr_png_``, so IPython/Jupyter display it as an image everywhere
(JupyterLab, ``nbconvert --execute``, VS Code), whatever the backend.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

__all__ = ["InlineFigure", "figure_png"]


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes (tight bounding box, so titles are never clipped)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


class InlineFigure(Figure):
    """A ``Figure`` whose notebook representation is a PNG image."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)

    def _repr_html_(self) -> Any:  # matplotlib's own returns None except for WebAgg; keep the PNG path
        return None
