"""Letters: A4 PDFs for a Dutch window envelope, with the invoices, an EPC payment QR code and the sender.

Letters are not delivered by a worker: the day's letters of an organization go into one print batch
(:mod:`reminders.services.letters`). This package only lays them out: :func:`letter_build` turns a reminder and
its rendered message into plain values, :func:`letters_pdf` prints any number of them as one PDF with a
page break per letter: one file and one print job for the day, and a little faster than a document
per letter (``bench/letters.py``: layout dominates, the per-document overhead is small once the
stylesheet is parsed once per process).

**Window position.** Dutch window envelopes for an A4 sheet folded in three ("venstervelope" EA5/6,
110 × 220 mm, or 22 × 11 cm, window on the LEFT) have a window of about 90 × 45 mm whose position on
the folded sheet is roughly 20–22 mm from the left edge and 50–55 mm from the top. We take the window
on the sheet as x 20–110 mm, y 50–95 mm (:data:`WINDOW`) and print the address well inside it
(:data:`ADDRESS_FIELD`, x 24–104 mm, y 53–91 mm) so that the few millimetres a folded sheet moves in
its envelope never hide a line. These figures are the common supplier specification; we have not
checked them against the text of a NEN standard. The return address goes in small type on the first
line of the window, above the recipient, as PostNL allows.

**Words on the letter.** The fixed words of the layout ("Datum", "Betreft", "Aangetekend", ...) are
debtor-facing content in the debtor's language, like the message templates: they are kept per
language in :data:`LETTER_WORDS` so a Dutch letter is right without the UI translation catalogue.
"""

from __future__ import annotations

from reminders.channels import PermanentFailure
from reminders.channels.letter.layout import (
    ADDRESS_FIELD,
    LETTER_WORDS,
    WINDOW,
    Letter,
    LetterItem,
    LocalFilesOnly,
    Payment,
    Rectangle,
    has_postal_address,
    letter_build,
    letter_stylesheet,
    letters_html,
    letters_pdf,
    letters_pdf_each,
    postal_address_lines,
    return_address_line,
    words_for,
)
from reminders.channels.letter.payment import (
    PaymentReference,
    bundle_reference_new,
    creditor_reference,
    epc_payload,
    epc_qr,
    is_bundle_reference,
    payment_reference,
    qr_data_uri,
)
from reminders.models import Reminder
from reminders.rendering import RenderedMessage


def deliver(reminder: Reminder, message: RenderedMessage) -> str:
    """Not called by workers: letters are printed in the daily batch (reminders.services.letters)."""
    raise PermanentFailure("Letters go out in the daily print batch, not one by one.")


__all__ = [
    "ADDRESS_FIELD",
    "LETTER_WORDS",
    "WINDOW",
    "Letter",
    "LetterItem",
    "LocalFilesOnly",
    "Payment",
    "PaymentReference",
    "Rectangle",
    "bundle_reference_new",
    "creditor_reference",
    "deliver",
    "epc_payload",
    "epc_qr",
    "has_postal_address",
    "is_bundle_reference",
    "letter_build",
    "letter_stylesheet",
    "letters_html",
    "letters_pdf",
    "letters_pdf_each",
    "payment_reference",
    "postal_address_lines",
    "qr_data_uri",
    "return_address_line",
    "words_for",
]
