"""The "pay by bank transfer" block on the portal page: IBAN, beneficiary, amount, reference, EPC QR code.

The reference and the QR code come from the letter's own helpers (``reminders.channels.letter``), in
the debtor's language, so the page asks for exactly the transfer the letter printed for the same
invoices: one invoice with a suitable number gets its RF creditor reference, several the RF reference
of their bundle (``reminders.services.payment_references``: the same set, the same reference as on the
letter and in its QR code; a set of which one was paid meanwhile gets one of its own).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import iso11649

from invoices.selectors import SUMMED_CURRENCY
from portal.models import PortalAccess
from portal.selectors import PortalInvoice, PortalOverview
from reminders.channels.letter import epc_payload, epc_qr, payment_reference, qr_data_uri
from reminders.channels.letter.payment import EPC_MIN_AMOUNT
from reminders.services.payment_references import bundle_reference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BankTransfer:
    iban: str  # formatted in groups of four
    beneficiary: str
    amount: Decimal
    invoice_numbers: tuple[str, ...]  # what the amount is for (the page's total may hold more)
    reference: str  # "RF18 2026 1" (ISO 11649, printed in groups; a bundle's for several), or numbers as text
    qr: str  # an SVG data URI ("" when the data does not make a valid EPC code)


def transfer_invoices(overview: PortalOverview) -> list[PortalInvoice]:
    """The message's open euro invoices (what the letter asked for); all open euro invoices without any."""
    payable = [row for row in overview.invoices if row.currency == SUMMED_CURRENCY and row.open_amount > 0]
    return [row for row in payable if row.in_message] or payable


def bank_transfer(access: PortalAccess, overview: PortalOverview) -> BankTransfer | None:
    """None when the organization has no (valid) IBAN or nothing in euros is open."""
    organization = access.organization
    invoices = transfer_invoices(overview)
    amount = sum((row.open_amount for row in invoices), Decimal("0.00"))
    if not organization.iban or amount < EPC_MIN_AMOUNT:
        return None
    try:
        iban = IBAN(organization.iban)
    except SchwiftyException:
        logger.warning("portal.invalid_iban", extra={"organization": organization.pk})
        return None
    bundle = bundle_reference(
        organization=organization, debtor=access.debtor, invoice_public_ids=[row.public_id for row in invoices]
    )
    reference = payment_reference([row.number for row in invoices], access.debtor.language, bundle=bundle)
    return BankTransfer(
        iban=iban.formatted,
        beneficiary=organization.display_legal_name,
        amount=amount,
        invoice_numbers=tuple(row.number for row in invoices),
        reference=iso11649.format(reference.structured) if reference.structured else reference.text,
        qr=_qr(organization.display_legal_name, iban.compact, amount, reference.structured, reference.text),
    )


# Drawing the QR code is most of the page's work (about 50 ms); the same payment data gives the same
# image, so it is kept by its payload (a changed amount, name or reference is another payload).
QR_CACHE_SECONDS = 24 * 60 * 60


def _qr(name: str, iban: str, amount: Decimal, structured: str, text: str) -> str:
    try:
        payload = epc_payload(name=name, iban=iban, amount=amount, reference=structured, text=text)
    except ValueError:  # e.g. a name of control characters only: the block still shows the details
        return ""
    key = f"portal:epc-qr:v1:{hashlib.sha256(payload).hexdigest()}"
    image: str | None = cache.get(key)
    if image is None:
        image = qr_data_uri(epc_qr(payload))
        cache.set(key, image, QR_CACHE_SECONDS)
    return image
