"""What `make run` does once the database and Redis are up: migrate, seed once, start every process.

Runs web, worker and beat from the Procfile with honcho. Ctrl-C stops them all; the embedded
PostgreSQL and Redis are then stopped by ``outstanding.embedded`` with their data kept in .data/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def stage(what: str) -> None:
    print(f"==> {what}", flush=True)


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    port = os.environ.setdefault("PORT", "8000")
    stage("database tables (migrate)")
    manage("migrate", "--no-input", "-v", "0")
    stage("demo organization (seed_demo, only the first time)")
    manage("seed_demo", "--once")
    stage("web, worker and beat (honcho)")
    email = os.environ.get("DEMO_USER_EMAIL", "demo@outstanding.test")
    password = os.environ.get("DEMO_USER_PASSWORD", "outstanding-demo")
    print(
        f"\nOutstanding runs at http://localhost:{port}/ — log in as {email} with password {password}\n",
        flush=True,
    )
    # The Procfile's commands (gunicorn, celery) live beside this interpreter in the virtualenv.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    honcho = subprocess.Popen([str(Path(bin_dir) / "honcho"), "start", "-f", "Procfile", "-p", port], cwd=ROOT)

    # Ctrl-C reaches honcho directly (same process group) and it stops web, worker and beat. A signal
    # sent to this process alone is passed on. Either way we wait for honcho, so that the embedded
    # database and Redis are stopped only after everything that uses them.
    def stop(signum: int, frame: object) -> None:
        honcho.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return honcho.wait()


if __name__ == "__main__":
    sys.exit(main())
