"""Pytest fixtures: a throw-away MariaDB server started by the test session.

The server comes from Debian's ``mariadb-server`` package (``mariadbd`` and
``mariadb-install-db``; no system service is involved).  Its data folder is
a temporary one, it listens on 127.0.0.1 on a free port and on a unix socket
in that folder, writes without syncing, and is stopped and deleted at the end
of the session.  Under root it runs as the ``mysql`` user the package creates.

Like the PostgreSQL server, a server that cannot be started fails the tests
that need it (never skips).  Tests reach it with PyMySQL over TCP.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import pwd
import random
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

_USER = "hmm_test"
_PASSWORD = "hmm-test-pw"  # throw-away server on 127.0.0.1 only
_PREFIX = "hmm-maria-"
_OWNER_FILE = "owner.pid"
_SOCKET = "mysqld.sock"
_PID = "mysqld.pid"


@dataclass(frozen=True)
class MariaDBServer:
    """Where the session's server listens and how to log in."""

    host: str
    port: int
    user: str
    password: str
    base: Path

    def url(self, database: str) -> str:
        """SQLAlchemy URL (PyMySQL) for ``database``."""
        return (
            f"mysql+pymysql://{self.user}:{self.password}@{self.host}:{self.port}/"
            f"{database}"
        )

    def admin_execute(self, *statements: str) -> None:
        """Run statements as the test user, who may create databases."""
        import pymysql  # noqa: PLC0415  (only when a MariaDB test runs)

        # TCP, not the unix socket: pytest-socket only lets 127.0.0.1 through.
        conn = pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            autocommit=True,
            connect_timeout=10,
        )
        try:
            with conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
        finally:
            conn.close()


def _bin(name: str) -> str:
    for folder in ("/usr/sbin", "/usr/bin"):
        if os.access(path := f"{folder}/{name}", os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"MariaDB binary {name!r} not found; run scripts/setup "
            "(it installs Debian's mariadb-server package)",
            pytrace=False,
        )
    return found


def _run_as() -> str | None:
    """User the server drops to when we are root (it refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("mysql")
    except KeyError:
        return "root"  # allowed when asked for explicitly
    return "mysql"


def _install(base: Path, user: str | None) -> None:
    if user and user != "root":
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    command = [
        _bin("mariadb-install-db"),
        "--no-defaults",
        f"--datadir={base / 'data'}",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
    ]
    if user:
        command.append(f"--user={user}")
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        pytest.fail(
            f"mariadb-install-db failed:\n{done.stdout}\n{done.stderr}", pytrace=False
        )


def _server_running(base: Path, process: subprocess.Popen[bytes]) -> bool:
    """Wait until the server answers on its socket; False if it died."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if (base / _SOCKET).exists() and (base / _PID).exists():
            return True
        time.sleep(0.05)
    process.kill()
    return False


def _start(base: Path, user: str | None) -> tuple[int, subprocess.Popen[bytes]]:
    log = base / "error.log"
    # The test user is created at startup: root only logs in over the unix
    # socket, which pytest-socket blocks.
    init = base / "init.sql"
    init.write_text(
        f"CREATE USER IF NOT EXISTS '{_USER}'@'127.0.0.1' "
        f"IDENTIFIED BY '{_PASSWORD}';\n"
        f"GRANT ALL PRIVILEGES ON *.* TO '{_USER}'@'127.0.0.1';\n"
    )
    init.chmod(0o644)
    for _attempt in range(8):
        # No socket probing (pytest-socket is active): a taken port makes the
        # server fail to bind, and we try another.
        port = random.randint(20000, 60000)
        command = [
            _bin("mariadbd"),
            "--no-defaults",
            f"--datadir={base / 'data'}",
            f"--socket={base / _SOCKET}",
            f"--pid-file={base / _PID}",
            f"--log-error={log}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--innodb-buffer-pool-size=64M",
            f"--init-file={init}",
        ]
        if user:
            command.append(f"--user={user}")
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if _server_running(base, process):
            return port, process
        text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        if "Address already in use" not in text and "bind" not in text.lower():
            pytest.fail(f"Could not start the test MariaDB server:\n{text}")
    pytest.fail("Could not find a free port for the test MariaDB server")


def _stop(base: Path, process: subprocess.Popen[bytes] | None = None) -> None:
    if process is not None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        return
    with contextlib.suppress(OSError, ValueError):
        os.kill(int((base / _PID).read_text()), signal.SIGKILL)


def _reap_stale_servers() -> None:
    """Stop servers left by sessions killed before their teardown."""
    for base in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner = int((base / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # being set up right now, or not ours
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            _stop(base)
            shutil.rmtree(base, ignore_errors=True)
        except PermissionError:
            continue


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """Start the session's MariaDB server; stop and delete it afterwards."""
    _reap_stale_servers()
    user = _run_as()
    base = Path(tempfile.mkdtemp(prefix=_PREFIX))
    process: subprocess.Popen[bytes] | None = None
    try:
        _install(base, user)
        port, process = _start(base, user)
        (base / _OWNER_FILE).write_text(str(os.getpid()))
        yield MariaDBServer("127.0.0.1", port, _USER, _PASSWORD, base)
    finally:
        if process is not None:
            _stop(base, process)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def mariadb_url(mariadb_server: MariaDBServer, socket_enabled: None) -> Iterator[str]:
    """URL of a fresh, empty database, dropped after the test.

    PyMySQL speaks TCP through Python sockets, which pytest-socket blocks
    unless enabled; its host list still allows only 127.0.0.1.
    """
    name = f"hmm_{uuid.uuid4().hex[:12]}"
    mariadb_server.admin_execute(
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    yield mariadb_server.url(name)
    mariadb_server.admin_execute(f"DROP DATABASE IF EXISTS `{name}`")
