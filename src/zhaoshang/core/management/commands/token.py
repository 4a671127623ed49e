"""``zhaoshang token create|list|revoke``: personal API tokens, managed by an admin.

Tokens are issued on the server's command line, not self-service in the
browser: a token skips the browser's TOTP step, so whoever can run this
command (a server admin) decides who gets one. The secret is printed once;
only its SHA-256 is stored.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhaoshang.core import services
from zhaoshang.core.models import ApiToken, TokenScope, User


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens (Authorization: Bearer zs_…)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token; prints the secret once")
        create.add_argument("username")
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        create.add_argument("--days", type=int, default=90, help="valid for N days (1–366)")
        create.add_argument("--name", default="api", help="what the token is for")
        listing = actions.add_parser("list", help="a user's tokens (never the secrets)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke a token by its 8-character prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["prefix"])

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        try:
            token, plaintext = services.token_create(
                acting_user=None,
                user=user,
                name=options["name"],
                scope=options["scope"],
                days=options["days"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(plaintext)
        self.stderr.write(
            f"token zs_{token.prefix}… for {user.username}, scope {token.scope}, "
            f"expires {_when(token.expires_at)}. "
            "Store it now: it is not shown again."
        )

    def _list(self, username: str) -> None:
        user = _user(username)
        tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
        self.stdout.write("prefix    scope  status   expires           last used         name")
        for t in tokens:
            status = "revoked" if t.revoked else ("expired" if t.expired else "active")
            used = _when(t.last_used_at) if t.last_used_at else "-"
            self.stdout.write(
                f"{t.prefix:<9} {t.scope:<6} {status:<8} {_when(t.expires_at)}  {used:<17} {t.name}"
            )

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.removeprefix(services.TOKEN_PREFIX)[:8]
        token = ApiToken.objects.select_related("user__area").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with prefix {prefix!r}.")
        services.token_revoke(acting_user=None, token=token)
        self.stdout.write(f"revoked zs_{token.prefix}… of {token.user.username}")


def _user(username: str) -> User:
    user = User.objects.select_related("area").filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}.")
    return user


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
