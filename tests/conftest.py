"""Shared fixtures: the shipped flow (loaded once), the contract directory and example files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helpers: `paths`, `oracle`, `strategies`

from paths import CONTRACT, EXAMPLES, ROOT, SHARED, TESTS  # noqa: E402,F401  (re-exported for fixtures)


@pytest.fixture(scope="session")
def flow():
    """The shipped spinal-metastasis flow, loaded once per test run."""
    from interview.flow.load import load_flow

    return load_flow()


@pytest.fixture(scope="session")
def example_names() -> list[str]:
    """Names of the contract examples (`emergency_breast`, …)."""
    return sorted(p.name.removesuffix(".answers.yaml") for p in EXAMPLES.glob("*.answers.yaml"))
