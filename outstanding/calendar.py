"""The one calendar: organization-local dates and the Algemene termijnenwet (ATW).

DOMAIN.md §6. A statutory term that ends on a Saturday, Sunday or a recognised holiday moves to the
next day that is none of those. The same calendar decides "business day" for sending reminders.
The ``holidays`` package lists 5 May only in lustrum years; the ATW recognises it every year
(Algemene termijnenwet art. 3 lid 1), so the holidays are computed here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from django.utils import timezone

ONE_DAY = dt.timedelta(days=1)


def local_today(time_zone: str = "Europe/Amsterdam", now: dt.datetime | None = None) -> dt.date:
    """Today's date in the organization's time zone (legally relevant dates are local dates)."""
    return (now or timezone.now()).astimezone(ZoneInfo(time_zone)).date()


@lru_cache(maxsize=256)
def atw_holidays(year: int) -> frozenset[dt.date]:
    """Holidays recognised by the Algemene termijnenwet (art. 3) for ``year``."""
    easter_sunday = easter(year)
    kings_day = dt.date(year, 4, 27)
    if kings_day.weekday() == 6:  # a Sunday: King's Day is the Saturday before
        kings_day = dt.date(year, 4, 26)
    return frozenset(
        {
            dt.date(year, 1, 1),  # Nieuwjaarsdag
            easter_sunday - dt.timedelta(days=2),  # Goede Vrijdag
            easter_sunday + dt.timedelta(days=1),  # Tweede Paasdag
            easter_sunday + dt.timedelta(days=39),  # Hemelvaartsdag
            easter_sunday + dt.timedelta(days=50),  # Tweede Pinksterdag
            kings_day,  # Koningsdag
            dt.date(year, 5, 5),  # Bevrijdingsdag, every year under the ATW
            dt.date(year, 12, 25),
            dt.date(year, 12, 26),
        }
    )


def is_atw_holiday(day: dt.date) -> bool:
    return day in atw_holidays(day.year)


def is_business_day(day: dt.date) -> bool:
    """Not a Saturday, Sunday or ATW holiday."""
    return day.weekday() < 5 and not is_atw_holiday(day)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a business day, otherwise the first business day after it."""
    while not is_business_day(day):
        day += ONE_DAY
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    for _ in range(count):
        day = next_business_day(day + ONE_DAY)
    return day


def statutory_term_end(start: dt.date, days: int) -> dt.date:
    """Last day of a term of ``days`` days counted from the day after ``start`` (ATW art. 1 and 2).

    A term ending on a Saturday, Sunday or holiday is extended to the next business day; a term of
    three days or more is extended until it contains at least two business days.
    """
    end = next_business_day(start + dt.timedelta(days=days))
    if days >= 3:
        while sum(is_business_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1)) < 2:
            end = next_business_day(end + ONE_DAY)
    return end
