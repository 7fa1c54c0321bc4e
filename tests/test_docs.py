"""The project's documentation lives in the project: every relative link in it points to a file of the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
DOCUMENTS = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")])

# [text](target) and [text](target "title"); images too.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# `docs/connectors.md` or `../shared/DESIGN.md`: a document named in code style is a reference too.
CODE_SPAN = re.compile(r"`([^`\s]+)`")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def broken_references(text: str, document: Path) -> list[str]:
    """The relative references in ``text`` (of ``document``) that point outside the repository or to nothing."""
    candidates = [
        (target, [document.parent / target.split("#")[0]])
        for target in LINK.findall(text)
        if not EXTERNAL.match(target)
    ]
    # A path in code style is written from the repository root or from the document itself.
    candidates += [
        (span, [ROOT / span, document.parent / span])
        for span in CODE_SPAN.findall(text)
        if span.endswith(".md") or span.startswith("../")
    ]
    return [target for target, places in candidates if not any(map(_is_in_repository, places))]


def _is_in_repository(path: Path) -> bool:
    resolved = path.resolve()
    return resolved.is_relative_to(ROOT) and resolved.exists()


def test_there_is_documentation_to_check() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in DOCUMENTS}
    assert {"README.md", "docs/architecture.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_a_file_in_the_repository(document: Path) -> None:
    assert broken_references(document.read_text(encoding="utf-8"), document) == []


def test_the_readme_points_to_the_architecture_document() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "../shared" not in readme


def test_a_reference_outside_the_repository_or_to_nothing_is_caught() -> None:
    text = (
        "See `../shared/DESIGN.md`, [the design](../../shared/DESIGN.md), [setup](../README.md#configuration), "
        "`docs/connectors.md`, [missing](missing.md), [the site](https://example.test/x.md) and [up](#top)."
    )
    assert broken_references(text, ROOT / "docs" / "example.md") == [
        "../../shared/DESIGN.md",
        "missing.md",
        "../shared/DESIGN.md",
    ]
