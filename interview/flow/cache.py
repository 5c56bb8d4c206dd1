"""A disk cache of validated, bound flows: the app does not re-parse and re-validate an unchanged flow.

Parsing the YAML, validating it with pydantic and binding its expressions is most of what
:func:`interview.flow.load.load_flow` costs, and it gives the same :class:`LoadedFlow` for the same
flow file and the same code. So a flow that validated once is pickled, and later loads unpickle it.

Never stale: an entry is used only when its key matches, and the key is a hash of

* the flow file's bytes and its path,
* the code that reads, validates and binds a flow: every ``.py`` file of ``interview/flow`` and the
  one file reader (any change there re-validates, not only a new version number; a change to the
  app around it — a widget, an exporter — does not), and
* the Python, pydantic (with the pydantic-core it requires) and PyYAML versions, and this
  cache's format.

An entry is the flow's own data as it is: the model, the bound questions and the expressions and
templates keyed by their place in the file — nothing keyed by object identity, so nothing to re-key.

A flow that fails validation is never stored, so an error is always reported from a real load.
Anything wrong with an entry (unreadable, truncated, another key, a class it may not contain) makes
the load fall back to a full validation, silently, and the entry is rewritten. Entries live in the
user cache directory (``$SPINE_INTERVIEW_CACHE`` overrides it; ``off`` disables the cache), in a
directory made 0700, each written 0600 and replaced atomically, one entry per flow path.

Trusted only when it is ours: a cache directory not owned by the user, or writable by group or
others, is not used at all (one warning per process, never an error). Every entry carries an HMAC-SHA256
of its key and payload under a per-user secret kept in the directory (``key``, 0600, created
atomically, never overwritten by a racing process), checked before anything is unpickled: an entry
planted by someone without the key — even under the right name and key — is refused and the flow
validated again. The flow's ``sha256`` always comes from the file's bytes, never from an entry.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import secrets
import stat
import sys
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview.flow import expr as ex

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow

CACHE_ENV = "SPINE_INTERVIEW_CACHE"
#: Bump when the layout of an entry changes (it is part of the key as well).
FORMAT = 4
_MAGIC = b"spine-interview flow cache\n"
#: The per-user secret that authenticates entries: 32 random bytes, 0600, in the cache directory.
KEY_FILE = "key"
_KEY_SIZE = 32
_warned = False
_PACKAGE = Path(__file__).resolve().parent.parent
#: The code an entry depends on, relative to the package: the flow package and the file reader.
_CODE = ("flow", "files/reading.py")
#: The only globals an entry may name: the flow's own data classes (model nodes, expression trees,
#: bound questions, templates). Anything else is refused before it is looked up, so a planted file
#: cannot run code through the unpickler.
_ALLOWED_MODULES = frozenset({"interview.flow.model", "interview.flow.load", "interview.flow.expr"})


def cache_dir() -> Path | None:
    """Where entries are kept, or ``None`` when the cache is switched off."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in ("off", "0", "no", "false"):
        return None
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("spine-interview", appauthor=False)) / "flows"


class UntrustedCache(UserWarning):
    """A cache directory someone else could write to: it is not used."""


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, UntrustedCache, stacklevel=3)


def trusted(directory: Path) -> bool:
    """Whether ``directory`` exists, is a directory owned by this user and is writable by nobody else.

    An untrusted one is named in a warning (once per process); a missing one is simply not there.
    """
    try:
        info = os.stat(directory)
    except OSError:
        return False
    problem = None
    if not stat.S_ISDIR(info.st_mode):
        problem = "is not a directory"
    elif hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        problem = "is not owned by you"
    elif info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        problem = f"is writable by {'others' if info.st_mode & stat.S_IWOTH else 'its group'}"
    if problem:
        _warn_once(f"flow cache {str(directory)[:200]} {problem}: not used (flows are validated in full; "
                   f"make it yours and 0700, or set ${CACHE_ENV})")
        return False
    return True


def _read_key(directory: Path) -> bytes | None:
    """The directory's secret, or ``None`` when it is missing or not a private regular file of ours."""
    try:
        fd = os.open(directory / KEY_FILE, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_size != _KEY_SIZE
                or (hasattr(os, "geteuid") and info.st_uid != os.geteuid())):
            return None
        key = os.read(fd, _KEY_SIZE + 1)
        return key if len(key) == _KEY_SIZE else None
    finally:
        os.close(fd)


def _key_for_writing(directory: Path) -> bytes:
    """The directory's secret, made when there is none: written to a private temporary file, then
    linked into place, so a racing process either wins or reads the winner's key (never half a key).
    A damaged key is replaced (its entries are refused from then on and rewritten)."""
    key = _read_key(directory)
    if key is not None:
        return key
    from interview.files.writing import WriteError, write_private  # the write path only: not at start

    fresh = secrets.token_bytes(_KEY_SIZE)
    target = directory / KEY_FILE
    try:
        write_private(target, fresh)  # linked into place: a key made meanwhile is never replaced
    except WriteError as err:
        if not err.exists:
            raise
        key = _read_key(directory)
        if key is not None:
            return key  # a racing process won: use its key
        write_private(target, fresh, force=True)  # the one there is damaged
    return fresh


def _mac(secret: bytes, key: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, key + b"\n" + payload, hashlib.sha256).hexdigest().encode()


@cache
def code_version() -> str:
    """A hash of the code that validates and binds flows (:func:`code_digest` of the package)."""
    return code_digest(_PACKAGE)


def code_files(package: Path) -> list[Path]:
    """The sources an entry depends on: every module of the flow package, and the file reader."""
    files: list[Path] = []
    for part in _CODE:
        path = package / part
        files.extend(_sources(path) if path.is_dir() else [path] if path.is_file() else [])
    return files


def code_digest(package: Path) -> str:
    """A hash of the code that validates and binds flows (:func:`code_files`), and the versions of
    Python and of the libraries that parse and validate."""
    h = hashlib.sha256()
    h.update(f"format {FORMAT}\n{sys.version}\n{sys.implementation.cache_tag}\n".encode())
    # pydantic's version module names its own version and the pydantic-core it requires.
    h.update(_library_stamp("pydantic", "version.py"))
    h.update(_library_stamp("yaml", "__init__.py"))
    found = False
    for path in code_files(package):
        found = True
        h.update(str(path.relative_to(package)).encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    if not found:  # no sources to vouch for the code (a byte-code-only install): never cache
        raise OSError("no package sources")
    return h.hexdigest()


def _library_stamp(package: str, filename: str) -> bytes:
    """A library's version, as the bytes of the file that states it, read without importing the
    library (not importing pydantic and PyYAML is what the cache saves)."""
    from importlib.util import find_spec

    spec = find_spec(package)
    folders = list(spec.submodule_search_locations or ()) if spec else []
    text = (Path(folders[0]) / filename).read_bytes() if folders else b"none"
    return f"{package} ".encode() + text + b"\n"


def _sources(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield Path(dirpath) / name


def _key(path: Path, raw: bytes) -> bytes:
    h = hashlib.sha256()
    h.update(code_version().encode() + b"\0")
    h.update(os.path.abspath(path).encode() + b"\0")
    h.update(hashlib.sha256(raw).digest())
    return h.hexdigest().encode()


def _entry(directory: Path, path: Path) -> Path:
    """One entry per flow file: a new version of the file replaces the old entry."""
    return directory / (hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:32] + ".flow")


# --- reading -------------------------------------------------------------------------------------


def _expression(source: str, tree: ex.Node, names: frozenset[str]) -> ex.Expression:
    """How an expression is stored: without its compiled function (a closure cannot be pickled)."""
    return ex.Expression(source, tree, names)


def _data_classes() -> tuple[type, ...]:
    from interview.flow.load import BoundQuestion, Template
    from interview.flow.model import FlowPart

    return (FlowPart, ex.Node, BoundQuestion, Template)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.expressions: list[ex.Expression] = []

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("interview.flow.cache", "_expression"):
            return self._expression
        if module in _ALLOWED_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and issubclass(found, _data_classes()):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a flow cache entry")

    def _expression(self, source: str, tree: ex.Node, names: frozenset[str]) -> ex.Expression:
        expression = _expression(source, tree, names)
        self.expressions.append(expression)
        return expression


def load(path: Path, raw: bytes) -> LoadedFlow | None:
    """The cached flow for these file bytes and this code, or ``None`` (no entry, stale, damaged)."""
    try:
        directory = cache_dir()
        if directory is None or not trusted(directory):
            return None
        secret = _read_key(directory)
        if secret is None:
            return None
        data = _entry(directory, path).read_bytes()
        key = _key(path, raw)
        header = _MAGIC + key + b"\n"
        if not data.startswith(header):
            return None
        mac, _, payload = data[len(header):].partition(b"\n")
        if not hmac.compare_digest(mac, _mac(secret, key, payload)):
            return None  # not written with this user's key: planted or damaged
        unpickler = _Unpickler(payload)
        state = unpickler.load()
        return _rebuild(path, raw, state, unpickler.expressions)
    except Exception:  # noqa: BLE001 - whatever is wrong with an entry, a full load replaces it
        return None


def _rebuild(path: Path, raw: bytes, state: Any, expressions: list[ex.Expression]) -> LoadedFlow | None:
    from interview.flow.load import BoundQuestion, LoadedFlow, Template
    from interview.flow.model import Flow

    model, questions, conditions, templates, depends_on = state
    if not (isinstance(model, Flow) and all(isinstance(q, BoundQuestion) for q in questions)
            and all(isinstance(t, Template) for t in templates.values())
            and all(isinstance(e, ex.Expression) for e in conditions.values())):
        return None
    tables = model.tables
    for expression in expressions:
        expression.fn = expression.tree.compile(tables)
    return LoadedFlow(
        model=model, path=path, sha256=hashlib.sha256(raw).hexdigest(), questions=questions,
        conditions=conditions, templates=templates, depends_on=depends_on,
    )


# --- writing -------------------------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is ex.Expression:
            return _expression, (obj.source, obj.tree, obj.names)
        return NotImplemented


def store(path: Path, raw: bytes, flow: LoadedFlow) -> None:
    """Keep a freshly validated flow for the next load; failing to is never an error."""
    try:
        directory = cache_dir()
        if directory is None:
            return
        payload = _payload(flow)
        from interview.files.writing import make_private_dirs, write_private  # the write path only

        make_private_dirs(directory)
        if not trusted(directory):
            return
        secret = _key_for_writing(directory)
        key = _key(path, raw)
        # The one writer: atomic, 0600, never through a link; an older entry is replaced.
        write_private(_entry(directory, path), _MAGIC + key + b"\n" + _mac(secret, key, payload) + b"\n" + payload,
                      force=True)
    except Exception:  # noqa: BLE001 - a read-only or full disk only costs the next start its time
        return


def _payload(flow: LoadedFlow) -> bytes:
    """The flow as one pickle: its data as it is (expressions without their compiled functions)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
        (flow.model, flow.questions, flow.conditions, flow.templates, flow.depends_on)
    )
    return buffer.getvalue()
