"""``talentloop webhook-source create KEY --name NAME --act-as USERNAME`` | ``list`` | ``rotate KEY`` |
``deactivate KEY``: manage the systems that post signed observations.

The operator at the console acts for an HR or administrator account (``--as``; by default the
source's own account). A secret is printed once, by ``create`` and ``rotate``, and never again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.core.errors import DomainError
from talentloop.performance import access
from talentloop.performance.models import WebhookSource
from talentloop.performance.services import webhooks as services


class Command(BaseCommand):
    help = ("Manage webhook sources for signed observations: 'create KEY --name NAME --act-as USERNAME' "
            "prints the secret once; 'list'; 'rotate KEY' prints a new secret; 'deactivate KEY'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a source and print its secret once")
        create.add_argument("key", help="the source key, part of the address it posts to")
        create.add_argument("--name", default="", help="a readable name (default: the key)")
        create.add_argument("--act-as", required=True, dest="act_as",
                            help="the HR or administrator account in whose name observations are accepted")
        listing = sub.add_parser("list", help="list the sources (never their secrets)")
        listing.add_argument("--as", dest="as_user", default=None, help="an HR or administrator account")
        for name, text in (("rotate", "give a source a new secret and print it once"),
                           ("deactivate", "stop accepting a source's deliveries")):
            command = sub.add_parser(name, help=text)
            command.add_argument("key")
            command.add_argument("--as", dest="as_user", default=None,
                                 help="an HR or administrator account (default: the source's own)")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        return user

    def _actor(self, username: str | None, key: str | None = None):
        if username:
            user = self._user(username)
        else:
            source = WebhookSource.objects.select_related("act_as").filter(key=key).first() if key else None
            if source is None:
                raise CommandError(f"No webhook source {key!r}." if key else "Pass --as USERNAME.")
            user = source.act_as
        actor = actor_for(user)
        if not access.can_manage_webhook_sources(actor):
            raise CommandError(f"{user.get_username()!r} is neither HR nor an administrator.")
        return actor

    def _source(self, actor, key: str) -> WebhookSource:
        source = access.visible_webhook_sources(actor).filter(key=key).first()
        if source is None:
            raise CommandError(f"No webhook source {key!r}.")
        return source

    def handle(self, *args, **opts):
        action = opts["action"]
        try:
            if action == "create":
                user = self._user(opts["act_as"])
                actor = self._actor(user.get_username())
                source, secret = services.webhook_source_create(actor=actor, key=opts["key"],
                                                                name=opts["name"] or opts["key"], act_as=user)
                self.stderr.write(f"Created webhook source {source.key!r}; it posts to "
                                  f"/api/v1/webhooks/observations/{source.key}. The secret (shown once):")
                self.stdout.write(secret)
            elif action == "list":
                actor = self._actor(opts["as_user"]) if opts["as_user"] else None
                sources = (access.visible_webhook_sources(actor) if actor is not None
                           else WebhookSource.objects.select_related("act_as").order_by("-is_active", "key"))
                for s in sources:
                    state = "active" if s.is_active else "deactivated"
                    self.stdout.write(f"{s.key}\t{s.name}\t{s.act_as.get_username()}\t{state}\t"
                                      f"{s.created_at:%Y-%m-%d}")
            elif action == "rotate":
                actor = self._actor(opts["as_user"], opts["key"])
                _source, secret = services.webhook_source_rotate(actor=actor, source=self._source(actor, opts["key"]))
                self.stderr.write("The new secret (shown once); the old one is refused from now on:")
                self.stdout.write(secret)
            elif action == "deactivate":
                actor = self._actor(opts["as_user"], opts["key"])
                services.webhook_source_deactivate(actor=actor, source=self._source(actor, opts["key"]))
                self.stdout.write("deactivated")
        except DomainError as exc:
            errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (exc.errors or {}).items())
            raise CommandError(f"{exc.detail} {errors}".strip()) from exc
