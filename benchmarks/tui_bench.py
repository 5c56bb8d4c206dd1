"""Benchmarks of the terminal interview: startup and per-answer latency, each against a minimal app.

The runner (``benchmarks/run.py``) imports these functions. Every number is a ratio against a
baseline measured in the same run on the same machine, so a slow or busy machine does not move it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Seconds with nothing queued before an input counts as fully drawn (two frames at 60 per second).
QUIET = 0.035

_BASELINE_STARTUP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("Is there a neurological deficit?")
    def on_mount(self):
        self.call_after_refresh(self.first_render)
    def first_render(self):
        import sys, time
        print(f"first-render {time.monotonic()}", file=sys.stderr, flush=True)
        self.exit(0)

Minimal().run(headless=True)
"""

#: The command itself (`spine-interview` with no arguments), as the console script runs it.
_APP_STARTUP = """
from interview.cli import main

raise SystemExit(main([]))
"""


def _time_process(code: str, env: dict[str, str]) -> float:
    """Seconds from starting the process to its first frame (it writes `first-render <t>` then)."""
    start = time.monotonic()  # Linux: one monotonic clock for every process
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
    stamps = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("first-render ")]
    if not stamps:
        raise RuntimeError(f"no first-render stamp from the process: {done.stderr[-500:]}")
    return float(stamps[-1]) - start


def startup_times(quick: bool) -> dict[str, float]:
    """Median seconds from process start to the first screen rendered: the app and a one-Static app.

    Measured to the first frame, not to the process's exit (closing is not starting). As installed:
    the package is byte-compiled first (pip does that for an installed package, and Python for an
    editable one on its first run, unless PYTHONDONTWRITEBYTECODE is set, as on this machine), and
    one warm-up run of each fills the file cache and the flow cache (a later start, not the first).
    """
    import compileall
    import tempfile

    runs = 5 if quick else 9
    compileall.compile_dir(str(ROOT / "interview"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SPINE_INTERVIEW_EXIT_AFTER_RENDER="1",
                   SPINE_INTERVIEW_DB=str(Path(tmp) / "bench.db"),
                   SPINE_INTERVIEW_CACHE=str(Path(tmp) / "cache"))
        app: list[float] = []
        base: list[float] = []
        _time_process(_BASELINE_STARTUP, env)
        _time_process(_APP_STARTUP, env)
        for _ in range(runs):
            # Interleaved, so a burst of load on the machine hits both alike.
            base.append(_time_process(_BASELINE_STARTUP, env))
            app.append(_time_process(_APP_STARTUP, env))
    return {"app_s": statistics.median(app), "baseline_s": statistics.median(base)}


def startup_ratio(quick: bool) -> float:
    """Startup of the interview (first question on screen) over that of a minimal Textual app."""
    t = startup_times(quick)
    return t["app_s"] / t["baseline_s"]


# --- answer latency --------------------------------------------------------------------------------


def _pending(app: Any) -> bool:
    """True while anything the last input caused is still queued: messages, layout, repaint, callbacks."""
    screen = app.screen
    if (screen._layout_required or screen._scroll_required or screen._repaint_required
            or screen._recompose_required or screen._dirty_widgets or screen._callbacks):
        return True
    if not app._message_queue.empty():
        return True
    for node in (screen, *screen.walk_children(with_self=False)):
        if not node._message_queue.empty():
            return True
        if node._layout_required or node._repaint_required or node._scroll_required:
            return True
    return False


async def _settled(app: Any, ready: Any) -> None:
    """Wait until `ready()` holds and nothing the input caused is still queued, for QUIET seconds.

    Widgets report a refresh to their screen only when they go idle, and a message being handled is
    off every queue, so no single look can say the app is done; a quiet spell longer than a frame
    can. The wait is not measured: the latency is read from the frames drawn (`_drawn_after`).
    """
    deadline = time.perf_counter() + 10
    quiet_since: float | None = None
    while True:
        await asyncio.sleep(0)
        now = time.perf_counter()
        if now > deadline:
            raise RuntimeError(f"the app did not settle (at {getattr(app, 'session', None) and app.session.current_id})")
        if not ready() or _pending(app):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET:
            return


def _drawn_after(frames: list[float], start: float) -> float:
    """Seconds from `start` to the last frame drawn before the app settled (what the input caused)."""
    after = [t for t in frames if t >= start]
    if not after:
        raise RuntimeError("no frame was drawn after the input")
    return after[-1] - start


def _frames(app: Any) -> list[float]:
    """Record when each frame is drawn (the compositor's update handed to the display)."""
    frames: list[float] = []
    draw = app._display

    def display(screen: Any, renderable: Any) -> None:
        draw(screen, renderable)
        frames.append(time.perf_counter())

    app._display = display
    return frames


async def _send(app: Any, key: str) -> None:
    from textual import events

    char = key if len(key) == 1 else None
    app._driver.send_message(events.Key(key, char))


def _case_keys(answers: dict[str, Any]) -> Any:
    sys.path[:0] = [str(ROOT / "tests" / "tui"), str(ROOT / "tests")]  # tui_keys imports tests/paths
    from tui_keys import keys_for  # the same keys the acceptance tests press

    return keys_for


async def _app_latencies(n: int, answers: dict[str, Any] | None = None) -> list[float]:
    import tempfile

    from interview.flow.load import load_flow
    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper
    from interview.tui.widgets.answer import AnswerArea

    answers = answers or _long_case()
    keys_for = _case_keys(answers)
    flow = load_flow()
    out: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = InterviewApp(flow, keeper=CaseKeeper(str(Path(tmp) / "bench.db")))
        async with app.run_test(size=(100, 32)) as pilot:
            frames = _frames(app)
            await pilot.pause()
            went_back = False
            while len(out) < n:
                qid = app.session.current_id
                if qid is None:
                    break
                if len(out) == 20 and not went_back:
                    # Eight answers again after going back: 32 questions + 8 = a 40-answer case.
                    went_back = True
                    for _ in range(8):
                        app.interview.action_back()
                    await pilot.pause()
                    continue
                keys = keys_for(app, qid, answers.get(qid))
                if keys[:-1]:  # typing is not part of the answer's latency
                    await pilot.press(*keys[:-1])
                await _settled(app, lambda: True)
                start = time.perf_counter()
                await _send(app, keys[-1])

                def asked(qid: str = qid) -> bool:
                    current = app.session.current_id
                    if current == qid:
                        return False
                    if current is None:
                        return True
                    areas = list(app.screen.query(AnswerArea))
                    return bool(areas) and areas[-1].question.id == current and areas[-1].is_mounted

                await _settled(app, asked)
                out.append(_drawn_after(frames, start))
    return out


async def _baseline_latencies(n: int) -> list[float]:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield VerticalScroll(id="log")

        def on_key(self) -> None:
            log = self.query_one("#log")
            log.mount(Static(f"message {len(log.children)}"))
            log.scroll_end(animate=False)

    out: list[float] = []
    app = Minimal()
    async with app.run_test(size=(100, 32)) as pilot:
        frames = _frames(app)
        await pilot.pause()
        for _ in range(n):
            log = app.query_one("#log")
            before = len(log.children)
            await _settled(app, lambda: True)
            start = time.perf_counter()
            await _send(app, "x")
            await _settled(app, lambda log=log, before=before: len(log.children) > before
                           and log.children[-1].is_mounted)
            out.append(_drawn_after(frames, start))
    return out


def _long_case() -> dict[str, Any]:
    """A case that asks every question the flow has on one path (deficit, known primary, staging)."""
    return {
        "neuro_deficit": True, "deficit_progressing": True, "hours_since_deficit_onset": 14, "frankel": "D",
        "asia": "D", "known_primary": True, "primary_tumour": "breast", "histology_established": True,
        "prior_rt_same_level": False, "age": 61, "sex": "female", "mri_whole_spine_done": True,
        "index_level": "T8", "escc_grade": "2", "sins_location": "semirigid", "sins_pain": "mechanical",
        "sins_bone_lesion": "mixed", "sins_alignment": "normal", "sins_collapse": "lt50",
        "sins_posterolateral": "unilateral", "staging_done": True, "extraspinal_bone_mets": 2,
        "vertebral_body_mets": 2, "visceral_mets": "present", "visceral_mets_removable": True,
        "visceral_mets_treatable": True, "tomita_growth": "slow", "kps": 70, "ambulatory": True,
        "albumin_g_dl": 3.6, "fit_for_surgery": True, "expected_survival_months": 20,
        # contract v2
        "systemic_treatment_status": "responding", "compression_extent": "single_area", "contiguous_levels": 2,
        "posterior_wall_intact": True, "atypical_features": False,
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def answer_latency(quick: bool) -> dict[str, float]:
    """In-app latency from an answer submitted to the next question rendered, over a 40-answer case.

    "Rendered" is the last frame the answer caused (every follow-up layout and repaint included),
    found by waiting for a quiet spell and reading the frames' times; the minimal app is measured the
    same way. Returns p50 and p95 in milliseconds, and the p95 over that of a minimal app that
    appends one message per key (same machine, same run).
    """
    n = 40
    app = asyncio.run(_app_latencies(n))
    base = asyncio.run(_baseline_latencies(n))
    return {
        "answer_latency_p50_ms": round(statistics.median(app) * 1000, 2),
        "answer_latency_p95_ms": round(_pct(app, 0.95) * 1000, 2),
        "baseline_p95_ms": round(_pct(base, 0.95) * 1000, 2),
        "answer_latency_ratio": round(_pct(app, 0.95) / _pct(base, 0.95), 3),
    }


#: Three findings of the long case answered "not known yet" (CONTRACT §7): the live panel then works out
#: the provisional picture as the interview goes on.
OPEN_FINDINGS = ("sins_alignment", "sins_collapse", "expected_survival_months")


def answer_latency_open(quick: bool) -> dict[str, float]:
    """The same latency as :func:`answer_latency` on the long case with three findings not known yet,
    while the side panel shows the provisional headlines (issue 12): p95 and its ratio to the minimal app."""
    from interview.engine.values import NOT_KNOWN

    n = 40
    answers = _long_case() | dict.fromkeys(OPEN_FINDINGS, NOT_KNOWN)
    app = asyncio.run(_app_latencies(n, answers))
    base = asyncio.run(_baseline_latencies(n))
    return {
        "open_answer_latency_p95_ms": round(_pct(app, 0.95) * 1000, 2),
        "open_answer_latency_ratio": round(_pct(app, 0.95) / _pct(base, 0.95), 3),
    }


if __name__ == "__main__":  # pragma: no cover
    quick = "--quick" in sys.argv
    print("startup", startup_times(quick), "ratio", round(startup_ratio(quick), 3))
    print("latency", answer_latency(quick))
