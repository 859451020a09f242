"""Readers for annotation files made with other tools, and the import into a project.

============  =====================================================  ==========================
format        input                                                  module
============  =====================================================  ==========================
prodigy       JSON Lines tasks (``prodigy db-out``)                  :mod:`.prodigy`
doccano       JSON Lines, ``label`` triples or ``entities`` objects  :mod:`.doccano`
brat          ``<name>.txt`` + ``<name>.ann`` standoff (or folder)   :mod:`.brat`
labelstudio   Label Studio JSON export (one array of tasks)          :mod:`.labelstudio`
conll         CoNLL-2003 style token/IOB-tag columns                 :mod:`.conll`
toolkit       the toolkit's own ``export --format jsonl``            :mod:`.native`
============  =====================================================  ==========================

Use :func:`import_annotations` (CLI: ``toolkit import PATHS --annotations FORMAT``).
Pure core: no spaCy, Jupyter or network imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ..errors import ImportFormatError
from . import brat, conll, doccano, labelstudio, native, prodigy
from .apply import ImportReport, build, import_annotations, parse_label_map
from .base import RawDoc, RawLink, RawSpan, RawStance, folder_files, show_path


@dataclass(frozen=True)
class Format:
    """One registered annotation format: its name, file suffixes, reader and path expansion."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, list[str]], Iterator[RawDoc]]
    expand: Callable[[list[Path], list[str]], list[Path]] | None = None
    doc: str = ""


def _register(name: str, module: ModuleType) -> Format:
    return Format(
        name, module.SUFFIXES, module.read, getattr(module, "expand", None), (module.__doc__ or "").split("\n")[0]
    )


#: The registry: format name -> :class:`Format`.
FORMATS: dict[str, Format] = {
    "prodigy": _register("prodigy", prodigy),
    "doccano": _register("doccano", doccano),
    "brat": _register("brat", brat),
    "labelstudio": _register("labelstudio", labelstudio),
    "conll": _register("conll", conll),
    "toolkit": _register("toolkit", native),
}


def get_format(name: str) -> Format:
    """The registered format ``name``; a one-line error lists the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ImportFormatError(f"unknown annotation format {name!r}; use one of: {', '.join(FORMATS)}") from None


def expand_paths(paths: Iterable[str | Path], fmt: Format, notes: list[str]) -> list[Path]:
    """The files to read: a folder means its files with the format's suffixes (links out of it not followed)."""
    given = [Path(p) for p in paths]
    if fmt.expand is not None:
        files = fmt.expand(given, notes)
    else:
        files = []
        for p in given:
            if p.is_dir():
                found = folder_files(p, fmt.suffixes, notes)
                if not found:
                    raise ImportFormatError(
                        f"{show_path(p)}: folder holds no {fmt.name} files ({', '.join(fmt.suffixes)})"
                    )
                files.extend(found)
            else:
                files.append(p)
    for f in files:
        if not f.exists():
            raise ImportFormatError(f"{show_path(f)}: no such file or folder")
    if not files:
        raise ImportFormatError("no input files")
    return files


def read_files(paths: Iterable[str | Path], fmt: str, notes: list[str]) -> tuple[list[Path], list[RawDoc]]:
    """Read every file of format ``fmt``: the files and their :class:`RawDoc` (no project needed)."""
    f = get_format(fmt)
    files = expand_paths(paths, f, notes)
    raws: list[RawDoc] = []
    for path in files:
        raws.extend(f.read(path, notes))
    return files, raws


__all__ = [
    "FORMATS",
    "Format",
    "ImportReport",
    "RawDoc",
    "RawLink",
    "RawSpan",
    "RawStance",
    "build",
    "expand_paths",
    "get_format",
    "import_annotations",
    "parse_label_map",
    "read_files",
]
