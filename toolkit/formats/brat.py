"""brat standoff: ``<name>.txt`` (the text) next to ``<name>.ann`` (the annotations).

Only text-bound annotations (``T`` lines) are imported::

    T1<TAB>PERSON 0 4<TAB>Venn
    T2<TAB>ORG 10 15;20 26<TAB>Harbo Council

Offsets count characters of the ``.txt`` file as it is on disk (``\\r\\n``
counts two; the stored document has ``\\n``, the offsets are realigned).
A **discontinuous** annotation (several ``start end`` fragments separated by
``;``) is imported as its **outer range** (first start to last end), with a
note in the import report and the fragments kept in the span's
``meta.import.fragments``.  Relations, events, attributes, normalisations and
notes (``R``, ``E``, ``A``/``M``, ``N``, ``#``, ``*`` lines) are counted and skipped.

The document id is the file name without extension made safe; the source is
``--source`` or else the name of the folder holding the files.  brat files name
no annotator, so ``--annotator`` is required.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import ImportFormatError
from .base import RawDoc, RawSpan, decode, folder_files, folder_name, read_bytes, show_path, slugify, want_label

SUFFIXES = (".ann",)
_SKIPPED = ("R", "E", "A", "M", "N", "#", "*")


def expand(paths: list[Path], notes: list[str]) -> list[Path]:
    """The ``.ann`` files named by ``paths`` (a folder means every ``.ann`` in it; a ``.txt`` its ``.ann``)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = folder_files(p, SUFFIXES, notes)
            if not found:
                raise ImportFormatError(f"{show_path(p)}: folder holds no .ann files")
            out.extend(found)
        elif p.suffix.lower() == ".txt":
            out.append(p.with_suffix(".ann"))
        else:
            out.append(p)
    return out


def _offsets(spec: str, where: str) -> list[tuple[int, int]]:
    frags = []
    for part in spec.split(";"):
        bits = part.split()
        if len(bits) != 2 or not all(b.isascii() and b.isdigit() for b in bits):
            raise ImportFormatError(f"{where}: expected 'LABEL start end[;start end...]', got offsets {spec[:60]!r}")
        frags.append((int(bits[0]), int(bits[1])))
    return frags


def read(path: Path, notes: list[str]) -> Iterator[RawDoc]:
    """The document of one ``.ann`` file and its ``.txt``."""
    name = show_path(path)
    if path.suffix.lower() != ".ann":
        raise ImportFormatError(f"{name}: expected a brat .ann file (or its .txt, or a folder of them)")
    txt_path = path.with_suffix(".txt")
    if not txt_path.is_file():
        raise ImportFormatError(f"{name}: no text file {show_path(txt_path.name)} next to it")
    text = decode(read_bytes(txt_path), show_path(txt_path))
    try:
        raw_ann = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot read ({exc.strerror or exc})") from None
    ann = decode(raw_ann, name)
    doc_id = slugify(path.stem)
    if not doc_id:
        raise ImportFormatError(f"{name}: cannot make a document id from the file name")
    spans: list[RawSpan] = []
    skipped = 0
    for n, line in enumerate(ann.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        where = f"{name}:{n}"
        if line.startswith(_SKIPPED):
            skipped += 1
            continue
        if not line.startswith("T"):
            raise ImportFormatError(f"{where}: not a brat annotation line (expected T, R, E, A, M, N, # or *)")
        parts = line.split("\t", 2)
        if len(parts) < 2 or not parts[1].strip():
            raise ImportFormatError(f"{where}: expected 'T<n><TAB>LABEL start end<TAB>text'")
        label_part, _, spec = parts[1].partition(" ")
        label = want_label(label_part, where)
        frags = _offsets(spec, where)
        given = parts[2] if len(parts) > 2 else None
        start, end = min(s for s, _ in frags), max(e for _, e in frags)
        sp = RawSpan(start=start, end=end, label=label, line=n, text=given, meta={"brat_id": parts[0]})
        if len(frags) > 1:
            joined = " ".join(text[s:e] for s, e in frags) if all(0 <= s < e <= len(text) for s, e in frags) else None
            if given is None or joined == given:
                sp.text = None  # fragments verified (or nothing to verify): the outer range holds more
            sp.meta["fragments"] = [list(f) for f in frags]
            sp.note = f"discontinuous annotation {parts[0]} ({spec}): imported as its outer range [{start}, {end})"
        spans.append(sp)
    if skipped:
        notes.append(f"{name}: {skipped} non-text-bound line(s) (relations, events, attributes, notes) skipped")
    yield RawDoc(
        file=name,
        line=1,
        text=text,
        doc_id=doc_id,
        default_source=folder_name(path),
        spans=spans,
    )
