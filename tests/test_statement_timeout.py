"""A web request's queries stop at REQUEST_STATEMENT_TIMEOUT_MS: a plain 503, not a worker held for a
minute; the next request and the connection are unaffected."""

from __future__ import annotations

import pytest
from django.db import connection
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


urlpatterns = [path("slow/", slow), path("api/v1/slow/", slow)]


@pytest.fixture
def slow_site(settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = __name__
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 200
    return Client(raise_request_exception=False)


def statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_query_past_the_limit_answers_503_in_the_users_language_and_the_limit_is_reset(slow_site: Client) -> None:
    before = statement_timeout()
    response = slow_site.get("/slow/", {"seconds": "3"}, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Dit duurde te lang" in response.content.decode()
    assert statement_timeout() == before  # nothing carried over to what runs next on this connection


def test_under_the_limit_the_page_answers(slow_site: Client) -> None:
    response = slow_site.get("/slow/", {"seconds": "0.05"})

    assert (response.status_code, response.content) == (200, b"done")


def test_the_api_gets_its_json_error(slow_site: Client) -> None:
    response = slow_site.get("/api/v1/slow/", {"seconds": "3"})

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "timeout"


def test_no_limit_when_switched_off(slow_site: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_STATEMENT_TIMEOUT_MS = 0

    assert slow_site.get("/slow/", {"seconds": "0.4"}).status_code == 200
