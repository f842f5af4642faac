"""A throwaway PostgreSQL server for the tests and the benchmarks (no bot code in here).

`initdb` refuses to run as root, and the tests and CI run as root: when we are root, the
server's folder is given to the `postgres` user (Debian's package creates it) and `initdb` and
`pg_ctl` run as that user through `runuser`. The server listens on 127.0.0.1 on a free port
and on a unix socket inside its folder, trusts local connections, and (unless `durable`, as
the benchmarks want it) runs with fsync off: it holds test data only. `stop()` shuts it down (immediate mode) and removes the folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.ports import free_port

SERVER_USER = "postgres"


def pg_bin() -> Path:
    """The folder of the newest installed `initdb` (Debian's /usr/lib/postgresql/N/bin), else
    the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("no PostgreSQL server found: `make` installs it (apt-get postgresql)")
    return Path(initdb).parent


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


class PostgresServer:
    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable  # True: fsync and synchronous commit on, as in production
        self.root = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self._started = False

    def url(self, database: str = "postgres", password: str = "") -> str:
        auth = f"postgres:{password}@" if password else "postgres@"
        return f"postgresql://{auth}{self.host}:{self.port}/{database}"

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER)
        bin_dir = pg_bin()
        self._run(bin_dir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        return self.resume()

    def halt(self) -> None:
        """Shut the server down at once (an outage), keeping its data for `resume()`."""
        self._run(pg_bin() / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        self._started = False

    def resume(self) -> PostgresServer:
        """Start the server on its data folder and port (again, after `halt()`)."""
        bin_dir = pg_bin()
        options = f"-p {self.port} -c listen_addresses={self.host} -k {self.root} "
        options += "-c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(bin_dir / "pg_ctl", "-D", self.data, "-l", self.root / "server.log",
                  "-o", options, "-w", "-t", "60", "start")  # fmt: skip
        self._started = True
        return self

    def stop(self) -> None:
        try:
            if self._started:
                self._run(pg_bin() / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
                self._started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement with psql (outside any transaction: CREATE DATABASE may)."""
        done = self._run(pg_bin() / "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                         "-h", self.host, "-p", str(self.port), "-U", "postgres",
                         "-d", database, "-c", statement)  # fmt: skip
        return done.stdout.strip()

    def create_database(self, name: str, template: str = "template0") -> str:
        """A new, empty database; its URL."""
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def _run(self, *argv: str | Path) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in argv]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
        return done
