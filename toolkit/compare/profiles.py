"""Source profiles: how long each outlet's coverage is and how much of it is quotation."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from toolkit.compare._layers import Layer, select_layer
from toolkit.compare.entities import EntityNormalizer

PROFILE_COLUMNS = ["documents", "chars", "words", "quotations", "quoted_chars", "quote_share",
                   "speakers_quoted", "claims"]


def count_words(text: str) -> int:
    """Number of words: whitespace-separated tokens ("142-metre" and "$2.3" are one word each)."""
    return len(text.split())


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def document_profiles(documents: pd.DataFrame, quotes: pd.DataFrame,
                      spans: pd.DataFrame | None = None, layer: Layer = None,
                      merges: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-document profile (index ``doc_id``): ``source, chars, words, quotations,
    quoted_chars, quote_share, speakers_quoted, claims``.

    ``quotes`` is :func:`toolkit.compare.quotes.document_quotations`' result; quoted characters
    are those inside the quotation marks (overlaps counted once).  ``speakers_quoted`` counts
    distinct attributed speakers of the quotations and of claims of kind "quotation".
    """
    rows = []
    claims = None
    norm = EntityNormalizer(merges)
    if spans is not None and not spans.empty:
        sel = select_layer(spans, layer)
        claims = sel[sel["layer"] == "claim"] if "layer" in sel.columns else sel.iloc[0:0]
        claims = claims.drop_duplicates(["doc_id", "start", "end"])
        ents = sel[sel["layer"] == "entity"] if "layer" in sel.columns else sel.iloc[0:0]
        norm.fit(zip(ents["doc_id"], ents["label"], ents["text"], strict=False))
    by_doc = dict(tuple(quotes.groupby("doc_id"))) if not quotes.empty else {}
    for doc in documents.sort_values("doc_id").itertuples(index=False):
        q = by_doc.get(doc.doc_id)
        text: str = doc.text
        speakers = set()
        if q is not None:
            speakers |= {s for s in q["speaker"] if s}
        n_claims = 0
        if claims is not None:
            dc = claims[claims["doc_id"] == doc.doc_id]
            n_claims = len(dc)
            qc = dc[dc["kind"] == "quotation"] if "kind" in dc.columns else dc.iloc[0:0]
            speakers |= {norm.canonical(s, doc.doc_id, "PERSON") for s in qc.get("speaker", [])
                         if isinstance(s, str) and s.strip()}
        quoted = 0 if q is None else _union_length(list(zip(q["inner_start"], q["inner_end"], strict=False)))
        rows.append({
            "doc_id": doc.doc_id, "source": doc.source, "chars": len(text),
            "words": count_words(text), "quotations": 0 if q is None else len(q),
            "quoted_chars": quoted, "quote_share": round(quoted / len(text), 4) if text else 0.0,
            "speakers_quoted": len(speakers), "claims": n_claims, "_speakers": speakers,
        })
    return pd.DataFrame(rows).set_index("doc_id")


def source_profiles(documents: pd.DataFrame, quotes: pd.DataFrame,
                    spans: pd.DataFrame | None = None, layer: Layer = None,
                    merges: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-source profile (index ``source``): ``documents, chars, words, quotations,
    quoted_chars, quote_share`` (quoted characters / characters), ``speakers_quoted`` (distinct
    speakers over all its documents) and ``claims``."""
    docs = document_profiles(documents, quotes, spans, layer, merges)
    if docs.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS).rename_axis("source")
    agg = docs.groupby("source").agg(
        documents=("source", "size"), chars=("chars", "sum"), words=("words", "sum"),
        quotations=("quotations", "sum"), quoted_chars=("quoted_chars", "sum"),
        claims=("claims", "sum"),
        speakers_quoted=("_speakers", lambda s: len(set().union(*s))),
    )
    agg["quote_share"] = (agg["quoted_chars"] / agg["chars"].where(agg["chars"] > 0)).round(4)
    return agg[PROFILE_COLUMNS]
