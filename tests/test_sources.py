"""The project carries its own copy of the upstream contract and REFERENCE; it matches upstream when that is given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from paths import ROOT, SOURCES

# Folders of upstream (../shared) that the project carries, byte for byte, in sources/.
CARRIED = ("contract", "clinical")


def carried_files(root: Path) -> set[str]:
    """Relative paths of every file under the carried folders of `root`."""
    return {str(p.relative_to(root)) for top in CARRIED for p in (root / top).rglob("*") if p.is_file()}


def test_the_project_carries_its_sources() -> None:
    """The contract, its examples and REFERENCE.md are in the repository, so a lone clone can test itself."""
    files = carried_files(SOURCES)
    assert {"contract/CONTRACT.md", "contract/case_fields.yaml", "clinical/REFERENCE.md"} <= files
    assert any(name.endswith(".expected.json") for name in files)


def test_product_code_never_reads_shared() -> None:
    """No module of the package names ../shared or SPINE_SHARED_DIR: the app reads only what it carries."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "interview").rglob("*.py")
        if "SPINE_SHARED_DIR" in (text := path.read_text(encoding="utf-8")) or '"shared"' in text
    ]
    assert offenders == []


@pytest.mark.skipif(not os.environ.get("SPINE_SHARED_DIR"), reason="SPINE_SHARED_DIR is not set: nothing to compare with")
def test_sources_match_upstream() -> None:
    """Every carried file is byte-identical to upstream, and upstream has no file the project lacks."""
    upstream = Path(os.environ["SPINE_SHARED_DIR"])
    ours, theirs = carried_files(SOURCES), carried_files(upstream)
    assert sorted(theirs - ours) == [], "upstream has files the project does not carry: copy them into sources/"
    assert sorted(ours - theirs) == [], "the project carries files upstream no longer has"
    differing = [name for name in sorted(ours) if (SOURCES / name).read_bytes() != (upstream / name).read_bytes()]
    assert differing == [], f"copies differ from upstream: {differing}"
