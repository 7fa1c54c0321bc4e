"""Bounded rendering (issue 8): a tenant's template cannot hold a worker, whatever it says or the data is.

Seen before: ``{% for %}`` nested seven deep over ``make_list`` (10⁷ iterations, a worker killed after
60 s) and ``{{ "x"|ljust:100000000 }}`` (a 200 MB response). Each limit is tested just below and just
past it; the save check, the preview, sending and the letter batch each refuse clearly and lose nothing.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from reminders.models import Channel, MessageTemplate, Reminder, ReminderStatus
from reminders.rendering import TemplateOverBudget, render_reminder
from reminders.rendering.context import message_language
from reminders.rendering.defaults import default_texts
from reminders.rendering.limits import (
    MAX_LIST_LENGTH,
    MAX_VALUE_LENGTH,
    MAX_WIDTH,
    MESSAGE_LIMITS,
    LimitKind,
    RenderLimitExceeded,
    RenderLimits,
)
from reminders.rendering.sandbox import render_sandboxed
from reminders.services import dispatch, letters
from reminders.services.templates import message_templates_create
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.reminders.test_template_views import REMINDER, form_data, saved, url

# Seven loops deep over ten letters: 10⁷ iterations, about a minute of CPU without limits.
LOOP_BOMB = "{% for a in word|make_list %}" * 7 + "x" + "{% endfor %}" * 7
PADDING_BOMB = '{{ "x"|ljust:100000000 }}'
# Generous: the renders below would take minutes or gigabytes; refused, they take milliseconds.
QUICKLY = 5.0
# The message limits with a clock that a busy test machine cannot run out of, to test the others alone.
ROOMY_CLOCK = RenderLimits(MESSAGE_LIMITS.max_iterations, MESSAGE_LIMITS.max_output, max_seconds=60)


def refusal(source: str, context: dict | None = None, limits: RenderLimits = MESSAGE_LIMITS) -> RenderLimitExceeded:
    with pytest.raises(RenderLimitExceeded) as caught:
        render_sandboxed(source, {"word": "abcdefghij", **(context or {})}, limits=limits)
    return caught.value


# --- The sandbox --------------------------------------------------------------------------------------


def test_seven_nested_loops_over_make_list_stop_quickly_at_the_iteration_limit() -> None:
    started = time.monotonic()
    exc = refusal(LOOP_BOMB, limits=ROOMY_CLOCK)
    assert (exc.kind, exc.limit) == (LimitKind.ITERATIONS, MESSAGE_LIMITS.max_iterations)
    assert time.monotonic() - started < QUICKLY


def test_with_the_real_limits_the_loop_bomb_stops_within_its_time_budget() -> None:
    # Iterations or the one-second clock, whichever comes first on a busy machine.
    assert refusal(LOOP_BOMB).kind in (LimitKind.ITERATIONS, LimitKind.TIME)


def test_loops_count_together_up_to_the_limit_and_not_one_further() -> None:
    limits = RenderLimits(max_iterations=110, max_output=10_000, max_seconds=5)
    ten = {"ten": tuple(range(10))}
    nested = "{% for a in ten %}{% for b in ten %}.{% endfor %}{% endfor %}"
    # 10 outer and 10 × 10 inner iterations: exactly the limit
    assert render_sandboxed(nested, ten, limits=limits).output == "." * 100
    exc = refusal(nested + "{% for c in ten|slice:':1' %}{% endfor %}", ten, limits)
    assert (exc.kind, exc.limit) == (LimitKind.ITERATIONS, 110)


def test_reversed_loops_and_loops_over_text_are_counted_too() -> None:
    limits = RenderLimits(max_iterations=10, max_output=10_000, max_seconds=5)
    assert (
        render_sandboxed(
            "{% for c in word reversed %}{{ c }}{% endfor %}", {"word": "abcdefghij"}, limits=limits
        ).output
        == "jihgfedcba"
    )
    assert (
        refusal("{% for c in word reversed %}{{ c }}{% endfor %}", {"word": "abcdefghijk"}, limits).kind
        == LimitKind.ITERATIONS
    )
    assert refusal("{% for c in word %}{% endfor %}", {"word": "abcdefghijk"}, limits).kind == LimitKind.ITERATIONS


def test_the_padding_bomb_is_refused_before_it_allocates() -> None:
    started = time.monotonic()
    exc = refusal(PADDING_BOMB)
    assert (exc.kind, exc.filter_name, exc.limit) == (LimitKind.ARGUMENT, "ljust", MAX_WIDTH)
    assert time.monotonic() - started < QUICKLY


@pytest.mark.parametrize("name", ["ljust", "rjust", "center"])
def test_padding_is_allowed_up_to_its_width_limit(name: str) -> None:
    assert len(render_sandboxed(f'{{{{ "x"|{name}:{MAX_WIDTH} }}}}', {}).output) == MAX_WIDTH
    assert refusal(f'{{{{ "x"|{name}:{MAX_WIDTH + 1} }}}}').filter_name == name


def test_a_padding_width_from_a_variable_is_bounded_too() -> None:
    assert refusal('{{ "x"|ljust:width }}', {"width": 10**8}).kind == LimitKind.ARGUMENT


def test_stringformat_cannot_pad_a_value_to_megabytes() -> None:
    assert render_sandboxed('{{ 7|stringformat:"03d" }}', {}).output == "007"
    assert refusal('{{ 7|stringformat:"100000000d" }}').filter_name == "stringformat"
    assert refusal('{{ 7|stringformat:".100000000f" }}').filter_name == "stringformat"


def test_doubling_a_text_with_add_stops_at_the_value_limit() -> None:
    doubling = "".join(f"{{% with v{n + 1}=v{n}|add:v{n} %}}" for n in range(40)) + "{{ v40|length }}"
    exc = refusal(doubling + "{% endwith %}" * 40, {"v0": "x" * 1000})
    assert (exc.kind, exc.filter_name, exc.limit) == (LimitKind.VALUE, "add", MAX_VALUE_LENGTH)


def test_a_long_separator_cannot_multiply_a_list() -> None:
    assert render_sandboxed('{{ word|make_list|join:", " }}', {"word": "abc"}).output == "a, b, c"
    exc = refusal("{{ letters|join:separator }}", {"letters": "a" * 1000, "separator": "y" * 1000})
    assert (exc.kind, exc.filter_name) == (LimitKind.VALUE, "join")


def test_make_list_is_refused_on_a_long_text() -> None:
    assert len(render_sandboxed("{{ text|make_list|length }}", {"text": "a" * MAX_LIST_LENGTH}).output) == 4
    assert refusal("{{ text|make_list }}", {"text": "a" * (MAX_LIST_LENGTH + 1)}).filter_name == "make_list"


def test_the_output_may_reach_its_limit_but_not_pass_it() -> None:
    limits = RenderLimits(max_iterations=1_000, max_output=1_000, max_seconds=5)
    chunk = {"chunk": "x" * 100, "items": tuple(range(10))}
    assert len(render_sandboxed("{% for i in items %}{{ chunk }}{% endfor %}", chunk, limits=limits).output) == 1_000
    assert refusal("{% for i in items %}{{ chunk }}{% endfor %}.", chunk, limits).kind == LimitKind.OUTPUT


def test_literal_text_in_a_loop_counts_against_the_output() -> None:
    exc = refusal(
        "{% for a in word|make_list %}{% for b in word|make_list %}" + "y" * 2_001 + "{% endfor %}{% endfor %}"
    )
    assert exc.kind == LimitKind.OUTPUT


def test_a_render_that_would_take_minutes_stops_at_its_time_budget() -> None:
    limits = RenderLimits(max_iterations=10**9, max_output=10**9, max_seconds=0.2)
    started = time.monotonic()
    exc = refusal(LOOP_BOMB, limits=limits)
    assert (exc.kind, exc.limit) == (LimitKind.TIME, 0.2)
    assert time.monotonic() - started < QUICKLY


def test_a_limit_hit_inside_a_condition_still_refuses_the_text() -> None:
    # Django turns an exception in an {% if %} condition into False; the budget remembers the refusal.
    assert refusal('{% if "x"|ljust:100000000 == "x" %}yes{% endif %}').kind == LimitKind.ARGUMENT


def test_an_ordinary_text_renders_as_before() -> None:
    source = "{% for i in items %}{% cycle 'a' 'b' %}{{ i|add:1 }}{% firstof none i %}{% endfor %} "
    source += "{{ word|upper|slice:':3' }}"
    assert render_sandboxed(source, {"items": (1, 2), "word": "abcd"}).output == "a21b32 ABC"


# --- A reminder -----------------------------------------------------------------------------------------


def _template(organization, reminder: Reminder, **texts: str) -> None:
    """The organization's template for ``reminder``, written as it was stored before the limits existed."""
    key = {"kind": reminder.kind, "tone": reminder.tone, "language": message_language(reminder.debtor.language)}
    defaults = {**default_texts(**key).__dict__, **texts}
    MessageTemplate.objects.for_organization(organization).update_or_create(
        **key, defaults=defaults, create_defaults={"organization": organization, **key, **defaults}
    )


# Harmless for a debtor with a few invoices (9 × 200 characters), 320,000 characters for one with 40.
SQUARE = "{% for a in invoices %}{% for b in invoices %}{{ b.number|ljust:200 }}{% endfor %}{% endfor %}"
OVER_SIZE = "it grows longer than 200,000 characters; shorten it or repeat less"


@pytest.fixture
def english(org_a: Tenant) -> Tenant:
    org_a.organization.default_language = "en"
    org_a.organization.save(update_fields=["default_language"])
    return org_a


def test_a_reminder_over_a_limit_names_the_part_and_the_limit(org_a: Tenant, make_reminder) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    reminder = make_reminder(debtor, invoices=tuple(InvoiceFactory.create_batch(40, debtor=debtor)))
    _template(org_a.organization, reminder, letter_body=SQUARE)

    with pytest.raises(TemplateOverBudget) as caught, translation.override("en"):
        render_reminder(reminder, today=TODAY)

    assert caught.value.part == "letter_body"
    with translation.override("en"):
        assert str(caught.value) == f"The letter text goes over a limit when it is filled in: {OVER_SIZE}"


def test_copies_of_the_invoice_table_count_against_the_output(org_a: Tenant, make_reminder) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    reminder = make_reminder(debtor, invoices=tuple(InvoiceFactory.create_batch(200, debtor=debtor)))
    _template(org_a.organization, reminder, email_body="{{ invoice_table }}\n\n{{ invoice_table }}")
    assert render_reminder(reminder, today=TODAY).email_text.count("Totaal openstaand") == 2  # two copies are fine

    _template(org_a.organization, reminder, email_body="{% for i in invoices %}{{ invoice_table }}{% endfor %}")
    with pytest.raises(TemplateOverBudget) as caught:
        render_reminder(reminder, today=TODAY)
    assert caught.value.limit.kind == LimitKind.OUTPUT


def test_one_exploding_reminder_needs_attention_and_the_batch_goes_on(
    english: Tenant, make_reminder, smtp_sink, django_capture_on_commit_callbacks
) -> None:
    organization = english.organization
    small = [DebtorFactory(organization=organization) for _ in range(3)]
    large = DebtorFactory(organization=organization)
    reminders = [make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),)) for debtor in small[:2]]
    exploding = make_reminder(large, invoices=tuple(InvoiceFactory.create_batch(40, debtor=large)))
    reminders += [exploding, make_reminder(small[2], invoices=tuple(InvoiceFactory.create_batch(3, debtor=small[2])))]
    _template(organization, exploding, email_body="Dear customer,\n\n" + SQUARE)

    with django_capture_on_commit_callbacks(execute=True):
        dispatch.reminders_enqueue([reminder.pk for reminder in reminders])  # the worker's tasks, run eagerly

    statuses = {
        reminder.pk: Reminder.objects.for_organization(organization).get(pk=reminder.pk) for reminder in reminders
    }
    assert [statuses[reminder.pk].status for reminder in reminders] == [
        ReminderStatus.SENT, ReminderStatus.SENT, ReminderStatus.NEEDS_ATTENTION, ReminderStatus.SENT,
    ]  # fmt: skip
    assert len(smtp_sink.received) == 3
    assert statuses[exploding.pk].error == (
        f"Not sent. The e-mail text goes over a limit when it is filled in: {OVER_SIZE}. "
        "Change the template, then send it again."
    )
    assert statuses[exploding.pk].attempts == 1  # not retried: the same data would explode again


def test_one_exploding_letter_needs_attention_and_the_others_are_printed(english: Tenant, make_reminder) -> None:
    organization = english.organization
    debtors = [DebtorFactory(organization=organization) for _ in range(3)]
    plain = [
        make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.LETTER)
        for debtor in debtors[:2]
    ]
    exploding = make_reminder(
        debtors[2], invoices=tuple(InvoiceFactory.create_batch(40, debtor=debtors[2])), channel=Channel.LETTER
    )
    _template(organization, exploding, letter_body="Dear customer,\n\n" + SQUARE)

    batch = letters.letter_batch_create(organization=organization, date=TODAY)

    assert batch is not None and batch.letter_count == 2
    for reminder in plain:
        reminder.refresh_from_db()
        assert (reminder.status, reminder.letter_batch_id) == (ReminderStatus.PRINTED, batch.pk)
    exploding.refresh_from_db()
    assert exploding.status == ReminderStatus.NEEDS_ATTENTION and exploding.letter_batch_id is None
    assert exploding.error == (
        f"The letter could not be rendered: The letter text goes over a limit when it is filled in: {OVER_SIZE}"
    )


def test_a_large_debtor_within_the_limits_is_sent_whole(org_a: Tenant, make_reminder) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    invoices = tuple(InvoiceFactory.create_batch(300, debtor=debtor, amount=Decimal("10.00")))
    reminder = make_reminder(debtor, invoices=invoices)
    _template(org_a.organization, reminder, email_body="{% for i in invoices %}{{ i.number }} {% endfor %}")
    message = render_reminder(reminder, today=TODAY)
    assert all(invoice.number in message.email_text for invoice in invoices)


# --- The editor and its preview ----------------------------------------------------------------------------


@pytest.fixture
def _editor(settings, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    message_templates_create(org_a.organization)


@pytest.mark.usefixtures("_editor")
@pytest.mark.parametrize(
    ("source", "explanation"),
    [
        # the iteration limit, or the one-second clock on a busy machine
        (
            LOOP_BOMB.replace("word", "debtor.name"),
            "(its loops repeat more than 25,000 times in all|filling it in takes longer than 1.0 seconds)",
        ),
        (PADDING_BOMB, r"the filter \|ljust accepts at most 200 here"),
    ],
)
def test_the_editor_refuses_a_bomb_quickly_and_keeps_the_saved_text(
    member_client: Client, org_a: Tenant, source: str, explanation: str
) -> None:
    before = saved(org_a, REMINDER).email_body
    started = time.monotonic()

    response = member_client.post(url("message_template_edit", org_a, REMINDER), form_data(REMINDER, email_body=source))

    assert time.monotonic() - started < QUICKLY
    assert response.status_code == 400
    assert re.search(f"This text goes over a limit: {explanation}", response.content.decode())
    assert saved(org_a, REMINDER).email_body == before


@pytest.mark.usefixtures("_editor")
def test_the_editor_refuses_a_text_that_only_explodes_for_a_large_debtor(member_client: Client, org_a: Tenant) -> None:
    before = saved(org_a, REMINDER).email_body

    response = member_client.post(url("message_template_edit", org_a, REMINDER), form_data(REMINDER, email_body=SQUARE))

    assert response.status_code == 400
    assert (
        f"With a debtor who has 500 open invoices and long names, this text goes over a limit: {OVER_SIZE}"
    ) in response.content.decode()
    assert saved(org_a, REMINDER).email_body == before


@pytest.mark.usefixtures("_editor")
def test_the_editor_saves_a_loop_over_the_invoices(member_client: Client, org_a: Tenant) -> None:
    loop = "{% for invoice in invoices %}{{ invoice.number }}: {{ invoice.open_amount }}\n{% endfor %}"
    response = member_client.post(url("message_template_edit", org_a, REMINDER), form_data(REMINDER, email_body=loop))
    assert response.status_code == 302
    assert saved(org_a, REMINDER).email_body == loop


@pytest.mark.usefixtures("_editor")
def test_the_editor_refuses_a_text_longer_than_twenty_thousand_characters(member_client: Client, org_a: Tenant) -> None:
    response = member_client.post(
        url("message_template_edit", org_a, REMINDER), form_data(REMINDER, letter_body="a" * 20_001)
    )
    assert response.status_code == 400
    assert "This text is too long: at most 20,000 characters." in response.content.decode()


@pytest.mark.usefixtures("_editor")
@pytest.mark.parametrize("source", [LOOP_BOMB.replace("word", "debtor.name"), PADDING_BOMB])
def test_a_viewers_preview_of_a_bomb_is_small_quick_and_explains_it(
    viewer_client: Client, org_a: Tenant, source
) -> None:
    started = time.monotonic()

    response = viewer_client.post(
        url("message_template_preview", org_a, REMINDER), form_data(REMINDER, email_body=source), HTTP_HX_REQUEST="true"
    )

    assert time.monotonic() - started < QUICKLY
    assert response.status_code == 200
    assert len(response.content) < 100_000
    assert "This text goes over a limit" in response.content.decode()
