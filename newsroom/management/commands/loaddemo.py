"""Load the demo site: every app's demo content and three demo staff accounts."""

import secrets

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

    @transaction.atomic
    def handle(self, *args, **options):
        created = articles.demo.load()
        self.stdout.write(f"Articles: {created} created.")
        created = social.demo.load()
        self.stdout.write(f"Social links: {created} created.")
        created = ads.demo.load()
        self.stdout.write(f"Ads: {created} created.")
        if not options["no_users"]:
            self.create_users()
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))

    def create_users(self):
        User = get_user_model()
        password = None
        for username, is_superuser, group_name in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            password = password or secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username, password=password, is_staff=True, is_superuser=is_superuser
            )
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
        if password:
            self.stdout.write(
                self.style.WARNING(
                    "Demo accounts admin (everything), editor (publishes) and writer (drafts) "
                    f"share the password: {password}\nLog in at /admin/. "
                    "Change it with: manage.py changepassword USERNAME"
                )
            )
        else:
            self.stdout.write(
                "Demo accounts admin, editor and writer already exist; "
                "set a new password with: manage.py changepassword USERNAME"
            )
