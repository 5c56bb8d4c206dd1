"""The Textual internals the interview overrides are the ones its pinned version has."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

from paths import ROOT
from textual.scroll_view import ScrollView
from textual.widget import Widget


def test_textual_is_the_pinned_version():
    """blocks.py and steady.py override private methods: they were written against this version."""
    pin = re.search(r'"textual==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin and version("textual") == pin.group(1)


def test_overridden_internals_keep_their_signatures():
    """_size_updated and _refresh_scrollbars exist with the parameters the overrides pass on."""
    for cls in (Widget, ScrollView):
        params = list(inspect.signature(cls._size_updated).parameters)
        assert params == ["self", "size", "virtual_size", "container_size", "layout"]
    assert list(inspect.signature(Widget._refresh_scrollbars).parameters) == ["self"]
    assert "show_vertical_scrollbar" in vars(Widget) and "scroll_y" in vars(Widget)
