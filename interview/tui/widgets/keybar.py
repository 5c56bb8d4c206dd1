"""A one-line key legend that fits whole keys to the width and never drops help, quit or new case.

Why not Textual's Footer (which the other screens use): at 80 columns the interview has more keys than
fit on a line, and Footer cuts the line at the edge (it scrolls sideways), losing whichever keys come
last. This legend leaves out whole keys, the least needed first, and keeps help, quit, new
case and "not known yet"; it also leaves out letter keys while the reply field types letters, so the
legend never offers a key that would be typed. It is a Static drawn again only when the legend
changes (a Footer recomposes its keys on every change of focus or bindings).
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

    #: Kept when the line is too narrow for every key: help lists the rest, and quitting must show.
    ALWAYS_SHOWN = frozenset({"help", "quit_case", "new_case", "not_known"})

    _shown: str | None = None
    #: Whether the reply field types letters now (a text or number question, a filtered list):
    #: single-letter keys (e Edit, t Teaching) are then left out, since they would be typed.
    typing: bool = False
    #: Actions not offered for the open question (Skip, when it is required).
    hidden: frozenset[str] = frozenset({"skip", "not_known"})

    def fit_to(self, *, typing: bool, hidden: frozenset[str]) -> None:
        """Say the keys that work for the open question (drawn again only when the legend changes)."""
        if (typing, hidden) == (self.typing, self.hidden):
            return
        self.typing, self.hidden = typing, hidden
        if self.is_mounted:
            self._show(self.legend(self.content_size.width or self.app.size.width - 2))

    def on_mount(self) -> None:
        # Before the first layout the bar has no size yet: it will span the screen, less padding.
        self._show(self.legend(self.content_size.width or self.app.size.width - 2))

    def on_resize(self) -> None:
        self._show(self.legend(self.content_size.width))

    def _show(self, legend: Text) -> None:
        if legend.plain != self._shown:  # the same legend is not drawn twice
            self._shown = legend.plain
            self.update(legend)

    def legend(self, width: int) -> Text:
        """The shown bindings of the screen, then the app's, each key once, as many as fit.

        A key that does not fit is left out whole (the last first, never help or quit), rather
        than cut off mid-word at the edge.
        """
        pairs: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for binding in [*self._bindings_of(self.screen), *self._bindings_of(self.app)]:
            if not binding.show or binding.action in seen or binding.action in self.hidden:
                continue
            if self.typing and len(binding.key) == 1:
                continue  # the field would type it
            seen.add(binding.action)
            pairs.append((binding.action, self.app.get_key_display(binding), binding.description))
        while len(pairs) > 1 and sum(len(k) + len(d) + 3 for _, k, d in pairs) - 2 > width:
            droppable = [i for i, (action, _, _) in enumerate(pairs) if action not in self.ALWAYS_SHOWN]
            if not droppable:
                break
            del pairs[droppable[-1]]
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (_, key, description) in enumerate(pairs):
            text.append(key, style="bold")
            text.append(f" {description}" + ("  " if i < len(pairs) - 1 else ""))
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
