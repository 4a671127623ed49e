"""Settings: env helpers fail loudly, DATABASE_URL parsing, SQLite pragmas, production mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from zhaoshang import settings as zs

ZHAOSHANG = str(Path(sys.executable).parent / "zhaoshang")


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHAOSHANG_", "DATABASE"))}
    return subprocess.run(
        [ZHAOSHANG, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **clean,
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "ZHAOSHANG_VAR_DIR": str(tmp_path),
            **env,
        },
        check=False,
    )


def test_it_passes_check_deploy_in_production(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        ZHAOSHANG_ENV="production",
        ZHAOSHANG_SECRET_KEY="k" * 20 + "Q9#x" * 10,
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
