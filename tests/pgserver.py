"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, stopped afterwards.

The server listens on a free loopback port and a private Unix socket folder, and asks for a
password over TCP (scram-sha-256), so a wrong password is really refused. Run as root, it runs
as the ``postgres`` user Debian's package creates (PostgreSQL refuses to run as root), in a
folder that user owns. Tests reach it through ``server.url(database)``; the password is in a
``.pgpass`` file named by ``PGPASSFILE``, so subprocesses and kernels find it as libpq does.

Without PostgreSQL (no ``initdb``) the tests that need it are skipped saying so, unless
``KLOE_REQUIRE_POSTGRESQL=1`` (CI), which makes that a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from kloe_nb.cli.app import free_port

ADMIN = "kloe_admin"
PASSWORD = "s3cret-Adm1n"  # the tests check it never shows in any message
SKIP_REASON = ""


def find_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: PATH, else Debian's /usr/lib/postgresql/N/bin (newest)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def why_not_available() -> str:
    """Empty when a server can be started here, else the plain reason."""
    if find_bin_dir() is None:
        return (
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
            "install it (Debian: sudo apt-get install -y postgresql) to run the PostgreSQL store tests"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the test server as (PostgreSQL refuses to run as root)"
    return ""


class Server:
    """One running throwaway server (see the module docstring)."""

    def __init__(self, *, durable: bool = False) -> None:
        """``durable``: fsync as a real server does (for bench/); the tests run without it, faster."""
        self.durable = durable
        self.bin = find_bin_dir()
        assert self.bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="kloe-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.sockets.mkdir()
        self.port = free_port("127.0.0.1")  # the one helper kloe lab and kloe app use
        self.user = "postgres" if os.geteuid() == 0 else ""
        self.passfile = self.root / "pgpass"
        self.passfile.write_text(f"127.0.0.1:{self.port}:*:{ADMIN}:{PASSWORD}\n")
        self.passfile.chmod(0o600)
        password_file = self.root / "password"
        password_file.write_text(PASSWORD + "\n")
        self.root.chmod(0o755)
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.sockets, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", ADMIN, f"--pwfile={password_file}", "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        self.start()

    def _run(self, program: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        command = [str(self.bin / program), *arguments]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> None:
        """Start (or start again after ``stop``) on the same port, waiting until it takes connections."""
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=60"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres", *, user: str = ADMIN, password: str | None = None) -> str:
        """A libpq URL of a database on this server (password from PGPASSFILE unless given)."""
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres"):  # type: ignore[no-untyped-def]
        """An autocommit connection as the superuser, to create databases and roles."""
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True, passfile=str(self.passfile))

    def new_database(self) -> str:
        """A fresh empty database; its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def new_role(self, name: str, password: str) -> None:
        with self.admin() as connection:
            connection.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        with self.passfile.open("a") as passes:
            passes.write(f"127.0.0.1:{self.port}:*:{name}:{password}\n")

    def close(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
