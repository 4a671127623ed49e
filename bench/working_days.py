"""Benchmark: ``core.calendar.add_working_days`` against a precomputed array lookup.

    .venv/bin/python bench/working_days.py [--pairs 1000000] [--runs 5] [--max-n 60]

Migrates a temporary SQLite database (which seeds the calendar table from
chinesecalendar), then draws ``--pairs`` (date, n) pairs: dates from 2024 to
2027 (2027 has no notice: statutory holidays, 预计), n from 0 to ``--max-n``
working days. It times, interleaved ``--runs`` times each:

- ``add_working_days``: the public function, one call per pair;
- ``floor``: the same answers from arrays built for this run: per day ordinal
  the index of the first working day after it, then the working day ``n``
  further, and ``date.fromordinal`` — the cheapest lookup a Python caller can
  make without the function's checks;
- ``naive``: the day-by-day loop the old calendar ran (on 1/100 of the pairs,
  scaled up), for scale.

Prints the best run of each and the ratio to the floor. Goal (issue 12):
``add_working_days`` ≤ 3× the floor. Every answer is checked against the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# run as a script, this file's folder comes first on the path and its name would hide the
# standard library's ``calendar``: take the folder off before anything imports it
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


ARGS = _args()
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
WORK = Path(tempfile.mkdtemp(prefix="zs-bench-calendar-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("ZHAOSHANG_VAR_DIR", str(WORK))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from zhaoshang.core import calendar  # noqa: E402


def _pairs() -> list[tuple[dt.date, int]]:
    rng = random.Random(ARGS.seed)
    first = dt.date(2024, 1, 1).toordinal()
    last = dt.date(2027, 12, 31).toordinal()
    return [
        (dt.date.fromordinal(rng.randint(first, last)), rng.randint(0, ARGS.max_n))
        for _ in range(ARGS.pairs)
    ]


def _floor_arrays() -> tuple[int, list[int], list[int]]:
    """Per day from 2024 on: index of its first following working day; the working ordinals."""
    first = dt.date(2024, 1, 1).toordinal()
    last = dt.date(2029, 12, 31).toordinal()
    working = [o for o in range(first, last + 1) if calendar.is_working_day(dt.date.fromordinal(o))]
    after: list[int] = []
    k = 0
    for o in range(first, last + 1):
        while k < len(working) and working[k] <= o:
            k += 1
        after.append(k)
    return first, working, after


def _naive(start: dt.date, n: int) -> dt.date:
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day


def _time(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated (calendar seeded) in {time.perf_counter() - started:.1f} s")
    pairs = _pairs()
    started = time.perf_counter()
    calendar.reset()
    calendar.warm()
    print(f"snapshot built in {(time.perf_counter() - started) * 1000:.1f} ms")
    first, working, after = _floor_arrays()
    fromordinal = dt.date.fromordinal
    add = calendar.add_working_days

    def floor() -> list[dt.date]:
        return [
            fromordinal(working[after[d.toordinal() - first] + n - 1]) if n > 0 else d
            for d, n in pairs
        ]

    def public() -> list[dt.date]:
        return [add(d, n) for d, n in pairs]

    sample = pairs[::100]

    def naive() -> list[dt.date]:
        return [_naive(d, n) for d, n in sample]

    assert public() == floor(), "add_working_days disagrees with the floor"
    assert naive() == floor()[::100], "the naive loop disagrees with the floor"
    best = {"add_working_days": float("inf"), "floor": float("inf"), "naive": float("inf")}
    for _ in range(ARGS.runs):
        best["floor"] = min(best["floor"], _time(floor))
        best["add_working_days"] = min(best["add_working_days"], _time(public))
        best["naive"] = min(best["naive"], _time(naive) * 100)
    print(f"{len(pairs):,} (date, n) pairs, n ≤ {ARGS.max_n}, best of {ARGS.runs}")
    for name, seconds in best.items():
        ratio = seconds / best["floor"]
        print(f"  {name:18} {seconds * 1000:9.1f} ms  {ratio:6.2f}× floor")
    verdict = "OK" if best["add_working_days"] <= 3 * best["floor"] else "OVER"
    print(f"goal add_working_days ≤ 3× floor: {verdict}")


if __name__ == "__main__":
    main()
