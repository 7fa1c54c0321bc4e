"""What a new organization starts with: dunning settings and flows for businesses and consumers.

Every kind of debtor gets four variants (see reminders.scoring for who gets which). Reminders are
never numbered; the consumer flows contain the 14-day letter (veertiendagenbrief) before hand-over,
the business flows a notice of default (ingebrekestelling) with an offer to make an arrangement.
"""

from __future__ import annotations

from django.db import transaction

from outstanding.models import Organization
from reminders.models import Channel, DunningSettings, Flow, FlowStep, FlowVariant, StepKind, Tone
from reminders.services.templates import message_templates_create

E, S, L, P = Channel.EMAIL, Channel.SMS, Channel.LETTER, Channel.PHONE


R, N, F14, FIN, H = (
    StepKind.REMINDER,
    StepKind.NOTICE_OF_DEFAULT,
    StepKind.FOURTEEN_DAY_LETTER,
    StepKind.FINAL_NOTICE,
    StepKind.HAND_OVER,
)


FR, FI, FO = Tone.FRIENDLY, Tone.FIRM, Tone.FORMAL


# (days after the due date, kind, channels, tone)
Step = tuple[int, str, tuple[str, ...], str]


BUSINESS_FLOWS: dict[str, tuple[str, list[Step]]] = {
    FlowVariant.STANDARD: (
        "Zakelijk",
        [
            (-3, R, (E,), FR),
            (3, R, (E,), FR),
            (10, R, (E, S), FI),
            (17, N, (E, L), FO),
            (28, FIN, (E, P), FO),
            (40, H, (E,), FO),
        ],
    ),
    FlowVariant.FRIENDLY: (
        "Zakelijk – vriendelijk",
        [
            (5, R, (E,), FR),
            (14, R, (E, S), FR),
            (24, N, (E, L), FO),
            (35, FIN, (E, P), FO),
            (50, H, (E,), FO),
        ],
    ),
    FlowVariant.FIRM: (
        "Zakelijk – streng",
        [
            (-3, R, (E,), FI),
            (1, R, (E, S), FI),
            (7, R, (E, S, P), FI),
            (12, N, (E, L), FO),
            (20, FIN, (E, P), FO),
            (30, H, (E,), FO),
        ],
    ),
    FlowVariant.CAREFUL: (
        "Zakelijk – nieuwe klant",
        [
            (-5, R, (E,), FR),
            (2, R, (E,), FR),
            (9, R, (E, P), FR),
            (16, N, (E, L), FO),
            (26, FIN, (E, P), FO),
            (40, H, (E,), FO),
        ],
    ),
}


CONSUMER_FLOWS: dict[str, tuple[str, list[Step]]] = {
    FlowVariant.STANDARD: (
        "Particulier",
        [
            (-2, R, (E,), FR),
            (3, R, (E, S), FR),
            (10, R, (E, S), FI),
            (17, F14, (L, E), FO),
            (40, H, (E,), FO),
        ],
    ),
    FlowVariant.FRIENDLY: (
        "Particulier – vriendelijk",
        [
            (5, R, (E,), FR),
            (14, R, (E, S), FR),
            (24, F14, (L, E), FO),
            (47, H, (E,), FO),
        ],
    ),
    FlowVariant.FIRM: (
        "Particulier – streng",
        [
            (-2, R, (E,), FI),
            (2, R, (E, S), FI),
            (8, R, (E, S, P), FI),
            (14, F14, (L, E), FO),
            (37, H, (E,), FO),
        ],
    ),
    FlowVariant.CAREFUL: (
        "Particulier – nieuwe klant",
        [
            (-3, R, (E,), FR),
            (3, R, (E, S), FR),
            (10, R, (E, P), FR),
            (18, F14, (L, E), FO),
            (41, H, (E,), FO),
        ],
    ),
}


@transaction.atomic
def organization_defaults_create(organization: Organization) -> None:
    """Settings, flows and message templates for a new organization. Safe to call twice."""
    DunningSettings.objects.for_organization(organization).get_or_create(organization=organization)
    for debtor_kind, flows in (("b2b", BUSINESS_FLOWS), ("b2c", CONSUMER_FLOWS)):
        for variant, (name, steps) in flows.items():
            flow, created = Flow.objects.for_organization(organization).get_or_create(
                debtor_kind=debtor_kind, variant=variant, defaults={"name": name, "organization": organization}
            )
            if created:
                FlowStep.objects.bulk_create(
                    FlowStep(
                        organization=organization,
                        flow=flow,
                        days_after_due=day,
                        kind=kind,
                        channels=list(channels),
                        tone=tone,
                    )
                    for day, kind, channels, tone in steps
                )
    message_templates_create(organization)
