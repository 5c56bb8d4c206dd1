"""A real PostgreSQL server for the tests: started in a temporary directory, torn down at the end.

Debian's server binaries (``/usr/lib/postgresql/*/bin``; ``.ci/run`` installs them). ``initdb``
refuses to run as root, so as root the cluster belongs to the ``postgres`` user and every server
command runs through ``runuser``. The server listens on a free localhost port and a private socket
directory, with trust authentication for local connections only (it lives for one test session).

Where no server can start the tests that need one skip with one line saying why — unless
``SPINE_REQUIRE_SERVICES=1`` (set by ``.ci/run``), which makes that a failure.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REQUIRE_ENV = "SPINE_REQUIRE_SERVICES"
START_TIMEOUT_S = 60


class ServerUnavailableForTests(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerUnavailableForTests("no PostgreSQL server binaries (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One throw-away cluster: ``url(dbname)`` for connections, ``kill()``/``start()`` for fault tests."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.as_root = os.getuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="spine-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        if self.as_root:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailableForTests("running as root and there is no postgres user to run the "
                                                "server as") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync",
                  "--locale=C.UTF-8" if _has_locale("C.UTF-8") else "--locale=C")
        self.start()

    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run(self._cmd(tool, *args), capture_output=True, text=True, timeout=START_TIMEOUT_S,
                              cwd=self.root)
        if proc.returncode != 0:
            raise ServerUnavailableForTests(f"{tool} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")

    def start(self) -> None:
        """Start (or restart after a kill) the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=60 "
                   "-c shared_buffers=16MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t",
                  str(START_TIMEOUT_S), "start")
        if not hasattr(self, "_created"):
            self._created = True
            self.psql("postgres", "CREATE DATABASE spine")

    def psql(self, dbname: str, sql: str) -> str:
        proc = subprocess.run(self._cmd("psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres",
                                        "-d", dbname, "-v", "ON_ERROR_STOP=1", "-tAc", sql),
                              capture_output=True, text=True, timeout=START_TIMEOUT_S, cwd=self.root)
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
        return proc.stdout

    def sql_from_readme(self, marker: str, dbname: str) -> str:
        """The SQL block after ``<!-- marker -->`` in README.md, for database ``dbname`` (as documented)."""
        from paths import ROOT

        text = (ROOT / "README.md").read_text(encoding="utf-8")
        block = text.split(f"<!-- {marker} -->", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
        return block.replace("spine_clinic", dbname)

    def url(self, dbname: str = "spine", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}?sslmode=disable"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would; wait until its backends are gone too."""
        pid = self.postmaster_pid()
        children = _children(pid)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.1)
        for c in children:  # a backend that has not noticed yet: the crash takes it too
            with contextlib.suppress(ProcessLookupError):
                os.kill(c, signal.SIGKILL)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _has_locale(name: str) -> bool:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return name.lower().replace("-", "") in out.lower().replace("-", "")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(Path(stat).parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start_or_skip() -> PgServer:
    """A started server, or skip (fail under SPINE_REQUIRE_SERVICES=1) with one line."""
    try:
        return PgServer()
    except (ServerUnavailableForTests, OSError, subprocess.SubprocessError) as err:
        _unavailable(f"no PostgreSQL server could start here: {err}")


def _unavailable(message: str) -> None:
    """Skip with one line; under SPINE_REQUIRE_SERVICES=1 (CI) fail instead."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole test session (see the module docstring)."""
    try:
        import psycopg  # noqa: F401 - the driver the PostgreSQL store uses
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    server = start_or_skip()
    yield server
    server.stop()


_counter = [0]


@pytest.fixture
def pg_url(pg_server):
    """A fresh, migrated database on the session's server for one test."""
    from interview.store.postgres import migrate

    _counter[0] += 1
    name = f"t{os.getpid()}_{_counter[0]}"
    pg_server.psql("postgres", f"CREATE DATABASE {name}")
    url = pg_server.url(name)
    migrate(url)
    yield url
    with contextlib.suppress(Exception):
        pg_server.psql("postgres", f"DROP DATABASE {name} WITH (FORCE)")
