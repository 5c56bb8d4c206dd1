"""The cache of validated flows: used only for the same file and code, never stale, never fatal."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from interview.engine.replay import replay
from interview.flow import cache as flow_cache
from interview.flow.load import FlowError, flows_dir, load_flow

FLOW = flows_dir() / "spinal_metastases.yaml"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(flow_cache.CACHE_ENV, str(directory))
    return directory


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.yaml"
    shutil.copyfile(FLOW, path)
    return path


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.flow"))


def spy_validation(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every full validation (parse + pydantic + binding) load_flow makes."""
    import interview.flow.load as load

    calls: list[Path] = []
    real = load._validate

    def validate(path: Path, raw: bytes):  # noqa: ANN202
        calls.append(path)
        return real(path, raw)

    monkeypatch.setattr(load, "_validate", validate)
    return calls


def test_second_load_comes_from_the_cache_and_equals_a_full_load(cache_dir, flow_file, monkeypatch):
    validations = spy_validation(monkeypatch)
    first = load_flow(flow_file)
    assert validations == [flow_file] and len(entries(cache_dir)) == 1
    cached = load_flow(flow_file)
    assert validations == [flow_file], "an unchanged flow is not validated again"
    fresh = load_flow(flow_file, cache=False)
    assert cached is not first
    assert cached.model == fresh.model
    assert (cached.path, cached.sha256) == (fresh.path, fresh.sha256)
    assert [e.source for e in cached.conditions.values()] == [e.source for e in fresh.conditions.values()]
    assert [t.text for t in cached.templates.values()] == [t.text for t in fresh.templates.values()]
    assert cached.depends_on == fresh.depends_on
    assert [(q.id, q.index, q.when_inputs) for q in cached.questions] == \
        [(q.id, q.index, q.when_inputs) for q in fresh.questions]
    # Expressions and templates are kept by their place in the file, and found from the cached flow's nodes.
    assert list(cached.conditions) == list(fresh.conditions)
    assert list(cached.templates) == list(fresh.templates)
    for rule in cached.model.rules:
        assert cached.template(rule.because).text == rule.because
        if rule.when:
            assert cached.cond(rule).source == rule.when


def test_a_cached_flow_gives_the_same_results(cache_dir, flow_file, example_names):
    from paths import EXAMPLES

    from interview.cli import read_answers_file

    load_flow(flow_file)
    cached, fresh = load_flow(flow_file), load_flow(flow_file, cache=False)
    assert example_names
    for name in example_names:
        if name == "pending_mri_items":  # not-known answers (CONTRACT §7) are refused until built
            continue
        answers = read_answers_file(str(EXAMPLES / f"{name}.answers.yaml"))
        assert replay(cached, answers).result.to_json_dict() == replay(fresh, answers).result.to_json_dict()


def test_a_changed_flow_is_validated_again(cache_dir, flow_file, monkeypatch):
    load_flow(flow_file)
    validations = spy_validation(monkeypatch)
    text = flow_file.read_text(encoding="utf-8")
    flow_file.write_text(text.replace("title:", "title: Changed", 1), encoding="utf-8")
    changed = load_flow(flow_file)
    assert validations == [flow_file]
    assert changed.model.title.startswith("Changed")
    # A change that breaks the flow is reported, not hidden behind the entry of the old version.
    flow_file.write_text(text.replace("kind: choice", "kind: chioce", 1), encoding="utf-8")
    with pytest.raises(FlowError):
        load_flow(flow_file)


def test_changed_code_is_validated_again(cache_dir, flow_file, monkeypatch):
    load_flow(flow_file)
    validations = spy_validation(monkeypatch)
    monkeypatch.setattr(flow_cache, "code_version", lambda: "another version of the code")
    load_flow(flow_file)
    assert validations == [flow_file]
    load_flow(flow_file)
    assert validations == [flow_file], "the entry was rewritten for the new code"


def test_the_key_covers_the_flow_code_and_nothing_else():
    """The entry key hashes every module of interview/flow and the file reader, and no TUI, engine or export code."""
    files = {p.relative_to(flow_cache._PACKAGE).as_posix() for p in flow_cache.code_files(flow_cache._PACKAGE)}
    assert {"flow/load.py", "flow/model.py", "flow/expr.py", "flow/schema.py", "flow/cache.py",
            "files/reading.py"} <= files
    assert all(f.startswith("flow/") or f == "files/reading.py" for f in files), files
    assert flow_cache.code_version() == flow_cache.code_version.__wrapped__()


def test_editing_a_widget_keeps_the_entries_and_editing_the_loader_does_not(tmp_path):
    """A copy of the package: a changed TUI widget leaves the key as it was; a changed flow module changes it."""
    package = tmp_path / "interview"
    shutil.copytree(flow_cache._PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = flow_cache.code_digest(package)
    widget = next((package / "tui").rglob("*.py"))
    widget.write_text(widget.read_text(encoding="utf-8") + "\n# a widget changed\n", encoding="utf-8")
    assert flow_cache.code_digest(package) == before
    expr = package / "flow" / "expr.py"
    expr.write_text(expr.read_text(encoding="utf-8") + "\n# the condition language changed\n", encoding="utf-8")
    assert flow_cache.code_digest(package) != before


def test_an_entry_is_the_flows_data_keyed_by_place(cache_dir, flow_file):
    """The pickled entry holds the expressions and templates under their file locations, as the loaded flow does."""
    flow = load_flow(flow_file)
    state = pickle.loads(flow_cache._payload(flow))
    _, _, conditions, templates, _ = state
    assert list(conditions) == list(flow.conditions) and list(templates) == list(flow.templates)
    assert all(isinstance(key, tuple) and isinstance(key[0], str) for key in [*conditions, *templates])


def test_a_flow_that_fails_validation_is_never_cached(cache_dir, flow_file):
    flow_file.write_text(flow_file.read_text(encoding="utf-8").replace("kind: choice", "kind: chioce", 1),
                         encoding="utf-8")
    for _ in range(2):
        with pytest.raises(FlowError):
            load_flow(flow_file)
    assert entries(cache_dir) == []


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[: len(data) // 2],
    lambda data: data[:-50] + b"\x00" * 50,
    lambda data: b"not a cache entry at all",
    lambda data: data.replace(b"spine-interview flow cache", b"spine-interview flow cachX", 1),
])
def test_a_damaged_entry_is_rebuilt_silently(cache_dir, flow_file, monkeypatch, damage):
    load_flow(flow_file)
    [entry] = entries(cache_dir)
    entry.write_bytes(damage(entry.read_bytes()))
    validations = spy_validation(monkeypatch)
    flow = load_flow(flow_file)
    assert validations == [flow_file]
    assert load_flow(flow_file).model == flow.model
    assert validations == [flow_file], "the damaged entry was replaced by a good one"
    assert flow.model == load_flow(flow_file, cache=False).model


def _planted(module: str, name: str, arg: str) -> bytes:
    """A pickle that calls module.name(arg) when loaded."""
    return (b"\x80\x04c" + module.encode() + b"\n" + name.encode() + b"\n" + pickle.dumps(arg, 4)[2:-1]
            + b"\x85R.")


@pytest.mark.parametrize("target", [
    ("os", "system", "true"),
    ("builtins", "eval", "1"),
    ("interview.flow.load", "load_flow", "x"),  # a function of an allowed module is not a data class
])
def test_an_entry_naming_anything_but_flow_classes_is_refused(cache_dir, flow_file, monkeypatch, target):
    load_flow(flow_file)
    [entry] = entries(cache_dir)
    magic, key, _ = entry.read_bytes().split(b"\n", 2)
    # A planted entry with the right key that would call something when unpickled.
    planted = _planted(*target)
    entry.write_bytes(magic + b"\n" + key + b"\n" + planted)
    refused = flow_cache._Unpickler(planted)
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        refused.load()
    validations = spy_validation(monkeypatch)
    assert load_flow(flow_file).model.id
    assert validations == [flow_file]


def test_entries_are_private(cache_dir, flow_file):
    load_flow(flow_file)
    [entry] = entries(cache_dir)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert not list(cache_dir.glob(".tmp-*")), "no temporary file is left behind"


def test_an_unwritable_cache_is_not_an_error(tmp_path, flow_file, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(flow_cache.CACHE_ENV, str(blocker / "cache"))
    assert load_flow(flow_file).model.id == load_flow(flow_file).model.id


def test_the_cache_can_be_switched_off(tmp_path, flow_file, monkeypatch):
    monkeypatch.setenv(flow_cache.CACHE_ENV, "off")
    validations = spy_validation(monkeypatch)
    load_flow(flow_file)
    load_flow(flow_file)
    assert validations == [flow_file, flow_file]


def test_the_default_place_is_the_user_cache_directory(monkeypatch):
    import platformdirs

    monkeypatch.delenv(flow_cache.CACHE_ENV, raising=False)
    expected = Path(platformdirs.user_cache_dir("spine-interview", appauthor=False)) / "flows"
    assert flow_cache.cache_dir() == expected


def test_one_entry_per_flow_file(cache_dir, flow_file, tmp_path):
    other = tmp_path / "other.yaml"
    shutil.copyfile(FLOW, other)
    load_flow(flow_file)
    load_flow(other)
    assert len(entries(cache_dir)) == 2
    flow_file.write_text(flow_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    load_flow(flow_file)
    assert len(entries(cache_dir)) == 2, "a new version of a file replaces its entry"
    assert load_flow(other).path == other


# --- trust: who may write the cache (issue 17, item 11) -------------------------------------------


@pytest.fixture
def fresh_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this test see the once-per-process warning about an untrusted cache."""
    monkeypatch.setattr(flow_cache, "_warned", False)


def _planted_rules_entry(cache_dir: Path, flow_file: Path, tmp_path: Path) -> tuple[bytes, object]:
    """An entry for ``flow_file``'s name and key whose payload is another flow (a different first rule),
    and that flow."""
    load_flow(flow_file)
    because = load_flow(flow_file, cache=False).model.rules[0].because
    text = flow_file.read_text(encoding="utf-8")
    assert because and because in text
    other = tmp_path / "other-rules.yaml"
    other.write_text(text.replace(because, "PLANTED RULE " + because, 1), encoding="utf-8")
    planted_flow = load_flow(other, cache=False)
    key = flow_cache._key(flow_file, flow_file.read_bytes())
    return flow_cache._MAGIC + key + b"\n" + b"0" * 64 + b"\n" + flow_cache._payload(planted_flow), planted_flow


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o1777])
def test_a_cache_directory_others_can_write_is_not_used(cache_dir, flow_file, monkeypatch, fresh_warning, mode):
    """A group- or world-writable cache directory is never read or written; one warning says so."""
    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(mode)
    validations = spy_validation(monkeypatch)
    with pytest.warns(flow_cache.UntrustedCache, match="writable by"):
        load_flow(flow_file)
    load_flow(flow_file)
    assert validations == [flow_file, flow_file], "each load validated in full"
    assert entries(cache_dir) == [] and not (cache_dir / flow_cache.KEY_FILE).exists()


def test_the_untrusted_warning_is_given_once(cache_dir, flow_file, fresh_warning):
    """The warning about an untrusted cache comes once per process, not at every load."""
    import warnings

    cache_dir.mkdir(mode=0o700)
    cache_dir.chmod(0o777)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            load_flow(flow_file)
    assert [w.category for w in caught] == [flow_cache.UntrustedCache]


def test_a_cache_directory_of_another_owner_is_not_used(cache_dir, flow_file, monkeypatch, fresh_warning):
    """A cache directory owned by someone else is not used, with a warning."""
    load_flow(flow_file)
    monkeypatch.setattr(flow_cache.os, "geteuid", lambda: os.stat(cache_dir).st_uid + 1)
    validations = spy_validation(monkeypatch)
    with pytest.warns(flow_cache.UntrustedCache, match="not owned by you"):
        load_flow(flow_file)
    assert validations == [flow_file]


def test_a_planted_entry_with_other_rules_is_refused(cache_dir, flow_file, tmp_path, monkeypatch):
    """An entry under the right name and key but with another flow's rules fails its HMAC: the real rules load."""
    data, planted_flow = _planted_rules_entry(cache_dir, flow_file, tmp_path)
    real = load_flow(flow_file, cache=False)
    assert planted_flow.model != real.model, "the planted entry really carries other rules"
    [entry] = entries(cache_dir)
    entry.write_bytes(data)
    validations = spy_validation(monkeypatch)
    loaded = load_flow(flow_file)
    assert validations == [flow_file], "the planted entry was refused and the flow validated again"
    assert loaded.model == real.model and loaded.model.rules == real.model.rules
    assert loaded.sha256 == hashlib.sha256(flow_file.read_bytes()).hexdigest()


def test_a_planted_entry_with_a_guessed_key_file_is_refused(cache_dir, flow_file, tmp_path, monkeypatch):
    """Replacing the key file with one of the attacker's (group-readable, or a symlink) does not make a planted entry trusted."""
    data, _ = _planted_rules_entry(cache_dir, flow_file, tmp_path)
    attacker_key = b"A" * 32
    key = flow_cache._key(flow_file, flow_file.read_bytes())
    payload = data.split(b"\n", 3)[3]
    signed = flow_cache._MAGIC + key + b"\n" + flow_cache._mac(attacker_key, key, payload) + b"\n" + payload
    [entry] = entries(cache_dir)
    key_file = cache_dir / flow_cache.KEY_FILE
    real = load_flow(flow_file, cache=False)
    for plant in ("group-readable", "symlink"):
        key_file.unlink()
        if plant == "symlink":
            target = tmp_path / "attacker-key"
            target.write_bytes(attacker_key)
            target.chmod(0o600)
            key_file.symlink_to(target)
        else:
            key_file.write_bytes(attacker_key)
            key_file.chmod(0o640)
        entry.write_bytes(signed)
        validations = spy_validation(monkeypatch)
        assert load_flow(flow_file).model == real.model
        assert validations == [flow_file], plant
        monkeypatch.undo()
        monkeypatch.setenv(flow_cache.CACHE_ENV, str(cache_dir))


@pytest.mark.parametrize("where", ["payload", "mac", "key"])
def test_a_tampered_entry_is_refused(cache_dir, flow_file, monkeypatch, where):
    """Changing one byte of an entry's payload, MAC or key line makes it untrusted: the flow is validated again."""
    load_flow(flow_file)
    [entry] = entries(cache_dir)
    magic, key, mac, payload = entry.read_bytes().split(b"\n", 3)
    flip = {"payload": 0, "mac": 1, "key": 2}[where]
    parts = [payload, mac, key]
    part = bytearray(parts[flip])
    part[len(part) // 2] ^= 0x01
    parts[flip] = bytes(part)
    payload, mac, key = parts
    entry.write_bytes(magic + b"\n" + key + b"\n" + mac + b"\n" + payload)
    real = load_flow(flow_file, cache=False)
    validations = spy_validation(monkeypatch)
    assert load_flow(flow_file).model == real.model
    assert validations == [flow_file]


def test_the_key_is_private_and_made_once(cache_dir, flow_file, tmp_path):
    """The per-user key is a 0600 regular file of 32 bytes; later stores reuse it, entries stay valid."""
    load_flow(flow_file)
    key_file = cache_dir / flow_cache.KEY_FILE
    info = key_file.lstat()
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600 and info.st_size == 32
    first = key_file.read_bytes()
    other = tmp_path / "other.yaml"
    shutil.copyfile(FLOW, other)
    load_flow(other)
    assert key_file.read_bytes() == first
    assert not list(cache_dir.glob(".tmp-*"))


def test_racing_key_creation_keeps_the_first_key(cache_dir):
    """Two processes making the key at once: the second reads the first's key instead of overwriting it."""
    cache_dir.mkdir(mode=0o700)
    first = flow_cache._key_for_writing(cache_dir)
    assert flow_cache._key_for_writing(cache_dir) == first
    (cache_dir / flow_cache.KEY_FILE).write_bytes(b"short")  # a damaged key is replaced
    replaced = flow_cache._key_for_writing(cache_dir)
    assert len(replaced) == 32 and replaced != first and flow_cache._read_key(cache_dir) == replaced
