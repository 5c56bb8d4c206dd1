"""Garbage collection while the app starts: held until the first question is on screen.

Almost everything made while the app starts (modules, classes, the flow, the first screen) lives as
long as the app, so collecting it then finds next to nothing yet delays the first question by
tens of milliseconds. The launcher holds collection (:func:`hold`); once the first question is
drawn the app releases it (:func:`release`): one collection while the user reads, after which the
start-up heap is frozen so that later collections, between answers, no longer walk it.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Stop automatic collection until :func:`release` (no effect if it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Collect once, freeze what survives and collect automatically again, if :func:`hold` held it."""
    global _held
    if _held:
        _held = False
        gc.collect()
        gc.freeze()
        gc.enable()


def held() -> bool:
    """Whether collection is being held for the start-up."""
    return _held
