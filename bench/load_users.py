"""The simulated users of ``bench/load.py``: a locustfile, not run on its own.

``bench/load.py`` prepares a served copy of the app, signs the demo accounts in
once, issues them API tokens and writes what the users need (sessions, tokens,
project ids, areas) to a JSON file named by ``ZS_LOAD_CONFIG``; then it runs
``locust -f bench/load_users.py <UserClass> --headless …``. Signing in once
keeps PBKDF2's deliberate 0.4 s per log-in out of the mix: the figures are the
working day's pages, not a morning's log-in storm.

- ``DeskUser``: the mix (ledger list with a filter and a sort, a project page,
  the area dashboard, an update through the API, a small ledger import through
  the upload page), with think time between requests.
- ``HelloUser`` / ``ApiListUser``: no think time, for the throughput ratio of
  the project-list API to ``/healthz`` (the hello-JSON view).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path
from typing import Any

import xlsxwriter
from locust import FastHttpUser, HttpUser, between, constant, task

CONFIG: dict[str, Any] = json.loads(Path(os.environ["ZS_LOAD_CONFIG"]).read_text("utf-8"))
WAIT = CONFIG.get("wait", [1.0, 5.0])
ACCOUNTS = itertools.cycle(CONFIG["accounts"])
STAGES = ["lead", "intention", "negotiation", "signed", "construction"]
SORTS = ["-investment", "name", "-updated", "stage", "-progress"]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JOB_RE = re.compile(r"/imports/jobs/(\d+)/$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ROWS = 5


def small_ledger() -> bytes:
    """A five-row 招商台账 with names no other upload uses, so every import creates rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, ["序号", "项目名称", "投资主体", "总投资（万元）", "项目进展"])
    tag = uuid.uuid4().hex[:8]
    for i in range(IMPORT_ROWS):
        sheet.write_row(
            i + 1, 0, [i + 1, f"压测导入{tag}-{i}", "苏州某科技有限公司", 1000 + i, "在谈"]
        )
    book.close()
    return buffer.getvalue()


class DeskUser(HttpUser):
    """A bureau's clerk or chief at work: mostly reading, sometimes saving or importing."""

    wait_time = between(WAIT[0], WAIT[1])

    def on_start(self) -> None:
        account = next(ACCOUNTS)
        self.account = account
        self.client.cookies.update(account["cookies"])
        self.api_headers = {"Authorization": f"Bearer {account['token']}"}

    @task(10)
    def ledger_list(self) -> None:
        params = {"stage": random.choice(STAGES), "sort": random.choice(SORTS)}
        self.client.get("/projects/", params=params, name="ledger list")

    @task(8)
    def project_page(self) -> None:
        if self.account["projects"]:
            pk = random.choice(self.account["projects"])
            self.client.get(f"/projects/{pk}/", name="project page")

    @task(4)
    def dashboard(self) -> None:
        self.client.get(f"/reports/area/{self.account['area']}/", name="area dashboard")

    @task(3)
    def update(self) -> None:
        """Read a project's version and save a note with it; a 409 is a fair race, not an error."""
        if not (self.account["writes"] and self.account["projects"]):
            return
        pk = random.choice(self.account["projects"])
        url = f"/api/v1/projects/{pk}"
        read = self.client.get(url, headers=self.api_headers, name="update: read version")
        if read.status_code != 200:
            return
        body = {"version": read.json()["version"], "notes": f"压测备注 {uuid.uuid4().hex[:6]}"}
        with self.client.put(
            url, json=body, headers=self.api_headers, name="update: save", catch_response=True
        ) as answer:
            if answer.status_code in (200, 409):
                answer.success()
            else:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")

    @task(1)
    def import_ledger(self) -> None:
        """The upload page: the form, the file, the job page it redirects to, its status."""
        if not self.account["writes"]:
            return
        form = self.client.get("/imports/projects/", name="import: form")
        token = CSRF_RE.search(form.text)
        if token is None:
            return
        with self.client.post(
            "/imports/projects/",
            data={"area": self.account["area"], "csrfmiddlewaretoken": token.group(1)},
            files={"file": ("ledger.xlsx", small_ledger(), XLSX)},
            headers={"Referer": form.url},
            name="import: upload",
            catch_response=True,
        ) as answer:
            job = JOB_RE.search(answer.url or "")
            if answer.status_code != 200 or job is None:
                answer.failure(f"{answer.status_code} at {answer.url}")
                return
            answer.success()
        self._check_job(job.group(1))

    def _check_job(self, job: str) -> None:
        with self.client.get(
            f"/imports/jobs/{job}/status.json", name="import: status", catch_response=True
        ) as answer:
            facts = answer.json() if answer.status_code == 200 else {}
            if facts.get("status") == "succeeded" and facts.get("created") == IMPORT_ROWS:
                answer.success()
            else:
                answer.failure(f"import job {job}: {facts or answer.status_code}")


class HelloUser(FastHttpUser):
    """The floor: the cheapest JSON answer the same server gives."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get("/healthz", name="hello JSON (/healthz)")


class ApiListUser(FastHttpUser):
    """The project-list API as an integration reads it: a token, a filter, a sort, a page."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {next(ACCOUNTS)['token']}"}

    @task
    def project_list(self) -> None:
        self.client.get(
            "/api/v1/projects?sort=-investment&limit=20",
            headers=self.headers,
            name="project-list API",
        )
