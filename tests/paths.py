"""Where the tests find the project and the shared contract (importable from any test folder)."""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = Path(os.environ.get("SPINE_SHARED_DIR", ROOT.parent / "shared"))
CONTRACT = SHARED / "contract"
EXAMPLES = CONTRACT / "examples"
