"""Pytest plugin: a throw-away PostgreSQL server started by the test session.

The server binaries come from ``/usr/lib/postgresql/<version>/bin`` (Debian's
``postgresql`` package, installed by ``scripts/setup``).  The cluster lives in
a temporary folder, listens on 127.0.0.1 on a free port with its unix socket
in that folder, runs with fsync off, and is stopped and deleted at the end of
the session.  No system service is involved.  PostgreSQL refuses to run as
root, so under root the cluster is owned by and run as the ``postgres`` user.

If the server cannot be started the tests that need it fail (never skip):
CI must really exercise PostgreSQL.

``private_postgres_server`` is a second, per-test server that a test may
stop and start again (outage tests) without disturbing the shared one.
Tests marked ``slow`` (e.g. a two-minute outage) run only with
``--run-slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import os
from pathlib import Path
import pwd
import random
import shutil
import subprocess
import tempfile
import time
import uuid

import psycopg2
import pytest

_USER = "hmm_test"
_PASSWORD = "hmm-test-pw"  # throw-away cluster on 127.0.0.1 only
_RUN_AS_ROOT_USERS = ("postgres", "hmm-postgres")
_PREFIX = "hmm-pg-"
_OWNER_FILE = "owner.pid"


@dataclass(frozen=True)
class PostgresServer:
    """Where a server listens, how to log in, and how to stop and restart it."""

    host: str
    port: int
    user: str
    password: str
    socket_dir: Path
    run_as: str | None = None

    def stop(self) -> float:
        """Stop the server (fast: sessions are cut off); return seconds taken."""
        started = time.monotonic()
        _run(
            [_bin("pg_ctl"), "-D", str(self.socket_dir / "data"), "-m", "fast",
             "-w", "stop"],
            self.run_as,
        )  # fmt: skip
        return time.monotonic() - started

    def start(self) -> float:
        """Start it again on the same port; return seconds until it accepts."""
        started = time.monotonic()
        _pg_ctl_start(self.socket_dir, self.port, self.run_as, check=True)
        return time.monotonic() - started

    def url(self, database: str, *, password: str | None = None) -> str:
        """SQLAlchemy/HA style URL for ``database``."""
        pw = self.password if password is None else password
        return f"postgresql://{self.user}:{pw}@{self.host}:{self.port}/{database}"

    def admin_connection(self) -> psycopg2.extensions.connection:
        """Autocommit connection to the ``postgres`` database."""
        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn


def _bin(name: str) -> str:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: tuple(
            int(p) for p in path.parts[-3].split(".") if p.isdigit()
        ),
    )
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"PostgreSQL binary {name!r} not found under /usr/lib/postgresql/*/bin "
            "or on PATH; run scripts/setup (it installs the postgresql package)",
            pytrace=False,
        )
    return found


def _service_user() -> str | None:
    """User to run the server as (None: ourselves, when not root)."""
    if os.geteuid() != 0:
        return None
    for name in _RUN_AS_ROOT_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    name = _RUN_AS_ROOT_USERS[-1]
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        check=True,
        capture_output=True,
    )
    return name


def _run(
    command: list[str], user: str | None, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    prefix = ["runuser", "-u", user, "--"] if user else []
    return subprocess.run(
        prefix + command, check=check, capture_output=True, text=True, timeout=120
    )


def _pg_ctl_start(
    base: Path, port: int, user: str | None, *, check: bool
) -> subprocess.CompletedProcess[str]:
    options = (
        f"-h 127.0.0.1 -p {port} -k {base} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    return _run(
        [_bin("pg_ctl"), "-D", str(base / "data"), "-l", str(base / "server.log"),
         "-w", "-t", "60", "-o", options, "start"],
        user,
        check=check,
    )  # fmt: skip


def _start(base: Path, user: str | None) -> int:
    data = base / "data"
    log = base / "server.log"
    pwfile = base / "pwfile"
    pwfile.write_text(_PASSWORD + "\n")
    if user:
        entry = pwd.getpwnam(user)
        for path in (base, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    init = _run(
        [
            _bin("initdb"),
            "-D", str(data),
            "-U", _USER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        user,
        check=False,
    )  # fmt: skip
    if init.returncode:
        pytest.fail(f"initdb failed:\n{init.stdout}\n{init.stderr}", pytrace=False)
    last_error = ""
    for _attempt in range(8):
        # No socket probing here: pytest-socket is active; a taken port just
        # makes the server fail to bind and we try another.
        port = random.randint(20000, 60000)
        started = _pg_ctl_start(base, port, user, check=False)
        if started.returncode == 0:
            return port
        last_error = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        if "could not bind" not in last_error and "in use" not in last_error:
            break
    pytest.fail(
        f"Could not start the test PostgreSQL server:\n{last_error}", pytrace=False
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_stale_servers(user: str | None) -> None:
    """Stop servers left by sessions that were killed before their teardown."""
    for base in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        owner = base / _OWNER_FILE
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue  # being set up right now, or not ours
        if _process_alive(pid):
            continue
        _run(
            [_bin("pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
            user,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def _server() -> Iterator[PostgresServer]:
    """Start a throw-away PostgreSQL server; stop and delete it afterwards."""
    user = _service_user()
    _reap_stale_servers(user)
    base = Path(tempfile.mkdtemp(prefix=_PREFIX))
    try:
        port = _start(base, user)
        # A session killed before teardown (e.g. by `timeout`) leaves the
        # server running; the next session stops it when this pid is gone.
        (base / _OWNER_FILE).write_text(str(os.getpid()))
        try:
            yield PostgresServer("127.0.0.1", port, _USER, _PASSWORD, base, user)
        finally:
            _run(
                [_bin("pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
                user,
                check=False,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _fresh_database(server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty database on ``server``, dropped afterwards."""
    name = f"hmm_{uuid.uuid4().hex[:12]}"
    conn = server.admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        conn.close()
    yield server.url(name)
    conn = server.admin_connection()  # a new one: the server may have restarted
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, shared by every test: never stop it."""
    yield from _server()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty database, dropped after the test."""
    yield from _fresh_database(postgres_server)


@pytest.fixture
def private_postgres_server() -> Iterator[PostgresServer]:
    """A server of this test's own, which the test may stop and start."""
    yield from _server()


@pytest.fixture
def private_postgres_url(private_postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database on the test's own server."""
    yield from _fresh_database(private_postgres_server)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--run-slow``: also run the tests marked ``slow``."""
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run tests marked slow (e.g. a two-minute database outage)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``slow`` marker."""
    config.addinivalue_line(
        "markers", "slow: takes minutes; deselected unless --run-slow is given"
    )


_SERVER_FIXTURES = {
    "postgres_url",
    "postgres_server",
    "private_postgres_url",
    "private_postgres_server",
}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark every test using a server (``-m postgres``); drop slow ones by default."""
    for item in items:
        if _SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
    if config.getoption("--run-slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
