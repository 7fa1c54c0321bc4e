"""The one error type of UBL intake: its message is shown to the creditor as it is."""


class UblError(ValueError):
    """The upload is not something we can read as a UBL invoice or credit note; nothing was changed."""
