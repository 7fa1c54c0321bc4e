"""The API does what its schema says: schemathesis, every check, positive and negative data.

Every operation of the OpenAPI document is fuzzed through the real WSGI application (real
PostgreSQL, the test's transaction) with a bounded number of examples per operation and mode, so
the run stays well under a minute. Failures are collected, not raised at the first one, so the
message names every operation that broke and the run prints its figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from collection.services import dossier_open
from outstanding.api.schema import CODES_BEYOND_SCHEMA, RULES_BEYOND_SCHEMA
from outstanding.calendar import local_today
from outstanding.wsgi import application
from tests.api_clients import api_key_for
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION_AND_MODE = 20


@dataclass
class Run:
    operations: int = 0
    examples: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)

    def record(self, label: str, exc: BaseException, answer: str) -> None:
        found = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
        for failure in found:
            self.failures.setdefault(label, []).append(f"{' '.join(str(failure).split())[:300]} → {answer}")


@pytest.fixture
def generous_limits(settings) -> None:  # type: ignore[no-untyped-def]
    """Thousands of requests from one key and one address: the limits are tested elsewhere."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key_burst": "100000/second", "api_key_sustained": "100000/minute"},
    }
    settings.API_FAILED_AUTH_RATE = "100000/minute"
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def connection_kept() -> Any:
    """Requests through the WSGI app must not close the test's connection (its transaction), as
    Django's own test client arranges too."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _path_ids(org: Tenant) -> dict[str, str]:
    """Real ids for the detail operations, so they are exercised beyond 404."""
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=org.organization))
    payment = PaymentFactory(invoice=invoice)
    dossier = dossier_open(
        organization=org.organization, debtor=invoice.debtor, invoices=[InvoiceFactory(debtor=invoice.debtor)],
        today=local_today(org.organization.time_zone), origin="api",
    )  # fmt: skip
    return {"debtors": str(invoice.debtor.public_id), "invoices": str(invoice.public_id),
            "payments": str(payment.public_id), "dossiers": str(dossier.public_id)}  # fmt: skip


@schemathesis.check
def positive_data_accepted_or_refused_by_a_documented_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, except that a 400 is fine when it names only rules the
    schema's description lists as checked beyond the schema (across fields, against the database)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return positive_data_acceptance(ctx, response, case)
    error = response.json().get("error", {})
    if error.get("code") in CODES_BEYOND_SCHEMA:
        return None
    fields = set(error.get("details", {}))
    if error.get("code") == "validation_error" and fields and fields <= set(RULES_BEYOND_SCHEMA):
        return None
    raise AssertionError(f"schema-valid request refused for a rule the schema does not state: {error}")


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], ids: dict[str, str], run: Run) -> None:
    resource = operation.path.split("/")[3]
    path_parameters = {"id": ids[resource]} if "{id}" in operation.path and resource in ids else None

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is recorded as found
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def example(case: Any) -> None:
        run.examples += 1
        response = case.call(headers=headers)
        label = f"{operation.method.upper()} {operation.path} ({mode.value})"
        answer = f"{response.status_code} {response.text[:300]}"
        try:
            case.validate_response(
                response,
                headers=headers,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[positive_data_accepted_or_refused_by_a_documented_rule],
                transport_kwargs={"headers": headers},
            )
        except (FailureGroup, Failure) as exc:
            run.record(label, exc, answer)

    example()


def test_the_api_does_what_its_schema_says(generous_limits, connection_kept, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    headers = {"Authorization": f"Bearer {api_key_for(org_a.organization)[1]}", "Accept-Language": "en"}
    ids = _path_ids(org_a)
    run = Run()
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers, ids, run)

    failed = sum(len(messages) for messages in run.failures.values())
    print(f"schemathesis: {run.operations} operations, {run.examples} examples, {failed} failures")
    report = "\n".join(f"{label}: {len(messages)}x {messages[:3]}" for label, messages in run.failures.items())
    assert run.failures == {}, report
