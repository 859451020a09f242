"""CoNLL-2003 style NER files: one token per line, the last column its IOB tag.

* columns are separated by a tab (then a token may contain spaces) or by spaces;
  the first column is the token, the last the tag: ``O``, ``B-X``, ``I-X``
  (IOB2, and IOB1 where ``I-X`` after a different tag starts an entity), also
  ``E-X``/``S-X`` (BIOES) and ``L-X``/``U-X`` (BILOU);
* a blank line ends a sentence, ``-DOCSTART-`` starts a document.  The
  toolkit's own CoNLL export writes ``-DOCSTART- <doc_id> <annotator>``; both
  are used when present (a document id must be valid);
* the text is rebuilt from the tokens: tokens joined by single spaces,
  sentences by a newline.  When the document already exists (same id, or the same
  text up to whitespace) the entities are realigned onto its stored text.
  A file without ``-DOCSTART-`` is one document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportFormatError
from .base import RawDoc, RawSpan, check_id, read_text, show_path, want_label

SUFFIXES = (".conll", ".conll03", ".iob", ".bio", ".tsv", ".txt")


class _Doc:
    def __init__(self, line: int, doc_id: str | None, annotator: str | None) -> None:
        self.line, self.doc_id, self.annotator = line, doc_id, annotator
        self.parts: list[str] = []
        self.length = 0
        self.sentence_open = False
        self.spans: list[RawSpan] = []
        self.open: RawSpan | None = None

    def add_token(self, token: str) -> tuple[int, int]:
        if self.parts:
            sep = " " if self.sentence_open else "\n"
            self.parts.append(sep)
            self.length += 1
        start = self.length
        self.parts.append(token)
        self.length += len(token)
        self.sentence_open = True
        return start, self.length

    def close(self) -> None:
        if self.open is not None:
            self.spans.append(self.open)
            self.open = None


def _tag(tag: str, where: str) -> tuple[str, str | None]:
    if tag == "O":
        return "O", None
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I", "E", "S", "L", "U"):
        raise ImportFormatError(f"{where}: tag {tag[:40]!r} is not an IOB tag (O, B-X, I-X, E-X, S-X)")
    return prefix, want_label(label, where)


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """One :class:`RawDoc` per ``-DOCSTART-`` block (or per file)."""
    name = show_path(path)
    text = read_text(path)
    docs: list[_Doc] = []
    cur: _Doc | None = None
    repaired = 0
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        where = f"{name}:{n}"
        cols = line.split("\t") if "\t" in line else line.split()
        if not line.strip():
            if cur is not None:
                cur.close()
                cur.sentence_open = False
            continue
        if cols[0] == "-DOCSTART-" or line.startswith("-DOCSTART-"):
            if cur is not None:
                cur.close()
            extra = line.split()[1:]
            doc_id = check_id(extra[0], where) if extra and extra[0] != "O" and not extra[0].startswith("-X-") else None
            annotator = extra[1] if doc_id and len(extra) > 1 else None
            cur = _Doc(n, doc_id, annotator)
            docs.append(cur)
            continue
        if cur is None:
            cur = _Doc(n, None, None)
            docs.append(cur)
        cols = [c.strip() for c in cols] if "\t" in line else cols
        if len(cols) < 2 or not cols[0]:
            raise ImportFormatError(f"{where}: expected a token and a tag separated by a tab or spaces")
        prefix, label = _tag(cols[-1], where)
        start, end = cur.add_token(cols[0])
        prev = cur.open
        if prefix == "O":
            cur.close()
            continue
        assert label is not None
        continues = prev is not None and prev.label == label and prefix in ("I", "E", "L")
        if continues:
            assert prev is not None
            prev.end = end
        else:
            if prefix in ("I", "E", "L"):
                repaired += 1
            cur.close()
            cur.open = RawSpan(start, end, label, n)
        if prefix in ("E", "S", "L", "U"):
            cur.close()
    if cur is not None:
        cur.close()
    if repaired:
        notes.append(f"{name}: {repaired} entity(ies) start with I- (IOB1 or a missing B-): read as starts")
    out = [d for d in docs if d.parts]
    if not out:
        raise ImportFormatError(f"{name}: file holds no tokens")
    for k, d in enumerate(out, 1):
        yield RawDoc(
            file=name,
            line=d.line,
            text="".join(d.parts),
            doc_id=d.doc_id,
            annotator=d.annotator,
            spans=d.spans,
            id_stem=f"{path.stem}-{k}",
        )
