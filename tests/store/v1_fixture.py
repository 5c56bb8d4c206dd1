"""The database of cases saved by the v1 code (``fixtures/contract_v1_cases.sqlite``) and a current flow to read it.

The tests read a copy, never the committed file. They hold for any current flow whose version is not
the stored one: the shipped flow once it has moved on, and always a simulated successor (a copy of
the shipped flow at version 2.0.0 with ``age`` required, as contract v2 makes it).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "contract_v1_cases.sqlite"
STORED_VERSION = "1.0.0"
COMPLETE = ("emergency_breast", "renal_stable", "unknown_primary")
IN_PROGRESS = "in_progress_prostate"
#: What the v1 code stored for each finished example (its headline title), as the fixture holds it.
V1_HEADLINES = {
    "emergency_breast": "Emergency decompression and stabilisation, then radiotherapy",
    "renal_stable": "Stereotactic body radiotherapy (SBRT) alone",
    "unknown_primary": "Biopsy and staging first",
}
FLOW_KINDS = ("shipped", "simulated")


def copy_fixture(directory: Path) -> Path:
    """A private copy of the v1 database (the committed file is never opened)."""
    if not FIXTURE.is_file():
        pytest.fail(f"{FIXTURE} is missing (made once by fixtures/make_v1_db.py)")
    target = directory / "v1_cases.sqlite"
    shutil.copyfile(FIXTURE, target)
    target.chmod(0o600)
    return target


def simulated_flow_path(directory: Path) -> Path:
    """The shipped flow at version 2.0.0 with ``age`` required: the smallest change v1 cases lack answers for."""
    from interview.flow.load import load_flow

    text = load_flow().path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^version: .*$', 'version: "2.0.0"', text, count=1)
    start = text.index("  - id: age\n")
    end = text.index("\n  - id: ", start + 1)
    text = text[:start] + text[start:end].replace("\n    optional: true", "") + text[end:]
    path = directory / "spinal_metastases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def current_flow(kind: str, directory: Path) -> tuple[Any, str]:
    """(flow, its --flow argument) of one kind; the shipped one is skipped while it is still the stored version."""
    from interview.flow.load import load_flow

    if kind == "shipped":
        flow = load_flow()
        if flow.version == STORED_VERSION:
            pytest.skip("the shipped flow is still 1.0.0: only the simulated successor applies")
        return flow, str(flow.path)
    path = simulated_flow_path(directory)
    return load_flow(path), str(path)


def case_ids(db: Path) -> dict[str, str]:
    """Case id by label in a copy of the fixture."""
    from interview.store.sqlite import CaseStore

    with CaseStore(db, read_only=True) as store:
        return {c.label: c.id for c in store.list_cases()}
