"""Staff see in the admin when the interest table misses the current half year's rates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from collection.legal import interest
from outstanding.calendar import local_today
from outstanding.models import User
from tests.factories import UserFactory
from tests.two_factor import login_with_totp, totp_activate

pytestmark = pytest.mark.django_db

WARNING = ("no rates for the half year from", "geen rentepercentages voor het halfjaar vanaf")


@pytest.fixture
def staff_client() -> Client:
    staff: User = UserFactory(email="staff@operator.test", is_staff=True, is_superuser=True)
    client = Client()
    login_with_totp(client, staff, totp_activate(staff))
    return client


def test_the_admin_says_nothing_while_the_table_has_this_half_years_row(staff_client, monkeypatch) -> None:
    today = local_today()
    this_half_year = dt.date(today.year, 1 if today.month < 7 else 7, 1)
    last = interest.INTEREST_RATES[-1]
    if last.valid_from < this_half_year:  # the real table may lag; the rule is what is tested here
        monkeypatch.setattr(
            interest, "INTEREST_RATES", (*interest.INTEREST_RATES, last._replace(valid_from=this_half_year))
        )

    page = staff_client.get("/admin/").content.decode()
    assert not any(text in page for text in WARNING)


def test_the_admin_warns_from_the_first_day_of_a_half_year_without_a_row(staff_client, monkeypatch) -> None:
    # The table as it was before the 1 July 2026 row: today (after that day) it is out of date.
    monkeypatch.setattr(interest, "INTEREST_RATES", interest.INTEREST_RATES[:-1])

    page = staff_client.get("/admin/").content.decode()

    assert any(text in page for text in WARNING)
    assert "1 juli 2026" in page or "1 July 2026" in page
