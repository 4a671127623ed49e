"""Browser-test fixtures: Debian's Chromium against a served copy of the app.

The server runs in a subprocess with its own SQLite file, migrated and loaded
with the demo district, so these tests never touch pytest-django's test
database (the audit table's triggers forbid the DELETE/TRUNCATE that
transactional flushing would need). No browser is ever downloaded: without
/usr/bin/chromium the tests skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ZHAOSHANG = Path(sys.executable).parent / "zhaoshang"
PLATFORM_NAME = "招商引资与重点项目管理平台"
PASSWORD = "Zhaoshang@2026"
SERVER_START_TIMEOUT = 30.0
COMMAND_TIMEOUT = 300.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run a management command, failing the fixture with its output if it fails."""
    done = subprocess.run(
        [str(ZHAOSHANG), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`zhaoshang {' '.join(args)}` exited {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}",
            pytrace=False,
        )


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — http://127.0.0.1
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def served_env() -> Iterator[dict[str, str]]:
    """The served app's environment: its own SQLite file, migrated and demo-loaded.

    A test that must act on the served database as an operator would (``zhaoshang
    sweep``) runs the command with this environment: ``run_command(served_env, …)``.
    """
    with tempfile.TemporaryDirectory(prefix="zhaoshang-e2e-") as tmp:
        tmp_dir = Path(tmp).resolve()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_dir / 'e2e.sqlite3'}",
            "ZHAOSHANG_VAR_DIR": str(tmp_dir),
            "PYTHONUNBUFFERED": "1",
            "ZHAOSHANG_DEBUG": "false",
        }
        _run(["migrate", "--noinput"], env, tmp_dir)
        _run(["demo", "--quiet"], env, tmp_dir)
        _run(["collectstatic", "--noinput", "-v0"], env, tmp_dir)
        yield env


def run_command(env: dict[str, str], *args: str) -> None:
    """Run ``zhaoshang <args>`` against the served app's database (fails the test if it fails)."""
    _run(list(args), env, Path(env["ZHAOSHANG_VAR_DIR"]))


@pytest.fixture(scope="session")
def served_app(served_env: dict[str, str]) -> Iterator[str]:
    """A migrated, demo-loaded copy of the app served as ``make run`` does; yields its base URL.

    gunicorn with DEBUG off and whitenoise serving the collected static files,
    the job worker beside it: the browser tests see what a bureau sees.
    """
    env = served_env
    tmp_dir = Path(env["ZHAOSHANG_VAR_DIR"])
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    stdout_path = tmp_dir / "server.stdout"
    stderr_path = tmp_dir / "server.stderr"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        server = subprocess.Popen(
            [
                str(ZHAOSHANG.with_name("gunicorn")),
                "zhaoshang.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
            ],
            env=env,
            cwd=tmp_dir,
            stdout=out,
            stderr=err,
        )
        # the job queue's consumer, for imports large enough to run in the background
        worker = subprocess.Popen(
            [str(ZHAOSHANG), "run_huey", "--workers", "1"],
            env=env,
            cwd=tmp_dir,
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(f"{base_url}/healthz"):
            if server.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited {server.returncode}"
                    if server.poll() is not None
                    else f"not healthy after {SERVER_START_TIMEOUT:.0f} s"
                )
                pytest.fail(
                    f"gunicorn on {base_url} {state}; stderr:\n"
                    f"{stderr_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield base_url
    finally:
        for process in (worker, server):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; skips (never downloads) when it is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); not downloading one")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, served_app: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page per test."""
    context = browser.new_context(base_url=served_app, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Page, username: str) -> None:
    """Log a demo user in through the real form."""
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
