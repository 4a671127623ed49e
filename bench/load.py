"""Load benchmark: simulated users against gunicorn on PostgreSQL + Redis (or SQLite), with locust.

Run it from the repository root (loopback only; everything it starts it stops):

    .venv/bin/pip install -r requirements-bench.txt   # locust: not part of `make test`
    .venv/bin/python bench/load.py [--users 100] [--duration 120] [--workers 5]
                                   [--postgres postgres://postgres@127.0.0.1:5432/zs_load]
    .venv/bin/python bench/load.py --sqlite [--users 20]

It prepares its own server, as ``make run`` serves (DEBUG off, whitenoise):

1. a fresh database — PostgreSQL ``zs_load`` (dropped and re-created; any
   other name is refused) with ``REDIS_URL=redis://127.0.0.1:6379/8`` (only db 8
   is flushed), or with ``--sqlite`` the SQLite default in its own var dir and
   no Redis — migrated and loaded with the demo district;
2. its own ``ZHAOSHANG_VAR_DIR``, ``collectstatic``, gunicorn (``--workers``,
   default 2 × cores + 1, gthread with ``--threads``) on a free loopback port,
   and the job worker beside it. ``--keep-alive`` (75 s) is longer than the
   think time: with gunicorn's 2 s default the server closes an idle connection
   just as the client reuses it, and the run counts connection resets that
   nginx's upstream pool would meet too (docs/deploy.md, Measured limits);
3. the demo accounts signed in once each and given write tokens
   (``zhaoshang token create``); their sessions, tokens and project ids go to
   ``bench/load_users.py`` (the locustfile) through a JSON file.

Then it runs headless locust twice over:

- **the mix** (``DeskUser``): ``--users`` users for ``--duration`` seconds,
  each with 1–5 s think time between requests: the ledger list (a stage filter
  and a sort), a project page, the area dashboard, an update (API: read the
  version, PUT a note; a 409 from a concurrent save counts as handled, not as an
  error) and a five-row ledger import through the upload page (form, upload,
  job page, job status);
- **the ratio**: ``/healthz`` (the hello-JSON view) and the project-list API
  (``GET /api/v1/projects``, a token, a sort, 20 a page), each with
  ``--ratio-users`` users and no think time, alternating in two rounds of
  ``--ratio-seconds`` / 2; prints the API's requests/s as a share of hello's.

It prints per request type and overall: requests, failures, requests/s and
p50/p95/p99 (ms), plus the load average before the run (other people share
this machine) and any server error in gunicorn's log.

Goals (issue 13 §4): 0 errors and p95 < 500 ms for 100 users on PostgreSQL,
the API list ≥ 40 % of hello's throughput; 0 errors for 20 users on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "bench" / "load_users.py"
PG_NAME = "zs_load"
REDIS_URL = "redis://127.0.0.1:6379/8"
PASSWORD = "Zhaoshang@2026"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# (username, area whose dashboard they open and into which they import, do they write)
ACCOUNTS = [
    ("yc_staff", "411702", True),
    ("yc_chief", "411702", True),
    ("yc_subchief", "411702", True),
    ("xp_staff", "411721", True),
    ("zmd_city", "411702", False),
]
START_TIMEOUT = 60.0


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="the SQLite default, no Redis")
    parser.add_argument("--postgres", default=f"postgres://postgres@127.0.0.1:5432/{PG_NAME}")
    parser.add_argument("--users", type=int, help="simulated users (100 on PG, 20 on SQLite)")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started a second")
    parser.add_argument("--duration", type=int, default=120, help="seconds of the mix")
    parser.add_argument("--wait", default="1,5", help="think time between requests, min,max s")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2, help="gunicorn gthread threads")
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=75,
        help="gunicorn's idle keep-alive (s); above the think time, as behind nginx",
    )
    parser.add_argument("--ratio-users", type=int, default=10, help="0: skip the ratio")
    parser.add_argument("--ratio-seconds", type=int, default=40, help="for each of the two")
    parser.add_argument(
        "--keep", action="store_true", help="keep the var dir (logs, CSVs) and the database"
    )
    args = parser.parse_args()
    if args.users is None:
        args.users = 20 if args.sqlite else 100
    return args


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh_postgres(url: str) -> None:
    """Drop and re-create the bench's own database; refuse any other name."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name != PG_NAME:
        raise SystemExit(f"refusing to drop {name!r}: the load bench's database is {PG_NAME}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')


def _flush_redis() -> None:
    """Empty db 8 only: the bench's cache, sessions and queue; nobody else's."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _environment(args: argparse.Namespace, var: Path) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZHAOSHANG_", "DATABASE_URL", "REDIS_URL"))
    }
    env = {
        **clean,
        "PYTHONPATH": str(ROOT / "src"),
        "PYTHONUNBUFFERED": "1",
        "ZHAOSHANG_VAR_DIR": str(var),
        "ZHAOSHANG_DEBUG": "false",
    }
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{var / 'load.sqlite3'}"
    else:
        env["DATABASE_URL"] = args.postgres
        env["REDIS_URL"] = REDIS_URL
    return env


def _zhaoshang(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [str(BIN / "zhaoshang"), *argv],
        env=env,
        cwd=env["ZHAOSHANG_VAR_DIR"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"zhaoshang {' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


@contextmanager
def _served(args: argparse.Namespace, env: dict[str, str]) -> Iterator[str]:
    """gunicorn and the job worker, as ``make run`` starts them; stopped on the way out."""
    var = Path(env["ZHAOSHANG_VAR_DIR"])
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (var / "server.log").open("wb")
    gunicorn = [
        str(BIN / "gunicorn"),
        "zhaoshang.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--keep-alive",
        str(args.keep_alive),
        "--timeout",
        "120",
        "--no-control-socket",  # the default socket path is per user, shared with other runs
    ]
    worker = [str(BIN / "zhaoshang"), "run_huey", "--workers", "1", "--no-periodic"]
    processes = [
        subprocess.Popen(argv, env=env, cwd=var, stdout=log, stderr=log)
        for argv in (gunicorn, worker)
    ]
    try:
        _wait_ready(url, processes[0], var)
        yield url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


def _wait_ready(url: str, server: subprocess.Popen[bytes], var: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        with (
            suppress(urllib.error.URLError, OSError),
            urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    tail = (var / "server.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"gunicorn on {url} not ready:\n{tail}")


def _log_in(url: str, username: str) -> dict[str, str]:
    """One real log-in through the form; the session's cookies, for the simulated users."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{url}/accounts/login/", timeout=30) as answer:
        token = CSRF_RE.search(answer.read().decode())
    if token is None:
        raise SystemExit("no CSRF token on the log-in page")
    fields = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    with opener.open(f"{url}/accounts/login/", urllib.parse.urlencode(fields).encode(), 30) as a:
        if "/accounts/" in a.geturl():
            raise SystemExit(f"{username} could not log in (ended at {a.geturl()})")
    return {cookie.name: cookie.value or "" for cookie in jar}


def _project_ids(url: str, token: str) -> list[int]:
    request = urllib.request.Request(
        f"{url}/api/v1/projects?limit=100", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return [item["id"] for item in json.loads(answer.read())["items"]]


def _accounts(url: str, env: dict[str, str]) -> list[dict[str, object]]:
    accounts = []
    for username, area, writes in ACCOUNTS:
        token = _zhaoshang(env, "token", "create", username, "--scope", "write", "--days", "1")
        token = token.strip()
        accounts.append(
            {
                "username": username,
                "area": area,
                "writes": writes,
                "cookies": _log_in(url, username),
                "token": token,
                "projects": _project_ids(url, token),
            }
        )
    return accounts


def _locust(
    url: str, var: Path, config: Path, user_class: str, users: int, rate: float, seconds: int
) -> list[dict[str, str]]:
    """One headless locust run; the rows of its ``_stats.csv``."""
    prefix = var / f"locust-{user_class}-{time.monotonic_ns()}"
    argv = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        user_class,
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "ZS_LOAD_CONFIG": str(config)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no statistics:\n{done.stderr[-3000:]}")
    failures = Path(f"{prefix}_failures.csv").read_text(errors="replace")
    if failures.count("\n") > 1:
        print(f"failures ({user_class}):\n{failures}")
    with stats.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _print_stats(rows: list[dict[str, str]]) -> None:
    head = f"{'request':<26}{'count':>7}{'errors':>7}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
    print(head)
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"{name:<26}{row['Request Count']:>7}{row['Failure Count']:>7}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )


def _throughput(rows: list[dict[str, str]]) -> tuple[int, float]:
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return int(total["Request Count"]), float(total["Requests/s"])


def _ratio(args: argparse.Namespace, url: str, var: Path, config: Path) -> None:
    """Hello vs the list API, same users, alternating so background load hits both alike."""
    half = max(5, args.ratio_seconds // 2)
    rps: dict[str, list[float]] = {"HelloUser": [], "ApiListUser": []}
    for _round in range(2):
        for user_class in rps:
            rows = _locust(url, var, config, user_class, args.ratio_users, 100.0, half)
            rps[user_class].append(_throughput(rows)[1])
            _print_stats(rows)
    hello = sum(rps["HelloUser"]) / 2
    api = sum(rps["ApiListUser"]) / 2
    print(
        f"\nthroughput with {args.ratio_users} users, no think time, 2 × {half} s each: "
        f"hello {hello:.1f} req/s, project-list API {api:.1f} req/s, "
        f"ratio {api / hello:.0%} (goal ≥ 40%)"
    )


def _server_errors(var: Path) -> None:
    text = (var / "server.log").read_text(errors="replace")
    tracebacks = text.count("Traceback")
    print(f"server log: {tracebacks} traceback(s)")
    if tracebacks:
        print(text[text.index("Traceback") :][:3000])


def _cpu_seconds() -> tuple[Counter[str], float, float]:
    """CPU seconds so far per program name (``/proc/*/stat``), the machine's busy and total
    seconds (``/proc/stat``); differences of two readings say where a run's CPU went."""
    ticks = os.sysconf("SC_CLK_TCK")
    programs: Counter[str] = Counter()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            programs[name] += (int(fields[11]) + int(fields[12])) / ticks
    cpu = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = cpu[3] + cpu[4]
    return programs, (sum(cpu) - idle) / ticks, sum(cpu) / ticks


def _children_cpu() -> float:
    """CPU seconds of the waited-for children: locust's, read around its run."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _print_cpu(before: tuple[Counter[str], float, float], locust_seconds: float) -> None:
    """Where the run's CPU went: the app, PostgreSQL, Redis, locust, everything else."""
    after = _cpu_seconds()
    used = after[0] - before[0]
    busy, total = after[1] - before[1], after[2] - before[2]
    groups = {
        "app (gunicorn)": used["gunicorn"],
        "PostgreSQL": used["postgres"],
        "Redis": used["redis-server"],
        "job worker": used["zhaoshang"],
        "locust": locust_seconds,
    }
    parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in groups.items())
    other = busy - sum(groups.values())
    print(
        f"CPU during the run: {parts}, other {max(other, 0):.0f} s; "
        f"machine busy {busy:.0f} of {total:.0f} s ({busy / total:.0%})"
    )


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    args = _args()
    var = Path(tempfile.mkdtemp(prefix="zs-load-"))
    env = _environment(args, var)
    started = time.monotonic()
    try:
        if not args.sqlite:
            _fresh_postgres(args.postgres)
            _flush_redis()
        _zhaoshang(env, "migrate", "--noinput")
        _zhaoshang(env, "demo", "--quiet")
        _zhaoshang(env, "collectstatic", "--noinput", "-v0")
        print(f"prepared in {time.monotonic() - started:.0f} s ({var})")
        with _served(args, env) as url:
            config = var / "load.json"
            wait = [float(x) for x in args.wait.split(",")]
            accounts = _accounts(url, env)
            config.write_text(json.dumps({"accounts": accounts, "wait": wait}), "utf-8")
            database = "SQLite" if args.sqlite else "PostgreSQL + Redis"
            print(
                f"{database}; gunicorn {args.workers} workers × {args.threads} threads, "
                f"keep-alive {args.keep_alive} s; "
                f"{os.cpu_count()} cores; load average before: {_load_average()}"
            )
            print(f"\nmix: {args.users} users, think time {args.wait} s, {args.duration} s")
            cpu, children = _cpu_seconds(), _children_cpu()
            mix = _locust(url, var, config, "DeskUser", args.users, args.spawn_rate, args.duration)
            _print_stats(mix)
            _print_cpu(cpu, _children_cpu() - children)
            print(f"load average after the mix: {_load_average()}\n")
            if args.ratio_users:
                _ratio(args, url, var, config)
        _server_errors(var)
    finally:
        if not args.sqlite and not args.keep:
            with suppress(Exception):
                _drop_postgres(args.postgres)
                _flush_redis()
        if args.keep:
            print(f"kept {var}" + ("" if args.sqlite else f" and the database {PG_NAME}"))
        else:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
