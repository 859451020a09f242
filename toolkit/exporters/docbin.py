"""spaCy ``DocBin`` export (``.spacy`` files for ``spacy train``), with an optional train/dev split."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import ValidationError
from ._common import AlignmentLog, Summary, align_spans, combine, example_tokens, examples, write_bytes

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    from ..store import Frames


def make_doc(vocab: Vocab, text: str, tokens: Sequence[tuple[int, int]]) -> Doc:
    """A spaCy ``Doc`` with exactly ``tokens`` whose ``doc.text == text`` (character offsets carry over).

    Whitespace between tokens beyond one space becomes whitespace tokens, as spaCy's own tokenizer does.
    """
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for s, e in [*tokens, (len(text), len(text))]:
        gap = text[pos:s]
        if gap:
            if words and gap[0] == " ":
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if e > s:
            words.append(text[s:e])
            spaces.append(False)
        pos = e
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:  # pragma: no cover - guards the construction above
        raise ValidationError("spaCy export: could not rebuild the document text from its tokens")
    return doc


def split_documents(doc_ids: Sequence[str], dev_share: float, seed: int) -> tuple[set[str], set[str]]:
    """Seeded split of documents into (train, dev): ``round(len * dev_share)`` dev documents, at least one each."""
    if not 0 < dev_share < 1:
        raise ValidationError(f"--dev-share must be between 0 and 1 (exclusive), got {dev_share}")
    ids = sorted(set(doc_ids))
    if len(ids) < 2:
        raise ValidationError(f"a train/dev split needs at least 2 annotated documents, got {len(ids)}")
    random.Random(seed).shuffle(ids)
    n_dev = min(len(ids) - 1, max(1, round(len(ids) * dev_share)))
    return set(ids[n_dev:]), set(ids[:n_dev])


#: Token attributes a ``.spacy`` export stores: the text and the entities.  The blank pipeline sets
#: nothing else (no tags, parses or lemmas), so leaving the other attributes out loses nothing and
#: makes the DocBin several times smaller while it is built.
DOCBIN_ATTRS = ("ORTH", "SPACY", "ENT_IOB", "ENT_TYPE")


def iter_docs(frames: Frames, lang: str = "en", summary: Summary | None = None) -> Iterator[Doc]:
    """One ``Doc`` per (document, annotator) example with spans, made one at a time.

    Entity spans become ``doc.ents``; every span is also kept in ``doc.spans["entities"]`` /
    ``doc.spans["claims"]`` (claim attributes in ``doc.user_data[("claim", start, end)]``).
    ``doc.user_data`` holds ``doc_id``, ``source`` and ``annotator``.  Tokens are
    :func:`toolkit.tokenize.tokenize`'s, the same as the CoNLL export.  Spans not on
    token boundaries and the shorter of overlapping entities are left out, counted and noted
    in ``summary`` (filled when the iteration ends).
    """
    import spacy

    vocab = spacy.blank(lang).vocab
    ent_log, claim_log = AlignmentLog(), AlignmentLog()
    seen: set[str] = set()
    n_docs = n_ents = n_claims = 0
    base: tuple[str, Doc, Any] | None = None
    for d, ann, rows in examples(frames):
        if base is None or base[0] != d.doc_id:
            toks, index = example_tokens(d.text)
            base = (d.doc_id, make_doc(vocab, d.text, toks), index)
        doc = base[1].copy()
        index = base[2]
        doc.user_data.update({"doc_id": d.doc_id, "source": d.source, "annotator": ann})
        ents = align_spans(index, rows[rows["layer"] != "claim"])
        claims = align_spans(index, rows[rows["layer"] == "claim"], resolve_overlaps=False)
        ent_log.add(d.doc_id, d.text, ents)
        claim_log.add(d.doc_id, d.text, claims)
        # align_spans puts every span on token boundaries, so char_span never returns None here
        kept = cast("list[Span]", [doc.char_span(s, e, label=lab) for _ts, _te, s, e, lab, _r in ents.kept])
        doc.ents = kept
        doc.spans["entities"] = sorted(
            kept + cast("list[Span]", [doc.char_span(s, e, label=lab) for _ts, _te, s, e, lab, _r in ents.overlapping]),
            key=lambda sp: (sp.start, sp.end),
        )
        doc.spans["claims"] = cast("list[Span]", [doc.char_span(s, e, label=lab) for _ts, _te, s, e, lab, _r in claims.kept])
        for _ts, _te, s, e, _lab, r in claims.kept:
            # spaCy's stub types user_data as dict[str, Any]; spaCy itself uses tuple keys there too
            doc.user_data[("claim", s, e)] = dict(r.attrs) if isinstance(r.attrs, dict) else {}  # type: ignore[index]
        seen.add(d.doc_id)
        n_docs += 1
        n_ents += len(kept)
        n_claims += len(claims.kept)
        yield doc
    if summary is not None:
        summary.update(docs=n_docs, documents=len(seen), ents=n_ents, claims=n_claims,
                       misaligned=ent_log.misaligned, dropped_overlapping=ent_log.overlapping,
                       misaligned_claims=claim_log.misaligned)  # fmt: skip
        summary.notes.extend(ent_log.notes())
        summary.notes.extend(claim_log.notes("claim spans"))


def build_docs(frames: Frames, lang: str = "en") -> tuple[list[Doc], Summary]:
    """:func:`iter_docs` as a list (for a few documents; exports stream them into a DocBin)."""
    summary = Summary()
    docs = list(iter_docs(frames, lang, summary))
    return docs, summary


def new_docbin() -> DocBin:
    """An empty ``DocBin`` for the export (user data kept, :data:`DOCBIN_ATTRS`)."""
    from spacy.tokens import DocBin

    return DocBin(attrs=list(DOCBIN_ATTRS), store_user_data=True)


def docbin_bytes(docs: Iterable[Doc]) -> bytes:
    """``docs`` serialised as one ``DocBin`` (user data kept), added one at a time."""
    db = new_docbin()
    for doc in docs:
        db.add(doc)
    return db.to_bytes()


def export_spacy(
    frames: Frames, path: str | Path, lang: str = "en", dev_share: float | None = None, seed: int = 0, **opts: Any
) -> Summary:
    """Write the ``.spacy`` file ``path``; with ``dev_share``, ``train.spacy`` and ``dev.spacy`` in folder ``path``.

    The split is by document (every example of a document lands on the same side),
    shuffled with ``random.Random(seed)``.  ``opts`` (``layer``, ``merge``) choose the
    annotations, see :func:`toolkit.exporters.prepare_for`.  Docs are made one at a time and
    go straight into the DocBin, so memory is the DocBin's compact arrays, not the Docs.
    """
    from . import prepare_for

    frames, summary = prepare_for("spacy", frames, **opts)
    stats = Summary()
    if dev_share is None:
        write_bytes(path, docbin_bytes(iter_docs(frames, lang, stats)))
        return combine(stats, summary)
    with_spans = set(frames.spans["doc_id"].astype(str).unique()) if len(frames.spans) else set()
    ids = [str(d) for d in frames.documents["doc_id"] if str(d) in with_spans]
    train_ids, dev_ids = split_documents(ids, dev_share, seed)
    train, dev = new_docbin(), new_docbin()
    for doc in iter_docs(frames, lang, stats):
        (dev if doc.user_data["doc_id"] in dev_ids else train).add(doc)
    folder = Path(path)
    write_bytes(folder / "train.spacy", train.to_bytes())
    write_bytes(folder / "dev.spacy", dev.to_bytes())
    summary = combine(stats, summary)
    summary["train_documents"], summary["dev_documents"] = len(train_ids), len(dev_ids)
    return summary
