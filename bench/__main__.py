"""`make bench`: run the benchmarks and print their figures.

Each benchmark module in this package exposes ``run() -> list[str]`` (lines of figures). Later issues
add modules to BENCHMARKS.
"""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS: list[str] = []


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstanding.settings")
    import django

    django.setup()
    selected = [name for name in BENCHMARKS if not argv or name in argv]
    if not selected:
        print("No benchmarks yet.")
        return 0
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        for line in module.run():
            print(f"{name}: {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
