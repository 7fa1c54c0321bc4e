"""The hand-over to the bailiff (gerechtsdeurwaarder): one PDF and one JSON of the same claim.

What a bailiff asks for (DOMAIN.md §8; no standard file format exists): the invoices with number,
dates and payment term, and both parties' names and addresses; the reminders and, for a consumer,
the 14-day letter with its dates; the final demand; any defence and the correspondence; the
creditor's KvK number and VAT status (it decides VAT on the costs); the claim specification —
principal, interest periods and rates, costs, payments and their imputation (art. 6:44 BW).

Only once the court fee is recorded (stage judicial or later, ``court_fee_paid_on`` set):
:func:`dossier_export_create` gathers the facts once (:func:`dossier_export_facts`), writes the JSON
(:func:`dossier_claim_specification`, pure) and the PDF (the invoices' own PDFs attached to it),
stores both privately and appends an ``EXPORTED`` event carrying the SHA-256 of each file, so the
chain proves what was handed over. :func:`dossier_export_current` gives the latest export while
nothing happened in the dossier since, else makes a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import weasyprint
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collection.models import STAGE_ORDER, Arrangement, Dossier, DossierEvent, DossierEventKind, DossierStage
from collection.selectors.arrangements import arrangement_list_for_debtor
from collection.selectors.dossiers import dossier_get
from collection.selectors.statements import DossierStatement, dossier_statement_on
from collection.services.dossier_chain import _plain, dossier_event_append
from collection.services.dossier_letters import collector_party, creditor_party, debtor_party
from invoices.models import DebtorKind, Invoice
from outstanding.files import UnguessableName
from outstanding.models import Organization, User
from outstanding.money import format_money
from portal.models import ThreadEntryKind
from portal.selectors import invoice_thread
from reminders.channels.letter import LocalFilesOnly, letter_stylesheet
from reminders.models import Reminder
from reminders.selectors.reminders import reminder_list

logger = logging.getLogger(__name__)

FORMAT = "outstanding.dossier-claim/1"
EXPORT_FOLDER = UnguessableName("private/dossier-exports")
ZERO = Decimal("0.00")


# -- the facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFacts:
    organization: Organization
    dossier: Dossier
    on: dt.date
    statement: DossierStatement
    invoices: tuple[Invoice, ...]
    reminders: tuple[Reminder, ...]  # the dunning's messages about the dossier's invoices, oldest first
    threads: tuple[tuple[Invoice, Any], ...]  # (invoice, portal.selectors.InvoiceThread)
    arrangements: tuple[Arrangement, ...]
    events: tuple[DossierEvent, ...]


def dossier_export_allowed(dossier: Dossier) -> bool:
    """The court fee is recorded: the dossier may go to the bailiff."""
    return (
        dossier.court_fee_paid_on is not None
        and dossier.stage != DossierStage.CLOSED
        and STAGE_ORDER.index(dossier.stage) >= STAGE_ORDER.index(DossierStage.JUDICIAL)
    )


def dossier_export_facts(*, organization: Organization, dossier: Dossier, on: dt.date) -> ExportFacts:
    """Everything the export shows, read once (a handful of queries plus one per invoice for its thread)."""
    full = dossier_get(organization=organization, public_id=dossier.public_id)
    items = list(full.items.all())
    invoices = tuple(item.invoice for item in items)
    ids = {invoice.pk for invoice in invoices}
    reminders = tuple(
        sorted(
            (
                reminder
                for reminder in reminder_list(organization=organization, debtor=full.debtor)
                if any(item.invoice_id in ids for item in reminder.items.all())
            ),
            key=lambda reminder: (reminder.sent_date or reminder.planned_date, reminder.pk),
        )
    )
    arrangements = tuple(
        arrangement
        for arrangement in arrangement_list_for_debtor(organization=organization, debtor=full.debtor)
        if arrangement.dossier_id == full.pk or any(item.invoice_id in ids for item in arrangement.items.all())
    )
    return ExportFacts(
        organization=organization,
        dossier=full,
        on=on,
        statement=dossier_statement_on(organization=organization, dossier=full, on=on),
        invoices=invoices,
        reminders=reminders,
        threads=tuple((invoice, invoice_thread(organization=organization, invoice=invoice)) for invoice in invoices),
        arrangements=arrangements,
        events=tuple(full.events.all()),
    )


# -- the claim specification (JSON) ------------------------------------------------------------------


def _party(party: Any) -> dict[str, Any]:
    return {
        "name": party.name,
        "address_lines": list(party.address_lines),
        "kvk_number": party.kvk_number,
        "vat_id": party.vat_id,
        "email": party.email,
        "phone": party.phone,
    }


def _invoice_spec(facts: ExportFacts, invoice: Invoice, line: Any) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "public_id": invoice.public_id,
        "issue_date": invoice.issue_date,
        "due_date": line.due_date,
        "payment_term_days": (line.due_date - invoice.issue_date).days,
        "amount": invoice.amount,
        "vat_amount": invoice.vat_amount,
        "principal": line.principal_original,
        "credited": line.credited,
        "reopened": line.reopened,
        "paid_to_principal": line.paid_to_principal,
        "principal_left": line.principal,
        "interest_from": line.interest_from,
        "interest": {
            "accrued": line.interest_accrued,
            "capitalised": line.interest_capitalised,
            "paid": line.paid_to_interest,
            "outstanding": line.interest,
            "periods": [
                {"from": period.first_day, "to": period.end, "days": period.days, "rate": f"{period.rate}",
                 "basis": period.basis, "amount": period.amount}
                for period in line.periods
            ],
            "capitalisations": [{"on": cap.on, "amount": cap.amount} for cap in line.capitalisations],
        },
        "pdf": f"{invoice.number}.pdf" if invoice.pdf else None,
    }  # fmt: skip


def _payments_spec(facts: ExportFacts) -> list[dict[str, Any]]:
    statement, numbers = facts.statement.statement, facts.statement.invoice_numbers
    return [
        {
            "public_id": facts.statement.payment_public_ids.get(imputation.payment_id),
            "date": imputation.date,
            "amount": imputation.amount,
            "invoice": numbers.get(imputation.invoice_id, ""),
            "credit_note": imputation.credit_note,
            "to_costs": imputation.to_costs,
            "to_interest": imputation.to_interest,
            "to_principal": imputation.to_principal,
            "overpayment": imputation.overpayment,
            "interest_by_invoice": {numbers.get(i, str(i)): amount for i, amount in imputation.interest_by_invoice},
            "principal_by_invoice": {numbers.get(i, str(i)): amount for i, amount in imputation.principal_by_invoice},
        }
        for imputation in statement.imputations
    ]


def _arrangements_spec(facts: ExportFacts) -> list[dict[str, Any]]:
    return [
        {
            "public_id": arrangement.public_id,
            "status": arrangement.status,
            "source": arrangement.source,
            "total": arrangement.total,
            "created_at": arrangement.created_at,
            "decided_at": arrangement.decided_at,
            "ended_on": arrangement.ended_on,
            "broken_term_number": arrangement.broken_term_number,
            "invoices": [item.invoice.number for item in arrangement.items.all()],
            "terms": [
                {
                    "number": term.number,
                    "due_date": term.due_date,
                    "amount": term.amount,
                    "paid_amount": term.paid_amount,
                    "paid_on": term.paid_on,
                }
                for term in arrangement.terms.all()
            ],
        }
        for arrangement in facts.arrangements
    ]


def _disputes_spec(facts: ExportFacts) -> list[dict[str, Any]]:
    disputes = []
    for invoice, thread in facts.threads:
        for entry in thread.entries:
            if entry.dispute is not None and entry.kind == ThreadEntryKind.DISPUTE:
                dispute = entry.dispute
                disputes.append(
                    {"invoice": invoice.number, "reason": dispute.reason, "status": dispute.status,
                     "resolution": dispute.resolution, "opened_at": dispute.opened_at,
                     "resolved_at": dispute.resolved_at, "text": entry.text}
                )  # fmt: skip
    defences = [
        {"sequence": event.sequence, "kind": event.kind, "occurred_at": event.occurred_at, "summary": event.summary}
        for event in facts.events
        if event.kind in (DossierEventKind.DEFENCE_FILED, DossierEventKind.DEFENCE_ANSWERED)
    ]
    return disputes + defences


def _messages_spec(facts: ExportFacts) -> list[dict[str, Any]]:
    """Every message about the claim: the creditor's reminders, then the collector's own."""
    reminders = [
        {
            "from": "creditor",
            "public_id": reminder.public_id,
            "kind": reminder.kind,
            "channel": reminder.channel,
            "status": reminder.status,
            "planned_date": reminder.planned_date,
            "sent_date": reminder.sent_date,
            "subject": reminder.subject,
            "registered": reminder.registered,
            "presumed_receipt_date": reminder.presumed_receipt_date,
            "term_end_date": reminder.term_end_date,
            "costs_chargeable_from": reminder.costs_chargeable_from,
            "collection_costs": reminder.collection_costs,
            "invoices": sorted(item.invoice.number for item in reminder.items.all()),
        }
        for reminder in facts.reminders
    ]
    own = [
        {"from": "collector", "sequence": event.sequence, "occurred_at": event.occurred_at,
         "step": event.data.get("step", ""), "channel": event.data.get("channel", ""),
         "subject": event.data.get("subject", ""), "sha256": event.data.get("sha256", ""),
         "amounts": event.data.get("amounts", {})}
        for event in facts.events
        if event.kind == DossierEventKind.MESSAGE_SENT
    ]  # fmt: skip
    return reminders + own


def _portal_spec(facts: ExportFacts) -> list[dict[str, Any]]:
    return [
        {"invoice": invoice.number, "created_at": entry.created_at, "author": entry.author, "kind": entry.kind,
         "text": entry.text}
        for invoice, thread in facts.threads
        for entry in thread.entries
    ]  # fmt: skip


def dossier_claim_specification(facts: ExportFacts) -> dict[str, Any]:
    """The claim as data, every amount a two-decimal string: the same figures as the dossier's statement."""
    dossier, organization = facts.dossier, facts.organization
    statement = facts.statement.statement
    by_id = {invoice.pk: invoice for invoice in facts.invoices}
    spec = {
        "format": FORMAT,
        "statement_on": facts.on,
        "dossier": {
            "reference": dossier.reference,
            "public_id": dossier.public_id,
            "stage": dossier.stage,
            "origin": dossier.origin,
            "opened_on": dossier.opened_on,
            "debtor_kind": dossier.debtor_kind,
            "court_fee": dossier.court_fee,
            "court_fee_paid_on": dossier.court_fee_paid_on,
            "event_count": dossier.event_count,
            "last_event_hash": dossier.last_event_hash,
        },
        "creditor": _party(creditor_party(organization)) | {"iban": organization.iban},
        "debtor": _party(debtor_party(dossier.debtor)) | {"kind": dossier.debtor_kind},
        "collector": _party(collector_party()) | {"wki_registration_number": settings.WKI_REGISTRATION_NUMBER},
        "interest": {
            "kind": "commercial" if statement.commercial else "statutory",
            "article": "6:119a BW" if statement.commercial else "6:119 BW",
            "day_count": "days/365",
            "rates_unconfirmed_from": statement.rates_unconfirmed_from,
        },
        "invoices": [_invoice_spec(facts, by_id[line.id], line) for line in statement.invoices],
        "costs": {
            "amount": statement.costs,
            "vat": statement.costs_vat,
            "vat_charged": dossier.costs_vat_charged,
            "vat_reason": "creditor cannot deduct VAT" if dossier.costs_vat_charged else "creditor deducts VAT",
            "due_from": statement.costs_on,
            "basis": statement.principal_total,
            "scale": "Besluit vergoeding voor buitengerechtelijke incassokosten (art. 6:96 BW)",
        },
        "payments": _payments_spec(facts),
        "totals": {
            "principal": statement.principal_total,
            "principal_left": statement.principal_left,
            "interest": statement.interest_total,
            "interest_left": statement.interest_left,
            "costs": statement.costs,
            "costs_vat": statement.costs_vat,
            "paid": statement.paid,
            "paid_to_costs": statement.paid_to_costs,
            "paid_to_interest": statement.paid_to_interest,
            "paid_to_principal": statement.paid_to_principal,
            "received": statement.received,
            "overpaid": statement.overpaid,
            "credited": statement.credited,
            "outstanding": statement.outstanding,
        },
        "fourteen_day_letter": (
            {"sent_on": dossier.fourteen_day_letter_sent_on, "term_ends_on": dossier.fourteen_day_term_ends_on}
            if dossier.debtor_kind == DebtorKind.CONSUMER
            else None
        ),
        "arrangements": _arrangements_spec(facts),
        "disputes": _disputes_spec(facts),
        "messages": _messages_spec(facts),
        "portal": _portal_spec(facts),
        "events": [
            {
                "sequence": event.sequence,
                "kind": event.kind,
                "occurred_at": event.occurred_at,
                "actor": event.actor_label,
                "summary": event.summary,
                "hash": event.hash,
            }
            for event in facts.events
        ],
    }
    return _plain(spec)


def dossier_claim_json(facts: ExportFacts) -> bytes:
    return json.dumps(dossier_claim_specification(facts), indent=2, sort_keys=True, ensure_ascii=False).encode()


# -- the PDF ---------------------------------------------------------------------------------------


TOTAL_LABELS = {
    "principal": gettext_lazy("Principal"),
    "interest": gettext_lazy("Interest"),
    "costs": gettext_lazy("Collection costs"),
    "costs_vat": gettext_lazy("VAT on the costs"),
    "paid": gettext_lazy("Paid"),
    "paid_to_costs": gettext_lazy("of which to costs"),
    "paid_to_interest": gettext_lazy("of which to interest"),
    "paid_to_principal": gettext_lazy("of which to principal"),
    "outstanding": gettext_lazy("Outstanding"),
}


def _pdf_context(facts: ExportFacts, spec: dict[str, Any]) -> dict[str, Any]:
    language = facts.organization.default_language
    money = lambda value: format_money(Decimal(value), "EUR", language) if value is not None else ""  # noqa: E731
    return {"spec": spec, "language": language, "money": money, "invoices": spec["invoices"],
            "rows": _pdf_rows(spec, money), "now": timezone.now()}  # fmt: skip


def _pdf_rows(spec: dict[str, Any], money: Any) -> dict[str, list[tuple[str, ...]]]:
    """The tables of the PDF as rows of formatted strings (the template stays free of logic)."""
    totals = spec["totals"]
    return {
        "invoices": [
            (i["number"], i["issue_date"], i["due_date"], str(i["payment_term_days"]), money(i["principal"]),
             money(i["interest"]["accrued"]), money(i["principal_left"]), i["pdf"] or "—")
            for i in spec["invoices"]
        ],
        "interest": [
            (i["number"], p["from"], p["to"], str(p["days"]), f"{p['rate']} %", money(p["basis"]), money(p["amount"]))
            for i in spec["invoices"]
            for p in i["interest"]["periods"]
        ],
        "payments": [
            (p["date"], p["invoice"], money(p["amount"]), money(p["to_costs"]), money(p["to_interest"]),
             money(p["to_principal"]), money(p["overpayment"]))
            for p in spec["payments"]
        ],
        "totals": [(str(label), money(totals[key])) for key, label in TOTAL_LABELS.items()],
        "messages": [
            (m.get("sent_date") or m.get("planned_date") or m.get("occurred_at", "")[:10], m["from"],
             m.get("kind") or m.get("step", ""), m["channel"], m.get("status", "sent"), m["subject"],
             ", ".join(m.get("invoices", [])))
            for m in spec["messages"]
        ],
        "portal": [(e["created_at"][:16], e["invoice"], e["author"], e["kind"], e["text"]) for e in spec["portal"]],
        "disputes": [
            (d.get("opened_at", d.get("occurred_at", ""))[:10], d.get("invoice", ""), d.get("reason", d.get("kind")),
             d.get("status", ""), d.get("text", d.get("summary", "")))
            for d in spec["disputes"]
        ],
        "arrangements": [
            (str(a["created_at"])[:10], a["status"], money(a["total"]), str(len(a["terms"])), ", ".join(a["invoices"]))
            for a in spec["arrangements"]
        ],
        "events": [(str(e["sequence"]), e["occurred_at"][:16], e["kind"], e["actor"], e["summary"], e["hash"][:16])
                   for e in spec["events"]],
    }  # fmt: skip


def _attachments(facts: ExportFacts) -> list[weasyprint.Attachment]:
    """The invoices' own PDFs, attached to the export (a PDF reader lists them); unreadable ones are skipped."""
    attachments = []
    for invoice in facts.invoices:
        if not invoice.pdf:
            continue
        try:
            with invoice.pdf.open("rb") as pdf:
                content = pdf.read()
        except OSError:
            logger.warning("dossier.export_pdf_missing", extra={"invoice": invoice.pk})
            continue
        attachments.append(weasyprint.Attachment(string=content, name=f"{invoice.number}.pdf"))
    return attachments


def dossier_export_pdf(facts: ExportFacts, spec: dict[str, Any] | None = None) -> bytes:
    spec = spec if spec is not None else dossier_claim_specification(facts)
    with translation.override(facts.organization.default_language):
        html = render_to_string("collection/letters/bailiff_export.html", _pdf_context(facts, spec))
    document = weasyprint.HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=LocalFilesOnly())
    return document.write_pdf(stylesheets=[letter_stylesheet()], attachments=_attachments(facts))


# -- the export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierExport:
    event: DossierEvent
    pdf_name: str
    json_name: str

    @property
    def pdf_sha256(self) -> str:
        return str(self.event.data["pdf"]["sha256"])

    @property
    def json_sha256(self) -> str:
        return str(self.event.data["json"]["sha256"])


def _export_from(event: DossierEvent) -> DossierExport:
    return DossierExport(event=event, pdf_name=event.data["pdf"]["file"], json_name=event.data["json"]["file"])


@transaction.atomic
def dossier_export_create(
    *, organization: Organization, dossier: Dossier, today: dt.date, user: User | None = None
) -> DossierExport:
    """Make the bailiff's PDF and JSON of ``dossier`` as of ``today`` and record them (EXPORTED, with hashes).

    Raises ValidationError before the court fee is recorded: a bailiff gets no dossier before that."""
    locked = Dossier.objects.for_organization(organization).select_for_update().get(pk=dossier.pk)
    if not dossier_export_allowed(locked):
        raise ValidationError(_("The dossier goes to the bailiff once the court fee is recorded."))
    facts = dossier_export_facts(organization=organization, dossier=locked, on=today)
    spec = dossier_claim_specification(facts)
    claim = json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False).encode()
    pdf = dossier_export_pdf(facts, spec)
    pdf_name = default_storage.save(EXPORT_FOLDER(None, "export.pdf"), ContentFile(pdf))
    json_name = default_storage.save(EXPORT_FOLDER(None, "export.json"), ContentFile(claim))
    with translation.override(organization.default_language):
        summary = str(gettext_lazy("Exported to the bailiff"))
    event = dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.EXPORTED, user=user,
        summary=summary,
        data={
            "on": today, "through_sequence": locked.event_count,
            "pdf": {"file": pdf_name, "sha256": hashlib.sha256(pdf).hexdigest(), "bytes": len(pdf)},
            "json": {"file": json_name, "sha256": hashlib.sha256(claim).hexdigest(), "bytes": len(claim)},
            "outstanding": spec["totals"]["outstanding"],
        },
    )  # fmt: skip
    logger.info("dossier.exported", extra={"dossier": locked.pk, "event": event.pk})
    return _export_from(event)


def dossier_export_latest(*, organization: Organization, dossier: Dossier) -> DossierExport | None:
    """The last export, if nothing happened in the dossier after it (it is the chain's last event)."""
    event = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier=dossier, kind=DossierEventKind.EXPORTED)
        .order_by("-sequence")
        .first()
    )
    if event is None or event.sequence != dossier.event_count:
        return None
    return _export_from(event)


def dossier_export_current(
    *, organization: Organization, dossier: Dossier, today: dt.date, user: User | None = None
) -> DossierExport:
    """The export to hand over: the latest while still current, else a new one."""
    if not dossier_export_allowed(dossier):
        raise ValidationError(_("The dossier goes to the bailiff once the court fee is recorded."))
    latest = dossier_export_latest(organization=organization, dossier=dossier)
    if latest is not None and latest.event.data.get("on") == today.isoformat():
        return latest
    return dossier_export_create(organization=organization, dossier=dossier, today=today, user=user)
