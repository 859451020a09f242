"""Write a project's current annotations out for other programs.

=============  ==========================================  ===================  =============
format         what                                        read by              default layer
=============  ==========================================  ===================  =============
``jsonl``      the toolkit's JSON Lines (strict JSON)      any JSON parser      all
``csv``        stances, one row each                       any CSV reader       all
``spans-csv``  spans (entities and claims), one row each   any CSV reader       all
``conll``      CoNLL-2003 entity columns (IOB2)            spaCy, NLTK, ...     human
``spacy``      spaCy ``DocBin`` (``--dev-share``: split)   ``spacy train``      human
``prodigy``    Prodigy tasks (JSON Lines)                  Prodigy              human
``doccano``    doccano sequence labelling (JSON Lines)     doccano              human
``brat``       brat standoff folder (``.txt`` + ``.ann``)  brat                 human
=============  ==========================================  ===================  =============

Every exporter takes the frames of :meth:`toolkit.Project.load` and a destination
and returns a :class:`Summary` (counts, plus ``notes`` about anything left out).
``layer`` chooses whose annotations go out (an annotator, ``gold``, ``human``,
``model``, ``all`` or a list; see :mod:`toolkit.compare._layers`); the default is the
table's last column, so model suggestions stay out of training data unless asked for.
``merge`` (``"all"`` / ``"majority"``) makes one example per document
(see :func:`merge_spans`).  The ``render_*`` functions return the text instead of writing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..tokenize import tokenize
from ._common import MERGE_RULES, Summary, atomic_lines, combine, merge_spans, prepare, select_frames, write_text
from .conll import iter_conll, render_conll
from .docbin import build_docs, docbin_bytes, export_spacy, iter_docs, make_doc, split_documents
from .jsonl import dumps_strict, iter_jsonl_lines, render_jsonl
from .tables import render_spans_csv, render_stances_csv
from .tools import render_brat, render_doccano, render_prodigy

if TYPE_CHECKING:  # pragma: no cover
    from ..compare._layers import Layer
    from ..store import Frames

__all__ = [
    "EXPORTERS", "FORMATS", "MERGE_RULES", "ExportFormat", "Summary", "build_docs", "docbin_bytes", "dumps_strict",
    "iter_conll", "iter_docs", "iter_jsonl_lines",
    "export", "export_brat", "export_conll", "export_doccano", "export_jsonl", "export_prodigy", "export_spacy",
    "export_spans_csv", "export_stances_csv", "make_doc", "merge_spans", "prepare_for", "render", "render_brat",
    "render_conll", "render_doccano", "render_jsonl", "render_prodigy", "render_spans_csv", "render_stances_csv",
    "select_frames", "split_documents", "tokenize",
]  # fmt: skip


@dataclass(frozen=True)
class ExportFormat:
    """One export format: how it renders, where it goes by default, which layer it takes by default."""

    name: str
    what: str
    output: str
    default_layer: Layer
    #: "text" (one text file), "bytes" (one binary file) or "folder" (several files)
    kind: str = "text"
    #: whether ``merge`` makes sense (span exports) -- stances and links cannot be merged by offsets
    mergeable: bool = True
    render: Callable[..., tuple[Any, Summary]] | None = None
    #: the text a piece at a time, filling the summary at the end: a file export streams it
    pieces: Callable[[Frames, Summary], Iterator[str]] | None = None


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("jsonl", "documents with spans, stances and links (JSON Lines)", "export.jsonl", "all",
                     mergeable=False, render=render_jsonl, pieces=iter_jsonl_lines),
        ExportFormat("csv", "stances (CSV)", "stances.csv", "all", mergeable=False, render=render_stances_csv),
        ExportFormat("spans-csv", "spans (CSV)", "spans.csv", "all", render=render_spans_csv),
        ExportFormat("conll", "entities (CoNLL-2003)", "export.conll", "human", render=render_conll,
                     pieces=iter_conll),
        ExportFormat("spacy", "spaCy DocBin", "export.spacy", "human", kind="bytes"),
        ExportFormat("prodigy", "Prodigy tasks (JSON Lines)", "prodigy.jsonl", "human", render=render_prodigy),
        ExportFormat("doccano", "doccano examples (JSON Lines)", "doccano.jsonl", "human", render=render_doccano),
        ExportFormat("brat", "brat standoff folder", "brat", "human", kind="folder", render=render_brat),
    )  # fmt: skip
}


def _format(name: str) -> ExportFormat:
    if name not in FORMATS:
        raise ValidationError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[name]


def prepare_for(fmt: str, frames: Frames, layer: Layer = None, merge: str | None = None) -> tuple[Frames, Summary]:
    """``frames`` restricted to ``layer`` (default: the format's) and, with ``merge``, merged per document."""
    f = _format(fmt)
    if merge and not f.mergeable:
        mergeable = ", ".join(n for n, x in FORMATS.items() if x.mergeable)
        raise ValidationError(f"--merge applies to span exports ({mergeable}), not to {fmt}")
    return prepare(frames, layer, f.default_layer, merge)


def render(fmt: str, frames: Frames, layer: Layer = None, merge: str | None = None, lang: str = "en") -> tuple[
    Any, Summary
]:
    """The export as ``str`` (text formats), ``bytes`` (``spacy``) or ``{relative path: text}`` (``brat``)."""
    f = _format(fmt)
    chosen, summary = prepare_for(fmt, frames, layer, merge)
    if fmt == "spacy":
        stats = Summary()
        payload: Any = docbin_bytes(iter_docs(chosen, lang, stats))
    else:
        assert f.render is not None
        payload, stats = f.render(chosen)
    return payload, combine(stats, summary)


def export(fmt: str, frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """Write format ``fmt`` to ``path`` (a file, or a folder for ``brat`` and for ``spacy`` with ``dev_share``)."""
    if fmt == "spacy":
        return export_spacy(frames, path, **opts)
    pieces = _format(fmt).pieces
    if pieces is not None:  # streamed to the file: a big project's export is never held in memory
        chosen, summary = prepare_for(fmt, frames, opts.get("layer"), opts.get("merge"))
        stats = Summary()
        atomic_lines(path, pieces(chosen, stats))
        return combine(stats, summary)
    payload, summary = render(fmt, frames, **opts)
    if FORMATS[fmt].kind == "folder":
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise ValidationError(f"{folder}: {fmt} export writes a folder, and this is a file")
        for rel, text in payload.items():
            write_text(folder / rel, text)
    else:
        write_text(path, payload)
    return summary


def export_jsonl(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """JSON Lines, one strict JSON object per (document, annotator); see :func:`render_jsonl`."""
    return export("jsonl", frames, path, **opts)


def export_stances_csv(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """Stances as CSV; see :func:`render_stances_csv`."""
    return export("csv", frames, path, **opts)


def export_spans_csv(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """Spans as CSV; see :func:`render_spans_csv`."""
    return export("spans-csv", frames, path, **opts)


def export_conll(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """CoNLL-2003 entity columns; see :func:`render_conll`."""
    return export("conll", frames, path, **opts)


def export_prodigy(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """Prodigy tasks; see :func:`render_prodigy`."""
    return export("prodigy", frames, path, **opts)


def export_doccano(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """doccano JSON Lines; see :func:`render_doccano`."""
    return export("doccano", frames, path, **opts)


def export_brat(frames: Frames, path: str | Path, **opts: Any) -> Summary:
    """brat standoff files in the folder ``path``; see :func:`render_brat`."""
    return export("brat", frames, path, **opts)


#: Format name -> ``export_*(frames, path, **opts)``.
EXPORTERS: dict[str, Callable[..., Summary]] = {
    "jsonl": export_jsonl, "csv": export_stances_csv, "spans-csv": export_spans_csv, "conll": export_conll,
    "spacy": export_spacy, "prodigy": export_prodigy, "doccano": export_doccano, "brat": export_brat,
}  # fmt: skip
