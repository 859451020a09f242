"""CoNLL-2003 NER columns, as ``spacy convert -c ner`` and NLTK's ``ConllCorpusReader`` read them.

Layout (space-separated, one token a line)::

    -DOCSTART- -X- O O

    Velmora -X- O B-GPE
    and -X- O O
    ...

Four columns like CoNLL-2003 -- word, part-of-speech, chunk, entity (IOB2) --
with the part-of-speech unknown (``-X-``) and no chunks (``O``), so the
document line ``-DOCSTART- -X- O O`` has the same shape as a token line (it is
the exact delimiter ``spacy convert`` looks for).  Paragraphs (a blank line in
the text) are separated by blank lines, never inside an entity.  Document ids
and annotator names have no place in the format; examples come in document
order (see :func:`render_conll`).  Claims are not exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._common import AlignmentLog, Summary, align_spans, entity_rows, example_tokens, examples

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Frames

DOCSTART = "-DOCSTART- -X- O O"
POS = "-X-"
CHUNK = "O"


def iter_conll(frames: Frames, summary: Summary) -> Iterator[str]:
    """The CoNLL-2003 text one (document, annotator) example at a time (see :func:`render_conll`);
    ``summary`` is filled when the iteration ends."""
    log = AlignmentLog()
    docs: set[str] = set()
    n_examples = n_tokens = n_ents = 0
    cache: dict[str, tuple] = {}
    renamed: set[str] = set()
    for doc, _ann, rows in examples(frames, entity_rows(frames.spans)):
        text = doc.text
        if doc.doc_id not in cache:
            cache.clear()
            cache[doc.doc_id] = example_tokens(text)
        toks, index = cache[doc.doc_id]
        aligned = align_spans(index, rows)
        log.add(doc.doc_id, text, aligned)
        tags = ["O"] * len(toks)
        for ts, te, _s, _e, label, _r in aligned.kept:
            if any(ch.isspace() for ch in label):
                renamed.add(label)
                label = "_".join(label.split())
            tags[ts] = f"B-{label}"
            for k in range(ts + 1, te):
                tags[k] = f"I-{label}"
        out = [DOCSTART + "\n\n"]
        prev_end = None
        for k, (s, e) in enumerate(toks):
            if prev_end is not None and text.count("\n", prev_end, s) >= 2 and not tags[k].startswith("I-"):
                out.append("\n")
            prev_end = e
            out.append(f"{text[s:e]} {POS} {CHUNK} {tags[k]}\n")
        out.append("\n")
        yield "".join(out)
        docs.add(doc.doc_id)
        n_examples += 1
        n_tokens += len(toks)
        n_ents += len(aligned.kept)
    summary.update(docs=n_examples, documents=len(docs), tokens=n_tokens, ents=n_ents,
                   misaligned=log.misaligned, dropped_overlapping=log.overlapping)  # fmt: skip
    summary.notes.extend(log.notes())
    if renamed:
        summary.notes.append(
            f"label(s) {', '.join(map(repr, sorted(renamed)))} contain whitespace; written with '_' (columns are "
            "space-separated)"
        )


def render_conll(frames: Frames) -> tuple[str, Summary]:
    """CoNLL-2003 text of the entity spans: one ``-DOCSTART-`` block per (document, annotator) example.

    Tokens are :func:`toolkit.tokenize.tokenize`'s (the same as the spaCy export).
    Entities that do not start and end on token boundaries, and the shorter of
    overlapping entities, are left out; both are counted and explained in the summary's notes.
    :func:`iter_conll` gives the same text an example at a time (the file export streams it).
    """
    summary = Summary()
    text = "".join(iter_conll(frames, summary))
    return text, summary
