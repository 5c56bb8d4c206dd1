"""An OptionList whose highlighted option carries "▸", so the choice is seen without colour."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from rich.table import Table
from textual.widgets import OptionList
from textual.widgets.option_list import Option

#: The mark before the highlighted option, and the blank of the same width before the others.
MARK, BLANK = "▸ ", "  "


def with_mark(prompt: RenderableType, mark: str) -> Table:
    """The prompt behind `mark`, in a column of its own: a prompt that wraps keeps its next lines under
    itself, not under the mark."""
    row = Table.grid()
    row.add_column(width=len(mark), no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(mark, prompt)
    return row


class MarkedOptionList(OptionList):
    """A stock ``OptionList`` that also marks its highlighted option with "▸" (nothing by colour alone: the
    highlight is invisible with ``NO_COLOR`` or on a monochrome terminal).

    The mark is part of the option's prompt, swapped through the public ``replace_option_prompt_at_index``
    when the highlight moves; option ids — what a selection records — are untouched.
    """

    def __init__(self, *content: Option, **kwargs: object) -> None:
        self._plain: list[RenderableType] = []
        self._marked: int | None = None
        super().__init__(*self._blanked(content), **kwargs)  # type: ignore[arg-type]

    def _blanked(self, options: Iterable[Option]) -> list[Option]:
        out = []
        for option in options:
            self._plain.append(option.prompt)  # type: ignore[arg-type]
            out.append(Option(with_mark(self._plain[-1], BLANK), id=option.id, disabled=option.disabled))
        return out

    def set_marked_options(self, options: Iterable[Option]) -> None:
        """Replace every option (``clear_options`` + ``add_options``, with the marks kept right)."""
        self.clear_options()
        self._plain, self._marked = [], None
        self.add_options(self._blanked(options))

    def highlight_with_mark(self, index: int | None) -> None:
        """Highlight an option (None: none) and mark it at once (not a message later: a screen drawn now
        shows the ▸)."""
        self.highlighted = index
        self._mark(index)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list is self:
            self._mark(event.option_index)

    def _mark(self, index: int | None) -> None:
        if index == self._marked:
            return
        if self._marked is not None and self._marked < len(self._plain):
            self.replace_option_prompt_at_index(self._marked, with_mark(self._plain[self._marked], BLANK))
        self._marked = None
        if index is not None and index < len(self._plain):
            self.replace_option_prompt_at_index(index, with_mark(self._plain[index], MARK))
            self._marked = index
