"""Settings: env helpers fail loudly, DATABASE_URL parsing, SQLite pragmas, production mode,
paths that never follow the current directory, secrets from files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from zhaoshang import settings as zs

ZHAOSHANG = str(Path(sys.executable).parent / "zhaoshang")
CHECKOUT = Path(__file__).resolve().parents[2]
SRC = CHECKOUT / "src"
SECRET = "k" * 20 + "Q9#x" * 10


def run(
    args: list[str], tmp_path: Path, *, cwd: Path | None = None, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """``zhaoshang ARGS`` on this checkout's code, in ``cwd`` (default ``tmp_path``)."""
    return spawn([ZHAOSHANG, *args], tmp_path, cwd=cwd, **env)


def python(
    code: str, tmp_path: Path, *, cwd: Path | None = None, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """``python -c CODE`` under the same environment as :func:`run`."""
    return spawn([sys.executable, "-c", code], tmp_path, cwd=cwd, **env)


def spawn(
    argv: list[str], tmp_path: Path, *, cwd: Path | None, **env: str | None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with a database and var dir in ``tmp_path``; an env value of None unsets it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHAOSHANG_", "DATABASE"))}
    merged: dict[str, str | None] = {
        **clean,
        "PYTHONPATH": str(SRC),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "ZHAOSHANG_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd or tmp_path,
        env={k: v for k, v in merged.items() if v is not None},
        check=False,
    )


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def copy_package(to: Path) -> Path:
    """A copy of the package at ``to/zhaoshang`` (to run it from another layout)."""
    shutil.copytree(
        SRC / "zhaoshang", to / "zhaoshang", ignore=shutil.ignore_patterns("__pycache__")
    )
    return to


def test_it_passes_check_deploy_in_production(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        ZHAOSHANG_ENV="production",
        ZHAOSHANG_SECRET_KEY=SECRET,
        ZHAOSHANG_ALLOWED_HOSTS="zhaoshang.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret(tmp_path):
    result = run(["check"], tmp_path, ZHAOSHANG_ENV="production")
    assert result.returncode != 0 and "ZHAOSHANG_SECRET_KEY" in result.stderr


def test_it_refuses_an_unknown_environment(tmp_path):
    result = run(["check"], tmp_path, ZHAOSHANG_ENV="staging")
    assert result.returncode != 0 and "ZHAOSHANG_ENV" in result.stderr


@pytest.mark.parametrize(("helper", "value"), [(zs.envbool, "maybe"), (zs.envint, "ten")])
def test_it_fails_loudly_on_a_malformed_env_value(monkeypatch, helper, value):
    monkeypatch.setenv("ZS_TEST_VALUE", value)
    with pytest.raises(ImproperlyConfigured, match="ZS_TEST_VALUE"):
        helper("ZS_TEST_VALUE", 1)


def test_it_parses_database_urls(tmp_path):
    sqlite = zs.database_from_url(f"sqlite:///{tmp_path}/x.sqlite3")
    assert sqlite["NAME"] == f"{tmp_path}/x.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"  # type: ignore[index]
    relative = zs.database_from_url("sqlite:///var/y.sqlite3")
    assert relative["NAME"] == str(zs.PROJECT_DIR / "var/y.sqlite3")
    pg = zs.database_from_url("postgres://u:p%40ss@db.local:6543/zs")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "zs",
        "u",
        "p@ss",
        "db.local",
        "6543",
    )
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        zs.database_from_url("mysql://root@localhost/x")


def test_it_opens_sqlite_files_in_wal_mode(tmp_path):
    result = run(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection;c=connection.cursor();"
            "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
            "c.execute('PRAGMA busy_timeout').fetchone()[0])",
        ],
        tmp_path,
    )
    assert result.stdout.split() == ["wal", "20000"], result.stderr


@pytest.mark.django_db
def test_it_uses_shanghai_time_and_chinese_by_default(settings):
    assert (settings.TIME_ZONE, settings.USE_TZ, settings.LANGUAGE_CODE) == (
        "Asia/Shanghai",
        True,
        "zh-hans",
    )
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_it_sends_security_headers(client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Language"] == "zh-hans"


# --- paths: from the package or ZHAOSHANG_VAR_DIR, never the current directory -----------


def test_it_migrates_the_var_dirs_database_from_another_directory(tmp_path):
    var, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(
        ["migrate", "--noinput"],
        tmp_path,
        cwd=elsewhere,
        DATABASE_URL=None,
        ZHAOSHANG_VAR_DIR=str(var),
    )
    assert result.returncode == 0, result.stderr
    assert {"core_area", "projects_project", "django_migrations"} <= tables(
        var / "zhaoshang.sqlite3"
    )
    assert list(elsewhere.iterdir()) == []
    assert (var / "static").is_dir()  # made at command start: whitenoise serves from it


def test_it_makes_the_sqlite_files_directory_at_command_start(tmp_path):
    db = tmp_path / "new" / "dir" / "x.sqlite3"
    result = run(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection as c; c.ensure_connection()",
        ],
        tmp_path,
        DATABASE_URL=f"sqlite:///{db}",
    )
    assert result.returncode == 0, result.stderr
    assert db.is_file()


def test_it_keeps_a_checkouts_database_in_the_checkout_whatever_the_cwd(tmp_path):
    checkout, elsewhere = tmp_path / "checkout", tmp_path / "elsewhere"
    copy_package(checkout / "src")
    shutil.copy(CHECKOUT / "pyproject.toml", checkout)
    elsewhere.mkdir()
    result = run(
        ["migrate", "--noinput"],
        tmp_path,
        cwd=elsewhere,
        PYTHONPATH=str(checkout / "src"),
        DATABASE_URL=None,
        ZHAOSHANG_VAR_DIR=None,
    )
    assert result.returncode == 0, result.stderr
    assert "core_area" in tables(checkout / "var" / "zhaoshang.sqlite3")
    assert list(elsewhere.iterdir()) == []


def test_it_finds_the_checkout_from_the_package_not_the_cwd(tmp_path):
    result = python(
        "from zhaoshang import settings as s; print(s.PROJECT_DIR, s.VAR_DIR, sep='\\n')",
        tmp_path,
        ZHAOSHANG_VAR_DIR=None,
    )
    assert result.stdout.split("\n")[:2] == [str(CHECKOUT), str(CHECKOUT / "var")], result.stderr


def test_it_imports_settings_without_creating_anything(tmp_path):
    var, cwd = tmp_path / "var", tmp_path / "cwd"
    cwd.mkdir()
    result = python("import zhaoshang.settings", tmp_path, cwd=cwd, ZHAOSHANG_VAR_DIR=str(var))
    assert result.returncode == 0, result.stderr
    assert not var.exists()
    assert list(cwd.iterdir()) == []


def test_it_needs_a_var_dir_in_production_when_installed(tmp_path):
    site = copy_package(tmp_path / "site-packages")
    result = python(
        "import zhaoshang.settings",
        tmp_path,
        PYTHONPATH=str(site),
        ZHAOSHANG_ENV="production",
        ZHAOSHANG_SECRET_KEY=SECRET,
        ZHAOSHANG_VAR_DIR=None,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: ZHAOSHANG_VAR_DIR must be set in production" in result.stderr
    home = tmp_path / "home"
    result = python(
        "from zhaoshang import settings as s; print(s.VAR_DIR)",
        tmp_path,
        PYTHONPATH=str(site),
        HOME=str(home),
        XDG_DATA_HOME=None,
        ZHAOSHANG_VAR_DIR=None,
    )
    assert result.stdout.strip() == str(home / ".local/share/zhaoshang"), result.stderr
    assert not home.exists()


def test_it_refuses_a_relative_var_dir():
    with pytest.raises(ImproperlyConfigured, match="absolute"):
        zs.var_dir("var", checkout=CHECKOUT, production=False)


def test_it_uses_the_xdg_data_home_when_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert zs.var_dir("", checkout=None, production=False) == tmp_path / "zhaoshang"


# --- secrets from NAME_FILE ------------------------------------------------------------


def test_it_reads_secrets_from_files(tmp_path):
    key, url = tmp_path / "key", tmp_path / "url"
    key.write_text(f"  {SECRET}\n")
    url.write_text(f"sqlite:///{tmp_path}/from-file.sqlite3\n")
    result = run(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s;"
            "print(s.SECRET_KEY, s.DATABASES['default']['NAME'], sep='\\n')",
        ],
        tmp_path,
        ZHAOSHANG_ENV="production",
        ZHAOSHANG_SECRET_KEY_FILE=str(key),
        DATABASE_URL=None,
        DATABASE_URL_FILE=str(url),
    )
    assert result.stdout.split("\n")[:2] == [SECRET, f"{tmp_path}/from-file.sqlite3"], result.stderr


def test_it_refuses_a_secret_set_both_ways(tmp_path):
    key = tmp_path / "key"
    key.write_text(SECRET)
    result = run(
        ["check"],
        tmp_path,
        ZHAOSHANG_ENV="production",
        ZHAOSHANG_SECRET_KEY=SECRET,
        ZHAOSHANG_SECRET_KEY_FILE=str(key),
    )
    assert result.returncode != 0
    assert "Set ZHAOSHANG_SECRET_KEY or ZHAOSHANG_SECRET_KEY_FILE, not both" in result.stderr


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read"), ("\n", "is empty")])
def test_it_refuses_an_unusable_secret_file(monkeypatch, tmp_path, content, message):
    path = tmp_path / "secret"
    if content is not None:
        path.write_text(content)
    monkeypatch.setenv("ZS_TEST_SECRET_FILE", str(path))
    with pytest.raises(ImproperlyConfigured, match=f"ZS_TEST_SECRET_FILE.*{message}"):
        zs.envsecret("ZS_TEST_SECRET", "fallback")
