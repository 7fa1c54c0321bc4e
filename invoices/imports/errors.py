"""The one error of the import pipeline, shared by the readers and the services."""

from __future__ import annotations


class ImportFileError(ValueError):
    """The upload cannot be imported as it is; the message says why and what to do."""
