"""Lookup in dated tables: every rate and fee is a row that applies from its date until a newer row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar


class DatedRow(Protocol):
    @property
    def valid_from(self) -> dt.date: ...


RowT = TypeVar("RowT", bound=DatedRow)


def row_in_force(table: Sequence[RowT], on: dt.date | None) -> RowT:
    """The last row whose ``valid_from`` is on or before ``on``; ``None`` means the newest row.

    Tables are sorted by ``valid_from``. A date before the first row raises ``LookupError``: the law
    before that row is not modelled, and guessing a legal figure is worse than refusing.
    """
    if on is None:
        return table[-1]
    in_force = [row for row in table if row.valid_from <= on]
    if not in_force:
        raise LookupError(f"no legal figure is known for {on.isoformat()} (table starts {table[0].valid_from})")
    return in_force[-1]
