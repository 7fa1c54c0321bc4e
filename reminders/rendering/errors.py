"""Why a tenant's text does not compile, in the creditor's language and with the line it is on.

Django's ``TemplateSyntaxError`` speaks English to template authors ("Unclosed tag on line 1: 'if'.
Looking for one of: elif, else, endif."). The template editor is used in Dutch by people who never
saw a Django template, so :func:`template_error_message` turns the common errors into one translated
sentence that names the line and what to type; anything else falls back to a translated sentence
that quotes Django's text. :func:`unbalanced_braces` finds what Django does not report at all: a
``{{`` or ``{%`` that is never closed (or a closing ``}}`` that was never opened) is plain text to
Django's lexer and would reach the debtor as it was typed. :func:`render_limit_message` explains a
render that went over one of its limits (:mod:`reminders.rendering.limits`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.template import TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reminders.rendering.limits import LimitKind, RenderLimitExceeded

CONTROL_CHARACTER = "The text contains a control character that is not allowed."

_UNCLOSED = re.compile(r"^Unclosed tag on line \d+: '(?P<tag>[^']*)'\. Looking for one of: (?P<ends>.*)\.$")
_UNEXPECTED = re.compile(r"^Invalid block tag on line \d+: '(?P<tag>[^']*)', expected (?P<expected>.*?)\. Did you")
_UNKNOWN_TAG = re.compile(r"^Invalid block tag on line \d+: '(?P<tag>[^']*)'\. Did you")
_UNKNOWN_FILTER = re.compile(r"^Invalid filter: '(?P<name>[^']*)'")
_BAD_PLACEHOLDER = re.compile(
    r"^(?:Could not parse the remainder|Could not parse some characters|Could not find variable)"
)
_EMPTY_PLACEHOLDER = re.compile(r"^Empty variable tag on line \d+")
_EMPTY_TAG = re.compile(r"^Empty block tag on line \d+")
_UNDERSCORE = re.compile(r"^Variables and attributes may not begin with underscores: '(?P<name>[^']*)'")
_FILTER_ARGUMENTS = re.compile(r"^(?P<name>\w+) requires \d+ arguments?, \d+ provided")
_BAD_CONDITION = re.compile(r"^(?:.* in if tag\.|Unused .* at end of if expression\.)$")
_BAD_LOOP = re.compile(r"^'for' (?:statements|tag)")
_BAD_WITH = re.compile(r"^(?:'with' expected|Unknown argument for 'with')")
_LINE = re.compile(r"\bon line (\d+)\b")
_QUOTED = re.compile(r"'([^']+)'")

OPENERS = ("{{", "{%", "{#")
CLOSERS = {"}}": "{{", "%}": "{%", "#}": "{#"}


def template_error_message(exc: TemplateSyntaxError) -> str:
    """One sentence in the active language for a template that does not compile, with its line number."""
    message = str(exc.args[0]) if exc.args else str(exc)
    if message == CONTROL_CHARACTER:
        return _("The text contains a control character that is not allowed")
    line = _line_of(exc, message)
    for pattern, explain in _EXPLANATIONS:
        match = pattern.match(message)
        if match:
            return explain(match, line, _token_text(exc))
    if line is None:
        return _("The text cannot be read (%(error)s)") % {"error": message}
    return _("Line %(line)d cannot be read (%(error)s)") % {"line": line, "error": message}


def render_limit_message(exc: RenderLimitExceeded) -> str:
    """What went over which limit, in the active language, and what to change (no full stop: it is
    part of a sentence)."""
    decimals = 1 if exc.kind == LimitKind.TIME else 0
    limit = number_format(exc.limit, decimal_pos=decimals, force_grouping=True)
    values = {"limit": limit, "filter": exc.filter_name}
    if exc.kind == LimitKind.ITERATIONS:
        return (
            _("its loops repeat more than %(limit)s times in all; loop over fewer items or nest fewer loops") % values
        )
    if exc.kind == LimitKind.OUTPUT:
        return _("it grows longer than %(limit)s characters; shorten it or repeat less") % values
    if exc.kind == LimitKind.TIME:
        return _("filling it in takes longer than %(limit)s seconds; simplify its loops and filters") % values
    if exc.kind == LimitKind.ARGUMENT:
        return _("the filter |%(filter)s accepts at most %(limit)s here") % values
    return _("the filter |%(filter)s makes a value longer than %(limit)s characters") % values


def unbalanced_braces(source: str) -> str | None:
    """The first ``{{``/``{%``/``{#`` without its closing pair, or closing pair without its opening, or ``None``."""
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.TEXT:
            continue
        found = _first_brace(token.contents)
        if found is not None:
            position, brace = found
            line = (token.lineno or 1) + token.contents[:position].count("\n")
            fragment = token.contents[position:].split("\n", 1)[0][:40].strip()
            return _unbalanced_message(brace, line, fragment)
    return None


def _first_brace(text: str) -> tuple[int, str] | None:
    positions = [(text.find(brace), brace) for brace in (*OPENERS, *CLOSERS)]
    found = [(position, brace) for position, brace in positions if position >= 0]
    return min(found) if found else None


def _unbalanced_message(brace: str, line: int, fragment: str) -> str:
    if brace in CLOSERS:
        return _("Line %(line)d: “%(closing)s” has no “%(opening)s” before it") % {
            "line": line,
            "closing": brace,
            "opening": CLOSERS[brace],
        }
    closing = {opening: closing for closing, opening in CLOSERS.items()}[brace]
    return _("Line %(line)d: “%(fragment)s” is not closed with “%(closing)s”") % {
        "line": line,
        "fragment": fragment,
        "closing": closing,
    }


def _line_of(exc: TemplateSyntaxError, message: str) -> int | None:
    token = getattr(exc, "token", None)  # the parser attaches the token it stopped at, debug or not
    if token is not None and getattr(token, "lineno", None):
        return int(token.lineno)
    match = _LINE.search(message)
    return int(match.group(1)) if match else None


def _token_text(exc: TemplateSyntaxError) -> str:
    token = getattr(exc, "token", None)
    return str(getattr(token, "contents", "") or "").strip()


def _with_line(line: int | None, text: str) -> str:
    if line is None:
        return text
    return _("Line %(line)d: %(problem)s") % {"line": line, "problem": text}


def _unclosed(match: re.Match[str], line: int | None, token: str) -> str:
    end = [part.strip() for part in match["ends"].split(",")][-1]
    return _with_line(line, _("{%% %(tag)s %%} is not closed; add {%% %(end)s %%}") % {"tag": match["tag"], "end": end})


def _unexpected(match: re.Match[str], line: int | None, token: str) -> str:
    """A closing tag where another block must close first, or an unknown tag inside a block."""
    tag, expected = match["tag"], _QUOTED.findall(match["expected"])
    if not (tag.startswith("end") or tag in ("else", "elif", "empty")) or not expected:
        return _unknown_tag(match, line, token)
    return _with_line(line, _("add {%% %(end)s %%} before {%% %(tag)s %%}") % {"tag": tag, "end": expected[-1]})


def _unknown_tag(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("{%% %(tag)s %%} does not exist in these texts") % {"tag": match["tag"]})


def _unknown_filter(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("the filter |%(name)s does not exist") % {"name": match["name"]})


def _bad_placeholder(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("{{ %(placeholder)s }} is not a valid placeholder") % {"placeholder": token})


def _empty_placeholder(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("an empty placeholder {{ }}"))


def _empty_tag(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("an empty tag {%% %%}") % {})


def _underscore(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("a placeholder cannot start with an underscore (%(name)s)") % {"name": match["name"]})


def _filter_arguments(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(
        line, _("the filter |%(name)s has too many or too few values after the colon") % {"name": match["name"]}
    )


def _bad_condition(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("the condition in {%% %(tag)s %%} cannot be read") % {"tag": token})


def _bad_loop(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("write a loop as {%% for item in list %%} … {%% endfor %%}") % {})


def _bad_with(match: re.Match[str], line: int | None, token: str) -> str:
    return _with_line(line, _("write {%% with name=value %%} … {%% endwith %%}") % {})


_EXPLANATIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int | None, str], str]], ...] = (
    (_UNCLOSED, _unclosed),
    (_UNEXPECTED, _unexpected),
    (_UNKNOWN_TAG, _unknown_tag),
    (_UNKNOWN_FILTER, _unknown_filter),
    (_BAD_PLACEHOLDER, _bad_placeholder),
    (_EMPTY_PLACEHOLDER, _empty_placeholder),
    (_EMPTY_TAG, _empty_tag),
    (_UNDERSCORE, _underscore),
    (_FILTER_ARGUMENTS, _filter_arguments),
    (_BAD_CONDITION, _bad_condition),
    (_BAD_LOOP, _bad_loop),
    (_BAD_WITH, _bad_with),
)
