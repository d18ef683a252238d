"""Load the demo site: every app's demo content and three demo staff accounts."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

import ads.demo
import articles.demo
import social.demo
from articles.roles import EDITORS, WRITERS

DEMO_USERS = [
    # username, superuser, group
    ("admin", True, None),
    ("editor", False, EDITORS),
    ("writer", False, WRITERS),
]


class Command(BaseCommand):
    help = "Load demo content (idempotent) and create demo staff accounts if missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users", action="store_true", help="Load content only; create no accounts."
        )

    def handle(self, *args, **options):
        new_password = self.load(with_users=not options["no_users"])
        if not options["no_users"]:
            # Last, and framed: the one thing a newcomer must find in the output.
            notice = accounts_notice(new_password or settings.NEWSROOM_DEMO_PASSWORD)
            self.stdout.write(self.style.WARNING(frame(notice)))

    @transaction.atomic
    def load(self, *, with_users):
        created = articles.demo.load()
        self.stdout.write(f"Articles: {created} created.")
        created = social.demo.load()
        self.stdout.write(f"Social links: {created} created.")
        created = ads.demo.load()
        self.stdout.write(f"Ads: {created} created.")
        new_password = create_users() if with_users else None
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        return new_password


def create_users():
    """Create the missing demo accounts with NEWSROOM_DEMO_PASSWORD, or a new password;
    returns the password they were given (None when none was missing)."""
    User = get_user_model()
    password = settings.NEWSROOM_DEMO_PASSWORD or secrets.token_urlsafe(12)
    created = False
    for username, is_superuser, group_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(
            username, password=password, is_staff=True, is_superuser=is_superuser
        )
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        created = True
    return password if created else None


def accounts_notice(password):
    """What to tell about the demo accounts: their password while it still opens them."""
    admin = get_user_model().objects.filter(username="admin").first()
    if password and admin is not None and admin.check_password(password):
        return [
            "Demo accounts: admin (everything), editor (publishes), writer (drafts)",
            f"Password of all three: {password}",
            "Log in at /admin/",
            "Change it with: .venv/bin/python manage.py changepassword admin",
        ]
    return [
        "Demo accounts admin, editor and writer exist; their password is not known here.",
        "Set a new one with: .venv/bin/python manage.py changepassword admin",
    ]


def frame(lines):
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])
