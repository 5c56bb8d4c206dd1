"""REFERENCE.md split by section number, and the section strings of questions resolved against it."""

from __future__ import annotations

import pytest
from paths import SOURCES

from interview.flow.reference import Reference, cited_ranges, load_reference, parse_sections

REFERENCE = SOURCES / "clinical" / "REFERENCE.md"


@pytest.fixture(scope="module")
def reference() -> Reference:
    """The project's own REFERENCE.md, parsed (read when the first test here runs)."""
    loaded = load_reference(REFERENCE)
    assert loaded is not None, f"{REFERENCE} cannot be read"
    return loaded


def numbers(sections) -> list[str]:
    """The section numbers of a resolved list, in order."""
    return [s.number for s in sections]


def test_section_4_1_is_the_sins_table(reference):
    """"§4.1" gives the SINS section: its title and its point table."""
    [sins] = reference.resolve("§4.1")
    assert sins.title.startswith("SINS") and "Spinal Instability Neoplastic Score" in sins.heading
    assert "| **Location** | Junctional" in sins.body and "Fisher CG" in sins.body
    assert "### 4.2" not in sins.body and "ESCC (Bilsky)" not in sins.body, "the section stops at the next one"


def test_every_numbered_heading_becomes_a_section(reference):
    """Chapters and sub-sections are keyed by their number, including the late §11 and §10."""
    assert {"1", "1.2", "4.11", "9.3", "10", "11", "11.1", "11.25"} <= set(reference.sections)
    assert reference.get("§11.4").title.startswith("Mechanical instability")
    assert not reference.get("4").body, "a chapter heading followed at once by its first sub-section"


def test_a_range_expands_over_the_sections_that_exist(reference):
    """"§4.6–4.8" is 4.6, 4.7 and 4.8; a list of ranges keeps its order and names each section once."""
    assert numbers(reference.resolve("§4.6–4.8")) == ["4.6", "4.7", "4.8"]
    assert numbers(reference.resolve("§1.2–1.3, §6.2")) == ["1.2", "1.3", "6.2"]
    assert numbers(reference.resolve("§6.2, §4.1, §6.2-6.3")) == ["6.2", "4.1", "6.3"]
    assert numbers(reference.resolve("§11.1–3")) == ["11.1", "11.2", "11.3"], "short for §11.1–11.3"


def test_a_chapter_number_takes_its_sub_sections(reference):
    """"§7" is the whole radiotherapy chapter; "§8" has no sub-sections and is itself."""
    assert numbers(reference.resolve("§7")) == ["7", "7.1", "7.2", "7.3"]
    assert numbers(reference.resolve("§8")) == ["8"]


def test_an_unknown_section_resolves_to_nothing_and_is_named(reference):
    """A number REFERENCE.md lacks gives an empty list, and `unknown` names it; known ones are not named."""
    assert reference.resolve("§99.9") == []
    assert reference.unknown("§99.9, §4.1, §12.1–12.4") == ["§99.9", "§12.1–12.4"]
    assert reference.resolve("") == [] and reference.resolve(None) == [] and reference.unknown(None) == []


def test_cited_ranges_read_dashes_and_lists():
    """En dash, em dash and hyphen all make a range; a lone number is a range of one."""
    assert cited_ranges("§1.2–1.3, §6.2") == [((1, 2), (1, 3)), ((6, 2), (6, 2))]
    assert cited_ranges("§4.6—4.8") == cited_ranges("§4.6 - 4.8") == [((4, 6), (4, 8))]


def test_parse_keeps_bodies_whole_and_drops_layout():
    """#### stays in its section, a fenced "##" is not a heading, the chapter's closing rule is dropped."""
    text = (
        "# Title\n\nPreamble.\n\n## 1. One\n\nIntro.\n\n### 1.1 Sub\n\nBody [bold]x[/bold].\n\n#### Detail\n\n"
        "```\n## 9. not a heading\n```\n\n---\n\n## Appendix\n\nUnnumbered.\n\n### 2.1 Two\n\nLast.\n"
    )
    sections = parse_sections(text)
    assert list(sections) == ["1", "1.1", "2.1"]
    assert sections["1"].body == "Intro."
    body = sections["1.1"].body
    assert body.startswith("Body [bold]x[/bold].") and "#### Detail" in body and "## 9. not a heading" in body
    assert not body.endswith("---") and "Unnumbered" not in body
    assert sections["1.1"].markdown().startswith("### §1.1 Sub\n\nBody [bold]x[/bold].")


def test_a_missing_reference_file_is_none(tmp_path):
    """No REFERENCE.md (or an unreadable one) gives None, never an exception."""
    assert load_reference(tmp_path / "REFERENCE.md") is None
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00 not utf-8")
    assert load_reference(bad) is None


def test_every_question_cites_sections_that_exist(flow, reference):
    """Each question's section string names only sections REFERENCE.md has, so F1 always finds text."""
    cited = {q.id: q.model.section for q in flow.questions if q.model.section}
    assert cited, "the flow cites REFERENCE sections"
    broken = {qid: reference.unknown(section) for qid, section in cited.items() if reference.unknown(section)}
    assert not broken
    assert all(reference.resolve(section) for section in cited.values())
