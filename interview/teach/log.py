"""The learning log: one JSON line per quiz session, owner-only, exportable as Markdown for a portfolio."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

LOG_ENV = "SPINE_INTERVIEW_LEARNING_LOG"


class LogError(ValueError):
    """A learning log that cannot be read or written; the message names the file."""


def default_log_path() -> Path:
    """``$SPINE_INTERVIEW_LEARNING_LOG``, else ``learning_log.jsonl`` in the user data directory."""
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("spine-interview", appauthor=False)) / "learning_log.jsonl"


def append_entry(entry: dict[str, Any], path: Path | None = None) -> Path:
    """Add one session to the log, creating it owner-only (0600).

    Raises:
        LogError: when the file or its directory cannot be written.
    """
    from interview.files.writing import WriteError, append_private

    path = path or default_log_path()
    try:
        # The one writer: 0600, directories 0700, never through a link, onto a device or a database.
        append_private(path, json.dumps(entry, ensure_ascii=False) + "\n")
    except WriteError as err:
        raise LogError(f"cannot write the learning log: {err.message}") from None
    return path


def read_entries(path: Path | None = None) -> list[dict[str, Any]]:
    """Every session in the log, oldest first; a missing log is empty.

    Raises:
        LogError: naming the file and line of the first damaged entry.
    """
    path = path or default_log_path()
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
