"""The teacher's dashboard: how the room answered each checkpoint, refreshed as quiz sessions arrive.

One horizontal bar per option (the right one marked ✔, in words too, never by colour alone), the
checkpoints where the room is most split first. The log is read again every few seconds (and on
``r``); reading it never writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from interview.teach.dashboard import CheckpointTally, RoomView, room_view

REFRESH_S = 3.0
BAR_WIDTH = 32
LABEL_WIDTH = 34


def bars(tally: CheckpointTally, width: int = BAR_WIDTH) -> Text:
    """One checkpoint as text: its prompt, then a bar per option scaled to the most chosen one."""
    text = Text()
    split = round(tally.disagreement * 100)
    right = round(tally.right_share * 100)
    text.append(f"{tally.prompt}\n", style="bold")
    text.append(f"{tally.answered} answered · {right}% right · split {split}%\n", style="dim")
    top = max((o.count for o in tally.options), default=0) or 1
    for o in tally.options:
        label = o.label if len(o.label) <= LABEL_WIDTH else o.label[:LABEL_WIDTH - 1] + "…"
        filled = round(o.count / top * width)
        text.append("✔ " if o.right else "  ", style="bold green" if o.right else "")
        text.append(f"{label:<{LABEL_WIDTH}} ")
        text.append("█" * filled, style="green" if o.right else "red" if o.count else "")
        text.append("·" * (width - filled), style="dim")
        text.append(f" {o.count:>3}")
        text.append("  right answer\n" if o.right else "\n", style="bold green")
    text.rstrip()  # the block's padding separates it from the next
    return text


class CheckpointBars(Static):
    """How the room answered one checkpoint."""

    DEFAULT_CSS = """
    CheckpointBars { padding: 0 1 1 1; height: auto; }
    """

    tally: reactive[CheckpointTally | None] = reactive(None, layout=True)

    def __init__(self, tally: CheckpointTally, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_reactive(CheckpointBars.tally, tally)

    def render(self) -> Text:
        return bars(self.tally) if self.tally is not None else Text()


class DashboardScreen(Screen[None]):
    """The room at a glance; ``load`` returns the room's learning-log entries (read again on refresh)."""

    DEFAULT_CSS = """
    DashboardScreen { layout: vertical; }
    DashboardScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    DashboardScreen #status { height: auto; padding: 0 1; color: $text-muted; }
    DashboardScreen #bars { height: 1fr; }
    """

    BINDINGS = [
        Binding("r", "refresh_room", "Refresh"),
        Binding("q", "app.quit", "Quit"),
    ]

    view: reactive[RoomView | None] = reactive(None, recompose=True)

    def __init__(self, load: Callable[[], list[dict[str, Any]]], *, room: str, case_id: str | None = None,
                 checkpoints: Callable[[str], list[Any] | None] | None = None,
                 refresh_seconds: float | None = REFRESH_S) -> None:
        super().__init__()
        self.load = load
        self.room = room
        self.case_id = case_id
        self.checkpoints = checkpoints or (lambda _case_id: None)
        self.refresh_seconds = refresh_seconds
        self.error: str | None = None
        self._read()

    def _read(self) -> RoomView | None:
        try:
            entries = self.load()
        except Exception as err:  # noqa: BLE001 - a log that cannot be read is said on screen, kept trying
            self.error = getattr(err, "message", None) or str(err)
            return self.view
        self.error = None
        probe = room_view(entries, room=self.room, case_id=self.case_id)
        view = room_view(entries, room=self.room, case_id=probe.case_id,
                         checkpoints=self.checkpoints(probe.case_id) if probe.case_id else None)
        self.set_reactive(DashboardScreen.view, view)
        return view

    def compose(self) -> ComposeResult:
        view = self.view
        title = f"Room {self.room}"
        if view is not None and view.case_id:
            title += f" — {view.case_title or view.case_id}"
        yield Static(title, id="title", markup=False)
        yield Static(self._status(view), id="status", markup=False)
        with VerticalScroll(id="bars"):
            for tally in (view.checkpoints if view is not None else []):
                yield CheckpointBars(tally)
        yield Footer()

    def _status(self, view: RoomView | None) -> str:
        if self.error:
            return f"Cannot read the learning log: {self.error} (trying again)"
        if view is None or view.sessions == 0:
            return "No quiz sessions from this room yet; the dashboard fills in as learners finish."
        line = f"{view.sessions} quiz sessions · most split checkpoints first"
        if view.other_cases:
            line += f" · also in this room: {', '.join(sorted(view.other_cases))}"
        return line

    def on_mount(self) -> None:
        if self.refresh_seconds:
            self.set_interval(self.refresh_seconds, self.action_refresh_room)

    def action_refresh_room(self) -> None:
        """Read the log again; redraw only when something changed."""
        before = self.view
        after = self._read()
        if after != before or self.error:
            self.mutate_reactive(DashboardScreen.view)


class DashboardApp(App[None]):
    """``spine-interview teach --room NAME --dashboard``: the dashboard screen on its own."""

    TITLE = "spine-interview — lecture room"

    def __init__(self, screen: DashboardScreen) -> None:
        super().__init__()
        self._dashboard = screen

    def on_mount(self) -> None:
        self.push_screen(self._dashboard)


__all__ = ["CheckpointBars", "DashboardApp", "DashboardScreen", "bars"]
