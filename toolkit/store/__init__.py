"""The annotation store: a project folder of documents and append-only record logs.

Layout and guarantees are described in ``docs/format.md``.  In short:

* documents are written once, atomically, to ``documents/<id>.json``;
* every annotation action appends one JSON line to ``records/<annotator>.jsonl``
  under an exclusive lock and returns only after ``fsync``;
* the current state is the replay of the log; nothing is ever rewritten,
  except by :meth:`Project.repair`, which only removes torn fragments (and keeps
  them in a side file).

The package, by concern: :mod:`.files` (atomic writes, locks, fsync, temporary files),
:mod:`.log` (:class:`RecordLog`), :mod:`.replay` (events -> current state),
:mod:`.frames` (``load()`` -> DataFrames) and :mod:`.project` (:class:`Project`).
It imports no Jupyter, network or NLP code; pandas is imported only when frames are requested.
"""

from __future__ import annotations

from .files import (
    _UMASK,
    STALE_TEMP_AGE,
    TEMP_NAME_RE,
    TEMP_SUFFIX,
    annotator_filename,
    annotator_from_filename,
    atomic_write_text,
    clean_stale_temp_files,
    file_lock,
    fsync_dir,
    gc_paused,
    read_json_file,
)
from .frames import (
    DOC_COLUMNS,
    LINK_COLUMNS,
    PROBLEM_COLUMNS,
    SKIPPED_KINDS,
    SPAN_COLUMNS,
    STANCE_COLUMNS,
    Frames,
    SkippedRecordsWarning,
)
from .log import Problem, RecordLog, _fast_loads, _FastDecodeError
from .project import DOCS_DIR, FORMAT_NAME, PROJECT_FILE, RECORDS_DIR, SCHEMA_FILE, Project
from .replay import AnnotatorState, apply_events, span_event_problem

__all__ = [
    "DOCS_DIR", "DOC_COLUMNS", "FORMAT_NAME", "LINK_COLUMNS", "PROBLEM_COLUMNS", "PROJECT_FILE", "RECORDS_DIR",
    "SCHEMA_FILE", "SKIPPED_KINDS", "SPAN_COLUMNS", "STALE_TEMP_AGE", "STANCE_COLUMNS", "TEMP_NAME_RE", "TEMP_SUFFIX",
    "AnnotatorState", "Frames", "Problem", "Project", "RecordLog", "SkippedRecordsWarning", "_FastDecodeError",
    "_UMASK", "_fast_loads", "annotator_filename", "annotator_from_filename", "apply_events", "atomic_write_text",
    "clean_stale_temp_files", "file_lock", "fsync_dir", "gc_paused", "read_json_file", "span_event_problem",
]  # fmt: skip
