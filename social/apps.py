from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social media")

    def ready(self):
        from social.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self)
