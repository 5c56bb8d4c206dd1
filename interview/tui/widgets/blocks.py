"""Stacked blocks of Rich text, drawn row by row from a cache; blocks about an answer can be chosen.

Built on Textual's public line API (a ScrollView with ``render_line`` and ``virtual_size``) only.

Three views of the interview, the screen on which every answer is timed, are built on
:class:`BlockView`: the transcript, the side panel and the open question's options (the answer
area's ``ChoiceList``). Each block is rendered to strips once per width and kept; a frame copies only
the visible rows. Lists elsewhere (review, what-if, clock, handover) are stock ``OptionList``s
(:mod:`interview.tui.widgets.marked`). Measured (issue 15): with a stock OptionList for the options,
an answer took 93 frames per 40 answers instead of 67 (the list clears its caches and repaints on
every resize, and its height changes with each question) and the median answer 47–57 ms instead of
22–28 ms, over the budget of 50 ms at the 95th centile; hence this view, on Textual's public line API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import RenderableType
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class Block:
    """One piece of the view.

    Attributes:
        key: Says what the block shows; a block with a key already drawn reuses its rows.
        renderable: What to draw (a Rich renderable).
        ref: What choosing the block refers to (the question whose answer it shows, or an option's
            id); blocks without one cannot be chosen.
    """

    key: str
    renderable: RenderableType
    ref: str | None = None


class BlockView(ScrollView, can_focus=True):
    """Blocks one under the other; ↑/↓ move between choosable blocks, Enter or a click chooses one."""

    COMPONENT_CLASSES = {"blockview--cursor"}

    DEFAULT_CSS = """
    BlockView {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    BlockView > .blockview--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    /* Without colour (NO_COLOR, a monochrome terminal) the cursor's background is gone: reverse it. */
    BlockView:nocolor > .blockview--cursor { text-style: reverse bold; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous", show=False),
        Binding("down", "cursor(1)", "Next", show=False),
        Binding("home", "cursor_edge(0)", "First", show=False),
        Binding("end", "cursor_edge(-1)", "Last", show=False),
        Binding("enter", "choose", "Edit", show=False),
    ]

    #: Index (into the blocks) of the block under the cursor.
    cursor: reactive[int | None] = reactive(None, layout=False)

    #: Draw the cursor only while the view has focus (a list answered from another field says False).
    CURSOR_NEEDS_FOCUS = True
    #: While hidden, draw at the parent's content width (a list shown for a question, whose width is
    #: its parent's); a view whose width is its own (a side panel) waits to be laid out.
    WIDTH_FROM_PARENT = False
    #: Drawn at the start of the cursor's first row, so the cursor is seen without colour (NO_COLOR,
    #: a monochrome terminal, a reader who cannot tell the colours apart).
    CURSOR_MARK = "▸ "
    #: Keep a column for the mark before every row (a list of options); otherwise the mark is drawn
    #: only over blank cells at the start of the row (an indented reply or answer), never over text.
    MARK_GUTTER = False

    class Chosen(Message):
        """A block was chosen (Enter or a click); `ref` says what it refers to."""

        def __init__(self, view: BlockView, ref: str) -> None:
            self.view = view
            self.ref = ref
            super().__init__()

        @property
        def control(self) -> BlockView:
            return self.view

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.blocks: list[Block] = []
        self._drawn: dict[str, list[Strip]] = {}
        self._drawn_width = 0
        self._rows: list[Strip] = []
        self._row_block: list[int] = []
        self._block_rows: list[tuple[int, int]] = []
        self._cursor_after_layout = False
        self._relaid = False  # rows changed and not laid out yet: sizes are about to change

    # --- content ---------------------------------------------------------------------------------

    def set_blocks(self, blocks: Iterable[Block]) -> None:
        """Show these blocks; blocks whose key was drawn before are not rendered again."""
        blocks = list(blocks)
        if [b.key for b in blocks] == [b.key for b in self.blocks]:
            return
        chosen = self.blocks[self.cursor].ref if self.cursor is not None and self.cursor < len(self.blocks) else None
        self.blocks = blocks
        keep = {b.key for b in blocks}
        self._drawn = {k: v for k, v in self._drawn.items() if k in keep}
        self._restack()
        if chosen is not None:
            self.cursor = next((i for i, b in enumerate(blocks) if b.ref == chosen), None)

    def add_block(self, block: Block) -> None:
        """Add a block at the end."""
        self.blocks.append(block)
        width = self._content_width()
        if width and width == self._drawn_width:
            rows = self._draw(block, width)
            start = len(self._rows)
            self._block_rows.append((start, len(rows)))
            self._rows.extend(rows)
            self._row_block.extend([len(self.blocks) - 1] * len(rows))
            self.virtual_size = Size(width, len(self._rows))
            self._relaid = True
            self.refresh()
        else:
            self._restack()

    def _content_width(self) -> int:
        if not self.is_mounted:
            return 0
        width = self.scrollable_content_region.width
        parent = self.parent
        if not width and self.WIDTH_FROM_PARENT and isinstance(parent, Widget) and parent.size.width:
            # Hidden until now (a list shown for this question): draw at the width it is about to
            # get, or showing it would take a second layout pass, and a second frame.
            styles = self.styles
            stable = styles.scrollbar_size_vertical if styles.scrollbar_gutter == "stable" else 0
            width = max(0, parent.content_region.width - styles.gutter.width - stable)
        return width

    def _gutter(self) -> int:
        return len(self.CURSOR_MARK) if self.MARK_GUTTER else 0

    def _draw(self, block: Block, width: int) -> list[Strip]:
        rows = self._drawn.get(block.key)
        if rows is None:
            width = max(1, width - self._gutter())
            console = self.app.console
            options = console.options.update_width(width).update(height=None)
            lines = console.render_lines(block.renderable, options, pad=True, new_lines=False)
            rows = [Strip(Segment.adjust_line_length(line, width), width) for line in lines]
            self._drawn[block.key] = rows
        return rows

    def _restack(self) -> None:
        """Lay every block's rows one under the other (at the current width)."""
        width = self._content_width()
        if width != self._drawn_width:
            self._drawn.clear()
            self._drawn_width = width
        self._rows, self._row_block, self._block_rows = [], [], []
        if width:
            for index, block in enumerate(self.blocks):
                rows = self._draw(block, width)
                self._block_rows.append((len(self._rows), len(rows)))
                self._rows.extend(rows)
                self._row_block.extend([index] * len(rows))
        self.virtual_size = Size(width, len(self._rows))
        self._relaid = True
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self._content_width() != self._drawn_width:
            self._restack()
            if self.has_focus:
                self._show_cursor()  # rows moved when re-wrapped: keep the cursor's block in view

    # --- drawing ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x = self.scroll_offset.x
        width = self.scrollable_content_region.width
        index = self.top_row() + y
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        strip = self._rows[index]
        gutter = self._gutter()
        if (self.cursor is not None and self._row_block[index] == self.cursor
                and (self.has_focus or not self.CURSOR_NEEDS_FOCUS)):
            style = self.get_component_rich_style("blockview--cursor")
            if index == self._block_rows[self.cursor][0]:
                strip = self._marked(strip, gutter)
            elif gutter:
                strip = Strip.join([Strip.blank(gutter), strip])
            strip = strip.apply_style(style)
        elif gutter:
            strip = Strip.join([Strip.blank(gutter), strip])
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style).apply_style(self.rich_style)

    def top_row(self) -> int:
        """The row drawn at the top of the view: the scroll position (a subclass may pin the end)."""
        return self.scroll_offset.y

    def _marked(self, strip: Strip, gutter: int) -> Strip:
        """The cursor's first row with its mark: in the gutter, or over the blank cells it starts with."""
        mark = self.CURSOR_MARK
        if gutter:
            return Strip.join([Strip([Segment(mark)], len(mark)), strip])
        if strip.text[: len(mark)].strip():
            return strip  # text from the first column: no room for the mark (reverse video still shows it)
        return Strip.join([Strip([Segment(mark)], len(mark)), strip.crop(len(mark), strip.cell_length)])

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.focus_gained()
        self.refresh()

    def on_blur(self) -> None:
        self.focus_lost()
        self.refresh()

    def focus_gained(self) -> None:
        """Focus arrived: start on the last choosable block (subclasses may do otherwise)."""
        if self.cursor is None or self.cursor not in self.choosable():
            self.action_cursor_edge(-1)

    def focus_lost(self) -> None:
        """Focus left (nothing to do here; subclasses may follow the newest block again)."""

    # --- choosing --------------------------------------------------------------------------------

    def choosable(self) -> list[int]:
        """Indices of the blocks the cursor can stop on (subclasses narrow this)."""
        return [i for i, b in enumerate(self.blocks) if b.ref]

    def move_cursor(self, index: int | None) -> None:
        """Put the cursor on block `index` (None: nowhere) and scroll it into view."""
        self.cursor = index
        self._show_cursor()

    def _show_cursor(self) -> None:
        if self.cursor is None or self.cursor >= len(self._block_rows):
            return
        if not self.size.height or self._relaid:
            # Not laid out yet, or its rows just changed (a list shown or re-filled for this
            # question): scroll once the coming layout has given it its size. Scrolling now, at the
            # old size, would be undone by that layout.
            if not self._cursor_after_layout:
                self._cursor_after_layout = True
                self.call_after_refresh(self._show_cursor_laid_out)
            return
        start, height = self._block_rows[self.cursor]
        self.scroll_to_region(Region(0, start, max(1, self.size.width), max(1, height)),
                              animate=False, immediate=True, force=True)

    def _show_cursor_laid_out(self) -> None:
        self._cursor_after_layout = False
        self._relaid = False
        if self.size.height:
            self._scroll_now(self._cursor_scroll(self.scrollable_content_region.height))

    def _cursor_scroll(self, view_height: int) -> int:
        """The scroll position that shows the cursor's block in a view `view_height` rows high."""
        y = round(self.scroll_y)
        if self.cursor is not None and self.cursor < len(self._block_rows):
            start, height = self._block_rows[self.cursor]
            if start < y:
                y = start
            elif start + height > y + view_height:
                y = start + height - view_height
        return max(0, min(y, len(self._rows) - view_height))

    def _scroll_now(self, y: int) -> None:
        """Scroll to row `y` at once (no animation), if the view is not there already."""
        if round(self.scroll_y) != y:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def action_cursor(self, step: int) -> None:
        """Move to the previous (-1) or next (1) choosable block."""
        stops = self.choosable()
        if not stops:
            return
        if self.cursor not in stops:
            self.cursor = stops[-1 if step < 0 else 0]
        else:
            self.cursor = stops[max(0, min(len(stops) - 1, stops.index(self.cursor) + step))]
        self._show_cursor()

    def action_cursor_edge(self, end: int) -> None:
        """Move to the first (0) or last (-1) choosable block."""
        stops = self.choosable()
        self.cursor = stops[end] if stops else None
        self._show_cursor()

    def action_choose(self) -> None:
        """Choose the block under the cursor."""
        if self.cursor is not None and self.cursor in self.choosable():
            ref = self.blocks[self.cursor].ref
            if ref:
                self.post_message(self.Chosen(self, ref))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.top_row() + offset.y
        if 0 <= row < len(self._row_block) and self._row_block[row] in self.choosable():
            event.stop()
            self.cursor = self._row_block[row]
            self.action_choose()
