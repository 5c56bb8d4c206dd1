"""Where the tests find the project and its own copy of the contract (importable from any test folder).

Nothing here reads a file: a missing file fails the one test that reads it, never the collection.
The project carries its upstream sources in ``sources/`` (a byte copy of ``../shared``'s contract and
clinical reference); ``test_sources.py`` compares them with ``$SPINE_SHARED_DIR`` when that is set.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SOURCES = ROOT / "sources"
CONTRACT_V2 = SOURCES / "contract"
EXAMPLES_V2 = CONTRACT_V2 / "examples"
CONTRACT = CONTRACT_V2
EXAMPLES = EXAMPLES_V2


@functools.cache
def _example(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def example_names(examples: Path = EXAMPLES) -> list[str]:
    """Names of the contract examples (`emergency_breast`, …), sorted: the folder's listing, no file read."""
    return sorted(p.name.removesuffix(".answers.yaml") for p in examples.glob("*.answers.yaml"))


def example_answers(name: str, examples: Path = EXAMPLES) -> dict[str, Any]:
    """The answers of a contract example, read when a test asks (a fresh copy each time)."""
    return dict(_example(examples / f"{name}.answers.yaml"))
