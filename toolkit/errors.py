"""Exceptions raised by the toolkit.

Every error a user can cause (bad input, bad files, unreachable servers) is a
:class:`ToolkitError` whose message says *what* went wrong and *where* (file,
line, document id, offsets).  The CLI prints the message on one line and exits
non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class of all errors the toolkit raises on purpose."""


class ValidationError(ToolkitError, ValueError):
    """A value (offset, label, id, stance value, ...) is not acceptable."""


class OffsetError(ValidationError):
    """Span offsets fall outside the document or do not match its text."""


class UnknownLabelError(ValidationError):
    """A label, stance target or stance value is not in the project's schema."""


class DocumentChangedError(ToolkitError):
    """A document's text no longer matches the hash it was annotated against."""


class CorruptFileError(ToolkitError):
    """A project file cannot be parsed (the message names file and line)."""


class ImportFormatError(ToolkitError):
    """An input file for an importer is unusable (encoding, columns, duplicates)."""


class NotFoundError(ToolkitError, KeyError):
    """A document, annotation object or project does not exist."""

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return str(self.args[0]) if self.args else ""
