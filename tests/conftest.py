"""Shared fixtures: the shipped flow (loaded once), the contract directory and example files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # helpers: `paths`, `oracle`, `strategies`

import paths  # noqa: E402
from paths import CONTRACT, EXAMPLES, ROOT, TESTS  # noqa: E402,F401  (re-exported for fixtures)

_CACHE_ENV = "SPINE_INTERVIEW_CACHE"


def pytest_configure(config: pytest.Config) -> None:
    """The run keeps its own cache of validated flows (inherited by the CLI subprocesses), never the user's."""
    import os
    import tempfile

    if _CACHE_ENV not in os.environ:
        config._spine_flow_cache = tempfile.mkdtemp(prefix="spine-flow-cache-")  # type: ignore[attr-defined]
        os.environ[_CACHE_ENV] = config._spine_flow_cache  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    directory = getattr(config, "_spine_flow_cache", None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def flow():
    """The shipped spinal-metastasis flow, loaded once per test run."""
    from interview.flow.load import load_flow

    return load_flow()


@pytest.fixture(scope="session")
def example_names() -> list[str]:
    """Names of the contract examples (`emergency_breast`, …)."""
    return paths.example_names()
