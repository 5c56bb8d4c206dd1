"""Shared helpers of the store and export tests: the contract examples and stored cases made from them."""

from __future__ import annotations

from typing import Any

import yaml
from paths import EXAMPLES, ROOT  # noqa: F401 (re-exported for the tests)

EXAMPLE_NAMES = ("emergency_breast", "renal_stable", "unknown_primary")


def example_answers(name: str) -> dict[str, Any]:
    """The answers file of a contract example."""
    return yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))


def stored_example(store: Any, flow: Any, name: str, **kwargs: Any) -> str:
    """Replay a contract example and store it as a finished case; returns the case id."""
    from interview.engine.replay import replay
    from interview.store.sqlite import save_result_case

    return save_result_case(store, flow, replay(flow, example_answers(name)).result, **kwargs)
