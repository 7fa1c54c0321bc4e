"""Flows, their steps, message templates and the reminders the dunning engine plans.

A ``Reminder`` is one message to one debtor on one channel on one day; it bundles every invoice due
for a step that day (``ReminderItem``). Rows are written first and sent after commit (an outbox), so
nothing is lost and nothing goes out twice.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from invoices.models import MONEY, Debtor, DebtorKind, Invoice
from outstanding.files import UnguessableName
from outstanding.models import Language
from outstanding.tenancy import TenantModel


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")


class StepKind(models.TextChoices):
    """Ordered from mild to severe: a bundled message takes the most severe kind of its items."""

    REMINDER = "reminder", _("Reminder")
    NOTICE_OF_DEFAULT = "notice_of_default", _("Notice of default (businesses)")
    FOURTEEN_DAY_LETTER = "fourteen_day_letter", _("14-day letter (consumers)")
    FINAL_NOTICE = "final_notice", _("Final notice")
    HAND_OVER = "hand_over", _("Hand over to collection")

    @classmethod
    def severity(cls, kind: str) -> int:
        return list(cls.values).index(kind)


class Tone(models.TextChoices):
    FRIENDLY = "friendly", _("Friendly")
    FIRM = "firm", _("Firm")
    FORMAL = "formal", _("Formal")


class FlowVariant(models.TextChoices):
    """Dynamic flow: which flow suits a debtor's payment history (see reminders.scoring)."""

    STANDARD = "standard", _("Standard")
    FRIENDLY = "friendly", _("Friendly (punctual, long-standing customers)")
    FIRM = "firm", _("Firm (chronic late payers)")
    CAREFUL = "careful", _("Careful (new customers)")


class BacklogStart(models.TextChoices):
    """Where an invoice with no earlier message starts when reminders go live."""

    GENTLE = "gentle", _("At the first step of its flow, whatever its age")
    BY_AGE = "by_age", _("Continue by age (never skipping a legal step)")


def default_send_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday


class DunningSettings(TenantModel):
    """How and when an organization's reminders go out. One row per organization."""

    send_weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        default=default_send_weekdays,
        blank=True,
        verbose_name=_("sending days"),
        help_text=_("0 = Monday … 6 = Sunday."),
    )
    min_days_between_contacts = models.PositiveSmallIntegerField(_("minimum days between two contacts"), default=3)
    dynamic_flows = models.BooleanField(_("choose the flow from payment history"), default=True)
    is_paused = models.BooleanField(_("all reminders paused"), default=False)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    payment_term_days_notice = models.PositiveSmallIntegerField(
        _("payment term in a notice of default (days)"), default=14
    )
    reply_to_email = models.EmailField(_("reply-to address"), blank=True)
    sms_sender = models.CharField(_("SMS sender name"), max_length=11, blank=True)
    # The go-live gate: nothing is planned for real until someone switched reminders on.
    reminders_active = models.BooleanField(_("reminders switched on"), default=False)
    activated_at = models.DateTimeField(_("switched on at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        "outstanding.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    backlog_start = models.CharField(
        _("backlog start"), max_length=10, choices=BacklogStart.choices, default=BacklogStart.GENTLE
    )

    class Meta:
        verbose_name = _("dunning settings")
        verbose_name_plural = _("dunning settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="dunning_settings_one_per_org")]

    def __str__(self) -> str:
        return f"Dunning settings of {self.organization_id}"


class Flow(TenantModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    debtor_kind = models.CharField(_("for"), max_length=3, choices=DebtorKind.choices)
    variant = models.CharField(_("variant"), max_length=10, choices=FlowVariant.choices, default=FlowVariant.STANDARD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["debtor_kind", "variant", "name"]
        constraints = [
            # The organization's flow for a kind of debtor and a variant: what the engine falls back on.
            models.UniqueConstraint(fields=["organization", "debtor_kind", "variant"], name="flow_kind_variant_unique"),
            models.UniqueConstraint(fields=["organization", "id"], name="flow_org_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class FlowStep(TenantModel):
    """One step of a flow: on day ``days_after_due`` (negative: before the due date) send ``kind``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps")
    days_after_due = models.SmallIntegerField(_("days after the due date"))
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices, default=StepKind.REMINDER)
    channels = ArrayField(models.CharField(max_length=10, choices=Channel.choices), verbose_name=_("channels"))
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices, default=Tone.FRIENDLY)

    class Meta:
        verbose_name = _("flow step")
        verbose_name_plural = _("flow steps")
        ordering = ["flow", "days_after_due"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "days_after_due"], name="flow_step_day_unique"),
            models.CheckConstraint(condition=Q(channels__len__gt=0), name="flow_step_has_a_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.flow}: {self.get_kind_display()} on day {self.days_after_due}"


class MessageTemplate(TenantModel):
    """The words of one step kind in one tone and language, for every channel.

    Rendered in a sandbox with plain values only (see reminders.rendering); placeholders are listed
    in the editor.
    """

    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    email_subject = models.CharField(_("e-mail subject"), max_length=200)
    email_body = models.TextField(_("e-mail text"))
    sms_body = models.TextField(_("SMS text"), max_length=480)
    letter_body = models.TextField(_("letter text"))
    phone_script = models.TextField(_("call script"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "tone", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "tone", "language"], name="message_template_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_tone_display()} / {self.language}"


class ReminderStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENDING = "sending", _("Sending")
    PRINTED = "printed", _("In print batch, not yet posted")
    SENT = "sent", _("Sent")
    LOGGED = "logged", _("Logged")
    FAILED = "failed", _("Failed, will retry")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(TenantModel):
    """One message to one debtor on one channel, planned for one day, listing every invoice in it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The engine inserts reminders and items by the thousand and every foreign key costs a check at
    # commit. The composite key (organization, debtor) → debtor (reminders 0002) already proves both
    # the debtor and its organization exist, so the two single-column constraints are left out. The
    # debtor is indexed by the (debtor, channel, planned_date) unique constraint below.
    organization = models.ForeignKey(
        "outstanding.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_constraint=False,
        db_index=False,  # covered by the (organization, planned_date) index
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="reminders", db_index=False, db_constraint=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices, default=Tone.FRIENDLY)
    planned_date = models.DateField(_("planned for"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The legal sending day: the day an e-mail went out, or the day a letter's batch was posted.
    sent_date = models.DateField(_("sent on"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What went out, as rendered at sending time (the record of what the debtor received).
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    provider_reference = models.CharField(max_length=200, blank=True)
    total_open_amount = models.DecimalField(_("total open"), null=True, blank=True, **MONEY)
    # Letters
    registered = models.BooleanField(_("registered mail (aangetekend)"), default=False)
    pdf = models.FileField(_("PDF"), upload_to=UnguessableName("private/letters"), blank=True)
    letter_batch = models.ForeignKey(
        "reminders.LetterBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    # 14-day letter (veertiendagenbrief, art. 6:96 lid 6 BW): the dates that decide when costs are due.
    collection_costs = models.DecimalField(_("collection costs stated"), null=True, blank=True, **MONEY)
    presumed_receipt_date = models.DateField(_("presumed receipt"), null=True, blank=True)
    term_end_date = models.DateField(_("term ends"), null=True, blank=True)
    costs_chargeable_from = models.DateField(_("costs chargeable from"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-planned_date", "-id"]
        constraints = [
            # At most one message per debtor per day per channel: the bundle.
            models.UniqueConstraint(
                fields=["debtor", "channel", "planned_date"], name="reminder_one_per_debtor_channel_day"
            ),
            models.UniqueConstraint(fields=["organization", "id"], name="reminder_org_id_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "planned_date"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.debtor_id} on {self.planned_date}"


class ReminderItem(TenantModel):
    """One invoice in a reminder, at one flow step. (invoice, step, channel) is unique: idempotency."""

    # Few indexes and constraints: the engine inserts thousands of items. Reminder and invoice are indexed
    # by the unique constraints below; the composite keys (organization, reminder) and (organization,
    # invoice) (reminders 0002) prove that both exist in the same organization, which makes the
    # single-column constraints redundant.
    organization = models.ForeignKey(
        "outstanding.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_constraint=False,
        db_index=False,  # items are looked up through their invoice or reminder
    )
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="items", db_index=False, db_constraint=False
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="reminder_items", db_index=False, db_constraint=False
    )
    # No database constraint: Django's collector nulls it when a step is deleted, and the check would
    # cost one lookup per item in the morning run.
    step = models.ForeignKey(FlowStep, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False)
    step_kind = models.CharField(max_length=20, choices=StepKind.choices)
    # The step's day at planning time: later edits to the flow do not rewrite history.
    step_day = models.SmallIntegerField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    open_amount = models.DecimalField(_("open amount then"), **MONEY)

    class Meta:
        verbose_name = _("reminder item")
        verbose_name_plural = _("reminder items")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step", "channel"], name="reminder_item_invoice_step_channel"),
            models.UniqueConstraint(fields=["reminder", "invoice"], name="reminder_item_once_per_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} in {self.reminder_id}"


class BundleReference(TenantModel):
    """The one structured payment reference (ISO 11649, "RF…") of a set of a debtor's invoices.

    A message about several invoices, and the portal's transfer block for them, ask for this reference;
    the same set gets the same reference however often it is printed or shown (one row per set), and
    the bank matcher resolves it to exactly these invoices with one read of the (organization,
    reference) index (``invoices.bank.selectors``). The reference's body has a form no invoice
    number's reference can have (``reminders.channels.letter.payment``). ``invoice_set`` is the sha256
    of the sorted public ids: the portal knows its invoices by public id and finds the row in one read.
    Rows are never changed: a later set (one invoice paid meanwhile) is another row.
    """

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("payment reference"), max_length=25, editable=False)
    invoice_ids = ArrayField(models.BigIntegerField(), editable=False)
    invoice_set = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bundle payment reference")
        verbose_name_plural = _("bundle payment references")
        constraints = [
            models.UniqueConstraint(fields=["organization", "reference"], name="bundle_reference_unique"),
            models.UniqueConstraint(fields=["organization", "invoice_set"], name="bundle_reference_one_per_set"),
        ]

    def __str__(self) -> str:
        return self.reference


class DunningRun(TenantModel):
    """One daily run of the engine for one organization: what it did, or why it failed (for staff)."""

    date = models.DateField(_("date"))
    succeeded = models.BooleanField(_("succeeded"), default=False)
    reminders_created = models.PositiveIntegerField(_("reminders created"), default=0)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dunning run")
        verbose_name_plural = _("dunning runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organization", "date"])]

    def __str__(self) -> str:
        return f"{self.date}: {self.summary or self.error[:60]}"


class LetterBatch(TenantModel):
    """The day's letters of one organization as one PDF to print (window envelopes, A4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"))
    pdf = models.FileField(_("PDF"), upload_to=UnguessableName("private/letter-batches"), blank=True)
    letter_count = models.PositiveIntegerField(_("letters"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    # Letters count as sent from the day the creditor posted them (the 14-day term runs from there).
    posted_date = models.DateField(_("posted on"), null=True, blank=True)
    posted_at = models.DateTimeField(_("marked posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        "outstanding.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Letters of {self.date}"


class CallOutcomeKind(models.TextChoices):
    REACHED = "reached", _("Reached")
    PROMISE = "promise", _("Promise to pay")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallOutcome(TenantModel):
    """What came of a phone task on the call list."""

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="call_outcomes")
    outcome = models.CharField(_("outcome"), max_length=15, choices=CallOutcomeKind.choices)
    promised_date = models.DateField(_("promised payment date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey("outstanding.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call outcome")
        verbose_name_plural = _("call outcomes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="promise") | models.Q(promised_date__isnull=False),
                name="call_promise_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.reminder_id})"


class PlanChange(models.Model):
    """A transaction that changed what the engine reads for an organization, written by triggers.

    Statement-level triggers on every table the engine reads (invoices, debtors, reminders and their
    items, flows, steps, dunning settings) add one row per (organization, transaction), whatever code
    path wrote: ORM, bulk update or raw SQL. A stored plan of the week ahead keeps the database
    snapshot it was computed in; it is current while no row here is of a transaction that snapshot
    did not see (:mod:`reminders.selectors.review`). One indexed range read, however big the
    organization. Deliberately no foreign key: the triggers also fire while an organization's rows
    are deleted with it. Old rows are removed by :func:`reminders.selectors.review.plan_changes_sweep`.
    """

    organization_id = models.BigIntegerField()
    xid = models.BigIntegerField()  # pg_current_xact_id() of the writing transaction
    at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "xid"], name="plan_change_once")]
        indexes = [models.Index(fields=["at"], name="plan_change_at")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.xid}"
