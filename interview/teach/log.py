"""The learning log: one entry per quiz session, owner-only, exportable as Markdown for a portfolio.

Where it lives: a JSON-lines file (one learner's, or a lecture room's directory), or — for a room of
thirty tabs on several machines — the ``spine_learning`` schema of a PostgreSQL server
(:mod:`interview.teach.log_postgres`), never the case tables. Entries carry the room they were
given in (``--room``), and only what a quiz knows: the teaching case, the checkpoints, what was
answered and what was expected. Anything else an entry might carry (a name, a record number) is
dropped before it is written: no patient identifier ever reaches a learning log.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

LOG_ENV = "SPINE_INTERVIEW_LEARNING_LOG"
#: The room a served tab's quiz answers are tagged with (set by ``serve --room``).
ROOM_ENV = "SPINE_INTERVIEW_ROOM"
LOG_NAME = "learning_log.jsonl"
#: What a learning-log entry may hold; every other key is dropped before writing.
ENTRY_KEYS = ("at", "room", "learner", "case_id", "case_title", "score", "out_of", "checkpoints")
CHECKPOINT_KEYS = ("id", "prompt", "expected", "given", "correct")
_ROOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}")


class LogError(ValueError):
    """A learning log that cannot be read or written; the message names the file."""


def is_server(target: str | Path | None) -> bool:
    """True for a PostgreSQL URL."""
    return isinstance(target, str) and target.strip().lower().startswith(("postgresql://", "postgres://"))


def check_room(name: str) -> str:
    """A room name as given, or LogError saying what a room name may be."""
    name = name.strip()
    if not _ROOM.fullmatch(name):
        raise LogError(f"room {name[:60]!r}: expected 1 to 40 letters, digits, spaces, '.', '_' or '-', "
                       "starting with a letter or digit")
    return name


def default_log_path() -> Path:
    """``$SPINE_INTERVIEW_LEARNING_LOG``, else ``learning_log.jsonl`` in the user data directory."""
    if os.environ.get(LOG_ENV) and not is_server(os.environ[LOG_ENV]):
        return Path(os.environ[LOG_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("spine-interview", appauthor=False)) / LOG_NAME


def resolve_log(target: str | Path | None = None) -> str | Path:
    """Where the log is: a URL as given, a directory's ``learning_log.jsonl``, a file, or the default."""
    if target is None or target == "":
        env = os.environ.get(LOG_ENV)
        if env and is_server(env):
            return env
        return default_log_path()
    if is_server(target):
        return str(target)
    path = Path(target).expanduser()
    return path / LOG_NAME if path.is_dir() else path


def scrub(entry: dict[str, Any]) -> dict[str, Any]:
    """Only the keys a quiz entry has (:data:`ENTRY_KEYS`, :data:`CHECKPOINT_KEYS`); the rest is dropped."""
    clean = {k: entry[k] for k in ENTRY_KEYS if k in entry}
    clean["checkpoints"] = [{k: cp[k] for k in CHECKPOINT_KEYS if k in cp}
                            for cp in entry.get("checkpoints", []) if isinstance(cp, dict)]
    return clean


def append_entry(entry: dict[str, Any], path: str | Path | None = None) -> str | Path:
    """Add one session to the log (a file is created owner-only, 0600); returns where it went.

    The entry is tagged with ``$SPINE_INTERVIEW_ROOM`` when it names no room, and scrubbed
    (:func:`scrub`).

    Raises:
        LogError: when the file, its directory or the server cannot be written.
    """
    entry = dict(entry)
    if os.environ.get(ROOM_ENV) and not entry.get("room"):
        entry["room"] = check_room(os.environ[ROOM_ENV])
    entry = scrub(entry)
    target = resolve_log(path)
    if is_server(target):
        from interview.teach.log_postgres import append_to_server

        append_to_server(str(target), entry)
        return target
    from interview.files.writing import WriteError, append_private

    try:
        # The one writer: 0600, directories 0700, never through a link, onto a device or a database.
        append_private(target, json.dumps(entry, ensure_ascii=False) + "\n")
    except WriteError as err:
        raise LogError(f"cannot write the learning log: {err.message}") from None
    return target


def read_entries(path: str | Path | None = None, *, room: str | None = None) -> list[dict[str, Any]]:
    """Every session in the log (of one room, if given), oldest first; a missing log is empty.

    Raises:
        LogError: naming the file and line of the first damaged entry.
    """
    target = resolve_log(path)
    if is_server(target):
        from interview.teach.log_postgres import read_from_server

        return read_from_server(str(target), room=room)
    entries = _read_file(target)
    return [e for e in entries if e.get("room") == room] if room is not None else entries


def _read_file(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LogError(f"{path}: cannot read the learning log ({err})") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise LogError(f"{path}: line {number} is not a learning-log entry (expected one JSON object)") from None
        if not isinstance(entry, dict) or "case_id" not in entry:
            raise LogError(f"{path}: line {number} is not a learning-log entry (no case_id)")
        entries.append(entry)
    return entries


def export_markdown(entries: list[dict[str, Any]]) -> str:
    """The log as a Markdown training-portfolio page."""
    from interview.text import for_markdown
    lines = ["# Learning log — spinal metastases teaching cases", ""]
    if not entries:
        return "\n".join([*lines, "No quiz sessions recorded yet.", ""])
    right = sum(int(e.get("score", 0)) for e in entries)
    total = sum(int(e.get("out_of", 0)) for e in entries)
    lines += [f"{len(entries)} sessions, {right} of {total} checkpoints right.", "",
              "| Date | Case | Score |", "|---|---|---|"]
    lines += [f"| {e.get('at', '')} | {e.get('case_title', e['case_id'])} | {e.get('score', 0)}/{e.get('out_of', 0)} |"
              for e in entries]
    for e in entries:
        lines += ["", f"## {e.get('case_title', e['case_id'])} ({e.get('at', '')})", ""]
        for cp in e.get("checkpoints", []):
            mark = "✔" if cp.get("correct") else "✘"
            # What the learner typed, escaped: no raw HTML, links or images in a portfolio page.
            given = for_markdown(cp.get("given")) if cp.get("given") is not None else "not answered"
            lines.append(f"- {mark} {cp.get('prompt', cp.get('id'))}: answered {given}, expected {cp.get('expected')}")
    lines.append("")
    return "\n".join(lines)
