"""A web request's queries stop at REQUEST_STATEMENT_TIMEOUT_MS: a plain 503, not a worker held for a
minute; the next request and the connection are unaffected. The limit is set once per connection a
web request uses and kept for the requests after it; a connection no request used has none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

# Autocommit, as a web request runs: a cancelled statement leaves the connection usable.
pytestmark = pytest.mark.django_db(transaction=True)


def slow(request: HttpRequest) -> HttpResponse:
    seconds = float(request.GET.get("seconds", "5"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return HttpResponse("done")


def slow_in_transaction(request: HttpRequest) -> HttpResponse:
    """The request's first query runs inside a transaction, which ``?fail=1`` rolls back."""
    try:
        with transaction.atomic():
            slow(request)
            if request.GET.get("fail"):
                raise RuntimeError("rolled back")
    except RuntimeError:
        return HttpResponse("rolled back")
    return HttpResponse("done")


urlpatterns = [path("slow/", slow), path("api/v1/slow/", slow), path("slow-atomic/", slow_in_transaction)]


@pytest.fixture
def slow_site(settings) -> Iterator[Client]:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = __name__
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 200
    yield Client(raise_request_exception=False)
    connection.close()  # the test's connection served "web requests": the next test starts on a fresh one


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_query_past_the_limit_answers_503_in_the_users_language(slow_site: Client) -> None:
    response = slow_site.get("/slow/", {"seconds": "3"}, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Dit duurde te lang" in response.content.decode()
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200  # the connection still works


def test_the_limit_stays_on_the_connection_for_the_next_requests(slow_site: Client) -> None:
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200
    assert statement_timeout() == "200ms"  # kept: the next request pays no round trip to set it

    assert slow_site.get("/slow/", {"seconds": "3"}).status_code == 503
    assert slow_site.get("/slow/", {"seconds": "3"}).status_code == 503


def test_a_new_connection_gets_the_limit_again(slow_site: Client) -> None:
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200
    connection.close()  # as CONN_MAX_AGE or a failed health check does

    assert slow_site.get("/slow/", {"seconds": "3"}).status_code == 503


def test_a_connection_no_request_used_has_no_limit(slow_site: Client) -> None:
    """What a worker or a command opens: the web limit is not in the connection's settings."""
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"
    finally:
        other.close()


def test_set_inside_a_transaction_it_holds_for_that_request_and_is_reset(slow_site: Client) -> None:
    assert slow_site.get("/slow-atomic/", {"seconds": "3"}).status_code == 503
    assert slow_site.get("/slow-atomic/", {"seconds": "0.01"}).content == b"done"
    assert statement_timeout() == "0"  # a rollback could have undone it unseen: not kept


def test_a_rolled_back_first_request_does_not_leave_the_next_one_without_a_limit(slow_site: Client) -> None:
    assert slow_site.get("/slow-atomic/", {"seconds": "0.01", "fail": "1"}).content == b"rolled back"

    assert slow_site.get("/slow/", {"seconds": "3"}).status_code == 503


def test_under_the_limit_the_page_answers(slow_site: Client) -> None:
    response = slow_site.get("/slow/", {"seconds": "0.05"})

    assert (response.status_code, response.content) == (200, b"done")


def test_the_api_gets_its_json_error(slow_site: Client) -> None:
    response = slow_site.get("/api/v1/slow/", {"seconds": "3"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "timeout"


def test_a_changed_limit_applies_to_the_next_request(slow_site: Client, settings) -> None:  # type: ignore[no-untyped-def]
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 1000

    assert slow_site.get("/slow/", {"seconds": "0.4"}).status_code == 200
    assert statement_timeout() == "1s"


def test_no_limit_when_switched_off(slow_site: Client, settings) -> None:  # type: ignore[no-untyped-def]
    assert slow_site.get("/slow/", {"seconds": "0.01"}).status_code == 200  # the connection had the limit
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 0

    assert slow_site.get("/slow/", {"seconds": "0.4"}).status_code == 200
    assert statement_timeout() == "0"
