"""Shared fixtures: the shipped flow (loaded once), the contract directory and example files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))  # tests import helpers such as `oracle` and `strategies` directly

SHARED = Path(os.environ.get("SPINE_SHARED_DIR", ROOT.parent / "shared"))
CONTRACT = SHARED / "contract"
EXAMPLES = CONTRACT / "examples"


@pytest.fixture(scope="session")
def flow():
    """The shipped spinal-metastasis flow, loaded once per test run."""
    from interview.flow.load import load_flow

    return load_flow()


@pytest.fixture(scope="session")
def example_names() -> list[str]:
    """Names of the contract examples (`emergency_breast`, …)."""
    return sorted(p.name.removesuffix(".answers.yaml") for p in EXAMPLES.glob("*.answers.yaml"))
