"""A web request skips Django's connection health check only when its connection answered another
request a moment ago (outstanding.middleware.RecentConnectionMiddleware); after a pause it checks.

The test client leaves Django's per-request connection handling out; ``close_old_connections`` is
called around each request here as the WSGI handler does for every request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import close_old_connections, connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

# Autocommit, as a web request runs.
pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return HttpResponse(str(cursor.fetchone()[0]))


urlpatterns = [path("pid/", backend_pid)]


@pytest.fixture
def site(settings) -> Iterator[Client]:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = __name__
    settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.close()  # a connection opened with health checks on
    yield Client(raise_request_exception=False)
    connection.close()


def get(client: Client, url: str) -> HttpResponse:
    """One request as the WSGI handler serves it: old connections looked at before and after."""
    close_old_connections()
    try:
        return client.get(url)  # type: ignore[return-value]
    finally:
        close_old_connections()


def terminate(pid: int) -> None:
    """What a database restart or a proxy's idle timeout does to the connection."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_after_a_pause_the_check_finds_a_dropped_connection_and_the_request_answers(site: Client, settings) -> None:
    settings.DATABASE_RECENTLY_USED_SECONDS = 0  # every request counts as after a pause
    pid = int(get(site, "/pid/").content)
    terminate(pid)

    response = get(site, "/pid/")

    assert response.status_code == 200 and int(response.content) != pid  # checked, reconnected


def test_a_connection_that_answered_a_moment_ago_is_not_checked(site: Client, settings) -> None:
    settings.DATABASE_RECENTLY_USED_SECONDS = 60
    pid = int(get(site, "/pid/").content)
    terminate(pid)

    # Not checked: the request finds the connection gone, as a request running at that moment would.
    assert get(site, "/pid/").status_code == 500
    # The error closed it: the next request opens a new one.
    response = get(site, "/pid/")
    assert response.status_code == 200 and int(response.content) != pid
