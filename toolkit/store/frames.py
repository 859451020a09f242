"""The project's current state as pandas DataFrames: columns, the Frames holder, the skip warning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

@dataclass
class Frames:
    """The current state of a project as pandas DataFrames (see docs/format.md)."""

    documents: pd.DataFrame
    spans: pd.DataFrame
    stances: pd.DataFrame
    links: pd.DataFrame
    problems: pd.DataFrame

    def __repr__(self) -> str:
        ann = sorted(set(self.spans["annotator"]) | set(self.stances["annotator"])) if len(self.spans) else []
        return (
            f"<Frames documents={len(self.documents)} spans={len(self.spans)} stances={len(self.stances)} "
            f"links={len(self.links)} problems={len(self.problems)} annotators={ann}>"
        )


SPAN_COLUMNS = [
    "id", "doc_id", "source", "start", "end", "label", "layer", "text", "kind", "speaker",
    "speaker_span", "attrs", "annotator", "is_model", "ts",
]  # fmt: skip
STANCE_COLUMNS = ["id", "doc_id", "source", "claim_id", "target", "value", "annotator", "is_model", "ts"]
LINK_COLUMNS = ["id", "a", "b", "doc_a", "doc_b", "annotator", "is_model", "ts"]
DOC_COLUMNS = ["doc_id", "source", "title", "url", "published", "sha256", "n_chars", "text"]
PROBLEM_COLUMNS = ["file", "line", "annotator", "record_id", "kind", "message"]
#: Problem kinds whose line or record is not in the frames (the others are reported but kept).
SKIPPED_KINDS = frozenset(
    {"corrupt-line", "torn-line", "invalid-record", "unknown-document", "document-changed", "offset-mismatch",
     "bad-reference"}
)  # fmt: skip


class SkippedRecordsWarning(UserWarning):
    """``Project.load()`` left unusable lines or records out of the frames (see ``frames.problems``)."""
