"""Probes for load balancers: /healthz (process up) and /readyz (database, cache, job queue)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django_otp.util import random_hex
from huey.contrib.djhuey import HUEY

logger = logging.getLogger("zhaoshang.core.views")


def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: for a load balancer's liveness probe (no dependency checked)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and job queue reachable: a load balancer sends traffic only then.

    Each part is checked separately so the 503 names what failed; a check
    that raises anything counts as down (the probe must answer, not crash).
    """
    checks = {name: _probe(check) for name, check in READINESS_CHECKS.items()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


def _probe(check: Any) -> bool:
    try:
        check()
    except Exception:  # any failure of a dependency means "not ready"
        logger.warning(
            "readiness check %s failed", getattr(check, "__name__", check), exc_info=True
        )
        return False
    return True


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    token = random_hex(8)
    cache.set("zhaoshang:readyz", token, 10)
    if cache.get("zhaoshang:readyz") != token:
        raise RuntimeError("cache did not return what was stored")


def _job_queue() -> None:
    HUEY.pending_count()


READINESS_CHECKS = {"database": _database, "cache": _cache, "job_queue": _job_queue}
