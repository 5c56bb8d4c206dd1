"""The FHIR export in a renderer nobody here wrote: NLM's LHC-Forms (npm ``lforms``) in headless Chromium.

Every contract example is exported (R4B and R5), its Questionnaire and QuestionnaireResponse are
rendered by LHC-Forms, and what the form makes of them is compared with the app: every item
converts, the items the form enables are the app's path, each total the form computes is the app's
score, and KPS 75 (off the step of 10) is refused. One browser run serves the whole module.

Needs Debian's ``chromium`` and ``npm ci`` in ``tests/export/lforms`` (``.ci/run`` does both); the
page is served from a localhost port and loads nothing from anywhere else. Without them the tests
skip with one line — under ``SPINE_REQUIRE_SERVICES=1`` that is a failure.
"""

from __future__ import annotations

import html
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml
from paths import EXAMPLES, example_names

from interview.export.fhir import bundle

LFORMS_DIR = Path(__file__).resolve().parent / "lforms"
LFORMS_MAIN = LFORMS_DIR / "node_modules" / "lforms" / "dist" / "lforms" / "webcomponent" / "main.js"
REQUIRE_ENV = "SPINE_REQUIRE_SERVICES"
VERSIONS = ("R4B", "R5")
EXAMPLE_NAMES = example_names()
#: The example whose KPS is set to 75 to see the form refuse it (one per version: each is a render).
REFUSE_IN = "renal_stable"
#: Random complete cases rendered beside the examples: they reach the branches the examples do not
#: (a deficit with Frankel A, albumin for NESMS, paediatric ages …) where a translation could slip.
SAMPLES = 40
SAMPLE_SEED = 18
BROWSER_TIMEOUT_S = 240
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--virtual-time-budget=600000", "--dump-dom")


def _skip_or_fail(message: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(message)


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """This folder (the harness and node_modules) plus the cases of this run at /cases.js."""

    cases_js = b""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(LFORMS_DIR), **kwargs)

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        if self.path.split("?")[0] == "/cases.js":
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript")
            self.send_header("Content-Length", str(len(self.cases_js)))
            self.end_headers()
            self.wfile.write(self.cases_js)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def _records(flow):
    """Each example replayed and stored, as the case records the export reads."""
    from interview.engine.replay import replay
    from interview.store.sqlite import CaseStore, save_result_case

    db = Path(tempfile.mkdtemp(prefix="spine-lforms-")) / "cases.sqlite3"
    with CaseStore(db) as store:
        out = {}
        for name in EXAMPLE_NAMES:
            answers = yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))
            out[name] = store.get_case(save_result_case(store, flow, replay(flow, answers).result))
    return out


def _sampled_cases(flow) -> list[tuple[dict, list[str], list[str]]]:
    """(answers, skipped, the app's path) of seeded random complete cases, answers drawn from the values
    the flow's own conditions compare against (as `spine-interview check` draws them)."""
    import random

    from interview.check.lint import _numbers, _strings, domain
    from interview.engine.session import walk
    from interview.flow.model import IntQuestion

    numbers, strings = _numbers(flow), _strings(flow)
    domains = {}
    for q in flow.questions:
        values = domain(q.model, numbers, strings)
        if isinstance(q.model, IntQuestion):  # a stepped number only on its step (the app refuses KPS 75)
            values = [v for v in values if (v - q.model.min) % q.model.step == 0]
        domains[q.id] = values
    rng = random.Random(SAMPLE_SEED)
    out = []
    for _ in range(SAMPLES):
        answers = {q.id: rng.choice(domains[q.id]) for q in flow.questions}
        skipped = [q.id for q in flow.questions if q.model.optional and rng.random() < 0.3]
        for qid in skipped:
            answers.pop(qid)
        walked = walk(flow, answers, skipped)
        if walked.current is None:
            out.append(({k: v for k, v in answers.items() if k in walked.path}, skipped, walked.path, walked.env))
    return out


@pytest.fixture(scope="module")
def lforms_browser():
    """The Chromium binary, once the harness's lforms files are in place (else skip or fail)."""
    chromium = _chromium()
    if chromium is None:
        _skip_or_fail("no Chromium here for the LHC-Forms check (apt-get install chromium)")
    if not LFORMS_MAIN.exists():
        _skip_or_fail("LHC-Forms is not installed for the browser check (run `npm ci` in tests/export/lforms)")
    return chromium


@pytest.fixture(scope="module")
def rendered(lforms_browser, flow):
    """Every example in both versions, rendered by LHC-Forms in one Chromium run."""
    records = _records(flow)
    cases, exported = [], {}
    for name, record in records.items():
        for version in VERSIONS:
            data = bundle(record, flow, version)
            by_type = {e["resource"]["resourceType"]: e["resource"] for e in data["entry"]}
            exported[name, version] = by_type
            cases.append({"name": f"{name}|{version}", "questionnaire": by_type["Questionnaire"],
                          "response": by_type["QuestionnaireResponse"],
                          "refuse": {"kps": 75} if name == REFUSE_IN else {}})
    from interview.export.fhir import ReplayedCase

    samples = {}
    for i, (answers, skipped, path, env) in enumerate(_sampled_cases(flow)):
        version = VERSIONS[i % 2]
        case = ReplayedCase({"answers": answers, "path": path, "skipped": skipped}, "2026-11-29T10:00:00+00:00")
        by_type = {e["resource"]["resourceType"]: e["resource"] for e in bundle(case, flow, version)["entry"]}
        totals = {s.id: (env[s.id] or {}).get("total") for s in flow.model.scores if s.kind == "points"}
        samples[f"sample-{i}", version] = {"path": path, "totals": totals, "answers": answers}
        cases.append({"name": f"sample-{i}|{version}", "questionnaire": by_type["Questionnaire"],
                      "response": by_type["QuestionnaireResponse"], "refuse": {}})
    _Handler.cases_js = ("window.CASES = " + json.dumps(cases) + ";\n").encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="spine-chromium-")
    start = time.perf_counter()
    try:
        run = subprocess.run(
            [lforms_browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"http://127.0.0.1:{server.server_address[1]}/harness.html"],
            capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    seconds = time.perf_counter() - start
    m = re.search(r'<pre id="result">(.*?)</pre>', run.stdout, re.S)
    if m is None or not m.group(1).strip():
        pytest.fail(f"the LHC-Forms harness wrote no result (exit {run.returncode}): {run.stderr[-800:]}",
                    pytrace=False)
    report = json.loads(html.unescape(m.group(1)))
    if not report["ok"]:
        pytest.fail(f"the LHC-Forms harness failed: {report['error']}; {report['complaints'][:5]}", pytrace=False)
    results = {tuple(r["name"].split("|")): r for r in report["results"]}
    print(f"\nLHC-Forms: {len(results)} forms rendered in one Chromium run of {seconds:.1f} s "
          f"({seconds / len(results) * 1000:.0f} ms a form, browser start included)")
    return {"results": results, "records": records, "exported": exported, "seconds": seconds, "samples": samples}


def _cases():
    return [(name, version) for name in EXAMPLE_NAMES for version in VERSIONS]


def _questions(flow) -> set[str]:
    return {q.id for q in flow.questions}


def _all_link_ids(items) -> list[str]:
    out = []
    for item in items:
        out.append(item["linkId"])
        out += _all_link_ids(item.get("item", []))
    return out


@pytest.mark.parametrize(("name", "version"), _cases())
def test_every_item_converts(name, version, rendered):
    """LHC-Forms converts every item of the Questionnaire, read as the release its meta.profile names."""
    result = rendered["results"][name, version]
    q = rendered["exported"][name, version]["Questionnaire"]
    assert result["version"] == version
    assert result["converted"] == _all_link_ids(q["item"])


@pytest.mark.parametrize(("name", "version"), _cases())
def test_enabled_items_are_the_apps_path(name, version, rendered, flow):
    """The questions LHC-Forms enables for the case's answers are exactly the app's path."""
    from interview.engine.session import walk

    result = rendered["results"][name, version]
    record = rendered["records"][name]
    path = record.result["path"]
    if record.result["recommendation"].get("provisional"):
        # Provisional (CONTRACT §7): the questions asked while the open answers are still to come.
        path = walk(flow, {k: (None if v == "not_known" else v) for k, v in record.answers.items()}).path
    questions = _questions(flow)
    enabled = [link for link in result["enabled"] if link in questions]
    assert enabled == path


@pytest.mark.parametrize(("name", "version"), _cases())
def test_calculated_scores_are_the_apps(name, version, rendered, flow):
    """Each score total the form calculates equals the app's, and is empty where the app has none."""
    result = rendered["results"][name, version]
    scores = rendered["records"][name].result["scores"]
    checked = 0
    for s in flow.model.scores:
        if s.kind != "points":
            continue
        app = (scores.get(s.key or s.id) or {}).get("total")
        assert result["answers"].get(f"{s.id}.total") == app, s.id
        checked += app is not None
    assert checked or name in ("paediatric",), "no score was compared"


@pytest.mark.parametrize("version", VERSIONS)
def test_kps_off_its_step_is_refused(version, rendered):
    """KPS 75 (the step is 10) is not taken by the form, as the app refuses it; 90 is."""
    result = rendered["results"][REFUSE_IN, version]
    assert result["answers"]["kps"] == rendered["records"][REFUSE_IN].answers["kps"]
    assert result["refused"]["kps"]["kept"] is None


@pytest.mark.parametrize("version", VERSIONS)
def test_answers_round_trip(version, rendered):
    """Every answer the form was given comes back unchanged in its QuestionnaireResponse."""
    for name in EXAMPLE_NAMES:
        result = rendered["results"][name, version]
        response = rendered["exported"][name, version]["QuestionnaireResponse"]
        for item in response["item"]:
            if "answer" not in item:
                continue  # not known yet: nothing to give
            answer = item["answer"][0]
            key = next(k for k in answer if k.startswith("value"))
            given = answer[key]["code"] if key == "valueCoding" else answer[key]
            assert result["answers"].get(item["linkId"]) == given, (name, item["linkId"])


def test_sampled_cases_agree_with_the_app(rendered, flow):
    """On random complete cases the form enables the app's path and computes the app's totals."""
    samples = rendered["samples"]
    assert len(samples) >= SAMPLES // 2, "too few complete cases drawn"
    questions = _questions(flow)
    differences = []
    for key, app in samples.items():
        result = rendered["results"][key]
        enabled = [link for link in result["enabled"] if link in questions]
        if enabled != app["path"]:
            differences.append((key, "path", sorted(set(enabled) ^ set(app["path"]))))
        form = {sid: result["answers"].get(f"{sid}.total") for sid in app["totals"]}
        if form != app["totals"]:
            differences.append((key, "totals", form, app["totals"]))
    assert differences == []
