"""The sandbox tenant-editable texts are compiled and rendered in.

A tenant's template is untrusted input that runs on our servers and ends up in e-mails and letters.
So it gets its own :class:`django.template.Engine`:

- no loaders: ``{% include %}`` and ``{% extends %}`` do not exist (the loader tags are not installed);
- no tag libraries: ``{% load %}`` does not exist, ``libraries`` is empty;
- HTML is escaped: the whole rendered text, so neither a debtor called ``<script>`` nor markup typed
  by the tenant reaches an e-mail or a letter as markup;
- a curated set of built-in tags and filters: nothing that reaches settings, URLs, the clock,
  debug output, or that switches escaping off (``{% autoescape %}``, ``{% filter %}``, ``|safe``);
- a context of plain values only (strings, numbers, booleans, tuples and read-only mappings of
  those), built by :mod:`reminders.rendering.context`: there is no model object to walk from.

Every render runs under the limits of :mod:`reminders.rendering.limits` (loop iterations, output size,
wall-clock time, filters that multiply size): the sandbox's own parser charges each loop iteration and
each piece of written text to the render's budget.

Unknown variables render empty; :func:`render_sandboxed` also reports their names so the editor can
warn about typos.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.template import Context, Engine, Library, Template, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Lexer, Node, NodeList, Parser, TextNode, Token, VariableNode
from django.template.defaulttags import CommentNode, CycleNode, FirstOfNode, ForNode, IfChangedNode, IfNode, WithNode
from django.utils.html import escape

from reminders.rendering.errors import CONTROL_CHARACTER
from reminders.rendering.limits import (
    MESSAGE_LIMITS,
    CountedValues,
    RenderBudget,
    RenderLimits,
    bounded_filter,
    budget_in_use,
)

# Control flow only. Left out on purpose: autoescape, filter, verbatim (they can switch off escaping),
# load, url, csrf_token, debug, now (the clock is not a template's business), lorem, regroup,
# widthratio, querystring, spaceless, templatetag.
ALLOWED_TAGS = ("comment", "cycle", "firstof", "for", "if", "ifchanged", "with")
# Left out: safe, safeseq (switch off escaping), pprint, json_script, escapejs, date/time filters
# (dates arrive formatted), random (a message must be reproducible), dictsort (arbitrary lookups),
# the *_html and urlize filters (they emit markup).
ALLOWED_FILTERS = (
    "add",
    "capfirst",
    "center",
    "cut",
    "default",
    "default_if_none",
    "divisibleby",
    "first",
    "join",
    "last",
    "length",
    "ljust",
    "lower",
    "make_list",
    "pluralize",
    "rjust",
    "slice",
    "stringformat",
    "striptags",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "wordwrap",
    "yesno",
)

UNKNOWN_MARK = "\x1a"
_UNKNOWN = re.compile(UNKNOWN_MARK + r"([^" + UNKNOWN_MARK + r"]*)" + UNKNOWN_MARK)


def _sandbox_library() -> Library:
    library = Library()
    for name in ALLOWED_TAGS:
        library.tags[name] = defaulttags.register.tags[name]
    for name in ALLOWED_FILTERS:
        library.filters[name] = bounded_filter(name, defaultfilters.register.filters[name])
    return library


SANDBOX_LIBRARY = _sandbox_library()


class SandboxEngine(Engine):
    """An engine that knows only :data:`SANDBOX_LIBRARY`: no loaders, no libraries, no loader tags."""

    def __init__(self) -> None:
        super().__init__(
            dirs=[],
            app_dirs=False,
            loaders=[],
            libraries={},
            builtins=[],
            autoescape=False,  # plain text out; HTML escapes the whole output (render_sandboxed)
            # Unknown variables leave a marker that render_sandboxed() collects and removes.
            string_if_invalid=UNKNOWN_MARK + "%s" + UNKNOWN_MARK,
            debug=False,
        )

    def get_template_builtins(self, builtins: list[str]) -> list[Library]:
        # Engine adds django's default builtins (including the loader tags); none of them here.
        return [SANDBOX_LIBRARY]


ENGINE = SandboxEngine()


@dataclass(frozen=True)
class SandboxResult:
    output: str
    unknown_variables: tuple[str, ...]


# "Bakkerij B.V." at the end of a sentence would read "B.V.."; an ellipsis stays as it is.
_DOUBLE_STOP = re.compile(r"(?<=\w\.)\.(?!\.)")


def budget_of(context: Context) -> RenderBudget:
    """The budget :func:`render_sandboxed` attached to ``context``; a render that did not come through it
    gets the message limits all the same, so a sandbox template never runs unbounded."""
    budget = getattr(context, "render_budget", None)
    if budget is None:
        budget = context.render_budget = RenderBudget(MESSAGE_LIMITS)  # type: ignore[attr-defined]
    return budget


class _Charged:
    """Mixed into the nodes that write text: what they write counts against the render's output size."""

    # render_annotated, not render: NodeList and ForNode call it, and TextNode's skips render().
    def render_annotated(self, context: Context) -> str:
        output = super().render_annotated(context)  # type: ignore[misc]
        budget_of(context).write(len(output))
        return output


class _ChargedTextNode(_Charged, TextNode):
    pass


class _ChargedVariableNode(_Charged, VariableNode):
    pass


class _ChargedCycleNode(_Charged, CycleNode):
    pass


class _ChargedFirstOfNode(_Charged, FirstOfNode):
    pass


_CHARGED: dict[type[Node], type[Node]] = {
    TextNode: _ChargedTextNode,
    VariableNode: _ChargedVariableNode,
    CycleNode: _ChargedCycleNode,
    FirstOfNode: _ChargedFirstOfNode,
}
# Nodes that write nothing themselves: only what their children write (charged there) or nothing.
_CONTAINERS = (ForNode, IfNode, WithNode, IfChangedNode, CommentNode)


class _CountedSequence:
    """Stands in for a ``{% for %}`` loop's sequence: the values come out counted (CountedValues)."""

    def __init__(self, sequence: Any) -> None:
        self.sequence = sequence

    def resolve(self, context: Context, ignore_failures: bool = False) -> CountedValues | None:
        values = self.sequence.resolve(context, ignore_failures=ignore_failures)
        if values is None:
            return None
        if not hasattr(values, "__len__"):
            values = list(values)  # what ForNode itself does with an iterator
        return CountedValues(values, budget_of(context))

    def __str__(self) -> str:
        return str(self.sequence)


class _SandboxParser(Parser):
    """Django's parser, with every node it adds made to charge the render's budget."""

    def extend_nodelist(self, nodelist: NodeList, node: Node, token: Token) -> None:
        super().extend_nodelist(nodelist, _charging(node), token)


def _charging(node: Node) -> Node:
    if isinstance(node, ForNode) and not isinstance(node.sequence, _CountedSequence):
        node.sequence = _CountedSequence(node.sequence)  # type: ignore[assignment]
    elif type(node) in _CHARGED:
        # The charged classes wrap render_annotated() around the same state: switching the class suffices.
        node.__class__ = _CHARGED[type(node)]
    elif not isinstance(node, (*_CHARGED.values(), *_CONTAINERS)):
        # Fail closed: a tag added to ALLOWED_TAGS must first be taught what it writes.
        raise TemplateSyntaxError(f"the sandbox cannot bound {type(node).__name__}")
    return node


class SandboxTemplate(Template):
    """A template compiled by :class:`_SandboxParser` (the engine never runs in debug mode)."""

    def compile_nodelist(self) -> NodeList:
        tokens = Lexer(self.source).tokenize()
        parser = _SandboxParser(tokens, self.engine.template_libraries, self.engine.template_builtins, self.origin)
        nodelist = parser.parse()
        self.extra_data = parser.extra_data  # type: ignore[attr-defined]
        return nodelist


def compile_sandboxed(source: str) -> Template:
    """Compile ``source`` in the sandbox. Raises ``TemplateSyntaxError``; the editor explains it in the creditor's
    language with :func:`reminders.rendering.errors.template_error_message`."""
    if UNKNOWN_MARK in source:
        raise TemplateSyntaxError(CONTROL_CHARACTER)
    return SandboxTemplate(source, engine=ENGINE)


def render_sandboxed(
    source: str,
    context: Mapping[str, Any],
    *,
    html: bool = False,
    limits: RenderLimits = MESSAGE_LIMITS,
    deadline: float | None = None,
) -> SandboxResult:
    """Render ``source`` with ``context`` (plain values); with ``html`` the whole output is escaped.

    Escaping the whole output, not only the variables (what autoescape does), also escapes markup the
    tenant typed and string literals such as ``{{ x|default:"<b>" }}``, which Django treats as safe:
    a tenant text is plain text, in the e-mail and in the letter.

    The render stays within ``limits`` and, when given, ends by ``deadline`` (``time.monotonic()``);
    beyond either it raises :class:`reminders.rendering.limits.RenderLimitExceeded`.
    """
    template = compile_sandboxed(source)
    budget = RenderBudget(limits, deadline=deadline)
    render_context = Context(frozen(context), autoescape=False)
    render_context.render_budget = budget  # type: ignore[attr-defined]
    with budget_in_use(budget):
        rendered = str(template.render(render_context))
    budget.check()  # a limit hit inside an {% if %} condition, which Django turns into False
    unknown = tuple(dict.fromkeys(_UNKNOWN.findall(rendered)))
    output = _DOUBLE_STOP.sub("", _UNKNOWN.sub("", rendered))
    return SandboxResult(escape(output) if html else output, unknown)


def frozen(value: Any) -> Any:
    """A read-only copy: a template calling ``list.clear`` or ``dict.pop`` must not change what the next
    part of the same message sees. Mappings become read-only proxies, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(item) for item in value)
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"only plain values may reach a tenant template, not {type(value).__name__}")
