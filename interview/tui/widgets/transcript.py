"""The chat transcript: the bot's questions, the clinician's replies and notices, append-only.

Built on :class:`~interview.tui.widgets.blocks.BlockView`: each turn is rendered to rows once, when
appended, and a frame copies only the visible rows, so a 60-turn case costs the same per answer as a
6-turn one. The newest turn stays in view, scrolled in the same frame as the layout. Focused
(shift+↑), ↑/↓ move between the replies still on the case's path and Enter edits one; a click on a
reply does the same. A plain-text mirror (:attr:`Transcript.entries`) keeps what was shown, for
checks and for the saved transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.padding import Padding
from rich.text import Text

from interview.tui.widgets.blocks import Block, BlockView


@dataclass(frozen=True)
class Entry:
    """One turn as shown: who spoke, the question it is about (if any) and its text."""

    kind: str  # "ask" | "reply" | "notice" | "info" | "teaching"
    question_id: str | None
    text: str


class Transcript(BlockView):
    """The running conversation; the newest turn is always scrolled into view."""

    #: A click edits a reply but leaves the keyboard with the reply field (shift+↑ browses).
    FOCUS_ON_CLICK = False

    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 0;
    }
    Transcript:focus { scrollbar-size-vertical: 1; }
    """

    def __init__(self, **kwargs: str | None) -> None:
        super().__init__(**kwargs)
        self.entries: list[Entry] = []
        #: Questions whose latest reply may be chosen for edit (the answered path); None: any.
        self.on_path: set[str] | None = None
        #: Keep the newest turn in view (off while the clinician browses the replies).
        self.following = True

    def ask(self, question_id: str, phase_title: str, prompt: str) -> None:
        """Append the bot's question with its phase."""
        text = Text()
        text.append(f"{phase_title}\n", style="dim")
        text.append(f"◆ {prompt}", style="bold")
        self._add(Entry("ask", question_id, prompt), Padding(text, (1, 0, 0, 0)))

    def reply(self, question_id: str, answer: str) -> None:
        """Append the clinician's answer as a reply, indented like a chat reply."""
        self._add(Entry("reply", question_id, answer),
                  Padding(Text(f"➜ {answer}", style="bold italic"), (0, 0, 0, 6)), question_id=question_id)

    def notice(self, title: str, lines: list[str] | None = None, *, level: str = "warning",
               question_id: str | None = None) -> None:
        """Append a bot notice (a warning alert, a dropped answer, an edit)."""
        mark = "⚠ " if level == "warning" else ""
        text = Text(f"{mark}{title}", style="bold reverse" if level == "warning" else "bold")
        for line in lines or []:
            text.append(f"\n  • {line}", style="" if level == "warning" else "dim")
        kind = "notice" if level == "warning" else "info"
        plain = "\n".join([title, *(lines or [])])
        self._add(Entry(kind, question_id, plain), Padding(text, (1, 0, 0, 2)))

    def teaching(self, question_id: str, body: str) -> None:
        """Append 'why we ask' inline (teaching mode)."""
        self._add(Entry("teaching", question_id, body), Padding(Text(body, style="italic dim"), (0, 0, 0, 2)))

    def _add(self, entry: Entry, renderable: Padding, *, question_id: str | None = None) -> None:
        self.entries.append(entry)
        self.add_block(Block(f"{len(self.entries)}", renderable, question_id))

    def replies(self) -> dict[str, str]:
        """The latest reply shown per question (what the transcript says the answers are)."""
        return {e.question_id: e.text for e in self.entries if e.kind == "reply" and e.question_id}

    def choosable(self) -> list[int]:
        """The latest reply of each question still on the path (older replies were replaced)."""
        latest: dict[str, int] = {}
        for index, block in enumerate(self.blocks):
            if block.ref and (self.on_path is None or block.ref in self.on_path):
                latest[block.ref] = index
        return sorted(latest.values())

    def _newest(self) -> int:
        return max(0, self.virtual_size.height - self.scrollable_content_region.height)

    def top_row(self) -> int:
        """Following, the newest turn is drawn at the bottom whatever the scroll position, which
        stays at 0: a new turn, or the answer area below changing height, moves nothing Textual
        tracks (no scroll to clamp, no second frame)."""
        return self._newest() if self.following else self.scroll_offset.y

    def _browse(self) -> None:
        """Stop following: the view scrolls from where the newest turn is shown."""
        if self.following:
            self.following = False
            self._scroll_now(self._newest())

    def on_mouse_scroll_up(self) -> None:
        self._browse()  # Textual's own handler then scrolls up from there

    def focus_gained(self) -> None:
        self._browse()  # browsing: the cursor, not the newest turn, decides what is in view
        super().focus_gained()

    def focus_lost(self) -> None:
        self.following = True
        self._scroll_now(0)
        self.refresh()
