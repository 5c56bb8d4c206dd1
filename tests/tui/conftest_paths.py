"""Paths the TUI tests share with the rest of the suite (kept out of conftest so they can be imported)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path(os.environ.get("SPINE_SHARED_DIR", ROOT.parent / "shared")) / "contract" / "examples"
