"""Write a project's current annotations out: JSON Lines, spaCy ``DocBin``, CoNLL (IOB), CSV of stances.

Each exporter takes the frames of :meth:`toolkit.Project.load` (so a caller
can filter them first) and a destination path, and returns a small summary
dict (how many documents/records were written, what was dropped and why).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .store import atomic_write_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .store import Frames

TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def _by_doc(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {k: g for k, g in frame.groupby("doc_id", sort=False)} if len(frame) else {}


def export_jsonl(frames: Frames, path: str | Path) -> dict[str, int]:
    """One line per (document, annotator): the text with its spans, stances and links.

    Documents without annotations are written once with annotator ``null``.
    """
    spans, stances, links = _by_doc(frames.spans), _by_doc(frames.stances), frames.links
    lines: list[str] = []
    for doc in frames.documents.itertuples(index=False):
        ds = spans.get(doc.doc_id)
        dt = stances.get(doc.doc_id)
        anns = sorted(set(ds["annotator"] if ds is not None else ()) | set(dt["annotator"] if dt is not None else ()))
        for ann in anns or [None]:
            obj: dict[str, Any] = {
                "id": doc.doc_id, "source": doc.source, "title": doc.title, "url": doc.url,
                "published": doc.published, "sha256": doc.sha256, "text": doc.text, "annotator": ann,
            }  # fmt: skip
            sp = ds[ds["annotator"] == ann] if ds is not None else ds
            st = dt[dt["annotator"] == ann] if dt is not None else dt
            obj["spans"] = [
                {"id": r.id, "start": int(r.start), "end": int(r.end), "label": r.label, "text": r.text,
                 "attrs": dict(r.attrs)}
                for r in (sp.sort_values(["start", "end"]).itertuples() if sp is not None else ())
            ]  # fmt: skip
            obj["stances"] = [
                {"target": r.target, "value": r.value, "claim": r.claim_id}
                for r in (st.itertuples() if st is not None else ())
            ]
            lk = links[(links["annotator"] == ann) & (links["doc_a"] == doc.doc_id)] if len(links) else links
            obj["links"] = [{"a": r.a, "b": r.b, "doc_b": r.doc_b} for r in lk.itertuples()]
            lines.append(json.dumps(obj, ensure_ascii=False))
    atomic_write_text(Path(path), "".join(line + "\n" for line in lines))
    return {"documents": len(frames.documents), "lines": len(lines)}


def _non_overlapping(rows: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int, str]], int]:
    """Keep the longest spans first, drop any that overlap a kept one; return (kept, dropped)."""
    kept: list[tuple[int, int, str]] = []
    for s, e, lab in sorted(rows, key=lambda r: (r[0] - r[1], r[0])):
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, lab))
    return sorted(kept), len(rows) - len(kept)


def export_spacy(frames: Frames, path: str | Path, lang: str = "en") -> dict[str, int]:
    """A spaCy ``DocBin``: one ``Doc`` per (document, annotator).

    Entity spans become ``doc.ents`` (overlaps resolved longest-first; the rest are
    counted as dropped), every span (entities and claims) is also kept in
    ``doc.spans["entities"]`` / ``doc.spans["claims"]`` with claim attributes in
    ``doc.user_data``.  ``doc.user_data`` holds ``doc_id``, ``source`` and ``annotator``.
    Tokenisation is a blank ``lang`` pipeline; spans not on token boundaries are
    expanded to the enclosing tokens and counted in ``expanded``.
    """
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank(lang)
    spans = _by_doc(frames.spans)
    db = DocBin(store_user_data=True)
    stats = {"docs": 0, "ents": 0, "dropped_overlapping": 0, "expanded": 0}
    for d in frames.documents.itertuples(index=False):
        ds = spans.get(d.doc_id)
        if ds is None:
            continue
        base = nlp.make_doc(d.text)
        for ann, g in ds.groupby("annotator"):
            doc = base.copy()
            doc.user_data.update({"doc_id": d.doc_id, "source": d.source, "annotator": ann})
            groups: dict[str, list] = {"entities": [], "claims": []}
            ents = []
            for r in g.itertuples():
                sp = doc.char_span(int(r.start), int(r.end), label=r.label)
                if sp is None:
                    sp = doc.char_span(int(r.start), int(r.end), label=r.label, alignment_mode="expand")
                    stats["expanded"] += 1
                if sp is None:
                    continue
                if r.layer == "claim":
                    groups["claims"].append(sp)
                    doc.user_data[("claim", sp.start_char, sp.end_char)] = dict(r.attrs)
                else:
                    groups["entities"].append(sp)
                    ents.append((sp.start_char, sp.end_char, r.label))
            kept, dropped = _non_overlapping(ents)
            doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in kept]
            for key, items in groups.items():
                doc.spans[key] = items
            stats["ents"] += len(kept)
            stats["dropped_overlapping"] += dropped
            stats["docs"] += 1
            db.add(doc)
    db.to_disk(path)
    return stats


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character offsets of word and punctuation tokens (used by the CoNLL export)."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def export_conll(frames: Frames, path: str | Path) -> dict[str, int]:
    """Entities in CoNLL-2003 style IOB2: ``token<TAB>tag``, documents separated by ``-DOCSTART-``.

    One block per (document, annotator); paragraphs are separated by blank
    lines.  Claims are not exported (CoNLL has no place for overlapping spans);
    overlapping entities are resolved longest-first and the rest counted.
    """
    ents = frames.spans[frames.spans["layer"] == "entity"] if len(frames.spans) else frames.spans
    by_doc = _by_doc(ents)
    out = io.StringIO()
    stats = {"blocks": 0, "tokens": 0, "dropped_overlapping": 0}
    for d in frames.documents.itertuples(index=False):
        ds = by_doc.get(d.doc_id)
        if ds is None:
            continue
        toks = tokenize(d.text)
        for ann, g in ds.groupby("annotator"):
            kept, dropped = _non_overlapping([(int(r.start), int(r.end), r.label) for r in g.itertuples()])
            stats["dropped_overlapping"] += dropped
            out.write(f"-DOCSTART- {d.doc_id} {ann}\n\n")
            k, prev_end = 0, 0
            for s, e in toks:
                if "\n\n" in d.text[prev_end:s]:
                    out.write("\n")
                prev_end = e
                while k < len(kept) and kept[k][1] <= s:
                    k += 1
                tag = "O"
                if k < len(kept) and kept[k][0] < e and s < kept[k][1]:
                    tag = ("B-" if s <= kept[k][0] else "I-") + kept[k][2]
                out.write(f"{d.text[s:e]}\t{tag}\n")
                stats["tokens"] += 1
            out.write("\n")
            stats["blocks"] += 1
    atomic_write_text(Path(path), out.getvalue())
    return stats


def export_stances_csv(frames: Frames, path: str | Path) -> dict[str, int]:
    """Stances as CSV: ``doc_id, source, title, claim_id, claim_text, target, value, annotator, ts``."""
    st = frames.stances
    titles = dict(zip(frames.documents["doc_id"], frames.documents["title"], strict=True))
    claim_text = dict(zip(frames.spans["id"], frames.spans["text"], strict=True)) if len(frames.spans) else {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["doc_id", "source", "title", "claim_id", "claim_text", "target", "value", "annotator", "ts"])
    for r in st.sort_values(["doc_id", "annotator", "target"]).itertuples() if len(st) else ():
        w.writerow([r.doc_id, r.source, titles.get(r.doc_id, ""), r.claim_id or "", claim_text.get(r.claim_id, "")
                    if r.claim_id else "", r.target, r.value, r.annotator, r.ts])  # fmt: skip
    atomic_write_text(Path(path), buf.getvalue())
    return {"rows": len(st)}


EXPORTERS = {"jsonl": export_jsonl, "spacy": export_spacy, "conll": export_conll, "csv": export_stances_csv}
