"""Two app servers and one job worker that share no disk, over PostgreSQL and Redis.

Each process gets its own ``ZHAOSHANG_VAR_DIR``, as if on its own machine; what
they share is the database (rows, sessions, lockout counts, uploaded files in
``DatabaseStorage``) and Redis (cache, job queue). A clerk logs in on app 1 and
uploads a ledger too large to import within the request; the worker on the third
"machine" imports it from the stored file; app 2, with the same session cookie,
sees the job finish and the rows. Failed log-ins on app 1 lock the account on
app 2 too.

The database is ``zs_multi_<random>``, made and dropped here; Redis db 9 is
flushed before and after. Skipped when either server does not answer.
"""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/9"
BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[2] / "src"
PASSWORD = "Zhaoshang@2026"
#: above the in-request limit (ZHAOSHANG_IMPORT_INLINE_ROWS, 2,000): the worker imports it
ROWS = 2_500
NAME = "多主机导入测试项目"
START_TIMEOUT = 30.0
IMPORT_TIMEOUT = 60.0
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _servers_or_skip() -> None:
    if not (_answers("127.0.0.1", 5432) and _answers("127.0.0.1", 6379)):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    try:
        import psycopg
        import redis

        psycopg.connect(PG_ADMIN_URL, connect_timeout=2).close()
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # a server that answers the port but refuses us
        pytest.skip(f"PostgreSQL or Redis refused the test: {exc}")


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database of the test's own, and a flushed Redis db 9; both cleaned up."""
    _servers_or_skip()
    import psycopg
    import redis

    name = f"zs_multi_{secrets.token_hex(4)}"
    cache = redis.Redis.from_url(REDIS_URL)
    cache.flushdb()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cache.flushdb()


@dataclass
class Host:
    """One "machine": its own var dir, its processes and (for an app server) its URL."""

    var: Path
    env: dict[str, str]
    url: str = ""


def _host(root: Path, label: str, database_url: str) -> Host:
    var = root / label
    var.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHAOSHANG_", "DATABASE"))}
    env = {
        **clean,
        "PYTHONPATH": str(SRC),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "ZHAOSHANG_VAR_DIR": str(var),
        "ZHAOSHANG_FILE_STORAGE": "db",
        "ZHAOSHANG_DEBUG": "false",
    }
    return Host(var=var, env=env)


def _zhaoshang(host: Host, *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "zhaoshang"), *args],
        env=host.env,
        cwd=host.var,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"zhaoshang {' '.join(args)}: {done.stderr[-3000:]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(host: Host, argv: list[str]) -> subprocess.Popen[bytes]:
    log = (host.var / "process.log").open("wb")
    return subprocess.Popen(argv, env=host.env, cwd=host.var, stdout=log, stderr=log)


def _app_server(host: Host) -> subprocess.Popen[bytes]:
    port = _free_port()
    host.url = f"http://127.0.0.1:{port}"
    return _start(
        host,
        [
            str(BIN / "gunicorn"),
            "zhaoshang.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
        ],
    )


def _wait_healthy(host: Host, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{host.url}/readyz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    log = (host.var / "process.log").read_text(errors="replace")[-3000:]
    pytest.fail(f"{host.url} not ready: {log}", pytrace=False)


class Browser:
    """Cookies and CSRF tokens as a browser keeps them; one jar for every app server,
    as behind one host name."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, str, str]:
        return self._send(urllib.request.Request(url))  # noqa: S310 — http://127.0.0.1

    def post(
        self, url: str, fields: dict[str, str], file: bytes | None = None
    ) -> tuple[int, str, str]:
        token = CSRF_RE.search(self.get(url)[2])
        assert token is not None, f"no CSRF token on {url}"
        fields = {**fields, "csrfmiddlewaretoken": token.group(1)}
        if file is None:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = _multipart(fields, file)
        request = urllib.request.Request(  # noqa: S310 — http://127.0.0.1
            url, data=body, headers={"Content-Type": kind}
        )
        return self._send(request)

    def _send(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.geturl(), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.geturl(), exc.read().decode()


def _multipart(fields: dict[str, str], file: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="ledger.xlsx"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        "\r\n\r\n".encode()
    )
    out.write(file)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _ledger() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, ["序号", "项目名称", "投资主体", "总投资（万元）", "项目进展"])
    for i in range(ROWS):
        sheet.write_row(i + 1, 0, [i + 1, f"{NAME}{i:04d}", "苏州某科技有限公司", 1000 + i, "在谈"])
    book.close()
    return buffer.getvalue()


def _log_in(
    browser: Browser, host: Host, username: str, password: str = PASSWORD
) -> tuple[int, str, str]:
    return browser.post(f"{host.url}/accounts/login/", {"username": username, "password": password})


def test_it_imports_on_a_worker_and_shows_the_rows_on_another_app_server(
    database: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zs-multi-") as tmp:
        root = Path(tmp)
        app1, app2, worker = (_host(root, label, database) for label in ("app1", "app2", "worker"))
        _zhaoshang(app1, "migrate", "--noinput")
        _zhaoshang(app1, "shell", "-c", "from zhaoshang.core.demo import load_demo; load_demo()")
        processes = [_app_server(app1), _app_server(app2)]
        processes.append(
            _start(worker, [str(BIN / "zhaoshang"), "run_huey", "--workers", "1", "--no-periodic"])
        )
        try:
            _wait_healthy(app1, processes[0])
            _wait_healthy(app2, processes[1])
            _check_import(app1, app2)
            _check_lockout(app1, app2)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        for host in (app1, app2, worker):  # no host kept a file of its own
            assert not (host.var / "media").exists(), f"{host.var.name} wrote to local disk"
    assert time.monotonic() - started < 90


def _check_import(app1: Host, app2: Host) -> None:
    browser = Browser()
    status, url, _ = _log_in(browser, app1, "yc_staff")
    assert status == 200 and "/accounts/" not in url, url

    status, url, page = browser.post(
        f"{app1.url}/imports/projects/", {"area": "411702"}, file=_ledger()
    )
    match = re.search(r"/imports/jobs/(\d+)/$", url)
    assert status == 200 and match is not None, (status, url, page[-2000:])
    job = match.group(1)

    deadline = time.monotonic() + IMPORT_TIMEOUT
    facts: dict[str, object] = {}
    while time.monotonic() < deadline:  # polled on app 2, with app 1's session cookie
        status, _, body = browser.get(f"{app2.url}/imports/jobs/{job}/status.json")
        assert status == 200, body[-2000:]
        facts = json.loads(body)
        if facts["finished"]:
            break
        time.sleep(0.5)
    assert (facts.get("status"), facts.get("created"), facts.get("errors")) == (
        "succeeded",
        ROWS,
        0,
    ), facts

    query = urllib.parse.quote(f"{NAME}2042")
    status, _, page = browser.get(f"{app2.url}/projects/?q={query}")
    assert status == 200 and f"{NAME}2042" in page


def _check_lockout(app1: Host, app2: Host) -> None:
    """Five wrong passwords on app 1 lock the account on app 2: the counts are shared."""
    browser = Browser()
    for _ in range(5):
        _log_in(browser, app1, "xp_staff", "wrong-password-1A")
    status, url, _ = _log_in(Browser(), app2, "xp_staff")
    assert status == 429, (status, url)
