"""The key legend: whole keys only, as many as the width allows, help, quit and new case always among them."""

from __future__ import annotations

import pytest

from interview.tui.widgets.keybar import KeyBar

ALL = ["^z Back", "e Edit", "shift+↑ Replies", "f1 Help", "t Teaching", "f2 Panel", "^q Quit", "^o Cases",
       "^n New case", "^l Label"]


@pytest.mark.parametrize(("width", "dropped"), [
    (120, []),
    (100, ["^l Label"]),
    (80, ["f2 Panel", "^o Cases", "^l Label"]),
    (60, ["shift+↑ Replies", "t Teaching", "f2 Panel", "^o Cases", "^l Label"]),
    (40, ["e Edit", "shift+↑ Replies", "t Teaching", "f2 Panel", "^o Cases", "^l Label"]),
])
async def test_legend_fits_the_width(make_app, width: int, dropped: list[str]) -> None:
    """Keys that do not fit are left out whole, the last first; help, quit and new case are never left out."""
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        shown = str(bar.render()).split("  ")
        assert shown == [pair for pair in ALL if pair not in dropped]
        assert len("  ".join(shown)) <= bar.content_size.width


async def test_legend_follows_a_resize(make_app) -> None:
    """Widening the terminal brings back the keys a narrow one left out."""
    app = make_app()
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert str(app.screen.query_one(KeyBar).render()).split("  ") == ALL
