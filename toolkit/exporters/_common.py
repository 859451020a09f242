"""Pieces every exporter shares: layer choice, merging, strict JSON values, token alignment, writing.

Nothing here reads a project: everything takes the frames of
:meth:`toolkit.Project.load` (or a filtered copy of them).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..model import GOLD
from ..store import atomic_write_text, fsync_dir
from ..tokenize import TokenIndex, tokenize

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..compare._layers import Layer
    from ..store import Frames

#: The ``merge`` rules: ``all`` human annotators of a document agree, or more than half of them.
MERGE_RULES = ("all", "majority")
#: Annotator name given to spans that came out of a merge by agreement.
MERGED = "merged"


class Summary(dict[str, int]):
    """What an export wrote, as counts (``{"docs": 4, "ents": 210, ...}``), plus ``notes``.

    ``notes`` are one-line warnings the caller must show (spans left out and why);
    an export never drops anything without a count here and a note.
    """

    def __init__(self, *args: Any, **kwargs: int) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[str] = []

    def line(self) -> str:
        """The counts on one line: ``docs 4, ents 210``."""
        return ", ".join(f"{k} {v}" for k, v in self.items())


# --------------------------------------------------------------------------- values


def combine(stats: Summary, selection: Summary) -> Summary:
    """One summary from a format's counts and the layer selection's (merge) counts; the selection's
    notes first."""
    out = Summary({**stats, **selection})
    out.notes = [*selection.notes, *stats.notes]
    return out


def missing(value: Any) -> bool:
    """True for ``None``, NaN and pandas' missing markers (what a JSON ``null`` stands for)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, list | tuple | dict) else False
    except (TypeError, ValueError):
        return False


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: missing values -> ``None``, numpy scalars -> int/float/bool, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str | bool) or value is None:
        return value
    if missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def text_or_empty(value: Any) -> str:
    """``value`` as a string, ``""`` when it is missing (never the text ``nan``)."""
    return "" if missing(value) else str(value)


def by_doc(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Rows of ``frame`` grouped by ``doc_id`` (one pass)."""
    return {str(k): g for k, g in frame.groupby("doc_id", sort=False)} if len(frame) else {}


# --------------------------------------------------------------------------- layers and merging


def select_frames(frames: Frames, layer: Layer) -> Frames:
    """``frames`` with only the spans, stances and links of ``layer`` (see :mod:`toolkit.compare._layers`).

    ``layer`` is an annotator name, ``"gold"``, ``"human"`` (every annotator that is
    not a model, gold included), ``"model"``, ``"all"``, or a list of these.
    """
    from ..compare._layers import select_layer

    if layer == "all":
        return frames
    return dataclasses.replace(
        frames,
        spans=select_layer(frames.spans, layer),
        stances=select_layer(frames.stances, layer),
        links=select_layer(frames.links, layer),
    )


def merge_spans(spans: pd.DataFrame, stances: pd.DataFrame | None = None, rule: str = "majority") -> tuple[
    pd.DataFrame, Summary
]:
    """One set of spans per document: gold where present, else the spans the annotators agree on.

    Per document: if the ``gold`` annotator has spans there, those are the result
    (annotator ``gold``).  Otherwise the voters are the other annotators with any
    span or stance on the document; a span (same ``start``, ``end`` and ``label``)
    is kept when ``rule`` is ``"all"`` and every voter has it, or ``"majority"`` and
    more than half of them have it (with two voters both must).  Kept spans take
    the id and attributes of the first voter (by name) who has them and the
    annotator name ``merged``.  Grouping is by document and span key: linear in spans.
    """
    import pandas as pd

    if rule not in MERGE_RULES:
        raise ValidationError(f"merge: unknown rule {rule!r}; use one of {', '.join(MERGE_RULES)}")
    summary = Summary(docs_gold=0, docs_agreed=0, docs_one_annotator=0, spans_kept=0, spans_not_agreed=0)
    if spans.empty:
        return spans.copy(), summary
    gold_docs = set(spans.loc[spans["annotator"] == GOLD, "doc_id"])
    gold = spans[spans["doc_id"].isin(gold_docs) & (spans["annotator"] == GOLD)]
    rest = spans[~spans["doc_id"].isin(gold_docs) & (spans["annotator"] != GOLD)]
    voter_rows = [rest[["doc_id", "annotator"]]]
    if stances is not None and len(stances):
        st = stances[~stances["doc_id"].isin(gold_docs) & (stances["annotator"] != GOLD)]
        voter_rows.append(st[["doc_id", "annotator"]])
    voters = pd.concat(voter_rows).drop_duplicates().groupby("doc_id")["annotator"].nunique()
    rest = rest.sort_values(["doc_id", "start", "end", "label", "annotator"], kind="stable")
    key = ["doc_id", "start", "end", "label"]
    votes = rest.groupby(key, sort=False)["annotator"].transform("nunique")
    need = rest["doc_id"].map(voters).astype("float64")  # doc_id may be categorical: map would keep that dtype
    ok = votes == need if rule == "all" else votes * 2 > need
    agreed = rest[ok].drop_duplicates(key, keep="first").copy()
    agreed["annotator"] = MERGED
    out = pd.concat([gold, agreed], ignore_index=True) if len(gold) else agreed.reset_index(drop=True)
    summary["docs_gold"] = len(gold_docs)
    summary["docs_agreed"] = int(rest["doc_id"].nunique())
    summary["docs_one_annotator"] = int((voters == 1).sum())
    summary["spans_kept"] = len(out)
    summary["spans_not_agreed"] = int(len(rest.drop_duplicates(key)) - len(agreed))
    if summary["spans_not_agreed"]:
        summary.notes.append(
            f"merge ({rule}): {summary['spans_not_agreed']} span(s) not agreed on were left out "
            f"(`toolkit agreement` lists the disagreements)"
        )
    return out.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True), summary


def prepare(frames: Frames, layer: Layer, default: Layer, merge: str | None = None) -> tuple[Frames, Summary]:
    """Select ``layer`` (``None``: ``default``) and, with ``merge``, merge the spans into one layer per document."""
    chosen = default if layer is None else layer
    out = select_frames(frames, chosen)
    summary = Summary()
    if merge:
        merged, summary = merge_spans(out.spans, out.stances, merge)
        out = dataclasses.replace(out, spans=merged)
    return out, summary


def layer_note(layer: Layer, default: Layer) -> str:
    """How the layer was chosen, for messages."""
    from ..compare._layers import describe_layer

    return describe_layer(default if layer is None else layer)


def examples(frames: Frames, spans: pd.DataFrame | None = None) -> Iterator[tuple[Any, str, pd.DataFrame]]:
    """``(document row, annotator, that annotator's spans)`` in document order, annotators by name.

    Only (document, annotator) pairs with at least one span in ``spans``
    (default ``frames.spans``) are produced.
    """
    import numpy as np
    import pandas as pd

    sp = frames.spans if spans is None else spans
    if not len(sp):
        return
    # one stable sort by (document, annotator, start, end) and slices, instead of per-document frames
    keys = pd.DataFrame({"d": sp["doc_id"].astype(str).to_numpy(), "a": sp["annotator"].astype(str).to_numpy(),
                         "s": sp["start"].to_numpy(), "e": sp["end"].to_numpy()})
    order = keys.sort_values(["d", "a", "s", "e"], kind="stable").index.to_numpy()
    sp = sp.iloc[order]
    d, a = keys["d"].to_numpy()[order], keys["a"].to_numpy()[order]
    cut = np.flatnonzero((d[1:] != d[:-1]) | (a[1:] != a[:-1])) + 1
    starts, ends = np.concatenate([[0], cut]), np.concatenate([cut, [len(d)]])
    slices: dict[str, list[tuple[str, int, int]]] = {}
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        slices.setdefault(str(d[lo]), []).append((str(a[lo]), lo, hi))
    for doc in frames.documents.itertuples(index=False):
        for ann, lo, hi in slices.get(str(doc.doc_id), ()):
            yield doc, ann, sp.iloc[lo:hi]


def entity_rows(spans: pd.DataFrame) -> pd.DataFrame:
    """Only the entity spans (``layer == "entity"``)."""
    return spans[spans["layer"] == "entity"] if len(spans) else spans


# --------------------------------------------------------------------------- token alignment


@dataclass
class Aligned:
    """Spans of one example put on tokens as ``(tok_start, tok_end, start, end, label, row)``.

    ``kept`` do not overlap each other; ``overlapping`` are the aligned spans set aside
    because they overlap a longer kept one; ``misaligned`` are rows not on token boundaries.
    """

    kept: list[tuple[int, int, int, int, str, Any]]
    misaligned: list[Any]
    overlapping: list[tuple[int, int, int, int, str, Any]]


def non_overlapping(items: Sequence[tuple[int, int, str]]) -> tuple[list[int], list[int]]:
    """Indices of ``items`` (``(start, end, label)``) kept longest-first without overlaps, and of those dropped.

    Sorting plus one sweep against the kept intervals (sorted list, binary search): ``O(n log n)``.
    """
    from bisect import bisect_left, insort

    order = sorted(range(len(items)), key=lambda i: (items[i][0] - items[i][1], items[i][0], items[i][2]))
    starts: list[int] = []
    ends: dict[int, int] = {}
    kept: list[int] = []
    dropped: list[int] = []
    for i in order:
        s, e, _ = items[i]
        j = bisect_left(starts, s)
        clash = (j < len(starts) and starts[j] < e) or (j > 0 and ends[starts[j - 1]] > s)
        if clash:
            dropped.append(i)
        else:
            insort(starts, s)
            ends[s] = e
            kept.append(i)
    return sorted(kept, key=lambda i: items[i][0]), dropped


def align_spans(index: TokenIndex, rows: pd.DataFrame, resolve_overlaps: bool = True) -> Aligned:
    """Put ``rows`` (spans of one document) on tokens; misaligned and (optionally) overlapping ones are set aside."""
    placed: list[tuple[int, int, int, int, str, Any]] = []
    misaligned: list[Any] = []
    for r in rows.itertuples(index=False):
        tok = index.align(int(r.start), int(r.end))
        if tok is None:
            misaligned.append(r)
        else:
            placed.append((tok[0], tok[1], int(r.start), int(r.end), str(r.label), r))
    if not resolve_overlaps:
        return Aligned(sorted(placed, key=lambda p: (p[0], p[1])), misaligned, [])
    keep, drop = non_overlapping([(p[0], p[1], p[4]) for p in placed])
    return Aligned([placed[i] for i in keep], misaligned, [placed[i] for i in drop])


class AlignmentLog:
    """Counts and a few examples of spans left out of a token-based export."""

    def __init__(self) -> None:
        self.misaligned = 0
        self.overlapping = 0
        self.total = 0
        self.examples: list[str] = []

    def add(self, doc_id: str, text: str, aligned: Aligned) -> None:
        self.total += len(aligned.kept) + len(aligned.misaligned) + len(aligned.overlapping)
        self.misaligned += len(aligned.misaligned)
        self.overlapping += len(aligned.overlapping)
        for r in aligned.misaligned[: max(0, 3 - len(self.examples))]:
            s, e = int(r.start), int(r.end)
            self.examples.append(f"{doc_id}[{s}:{e}] {text[s:e]!r} ({r.annotator})")

    def notes(self, what: str = "entity spans") -> list[str]:
        out = []
        if self.misaligned:
            pct = 100 * self.misaligned / max(1, self.total)
            out.append(
                f"{self.misaligned} of {self.total} {what} ({pct:.1f}%) do not start and end on token boundaries "
                f"and were left out, e.g. {'; '.join(self.examples)}"
            )
        if self.overlapping:
            out.append(f"{self.overlapping} overlapping {what} were left out (the longest one is kept)")
        return out


def example_tokens(text: str) -> tuple[list[tuple[int, int]], TokenIndex]:
    """The shared tokens of ``text`` and an index over them."""
    toks = tokenize(text)
    return toks, TokenIndex(toks)


# --------------------------------------------------------------------------- writing


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` atomically (UTF-8, ``\\n`` line ends), creating the parent folder."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(p, text)


def atomic_lines(path: str | Path, lines: Iterable[str]) -> int:
    """Write ``lines`` (each ending in ``\\n``) to ``path`` atomically without holding them all:
    a temporary file beside it, fsync, rename, fsync of the folder.  Returns how many were written."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(p.parent)
    return n


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` atomically, creating the parent folder."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    fsync_dir(p.parent)
