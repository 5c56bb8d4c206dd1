"""The chat transcript: the bot's questions, the clinician's replies and notices, append-only.

Built on :class:`~textual.widgets.RichLog`: each turn is rendered to lines once, when appended, and
never again, and the whole transcript is one widget for the compositor. A 60-turn case therefore
costs the same per answer as a 6-turn one. A plain-text mirror (:attr:`Transcript.entries`) keeps
what was shown, for checks and for the saved transcript.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.padding import Padding
from rich.text import Text
from textual.widgets import RichLog


@dataclass(frozen=True)
class Entry:
    """One turn as shown: who spoke, the question it is about (if any) and its text."""

    kind: str  # "ask" | "reply" | "notice" | "info" | "teaching"
    question_id: str | None
    text: str


class Transcript(RichLog, can_focus=False):
    """The running conversation; the newest turn is always scrolled into view."""

    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(wrap=True, min_width=20, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.entries: list[Entry] = []

    def ask(self, question_id: str, phase_title: str, prompt: str) -> None:
        """Append the bot's question with its phase."""
        text = Text()
        text.append(f"{phase_title}\n", style="dim")
        text.append(f"◆ {prompt}", style="bold")
        self._add(Entry("ask", question_id, prompt), Padding(text, (1, 0, 0, 0)))

    def reply(self, question_id: str, answer: str) -> None:
        """Append the clinician's answer as a reply, indented like a chat reply."""
        self._add(Entry("reply", question_id, answer), Padding(Text(f"➜ {answer}", style="bold italic"), (0, 0, 0, 6)))

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

    def _add(self, entry: Entry, renderable: Padding) -> None:
        self.entries.append(entry)
        self.write(renderable, scroll_end=True)

    def replies(self) -> dict[str, str]:
        """The latest reply shown per question (what the transcript says the answers are)."""
        return {e.question_id: e.text for e in self.entries if e.kind == "reply" and e.question_id}
