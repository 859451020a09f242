"""Source profiles: how long each outlet's coverage is and how much of it is quotation.

Everything is computed in one pass of group-bys over the documents, the quotations and the
claims (no per-document filtering of the claim table), so the cost grows linearly with the
corpus.  Quotations that are the headline version of a body quotation (``headline_of`` set by
:func:`toolkit.compare.quotes.document_quotations`) and scare quotes (``scare``) are not counted
as quotations; their characters still count as quoted text.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.compare._layers import Layer, select_layer
from toolkit.compare.entities import EntityNormalizer

PROFILE_COLUMNS = ["documents", "chars", "words", "quotations", "quoted_chars", "quote_share",
                   "speakers_quoted", "claims"]
DOCUMENT_PROFILE_COLUMNS = ["source", "chars", "words", "quotations", "quoted_chars", "quote_share",
                            "speakers_quoted", "claims"]


def count_words(text: str) -> int:
    """Number of words: whitespace-separated tokens ("142-metre" and "$2.3" are one word each)."""
    return len(text.split())


def _quoted_chars(quotes: pd.DataFrame) -> pd.Series:
    """Characters inside quotation marks per document, overlapping quotations counted once.

    Sorted by start within each document, a quotation adds the part of it that lies beyond the
    furthest end seen so far in its document.
    """
    if quotes.empty:
        return pd.Series(dtype="int64")
    q = quotes[["doc_id", "inner_start", "inner_end"]].astype({"inner_start": "int64", "inner_end": "int64"})
    q = q.sort_values(["doc_id", "inner_start", "inner_end"], kind="stable")
    reach = q.groupby("doc_id", sort=False)["inner_end"].cummax()
    prev = reach.groupby(q["doc_id"], sort=False).shift(1).fillna(-1).astype("int64")
    adds = (q["inner_end"] - np.maximum(q["inner_start"], prev)).clip(lower=0)
    return adds.groupby(q["doc_id"]).sum()


def _speaker_pairs(quotes: pd.DataFrame, claims: pd.DataFrame | None, norm: EntityNormalizer) -> pd.DataFrame:
    """``doc_id, speaker`` of every attributed counted quotation and quotation claim (distinct)."""
    parts = []
    if not quotes.empty and "speaker" in quotes.columns:
        s = quotes[["doc_id", "speaker"]].dropna()
        parts.append(s[s["speaker"].astype(str).str.strip() != ""])
    if claims is not None and not claims.empty and "kind" in claims.columns and "speaker" in claims.columns:
        qc = claims[(claims["kind"] == "quotation") & claims["speaker"].notna()]
        qc = qc[qc["speaker"].astype(str).str.strip() != ""]
        if not qc.empty:
            names = [norm.canonical(s, d, "PERSON") for d, s in zip(qc["doc_id"], qc["speaker"], strict=True)]
            parts.append(pd.DataFrame({"doc_id": qc["doc_id"].to_numpy(), "speaker": names}))
    if not parts:
        return pd.DataFrame(columns=["doc_id", "speaker"])
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _counted(quotes: pd.DataFrame) -> pd.DataFrame:
    """Quotations counted as quotations: not headline versions, not scare quotes."""
    keep = pd.Series(True, index=quotes.index)
    if "headline_of" in quotes.columns:
        keep &= quotes["headline_of"].fillna("").astype(str) == ""
    if "scare" in quotes.columns:
        keep &= ~quotes["scare"].fillna(False).astype(bool)
    return quotes[keep]


def _parts(documents: pd.DataFrame, quotes: pd.DataFrame, spans: pd.DataFrame | None, layer: Layer,
           merges: Mapping[str, str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-document profile without ``speakers_quoted``, and the (doc_id, speaker) pairs."""
    claims = None
    norm = EntityNormalizer(merges)
    if spans is not None and not spans.empty:
        sel = select_layer(spans, layer)
        claims = sel[sel["layer"] == "claim"] if "layer" in sel.columns else sel.iloc[0:0]
        claims = claims.drop_duplicates(["doc_id", "start", "end"])
        ents = sel[sel["layer"] == "entity"] if "layer" in sel.columns else sel.iloc[0:0]
        norm.fit(zip(ents["doc_id"], ents["label"], ents["text"], strict=False))
    docs = documents[["doc_id", "source", "text"]].sort_values("doc_id").set_index("doc_id")
    text = docs["text"].fillna("").astype(str)
    out = pd.DataFrame({"source": docs["source"], "chars": text.str.len().astype("int64"),
                        "words": text.str.count(r"\S+").fillna(0).astype("int64")}, index=docs.index)
    counted = _counted(quotes) if not quotes.empty else quotes
    n_quotes = counted.groupby("doc_id").size() if not counted.empty else pd.Series(dtype="int64")
    out["quotations"] = n_quotes.reindex(out.index, fill_value=0).astype("int64")
    out["quoted_chars"] = _quoted_chars(quotes).reindex(out.index, fill_value=0).astype("int64")
    share = out["quoted_chars"] / out["chars"].where(out["chars"] > 0)
    out["quote_share"] = share.fillna(0.0).round(4)
    n_claims = claims.groupby("doc_id").size() if claims is not None and not claims.empty else pd.Series(dtype="int64")
    out["claims"] = n_claims.reindex(out.index, fill_value=0).astype("int64")
    pairs = _speaker_pairs(counted, claims, norm)
    return out, pairs


def document_profiles(documents: pd.DataFrame, quotes: pd.DataFrame,
                      spans: pd.DataFrame | None = None, layer: Layer = None,
                      merges: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-document profile (index ``doc_id``): ``source, chars, words, quotations,
    quoted_chars, quote_share, speakers_quoted, claims``.

    ``quotes`` is :func:`toolkit.compare.quotes.document_quotations`' result; quoted characters
    are those inside the quotation marks (overlaps counted once).  ``quotations`` leaves out
    headline versions and scare quotes.  ``speakers_quoted`` counts distinct attributed speakers
    of the quotations and of claims of kind "quotation".
    """
    out, pairs = _parts(documents, quotes, spans, layer, merges)
    n_speakers = pairs.groupby("doc_id")["speaker"].nunique() if not pairs.empty else pd.Series(dtype="int64")
    out["speakers_quoted"] = n_speakers.reindex(out.index, fill_value=0).astype("int64")
    return out[DOCUMENT_PROFILE_COLUMNS]


def source_profiles(documents: pd.DataFrame, quotes: pd.DataFrame,
                    spans: pd.DataFrame | None = None, layer: Layer = None,
                    merges: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-source profile (index ``source``): ``documents, chars, words, quotations,
    quoted_chars, quote_share`` (quoted characters / characters), ``speakers_quoted`` (distinct
    speakers over all its documents) and ``claims``."""
    docs, pairs = _parts(documents, quotes, spans, layer, merges)
    if docs.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS).rename_axis("source")
    agg = docs.groupby("source").agg(
        documents=("source", "size"), chars=("chars", "sum"), words=("words", "sum"),
        quotations=("quotations", "sum"), quoted_chars=("quoted_chars", "sum"), claims=("claims", "sum"))
    if not pairs.empty:
        by_source = pairs.assign(source=pairs["doc_id"].map(docs["source"])).dropna(subset=["source"])
        n_speakers = by_source.drop_duplicates(["source", "speaker"]).groupby("source").size()
    else:
        n_speakers = pd.Series(dtype="int64")
    agg["speakers_quoted"] = n_speakers.reindex(agg.index, fill_value=0).astype("int64")
    agg["quote_share"] = (agg["quoted_chars"] / agg["chars"].where(agg["chars"] > 0)).round(4)
    return agg[PROFILE_COLUMNS]
