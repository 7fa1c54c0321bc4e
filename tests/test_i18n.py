"""The Dutch catalog: complete, faithful to its placeholders, compiled, and what a Dutch visitor sees.

The .po file is read with a small parser of our own (polib is not a dependency): entries are
blocks of ``msgctxt``/``msgid``/``msgid_plural``/``msgstr[n]`` lines with continuation strings.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import DebtorFactory, InvoiceFactory

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# What a translation must carry over unchanged: %-placeholders (named or not), template variables
# and tags as the rendering and {% blocktranslate %} see them, and HTML tags.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s, %(count)d
    r"|%[sdifr]"  # %s, %d
    r"|\{\{.*?\}\}|\{%.*?%\}"  # {{ debtor.name }}, {% if portal_url %}
    r"|</?[a-zA-Z%][^>]*>"  # <a href="...">, </a>, <%(tag)s>
)
LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    def pairs(self) -> list[tuple[str, str]]:
        """(source, translation) per form: msgstr[0] renders msgid, every other form msgid_plural."""
        if self.msgid_plural is None:
            return [(self.msgid or "", self.msgstr.get(0, ""))]
        return [(self.msgid if n == 0 else self.msgid_plural, text) for n, text in sorted(self.msgstr.items())]


def parse_po(text: str) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included; comments and obsolete (#~) lines are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current is not None and current.msgid is not None:
                entries.append(current)
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := LINE.match(line):
            keyword, index, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[target[1]] = value
            else:
                target = (keyword, None)
                setattr(current, keyword, value)
        elif line.startswith('"') and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
        else:
            raise ValueError(f"line {number}: cannot read {raw!r}")
    if current is not None and current.msgid is not None:
        entries.append(current)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return [entry for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if entry.msgid]


def describe(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


# --- the catalog ---------------------------------------------------------------------------------


def test_the_parser_reads_plural_forms_continuations_and_flags() -> None:
    sample = (
        '#, fuzzy, python-format\nmsgid ""\n"%(count)d invoice"\nmsgid_plural "%(count)d invoices"\n'
        'msgstr[0] "%(count)d "\n"factuur"\nmsgstr[1] ""\n\nmsgid "Open"\nmsgstr "Openstaand"\n'
    )
    first, second = parse_po(sample)
    assert (first.msgid, first.msgid_plural, first.msgstr) == (
        "%(count)d invoice",
        "%(count)d invoices",
        {0: "%(count)d factuur", 1: ""},
    )
    assert first.flags == {"fuzzy", "python-format"}
    assert (second.msgid, second.msgstr) == ("Open", {0: "Openstaand"})


def test_the_catalog_is_dutch_with_the_dutch_plural_rule() -> None:
    header = next(entry for entry in parse_po(PO_FILE.read_text(encoding="utf-8")) if entry.msgid == "")
    assert "Language: nl\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_the_catalog_has_hundreds_of_entries(entries) -> None:
    # Guards the checks below against passing on an empty or unreadable file.
    assert len(entries) > 500


def test_every_entry_is_translated(entries) -> None:
    untranslated = [describe(entry) for entry in entries if not all(text for _, text in entry.pairs())]
    assert untranslated == []


def test_every_plural_entry_has_both_dutch_forms(entries) -> None:
    incomplete = [describe(entry) for entry in entries if entry.msgid_plural and sorted(entry.msgstr) != [0, 1]]
    assert incomplete == []


def test_no_entry_is_fuzzy(entries) -> None:
    assert [describe(entry) for entry in entries if "fuzzy" in entry.flags] == []


def test_every_placeholder_of_a_msgid_is_in_its_translation(entries) -> None:
    lost = [
        f"{describe(entry)} lacks {sorted(set(PLACEHOLDER.findall(source)) - set(PLACEHOLDER.findall(text)))}"
        for entry in entries
        for source, text in entry.pairs()
        if set(PLACEHOLDER.findall(source)) - set(PLACEHOLDER.findall(text))
    ]
    assert lost == []


def test_no_translation_brings_a_placeholder_of_its_own(entries) -> None:
    # A %(name)s the code does not pass raises KeyError at runtime; a {{ x }} renders empty.
    invented = [
        describe(entry)
        for entry in entries
        for source, text in entry.pairs()
        if set(PLACEHOLDER.findall(text)) - set(PLACEHOLDER.findall(source))
    ]
    assert invented == []


def test_the_compiled_catalog_holds_every_translation_of_the_po_file(entries) -> None:
    """Catches a .po edited without running compilemessages: Django only reads the .mo."""
    with MO_FILE.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            compiled = [catalog.gettext(key)]
        else:
            compiled = [catalog.ngettext(key, entry.msgid_plural, 1), catalog.ngettext(key, entry.msgid_plural, 2)]
        if compiled != [text for _, text in entry.pairs()]:
            stale.append(describe(entry))
    assert stale == []


# --- what a visitor sees ---------------------------------------------------------------------------


def test_the_login_page_is_dutch_for_a_dutch_browser(client: Client) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in page
    assert "Naar de inhoud" in page
    assert "Skip to content" not in page


def test_the_login_page_is_english_for_an_english_browser(client: Client) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert "Skip to content" in page
    assert "Naar de inhoud" not in page


def test_a_browser_that_states_no_language_gets_dutch(client: Client) -> None:
    assert "Naar de inhoud" in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "nl",
            ["Overzicht", "Openstaand", "Vervallen", "Debiteuren met openstaande facturen", "2 facturen"],
            "Overdue",
        ),
        ("en", ["Overview", "Open", "Overdue", "Debtors with open invoices", "2 invoices"], "Vervallen"),
    ],
)
def test_the_organization_home_speaks_the_language_of_the_browser(
    org_a, viewer_client: Client, language: str, expected: list[str], absent: str
) -> None:
    InvoiceFactory.create_batch(2, debtor=DebtorFactory(organization=org_a.organization))
    page = viewer_client.get(
        reverse("organization_home", kwargs={"org_id": org_a.organization.public_id}),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    assert [text for text in expected if text not in page] == []
    assert absent not in page
