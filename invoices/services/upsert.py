"""The one intake path: debtors and invoices from CSV, XLSX, UBL, the API and accounting connectors.

Idempotent on (organization, external id — or the invoice number when there is none):

* the same data twice changes nothing (not even ``updated_at``);
* changed data updates the fields, amounts and the open amount;
* an invoice is never duplicated: an incoming external id matches first, then the number.

:func:`invoices_upsert_many` works set-based in batches (two lookups and at most one bulk insert and
one bulk update per batch), so a 100,000-row import does not save row by row. The single-object
functions are the same code with one row. Callers validate input first (:func:`invoice_data_errors`)
and wrap a whole import in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from outstanding.identifiers import normalize_phone
from outstanding.models import Organization
from outstanding.money import to_money

BATCH_SIZE = 2000
KNOWN_DEBTORS_MAX = 20_000  # descriptions remembered within one call (see _debtor_ids)
# Field types whose values _insert_invoices knows how to write in COPY's text format.
PLAIN_TYPES = {
    "CharField", "TextField", "DateField", "DateTimeField", "DecimalField", "BooleanField", "IntegerField",
    "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "ForeignKey",
    "UUIDField", "FileField",
}  # fmt: skip
CLOSED_STATUSES = (InvoiceStatus.CREDITED, InvoiceStatus.WRITTEN_OFF)


@dataclass
class DebtorData:
    """A debtor as a source describes it. Matched on ``external_id``, else on the name."""

    name: str
    kind: str = ""  # "" = not stated: a new debtor becomes a business, a known one keeps its kind
    external_id: str = ""
    contact_person: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    language: str = ""
    kvk_number: str = ""
    vat_id: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return ("id", self.external_id) if self.external_id else ("name", self.name.strip().lower())

    def values(self) -> dict[str, object]:
        """What is stored, the same whatever the source: e-mail addresses in lower case, phone numbers
        in international form where they can be read (a CSV, a UBL file and the API agree)."""
        region = self.country or "NL"
        return {
            "name": self.name.strip(), "kind": self.kind, "external_id": self.external_id,
            "contact_person": self.contact_person.strip(),
            "emails": [email.strip().lower() for email in self.emails if email.strip()],
            "phones": [normalize_phone(phone, region) for phone in self.phones if phone.strip()],
            "street": self.street, "postal_code": self.postal_code, "city": self.city, "country": self.country,
            "language": self.language, "kvk_number": self.kvk_number, "vat_id": self.vat_id,
        }  # fmt: skip


# Per key: the description stored earlier in the same call, and the debtor's id.
KnownDebtors = dict[tuple[str, str], tuple[dict[str, object], int]]
NEW_DEBTOR_DEFAULTS = {"kind": DebtorKind.BUSINESS, "country": "NL", "language": "nl"}


def _stated(values: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in values.items() if value not in ("", [])}


@dataclass
class InvoiceData:
    """An invoice as a source describes it. ``open_amount=None`` means: what is not paid here."""

    number: str
    debtor: DebtorData
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    vat_amount: Decimal = Decimal("0.00")
    open_amount: Decimal | None = None
    currency: str = "EUR"
    external_id: str = ""
    status: str | None = None  # credited / written_off when the source says so


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    debtors_created: int = 0
    debtors_updated: int = 0
    invoice_ids: list[int] = field(default_factory=list)

    def add(self, other: UpsertResult) -> None:
        for name in ("created", "updated", "unchanged", "debtors_created", "debtors_updated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.invoice_ids.extend(other.invoice_ids)


def invoice_data_errors(data: InvoiceData) -> list[tuple[str, str]]:
    """(field, reason) for everything the database would refuse, in words a creditor understands."""
    errors = []
    if not data.number.strip():
        errors.append(("number", _("The invoice number is missing.")))
    if not data.debtor.name.strip():
        errors.append(("debtor", _("The debtor's name is missing.")))
    if data.amount < 0:
        errors.append(("amount", _("The amount is negative; import credit notes as credit notes.")))
    if data.open_amount is not None and not (0 <= data.open_amount <= data.amount):
        errors.append(("open_amount", _("The open amount must be between 0 and the invoice amount.")))
    if data.due_date < data.issue_date:
        errors.append(("due_date", _("The due date is before the invoice date.")))
    if len(data.currency) != 3 or not data.currency.isalpha():
        errors.append(("currency", _("The currency must be a three-letter code such as EUR.")))
    if len(data.number) > Invoice._meta.get_field("number").max_length:  # type: ignore[operator]
        errors.append(("number", _("The invoice number is too long.")))
    return errors


def debtor_upsert(*, organization: Organization, data: DebtorData) -> tuple[Debtor, bool]:
    """The debtor for ``data``, created or brought up to date. Returns (debtor, created)."""
    debtors, created, _updated = _debtors_upsert(organization, [data])
    return debtors[data.key], created == 1


def invoice_upsert(*, organization: Organization, data: InvoiceData) -> tuple[Invoice, str]:
    """One invoice through the same path as a bulk import. Returns (invoice, "created"|"updated"|"unchanged")."""
    result = invoices_upsert_many(organization=organization, rows=[data])
    invoice = Invoice.objects.for_organization(organization).select_related("debtor").get(pk=result.invoice_ids[0])
    outcome = "created" if result.created else "updated" if result.updated else "unchanged"
    return invoice, outcome


def invoices_upsert_many(
    *,
    organization: Organization,
    rows: Iterable[InvoiceData],
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """Upsert many invoices (and their debtors) in batches. Rows must be valid; wrap in a transaction.

    ``rows`` may be a generator: it is read one batch at a time, so a large file never has to be in
    memory at once. ``progress`` is told how many rows are done after each batch.
    """
    result = UpsertResult()
    known_debtors: KnownDebtors = {}
    remaining = iter(rows)
    done = 0
    while batch := list(islice(remaining, batch_size)):
        result.add(_upsert_batch(organization, _last_row_wins(batch), known_debtors))
        done += len(batch)
        if progress is not None:
            progress(done)
    return result


def _last_row_wins(rows: Iterable[InvoiceData]) -> list[InvoiceData]:
    """The same invoice twice in one batch: the later row is the newer truth."""
    by_key: dict[tuple[str, str], InvoiceData] = {}
    for row in rows:
        by_key[("id", row.external_id) if row.external_id else ("number", row.number.strip())] = row
    return list(by_key.values())


def _upsert_batch(organization: Organization, rows: list[InvoiceData], known_debtors: KnownDebtors) -> UpsertResult:
    debtor_ids, debtors_created, debtors_updated = _debtor_ids(
        organization, [row.debtor for row in rows], known_debtors
    )
    result = UpsertResult(debtors_created=debtors_created, debtors_updated=debtors_updated)
    existing_by_id, existing_by_number = _existing_invoices(organization, rows)
    paid_here = _paid_amounts(organization, [*existing_by_id.values(), *existing_by_number.values()])
    new: list[tuple[InvoiceData, int]] = []
    changed: list[Invoice] = []
    for row in rows:
        debtor_id = debtor_ids[row.debtor.key]
        invoice = existing_by_id.get(row.external_id) if row.external_id else None
        invoice = invoice or existing_by_number.get(row.number.strip())
        if invoice is None:
            new.append((row, debtor_id))
        elif _apply(invoice, debtor_id, row, paid_here.get(invoice.pk, Decimal("0.00"))):
            changed.append(invoice)
        else:
            result.unchanged += 1
            result.invoice_ids.append(invoice.pk)
    if new:
        result.invoice_ids.extend(_insert_invoices(organization, new))
    if changed:
        _update_invoices(organization, changed)
    result.created, result.updated = len(new), len(changed)
    result.invoice_ids.extend(invoice.pk for invoice in changed)
    return result


UPDATED_FIELDS = [
    "debtor", "external_id", "issue_date", "due_date", "currency", "amount", "vat_amount", "open_amount",
    "status", "updated_at",
]  # fmt: skip


def _existing_invoices(
    organization: Organization, rows: list[InvoiceData]
) -> tuple[dict[str, Invoice], dict[str, Invoice]]:
    external_ids = {row.external_id for row in rows if row.external_id}
    numbers = {row.number.strip() for row in rows}
    found = Invoice.objects.for_organization(organization).filter(
        Q(external_id__in=external_ids) | Q(number__in=numbers)
    )
    by_id, by_number = {}, {}
    for invoice in found:
        if invoice.external_id:
            by_id[invoice.external_id] = invoice
        by_number[invoice.number] = invoice
    return by_id, by_number


def _paid_amounts(organization: Organization, invoices: list[Invoice]) -> dict[int, Decimal]:
    """Money recorded here (payments, credit notes) per invoice: kept when a source changes the amount."""
    from django.db.models import Sum

    from invoices.models import Payment

    if not invoices:
        return {}
    rows = (
        Payment.objects.for_organization(organization)
        .filter(invoice__in=[invoice.pk for invoice in invoices])
        .values("invoice")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice"]: row["total"] for row in rows}


def _open_and_status(row: InvoiceData, amount: Decimal, paid_here: Decimal) -> tuple[Decimal, str]:
    if row.open_amount is not None:
        open_amount = to_money(row.open_amount)
    else:
        open_amount = max(Decimal("0.00"), amount - paid_here)
    if row.status in CLOSED_STATUSES:
        return (Decimal("0.00") if row.status == InvoiceStatus.CREDITED else open_amount), row.status
    return open_amount, InvoiceStatus.PAID if open_amount == 0 else InvoiceStatus.OPEN


def _new_invoice(organization: Organization, debtor_id: int, row: InvoiceData) -> dict[str, object]:
    amount = to_money(row.amount)
    open_amount, status = _open_and_status(row, amount, Decimal("0.00"))
    return {
        "organization_id": organization.pk, "debtor_id": debtor_id, "number": row.number.strip(),
        "external_id": row.external_id, "issue_date": row.issue_date, "due_date": row.due_date,
        "currency": row.currency.upper(), "amount": amount, "vat_amount": to_money(row.vat_amount),
        "open_amount": open_amount, "status": status,
    }  # fmt: skip


def _insert_invoices(organization: Organization, new: list[tuple[InvoiceData, int]]) -> list[int]:
    """New invoices through PostgreSQL's COPY; returns their ids in the order given.

    Not ``bulk_create``: at 100,000 rows, building model instances, preparing every value through
    its field and parsing one huge INSERT statement are most of the time an import takes; COPY with
    ids drawn from the table's own sequence is several times faster. Fields not set here get their
    model default, so a field added to Invoice later is filled in the way ``bulk_create`` would.
    The driver is psycopg2 (``copy_expert``).
    """
    table = Invoice._meta.db_table
    fields = [field for field in Invoice._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    # Defaults the same for every row are written once; a callable default (a new UUID) per row.
    per_row = [(field.attname, _default_for(field, now)) for field in fields if _default_varies(field)]
    constants = {
        field.attname: _copy_text(_default_for(field, now)()) for field in fields if not _default_varies(field)
    }
    line = "{id}\t" + "\t".join(f"{{{field.attname}}}" for field in fields) + "\n"
    with connection.cursor() as cursor:
        sequence = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
        cursor.execute(sequence, [table, len(new)])
        ids = [row[0] for row in cursor.fetchall()]
        lines = io.StringIO()
        for invoice_id, (row, debtor_id) in zip(ids, new, strict=True):
            # Numbers and dates print as COPY wants them; text, NULL and booleans need _copy_text.
            values = {
                name: _copy_text(value) if value is None or isinstance(value, str | bool) else value
                for name, value in _new_invoice(organization, debtor_id, row).items()
            }
            values.update((name, _copy_text(default())) for name, default in per_row)
            lines.write(line.format_map({**constants, **values, "id": invoice_id}))
        lines.seek(0)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        cursor.cursor.copy_expert(f"COPY {table} (id, {columns}) FROM STDIN", lines)
    return ids


def _default_varies(field: models.Field) -> bool:
    return field.has_default() and callable(field.default) and not getattr(field, "auto_now_add", False)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """One value in COPY's text format: \\N for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):  # and datetime: ISO 8601, with the offset when aware
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def _default_for(field: models.Field, now: dt.datetime) -> Callable[[], object]:
    """What the ORM would store for a field nobody set: now for auto timestamps, else its default."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.get_internal_type() not in PLAIN_TYPES:
        # A new kind of field on Invoice (JSON, arrays): teach _copy_text its text format first.
        raise TypeError(f"Invoice.{field.name}: {field.get_internal_type()} cannot be written by COPY here yet")
    return field.get_default


def _update_invoices(organization: Organization, changed: list[Invoice]) -> None:
    """Write the changed fields of many invoices in one UPDATE ... FROM (VALUES ...)."""
    fields = [field for field in Invoice._meta.concrete_fields if field.name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    template = "(%s::bigint, " + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    sql = (
        f"UPDATE {Invoice._meta.db_table} AS invoice SET "  # noqa: S608 - names from the model
        + ", ".join(f"{quote(field.column)} = changed.{quote(field.column)}" for field in fields)
        + f" FROM (VALUES %s) AS changed (id, {', '.join(quote(field.column) for field in fields)})"
        + f" WHERE invoice.id = changed.id AND invoice.organization_id = {int(organization.pk)}"
    )
    values = [(invoice.pk, *(getattr(invoice, field.attname) for field in fields)) for invoice in changed]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, values, template=template, page_size=len(values))


def _apply(invoice: Invoice, debtor_id: int, row: InvoiceData, paid_here: Decimal) -> bool:
    """Bring ``invoice`` in line with ``row``; True when anything changed."""
    amount = to_money(row.amount)
    open_amount, status = _open_and_status(row, amount, paid_here)
    if invoice.status in CLOSED_STATUSES and row.status is None:
        status, open_amount = invoice.status, invoice.open_amount  # closed here stays closed
    values = {
        "debtor_id": debtor_id, "external_id": row.external_id or invoice.external_id,
        "issue_date": row.issue_date, "due_date": row.due_date, "currency": row.currency.upper(),
        "amount": amount, "vat_amount": to_money(row.vat_amount), "open_amount": open_amount, "status": status,
    }  # fmt: skip
    changed = False
    for name, value in values.items():
        if getattr(invoice, name) != value:
            setattr(invoice, name, value)
            changed = True
    if changed:
        invoice.updated_at = timezone.now()
    return changed


def _debtor_ids(
    organization: Organization, incoming: list[DebtorData], known: KnownDebtors
) -> tuple[dict[tuple[str, str], int], int, int]:
    """Debtor ids for every key in ``incoming``; described exactly as earlier in this call: no lookup.

    A large file names the same debtors in every batch. What an earlier batch of the same call
    stored for a key is stored still, so only descriptions not seen yet go to the database.
    """
    wanted = {data.key: data for data in incoming}
    ids: dict[tuple[str, str], int] = {}
    fresh = []
    for key, data in wanted.items():
        seen = known.get(key)
        if seen is not None and seen[0] == data.values():
            ids[key] = seen[1]
        else:
            fresh.append(data)
    debtors, created, updated = _debtors_upsert(organization, fresh) if fresh else ({}, 0, 0)
    for data in fresh:
        ids[data.key] = debtors[data.key].pk
        if len(known) < KNOWN_DEBTORS_MAX:
            known[data.key] = (data.values(), debtors[data.key].pk)
    return ids, created, updated


def _debtors_upsert(
    organization: Organization, incoming: list[DebtorData]
) -> tuple[dict[tuple[str, str], Debtor], int, int]:
    """Debtors for every key in ``incoming`` (last description wins), created or updated in bulk."""
    wanted: dict[tuple[str, str], DebtorData] = {}
    for data in incoming:
        wanted[data.key] = data
    external_ids = [key[1] for key in wanted if key[0] == "id"]
    names = [key[1] for key in wanted if key[0] == "name"]
    found = (
        Debtor.objects.for_organization(organization)
        .annotate(name_key=Lower("name"))
        .filter(Q(external_id__in=external_ids) | Q(external_id="", name_key__in=names))
        .order_by("pk")
    )
    by_key: dict[tuple[str, str], Debtor] = {}
    for debtor in found:
        key = ("id", debtor.external_id) if debtor.external_id in external_ids else ("name", debtor.name_key)
        by_key.setdefault(key, debtor)
    new, changed = [], []
    for key, data in wanted.items():
        debtor = by_key.get(key)
        if debtor is None:
            debtor = Debtor(organization=organization, **{**NEW_DEBTOR_DEFAULTS, **_stated(data.values())})
            new.append(debtor)
            by_key[key] = debtor
        elif _debtor_apply(debtor, data):
            changed.append(debtor)
    if new:
        Debtor.objects.bulk_create(new)
    if changed:
        Debtor.objects.for_organization(organization).bulk_update(changed, [*DebtorData("x").values(), "updated_at"])
    return by_key, len(new), len(changed)


def _debtor_apply(debtor: Debtor, data: DebtorData) -> bool:
    """Update what the source states; an empty value in the source does not erase what we know."""
    changed = False
    for name, value in _stated(data.values()).items():
        if getattr(debtor, name) == value:
            continue
        setattr(debtor, name, value)
        changed = True
    if changed:
        debtor.updated_at = timezone.now()
    return changed
