"""The daily print batch: 500 letters as one PDF, against one PDF per letter.

Creates one organization (with a logo) and 500 business debtors, each with two overdue invoices in a
planned letter, then times ``reminders.services.letters.letter_batch_create`` end to end (rendering the words,
laying out, one WeasyPrint document and each letter's own pages, marking the letters printed). A second
measurement prints 50 of the same letters (words already rendered) as one document and as 50 documents:
what batching saves.

Environment: BENCH_LETTERS (default 500) and BENCH_LETTERS_SINGLE (default 50) override the sizes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from decimal import Decimal

from django.core.files.base import ContentFile

RUN_DATE = dt.date(2026, 4, 15)  # a Wednesday, no holiday
LETTERS = int(os.environ.get("BENCH_LETTERS", "500"))
SINGLE = int(os.environ.get("BENCH_LETTERS_SINGLE", "50"))


def _organization():  # type: ignore[no-untyped-def]
    from PIL import Image

    from outstanding.models import Organization
    from outstanding.services import organization_defaults_install

    organization = Organization.objects.create(
        name="Bench Brieven B.V.",
        legal_name="Bench Brieven B.V.",
        street="Keizersgracht 1",
        postal_code="1015 CJ",
        city="Amsterdam",
        kvk_number="12345678",
        vat_id="NL000099998B57",
        iban="NL91ABNA0417164300",
        email="debiteuren@bench-brieven.test",
    )
    organization_defaults_install(organization)
    from reminders.models import DunningSettings

    # switched on (the go-live gate): an organization that has not gone live prints no letters
    DunningSettings.objects.for_organization(organization).update(reminders_active=True)
    logo = io.BytesIO()
    Image.new("RGB", (600, 200), "navy").save(logo, format="PNG")
    organization.logo.save("bench-logo.png", ContentFile(logo.getvalue()), save=True)
    return organization


def _letters(organization) -> None:  # type: ignore[no-untyped-def]
    """LETTERS debtors, two overdue invoices each, one planned letter per debtor listing both."""
    from invoices.models import Debtor, Invoice
    from reminders.models import Channel, Reminder, ReminderItem, StepKind, Tone

    debtors = Debtor.objects.bulk_create(
        Debtor(
            organization=organization,
            name=f"Debiteur {n:04d} B.V.",
            contact_person="J. Jansen",
            street=f"Damrak {n + 1}",
            postal_code=f"{1000 + n % 9000:04d} AB",
            city="Amsterdam",
        )
        for n in range(LETTERS)
    )
    invoices = Invoice.objects.bulk_create(
        Invoice(
            organization=organization,
            debtor=debtor,
            number=f"2026{n:05d}{part}",
            issue_date=RUN_DATE - dt.timedelta(days=50),
            due_date=RUN_DATE - dt.timedelta(days=20),
            amount=Decimal("121.00") * (part + 1),
            open_amount=Decimal("121.00") * (part + 1),
        )
        for n, debtor in enumerate(debtors)
        for part in (0, 1)
    )
    reminders = Reminder.objects.bulk_create(
        Reminder(
            organization=organization,
            debtor=debtor,
            channel=Channel.LETTER,
            kind=StepKind.NOTICE_OF_DEFAULT,
            tone=Tone.FORMAL,
            planned_date=RUN_DATE,
            registered=n % 50 == 0,
        )
        for n, debtor in enumerate(debtors)
    )
    ReminderItem.objects.bulk_create(
        ReminderItem(
            organization=organization,
            reminder=reminder,
            invoice=invoice,
            step_kind=StepKind.NOTICE_OF_DEFAULT,
            step_day=17,
            channel=Channel.LETTER,
            open_amount=invoice.open_amount,
        )
        for reminder, pair in zip(reminders, zip(invoices[::2], invoices[1::2], strict=True), strict=True)
        for invoice in pair
    )


class Timer:
    """Wall-clock and CPU seconds of this process: on a busy machine the CPU figure is the steadier one."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def per(self, count: int) -> str:
        each = f"{self.wall / count:.3f} / {self.cpu / count:.3f} s per letter"
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU ({each})"


def _single_versus_batched(organization) -> list[str]:  # type: ignore[no-untyped-def]
    import weasyprint
    from django.template.loader import render_to_string

    from reminders.channels import letter as layout
    from reminders.models import Reminder
    from reminders.rendering import render_reminder

    reminders = list(
        Reminder.objects.for_organization(organization).select_related("debtor", "organization").order_by("pk")[:SINGLE]
    )
    built = [
        layout.letter_build(reminder=r, message=render_reminder(r, today=RUN_DATE), date=RUN_DATE) for r in reminders
    ]
    with Timer() as batched:
        layout.letters_pdf(built, organization=organization)
    with Timer() as single:
        for letter in built:
            layout.letters_pdf([letter], organization=organization)
    with Timer() as naive:  # what one document per letter costs when every document parses the stylesheet again
        for letter in built:
            html = layout.letters_html([letter], organization=organization)
            css = weasyprint.CSS(string=render_to_string("reminders/letter/letter.css"))
            weasyprint.HTML(string=html, url_fetcher=layout.LocalFilesOnly()).write_pdf(stylesheets=[css])
    return [
        f"{SINGLE} letters as one document: {batched.per(SINGLE)}",
        f"{SINGLE} letters as {SINGLE} documents (stylesheet parsed once): {single.per(SINGLE)}",
        f"{SINGLE} letters as {SINGLE} documents (stylesheet parsed each time): {naive.per(SINGLE)}",
        f"one document is {single.cpu / batched.cpu:.1f}x (CPU) faster than one per letter, "
        f"{naive.cpu / batched.cpu:.1f}x faster than one per letter with the stylesheet parsed each time",
    ]


def run() -> list[str]:
    import logging

    from reminders.models import Reminder
    from reminders.services import letters

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # one progress line per page otherwise
    organization = _organization()
    _letters(organization)
    # A worker prints many batches: its first document pays for the stylesheet and the fonts once.
    with Timer() as warm:
        letters.letter_preview_pdf(reminder=Reminder.objects.for_organization(organization).first(), date=RUN_DATE)
    lines = [f"first letter of a process (stylesheet, fonts): {warm.wall:.2f} s"]
    with Timer() as timer:
        batch = letters.letter_batch_create(organization=organization, date=RUN_DATE)
    assert batch is not None and batch.letter_count == LETTERS, "every letter should be in the batch"
    size = batch.pdf.size / 1_000_000
    lines += [
        f"batch of {LETTERS} letters (render + layout + one PDF + one per letter + mark printed): {timer.per(LETTERS)}",
        f"= {LETTERS / timer.wall:.1f} letters/s wall ({LETTERS / timer.cpu:.1f} per CPU second), PDF {size:.1f} MB",
    ]
    return lines + _single_versus_batched(organization)
