"""Widgets that never scroll: a change of their size needs no second layout pass (textual 8.2.8, pinned;
tests/tui/test_textual_pin.py checks the private method overridden here).

Textual records a widget's new size as its "virtual size" with a layout refresh, meant for widgets
that scroll their content. For a widget that never scrolls that second layout pass only costs one
more frame, and in the interview every answer resizes the answer area and its parts.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Static


class NeverScrolls:
    """Mixin (put it first) for widgets that never scroll: a new size needs no second layout pass.

    A plain class, not a Widget: Textual takes a widget's CSS type names from its first widget base,
    so `class Row(NeverScrolls, Horizontal)` still is a `Horizontal` to the stylesheet.
    """

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]


class Row(NeverScrolls, Horizontal):
    """A Horizontal that never scrolls."""


class Column(NeverScrolls, Vertical):
    """A Vertical that never scrolls."""


class TitleBar(NeverScrolls, Static):
    """The app's name and the flow's title on the top line (Textual's Header without its parts)."""

    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; width: 100%; background: $panel; color: $foreground; padding: 0 1;
               text-style: bold; }
    """


class Caption(NeverScrolls, Static):
    """A Static for hints, notes, messages and banners.

    Two costs of a plain Static are avoided: `update` with the same text still lays the screen out
    again, and when its size changes Textual sets its virtual size as a layout change, which asks
    for a second layout pass (and a second frame) although text that never scrolls needs none.
    """

    def __init__(self, content: RenderableType = "", **kwargs: str | None) -> None:
        super().__init__(content, **kwargs)  # type: ignore[arg-type]
        self._shown = self._plain(content)

    @staticmethod
    def _plain(content: RenderableType) -> str:
        return content.plain if isinstance(content, Text) else str(content)

    def show(self, content: RenderableType) -> None:
        """Show this text (nothing happens if it is what is already shown)."""
        plain = self._plain(content)
        if plain != self._shown:
            self._shown = plain
            self.update(content)


class SkipLink(Caption):
    """A one-line caption that acts as a button: a click posts :class:`Pressed`."""

    class Pressed(Message):
        """The caption was clicked."""

        def __init__(self, link: SkipLink) -> None:
            self.link = link
            super().__init__()

        @property
        def control(self) -> SkipLink:
            return self.link

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self))
