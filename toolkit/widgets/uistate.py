"""Small per-project UI state kept next to the records: ``<project>/ui/``.

The annotation log (``records/*.jsonl``) holds annotations only.  Two pieces of
UI state live beside it, each a small JSON file replaced atomically
(write to a temporary file, ``fsync``, ``os.replace``, directory ``fsync``):

``ui/annotator.json``
    ``{"annotator": "alice"}``: the name typed the first time the annotator
    widget was opened, so it is asked only once per project folder.
``ui/rejected-<annotator>.json``
    ``{"annotator": "alice", "rejected": ["<model span id>", ...],
    "keys": [["<doc>", start, end, "<label>"], ...]}``: model suggestions this
    annotator rejected; they stay hidden for them, and so does any later
    suggestion with the same document, offsets and label (from a re-run or
    another model layer).  The model layer itself is never changed.
    ``<annotator>`` is percent-encoded like record file names.  Files written
    before ``keys`` existed hold ids only and still work.

``ui/settings.json``
    ``{"sugg_group": "entity", "min_score": 0.5}``: view preferences (which
    suggestions are shown).

``ui/`` is machine-local state; it is safe to delete (rejected suggestions
then reappear) and should normally not be committed.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path
from typing import Any

from ..store import atomic_write_text

__all__ = ["RejectedKey", "UIState", "atomic_write_json"]

#: ``(doc, start, end, label)`` of a rejected suggestion.
RejectedKey = tuple[str, int, int, str]


def atomic_write_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # a damaged UI file must not block annotation: treat it as absent
        return None


class UIState:
    """Reads and writes ``<project>/ui/`` (see module docstring)."""

    def __init__(self, project_dir: str | os.PathLike[str]) -> None:
        self.dir = Path(project_dir) / "ui"

    def __repr__(self) -> str:
        return f"UIState({str(self.dir)!r})"

    # annotator name -------------------------------------------------------
    def annotator(self) -> str | None:
        """The remembered annotator name, or None."""
        data = _read_json(self.dir / "annotator.json")
        name = data.get("annotator") if isinstance(data, dict) else None
        return name if isinstance(name, str) and name.strip() else None

    def remember_annotator(self, name: str) -> None:
        """Remember ``name`` for the next time the widget opens."""
        atomic_write_json(self.dir / "annotator.json", {"annotator": name})

    # rejected suggestions -------------------------------------------------
    def _rejected_path(self, annotator: str) -> Path:
        return self.dir / f"rejected-{urllib.parse.quote(annotator, safe='@._-')}.json"

    def rejected(self, annotator: str) -> set[str]:
        """Ids of model spans ``annotator`` rejected."""
        data = _read_json(self._rejected_path(annotator))
        ids = data.get("rejected") if isinstance(data, dict) else None
        return {str(i) for i in ids} if isinstance(ids, list) else set()

    def rejected_keys(self, annotator: str) -> set[RejectedKey]:
        """``(doc, start, end, label)`` of the suggestions ``annotator`` rejected (malformed entries are skipped)."""
        data = _read_json(self._rejected_path(annotator))
        keys = data.get("keys") if isinstance(data, dict) else None
        out: set[RejectedKey] = set()
        for k in keys if isinstance(keys, list) else []:
            if (isinstance(k, list) and len(k) == 4 and isinstance(k[0], str) and isinstance(k[3], str)
                    and all(isinstance(x, int) and not isinstance(x, bool) for x in k[1:3])):  # fmt: skip
                out.add((k[0], k[1], k[2], k[3]))
        return out

    def set_rejected(self, annotator: str, ids: set[str], keys: set[RejectedKey] | None = None) -> None:
        """Replace the rejected set of ``annotator`` (atomic); ``keys=None`` keeps the stored keys."""
        if keys is None:
            keys = self.rejected_keys(annotator)
        atomic_write_json(
            self._rejected_path(annotator),
            {"annotator": annotator, "rejected": sorted(ids), "keys": [list(k) for k in sorted(keys)]},
        )

    # view preferences -----------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        """A remembered view preference (``ui/settings.json``), or ``default``."""
        data = _read_json(self.dir / "settings.json")
        return data.get(key, default) if isinstance(data, dict) else default

    def set_setting(self, key: str, value: Any) -> None:
        """Remember a view preference (atomic replace of ``ui/settings.json``)."""
        data = _read_json(self.dir / "settings.json")
        data = data if isinstance(data, dict) else {}
        data[key] = value
        atomic_write_json(self.dir / "settings.json", data)
