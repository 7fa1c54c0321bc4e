"""The limits a tenant's template renders under, whatever the data: loops, output, time and filters.

A template is a small program a member (or, in the preview, any viewer) runs on our servers. Seen
without limits: ``{% for %}`` nested seven deep over ``make_list`` (10⁷ iterations, a web worker
killed after 60 s) and ``{{ "x"|ljust:100000000 }}`` (a 200 MB response). So every render gets a
:class:`RenderBudget` and the sandbox charges it as it goes:

- every loop iteration, nested loops included, counts against one total per render;
- every piece of text a node writes (literal text, a placeholder, ``cycle``, ``firstof``) counts
  against the output size;
- both checks also look at the clock: a wall-clock budget counted by the renderer itself, because a
  signal-based alarm only works in the main thread (gunicorn threads, Celery pools) and a killed
  worker loses everything it was doing;
- filters that multiply size refuse a dangerous argument *before* they allocate (padding widths,
  ``stringformat`` widths, ``join`` and ``add`` over long values, ``make_list`` of a long string), and
  no filter may return a value longer than :data:`MAX_VALUE_LENGTH`.

A limit raises :class:`RenderLimitExceeded`; :func:`reminders.rendering.errors.render_limit_message`
explains it in the reader's language. Once a budget is exceeded it stays exceeded, so a limit hit
inside an ``{% if %}`` condition (where Django swallows exceptions) still stops the render.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Callable, Iterator, Sized
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class LimitKind(StrEnum):
    ITERATIONS = "iterations"
    OUTPUT = "output"
    TIME = "time"
    ARGUMENT = "argument"  # a filter argument that would blow a value up (ljust:100000000)
    VALUE = "value"  # a filter that would make a value too long (join, add, make_list, ...)


class RenderLimitExceeded(Exception):
    """A render went over one of its limits. ``limit`` is the figure it went over (a count, characters
    or seconds); ``filter_name`` the filter that refused, for the argument and value limits."""

    def __init__(self, kind: LimitKind, *, limit: float, filter_name: str = "") -> None:
        self.kind, self.limit, self.filter_name = kind, limit, filter_name
        where = f" in |{filter_name}" if filter_name else ""
        super().__init__(f"render limit exceeded: {kind} over {limit}{where}")  # English, for logs


@dataclass(frozen=True)
class RenderLimits:
    max_iterations: int  # loop iterations over the whole render, nested loops included
    max_output: int  # characters the rendered text may have
    max_seconds: float  # wall-clock time for the render


# An e-mail text, a letter body, a call script. 25,000 iterations render in well under 0.1 s and leave
# room for a loop over every invoice of a debtor with thousands of them; 200,000 characters are some
# 60 printed pages. The time budget is per message (all its parts together, see render_message).
MESSAGE_LIMITS = RenderLimits(max_iterations=25_000, max_output=200_000, max_seconds=1.0)
# An e-mail subject (stored cut at 300 characters) and an SMS (three segments, at most 459 characters).
SHORT_LIMITS = RenderLimits(max_iterations=25_000, max_output=10_000, max_seconds=1.0)

# No filter returns a longer value than a whole message may be.
MAX_VALUE_LENGTH = MESSAGE_LIMITS.max_output
# ljust/rjust/center and stringformat widths: enough to line up columns in a plain-text e-mail.
MAX_WIDTH = 200
# make_list makes one item per character: a list to loop over, not a way to multiply the loops.
MAX_LIST_LENGTH = 1_000


class RenderBudget:
    """What one render may still spend. Shared by every node of the render through its context."""

    def __init__(self, limits: RenderLimits, *, deadline: float | None = None) -> None:
        self.limits = limits
        own_deadline = time.monotonic() + limits.max_seconds
        self.deadline = own_deadline if deadline is None else min(deadline, own_deadline)
        self.iterations = 0
        self.output = 0
        self.exceeded: RenderLimitExceeded | None = None

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            self._stop(LimitKind.ITERATIONS, self.limits.max_iterations)
        self.check()

    def write(self, characters: int) -> None:
        self.output += characters
        if self.output > self.limits.max_output:
            self._stop(LimitKind.OUTPUT, self.limits.max_output)
        self.check()

    def check(self) -> None:
        """Raise when a limit was hit earlier in this render or the time is up."""
        if self.exceeded is not None:
            raise self.exceeded
        if time.monotonic() > self.deadline:
            self._stop(LimitKind.TIME, self.limits.max_seconds)

    def _stop(self, kind: LimitKind, limit: float) -> None:
        self.exceeded = RenderLimitExceeded(kind, limit=limit)
        raise self.exceeded


# The budget of the render in progress in this thread, for the filters (Django passes them no context).
_current_budget: ContextVar[RenderBudget | None] = ContextVar("render_budget", default=None)


@contextlib.contextmanager
def budget_in_use(budget: RenderBudget) -> Iterator[RenderBudget]:
    token = _current_budget.set(budget)
    try:
        yield budget
    finally:
        _current_budget.reset(token)


class CountedValues:
    """The values a ``{% for %}`` loops over; each item taken charges one iteration to the budget."""

    def __init__(self, values: Sized, budget: RenderBudget) -> None:
        self._values = values
        self._budget = budget

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        for value in self._values:  # type: ignore[attr-defined]
            self._budget.iterate()
            yield value

    def __reversed__(self) -> Iterator[Any]:
        for value in reversed(self._values):  # type: ignore[call-overload]
            self._budget.iterate()
            yield value


# --- Filters --------------------------------------------------------------------------------------


def _refuse(kind: LimitKind, name: str, limit: int) -> None:
    exceeded = RenderLimitExceeded(kind, limit=limit, filter_name=name)
    budget = _current_budget.get()
    if budget is not None and budget.exceeded is None:
        budget.exceeded = exceeded  # remembered: Django turns an exception inside {% if %} into False
    raise exceeded


def _width(arg: Any) -> int | None:
    try:
        return int(arg)
    except (TypeError, ValueError):
        return None  # the filter itself deals with a width that is not a number


def _check_width(name: str, value: Any, arg: Any) -> None:
    width = _width(arg)
    if width is not None and width > MAX_WIDTH:
        _refuse(LimitKind.ARGUMENT, name, MAX_WIDTH)


_FORMAT_NUMBER = re.compile(r"\d+")


def _check_format(name: str, value: Any, arg: Any) -> None:
    """``stringformat:"100000000d"`` pads to 100 MB; a width or precision above MAX_WIDTH is refused."""
    if any(int(number) > MAX_WIDTH for number in _FORMAT_NUMBER.findall(str(arg))):
        _refuse(LimitKind.ARGUMENT, name, MAX_WIDTH)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else len(str(value))


def _check_add(name: str, value: Any, arg: Any) -> None:
    """Adding two texts (or lists) concatenates them: ``{% with %}`` chains would double each time."""
    sized = isinstance(value, str | list | tuple) and isinstance(arg, str | list | tuple)
    if sized and len(value) + len(arg) > MAX_VALUE_LENGTH:
        _refuse(LimitKind.VALUE, name, MAX_VALUE_LENGTH)


def _check_join(name: str, value: Any, arg: Any) -> None:
    """The separator is repeated between every two items: a long one times a long list is a bomb."""
    if not isinstance(value, str | list | tuple):
        return
    if len(value) > MAX_VALUE_LENGTH:
        _refuse(LimitKind.VALUE, name, MAX_VALUE_LENGTH)
    size = sum(_length(item) for item in value) + len(str(arg)) * max(len(value) - 1, 0)
    if size > MAX_VALUE_LENGTH:
        _refuse(LimitKind.VALUE, name, MAX_VALUE_LENGTH)


def _check_make_list(name: str, value: Any, arg: Any = None) -> None:
    if _length(value) > MAX_LIST_LENGTH:
        _refuse(LimitKind.VALUE, name, MAX_LIST_LENGTH)


ArgumentCheck = Callable[[str, Any, Any], None]

ARGUMENT_CHECKS: dict[str, ArgumentCheck] = {
    "ljust": _check_width,
    "rjust": _check_width,
    "center": _check_width,
    "stringformat": _check_format,
    "add": _check_add,
    "join": _check_join,
    "make_list": _check_make_list,
}


def bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (a Django filter) with its argument checked first and its result's length after.

    ``functools.wraps`` keeps Django's flags (``is_safe``, ``needs_autoescape``) and, through
    ``__wrapped__``, the signature Django checks the number of arguments against.
    """
    check = ARGUMENT_CHECKS.get(name)

    @functools.wraps(function)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        if check is not None:
            check(name, value, args[0] if args else None)
        result = function(value, *args, **kwargs)
        if isinstance(result, str | list | tuple) and len(result) > MAX_VALUE_LENGTH:
            _refuse(LimitKind.VALUE, name, MAX_VALUE_LENGTH)
        return result

    return bounded
