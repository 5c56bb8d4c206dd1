"""Garbage collection while the app starts: held until the first question is on screen.

Almost everything made while the app starts (modules, classes, the flow, the first screen) lives as
long as the app, so collecting it then finds next to nothing yet delays the first question by
tens of milliseconds. The launcher holds collection (:func:`hold`); once the first question is
drawn the app releases it (:func:`release`): one collection while the user reads, then automatic
collection as usual. (Not ``gc.freeze()`` after it: a frozen object is never collected, and the
first screen is dropped when another case is opened.)
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
    """Collect once and collect automatically again, if :func:`hold` held it."""
    global _held
    if _held:
        _held = False
        gc.collect()
        gc.enable()


def held() -> bool:
    """Whether collection is being held for the start-up."""
    return _held
