"""F1 help: the question's "why", then the text of the REFERENCE sections it cites, read only when asked."""

from __future__ import annotations

import io
import re
import sys

import pytest
from rich.console import Console
from rich.text import Text

from interview.flow import reference as reference_module
from interview.flow.reference import UNAVAILABLE, load_reference
from interview.tui.screens.modals import HelpScreen

# Audit hooks cannot be removed: one hook for the run, recording only while a test holds a list here.
_opened: list[str] | None = None
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and str(args[0]).endswith("REFERENCE.md"):
        _opened.append(str(args[0]))


@pytest.fixture
def reference_opens():
    """Every opening of a REFERENCE.md file during the test, by any code, with no cached copy to start."""
    global _opened, _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    reference_module._load.cache_clear()
    _opened = []
    yield _opened
    _opened = None


def shown(screen: HelpScreen) -> str:
    """The help's REFERENCE block as the plain text it renders to."""
    console = Console(width=96, color_system=None, file=io.StringIO())
    console.print(screen.query_one("#reference").content)
    return console.file.getvalue()


def _why() -> Text:
    """A stand-in "why" for a help screen opened directly."""
    return Text("Why we ask: a test.")


async def open_help(pilot, section: str | None = None) -> HelpScreen:
    """F1 on the open question, or a help screen citing `section` pushed directly; returns it."""
    await pilot.pause()
    if section is None:
        await pilot.press("f1")
    else:
        pilot.app.push_screen(HelpScreen(_why(), section=section))
    await pilot.pause()
    assert isinstance(pilot.app.screen, HelpScreen)
    return pilot.app.screen


async def press_and_leave_help(pilot, key: str) -> None:
    """Press a closing key on the help screen and check that it closed."""
    await pilot.press(key)
    await pilot.pause()
    assert not isinstance(pilot.app.screen, HelpScreen)


async def test_f1_shows_the_cited_reference_sections(make_app):
    """F1 on the first question shows the title and text of each REFERENCE section it cites; Escape closes."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        section = app.flow.by_id[app.session.current_id].model.section
        sections = load_reference().resolve(section)
        assert sections, f"the first question cites REFERENCE sections ({section!r})"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(shown(app.screen).split())
        for s in sections:
            assert " ".join(s.heading.split()) in text
            # Tables wrap cell by cell, so phrases are not contiguous on screen: compare long words.
            words = set(re.findall(r"[A-Za-z]{7,}", s.body))
            assert words and words <= set(re.findall(r"[A-Za-z]{7,}", text)), s.number
        assert "Why we ask" in app.screen.body.plain
        await press_and_leave_help(pilot, "escape")


async def test_help_citing_sins_scrolls_the_keyboard_through_its_table(make_app):
    """The SINS section's table is in the help, below the fold, and the keyboard scrolls to it."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_help(pilot, "§4.1")
        assert "Spinal Instability Neoplastic Score" in shown(app.screen)
        assert "Mechanical pain" in shown(app.screen)
        scroll = app.screen.query_one("VerticalScroll")
        assert scroll.has_focus and scroll.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y > 0
        await press_and_leave_help(pilot, "q")


async def test_a_missing_reference_is_one_line_not_a_crash(make_app, monkeypatch, tmp_path):
    """Without REFERENCE.md the help still opens, with one line saying so."""
    monkeypatch.setattr(reference_module, "reference_path", lambda: tmp_path / "REFERENCE.md")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_help(pilot)
        assert shown(app.screen).strip() == UNAVAILABLE
        await press_and_leave_help(pilot, "escape")


async def test_an_unknown_section_is_named_in_the_help(make_app):
    """A cited number REFERENCE.md lacks is named in the help, beside the sections that exist."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_help(pilot, "§99.9, §8")
        text = shown(app.screen)
        assert "§99.9 is not a section of REFERENCE.md." in text and "§8 " in text


async def test_opening_the_app_does_not_read_reference(make_app, reference_opens):
    """Start-up reads no REFERENCE.md; the first F1 reads it once, the second from memory."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert reference_opens == [], "REFERENCE.md is read at start-up"
        for _ in range(2):
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
        assert len(reference_opens) == 1 and reference_opens[0].endswith("clinical/REFERENCE.md")
