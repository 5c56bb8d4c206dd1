"""Fixtures of the export tests: the store tests' private database per test, an open store on it, and the
stored renal_stable example most FHIR tests export."""

from __future__ import annotations

import copy

import pytest
from store.helpers import db_path_fixture, store_fixture, stored_example  # noqa: F401 - the db_path and store fixtures


@pytest.fixture
def renal_record(store, flow):
    """The stored case of the renal_stable contract example, as the store gives it back."""
    return store.get_case(stored_example(store, flow, "renal_stable"))


@pytest.fixture
def renal_bundle(renal_record, flow) -> dict:
    """The renal_stable case's FHIR Bundle (the default version and type), the test's own copy to break."""
    from interview.export.fhir import bundle

    return copy.deepcopy(bundle(renal_record, flow))
