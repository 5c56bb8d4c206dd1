"""A one-line key legend: the keys of the screen and the app, drawn once.

Textual's Footer recomposes its keys whenever focus moves; in the interview focus moves with every
answer (a new answer widget), and that recompose was the largest cost of an answer. The keys of the
interview screen do not change between questions, so a legend drawn at mount says the same for free.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static


class KeyBar(Static):
    """The screen's and the app's shown bindings, as `key label` pairs, docked at the bottom."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.update(self.legend())

    def legend(self) -> Text:
        """The shown bindings of the screen, then the app's, each key once."""
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for binding in [*self._bindings_of(self.screen), *self._bindings_of(self.app)]:
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append(self.app.get_key_display(binding), style="bold")
            text.append(f" {binding.description}  ")
        return text

    @staticmethod
    def _bindings_of(node: object) -> list[Binding]:
        out: list[Binding] = []
        for item in getattr(type(node), "BINDINGS", []):
            if isinstance(item, Binding):
                out.append(item)
            else:
                key, action, *rest = item
                out.append(Binding(key, action, rest[0] if rest else ""))
        return out
