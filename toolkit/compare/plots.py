"""Plots for cross-source comparison (matplotlib; every function returns a Figure).

The functions never call ``plt.show()``; in a notebook the returned Figure displays itself.
They use the object-oriented API (``matplotlib.figure.Figure``), so they work with any backend,
including Agg in tests and in ``toolkit report``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from toolkit.figures import InlineFigure

#: Colours of stance values (colour-blind friendly).
STANCE_COLORS = {"favour": "#1b9e77", "against": "#d95f02", "neutral": "#7570b3",
                 "none": "#bbbbbb"}


def coverage_heatmap(matrix: pd.DataFrame, title: str = "Coverage", max_rows: int = 30,
                     cmap: str = "Blues", label_width: int = 50) -> Figure:
    """Heatmap of a row x source count matrix (entity x source, claim cluster x source).

    Each cell shows its count; rows beyond ``max_rows`` (the matrix is assumed sorted by
    importance) are left out and the title says so.
    """
    m = matrix.iloc[:max_rows]
    n_rows, n_cols = max(1, m.shape[0]), max(1, m.shape[1])
    fig = InlineFigure(figsize=(2.2 + 1.3 * n_cols + 0.045 * label_width, 1.2 + 0.32 * n_rows),
                 layout="constrained")
    ax = fig.add_subplot()
    if m.empty:
        ax.text(0.5, 0.5, "nothing to show", ha="center", va="center")
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    values = m.to_numpy(dtype=float)
    im = ax.imshow(values, aspect="auto", cmap=cmap, vmin=0)
    ax.set_xticks(range(m.shape[1]), [str(c) for c in m.columns], rotation=30, ha="right")

    def cut(s: str) -> str:
        return s if len(s) <= label_width else s[: label_width - 1] + "\u2026"

    ax.set_yticks(range(m.shape[0]), [cut(str(i)) for i in m.index])
    vmax = values.max() if values.size else 0
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=8,
                color="white" if vmax and v > 0.6 * vmax else "black")
    more = matrix.shape[0] - m.shape[0]
    ax.set_title(title + (f" (top {m.shape[0]}; {more} more not shown)" if more > 0 else ""))
    fig.colorbar(im, ax=ax, shrink=0.8, label="count")
    return fig


def stance_bars(distribution: pd.DataFrame, title: str = "Stance by source") -> Figure:
    """Stacked horizontal bars: for each target, the share of each stance value per source.

    ``distribution`` is :func:`toolkit.compare.stances.stance_distribution`'s result (counts).
    """
    targets = sorted(distribution.index.get_level_values("target").unique()) \
        if not distribution.empty else []
    n = max(1, len(targets))
    sources = sorted(distribution.index.get_level_values("source").unique()) \
        if not distribution.empty else []
    fig = InlineFigure(figsize=(8, 0.6 + n * (0.5 + 0.35 * max(1, len(sources)))), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    if not targets:
        axes[0].text(0.5, 0.5, "no stance annotations", ha="center", va="center")
        axes[0].set_axis_off()
        fig.suptitle(title)
        return fig
    values = [v for v in distribution.columns if v != "n"]
    for ax, target in zip(axes, targets, strict=False):
        sub = distribution.xs(target, level="target").reindex(sources).fillna(0)
        totals = sub["n"].replace(0, np.nan)
        left = np.zeros(len(sources))
        for v in values:
            share = (sub[v] / totals).fillna(0).to_numpy()
            ax.barh(sources, share, left=left, color=STANCE_COLORS.get(v, "#888888"),
                    label=v if ax is axes[0] else None, edgecolor="white")
            for y, (lft, w) in enumerate(zip(left, share, strict=False)):
                if w >= 0.08:
                    ax.text(lft + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8,
                            color="white" if v != "none" else "black")
            left += share
        for y, total in enumerate(sub["n"]):
            ax.text(1.01, y, f"n={int(total)}", va="center", fontsize=8)
        ax.set_xlim(0, 1.12)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.invert_yaxis()
        ax.set_title(f"Target: {target}", fontsize=10, loc="left")
    fig.legend(loc="outside lower center", ncol=len(values), frameon=False)
    fig.suptitle(title)
    return fig


def profile_bars(profiles: pd.DataFrame, title: str = "Source profiles") -> Figure:
    """Three bar charts per source: words, quotations, and share of text that is quotation."""
    fig = InlineFigure(figsize=(10, 3), layout="constrained")
    axes = fig.subplots(1, 3)
    specs = [("words", "Words", "#4c72b0"), ("quotations", "Quotations", "#55a868"),
             ("quote_share", "Share of text quoted", "#c44e52")]
    for ax, (col, label, color) in zip(axes, specs, strict=False):
        vals = profiles[col].astype(float) if not profiles.empty else pd.Series(dtype=float)
        ax.bar([str(s) for s in vals.index], vals.to_numpy(), color=color)
        ax.set_title(label, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30)
        if col == "quote_share":
            ax.yaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    fig.suptitle(title)
    return fig
