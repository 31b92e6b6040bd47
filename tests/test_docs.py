"""The documents a newcomer reads: the README stays short and every relative link in it and in
``docs/`` leads to a file that is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", *ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")])
# [text](target) and ![alt](target); the target ends at a space (a title) or the closing bracket.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
README_MAX_LINES = 250


def relative_links(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    targets = (match.group(1) for match in LINK.finditer(text))
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_the_readme_is_short_enough_to_read_first() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(document: Path) -> None:
    broken = [t for t in relative_links(document) if not (document.parent / t.split("#")[0]).exists()]
    assert broken == [], f"{document.relative_to(ROOT)} links to missing files: {broken}"


def test_the_link_check_finds_links_and_a_broken_one(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('See [a](a.md), ![pic](img/x.png "t"), [web](https://x.org) and [top](#top).\n')
    (tmp_path / "a.md").write_text("")
    assert relative_links(page) == ["a.md", "img/x.png"]
    assert not (tmp_path / "img/x.png").exists()


# What the code may point to: its own docs. A pointer into an issue tracker or a guide kept
# elsewhere leaves the next reader with nothing to open; history belongs in CHANGELOG.md.
OUTSIDE = re.compile(r"\bissues? #?\d+|\bguide,? section|\bGUIDE\.md\b|\bDEVELOPERS\.md\b", re.IGNORECASE)
CODE = ("emotune", "tests", "benchmarks", "training", "tools", "testbed", ".github", ".ci")


def test_code_points_only_to_documents_in_the_repository() -> None:
    files = [p for folder in CODE for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix != ".pyc"]
    files += [ROOT / name for name in ("setup.cfg", "Makefile", "emotune.spec", "pyproject.toml")]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == [], f"pointers to documents outside the repository: {found}"
