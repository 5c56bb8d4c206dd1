"""Fixtures of the terminal-interview tests: a temporary case database and the app under test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def temp_db(tmp_path, monkeypatch) -> Path:
    """Every TUI test writes to its own case database, never the user's."""
    db = tmp_path / "cases.db"
    monkeypatch.setenv("SPINE_INTERVIEW_DB", str(db))
    monkeypatch.chdir(tmp_path)
    return db


@pytest.fixture
def make_app(flow, temp_db):
    """Build the app the way `spine-interview` does (case store at the temp database)."""
    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper

    def make(**kwargs):
        return InterviewApp(flow, keeper=CaseKeeper(str(temp_db)), **kwargs)

    return make


@pytest.fixture
def frozen_clock(monkeypatch):
    """Fix the time the store stamps and the recommendation's summary reads ("as of", time left), in UTC."""
    from datetime import UTC, datetime

    frozen = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setattr("interview.store.records.now", lambda: frozen.isoformat(timespec="microseconds"))
    monkeypatch.setattr("interview.tui.screens.recommendation.current_time", lambda: frozen)
    return frozen
