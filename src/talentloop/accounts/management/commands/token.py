from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from talentloop.accounts.models import ApiToken, User
from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.core.errors import DomainError


class Command(BaseCommand):
    help = "Manage API tokens: 'token create USERNAME' prints a new token; 'token list USERNAME'; 'token revoke ID'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--scope", choices=["read", "write"], default="write")
        create.add_argument("--days", type=int, default=None)
        create.add_argument("--name", default="cli")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("token_id", type=int)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        return user

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "create":
            user = self._user(opts["username"])
            try:
                # The operator at the console acts for the account itself.
                _token, secret = api_token_create(actor=actor_for(user), user=user, name=opts["name"],
                                                  scope=opts["scope"], days=opts["days"])
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(secret)
        elif action == "list":
            user = self._user(opts["username"])
            for t in ApiToken.objects.filter(user=user).order_by("-created_at"):
                state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{t.pk}\t{t.prefix}…\t{t.scope}\t{t.name}\t{state}")
        elif action == "revoke":
            updated = ApiToken.objects.filter(pk=opts["token_id"], revoked_at__isnull=True).update(
                revoked_at=timezone.now())
            if not updated:
                raise CommandError("No such active token.")
            self.stdout.write("revoked")
