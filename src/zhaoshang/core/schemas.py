"""Response shapes of the core API: the signed-in user and the areas they see."""

from __future__ import annotations

from ninja import Schema


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class MeOut(Schema):
    username: str
    full_name: str
    area_code: str | None
    unit: str | None
    roles: list[str]
    language: str
