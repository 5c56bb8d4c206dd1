"""Small text widgets of every screen: the title line and captions.

Plain Statics (Textual's public API only): a caption shows new text only when it differs from what
it shows, since `update` with the same text would still lay the screen out again.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Button, Static


def steady_size() -> Reactive[Size]:
    """A widget's `virtual_size` as a reactive that neither lays out nor repaints when it changes.

    Textual records every widget's new size as its virtual size during a layout pass; declared with
    `layout=True` (as Widget does, for widgets that scroll their content) that asks for a second
    layout pass, and a second frame, after every layout that changed a size. A widget that never
    scrolls has nothing to lay out again: its size is already applied.
    """
    return Reactive(Size(0, 0), layout=False, repaint=False)


class Row(Horizontal):
    """A Horizontal that never scrolls: a change of its size costs no second layout pass."""

    virtual_size = steady_size()


class Column(Vertical):
    """A Vertical that never scrolls: a change of its size costs no second layout pass."""

    virtual_size = steady_size()


class LinkButton(Button):
    """A compact stock Button beside the reply field (Skip, Not known yet), never focused.

    Shown or hidden per question: its size goes from nothing to its caption's, and with Button's
    own `virtual_size` that asked for a second layout pass, a second frame, on those answers
    (measured: five of the 40 answers of the benchmark case drew twice).
    """

    virtual_size = steady_size()

    def __init__(self, label: str, *, id: str) -> None:
        super().__init__(label, id=id, compact=True)
        self.can_focus = False  # the keyboard stays in the reply field; the keys are said on the button


class TitleBar(Static):
    """The app's name and the flow's title on the top line (Textual's Header without its parts)."""

    virtual_size = steady_size()

    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; width: 100%; background: $panel; color: $foreground; padding: 0 1;
               text-style: bold; }
    """


class Caption(Static):
    """A Static for hints, notes, messages and banners; showing the text it shows already costs nothing."""

    virtual_size = steady_size()

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
