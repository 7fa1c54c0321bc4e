"""UBL e-invoices in: Peppol BIS Billing 3.0 and SI-UBL 2.0 (NLCIUS), Invoice and CreditNote.

``ubl_parse`` reads one XML document safely (no DTDs, no entities, no network) into a
:class:`UblDocument`; ``ubl_import`` takes one XML file or a zip of them and brings the invoices in
through the one intake path (``invoices.services.invoices_upsert_many``), credit notes as
``credit_note_apply`` on the invoice they correct. Bad input raises :class:`UblError`.
"""

from invoices.ubl.errors import UblError
from invoices.ubl.importing import UblImportResult, ubl_import
from invoices.ubl.parsing import UblDocument, UblParty, ubl_parse

__all__ = ["UblDocument", "UblError", "UblImportResult", "UblParty", "ubl_import", "ubl_parse"]
