from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from PIL import Image


class NewsroomConfig(AppConfig):
    default = True
    name = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        from axes.signals import user_locked_out

        from newsroom.cache import bump_every_version
        from newsroom.logins import notify_account_attack
        from newsroom.resilient_cache import cache_recovered

        post_migrate.connect(sync_site_roles, dispatch_uid="newsroom.sync_site_roles")
        cache_recovered.connect(bump_every_version, dispatch_uid="newsroom.bump_every_version")
        user_locked_out.connect(notify_account_attack, dispatch_uid="newsroom.account_attack")
        # Pillow's own decompression-bomb guard, wherever a picture is opened, follows the
        # site's one pixel limit (it warns above it, and refuses twice as many).
        Image.MAX_IMAGE_PIXELS = settings.NEWSROOM_MAX_IMAGE_PIXELS


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site's own admin site (optional two-factor login)."""

    default = False
    default_site = "newsroom.admin.NewsroomAdminSite"


# People and logins: only Administrators manage accounts and unlock locked-out logins.
SITE_ROLE_PERMISSIONS = {
    "auth": ["add_user", "change_user", "delete_user", "view_user", "add_group",
             "change_group", "delete_group", "view_group", "view_permission"],
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accesslog",
             "view_accessfailurelog", "delete_accessfailurelog"],
    "otp_totp": ["add_totpdevice", "change_totpdevice", "delete_totpdevice",
                 "view_totpdevice"],
}  # fmt: skip


def sync_site_roles(app_config, apps=None, using="default", **kwargs):
    """Once `migrate` has created the permissions of all the apps above (after the last
    of them in INSTALLED_APPS), give them to the Administrators group."""
    from django.apps import apps as registry

    from newsroom.roles import ADMINISTRATORS, grant_app_permissions

    labels = [config.label for config in registry.get_app_configs()]
    if app_config.label != max(SITE_ROLE_PERMISSIONS, key=labels.index):
        return
    for app_label, codenames in SITE_ROLE_PERMISSIONS.items():
        grant_app_permissions(app_label, {ADMINISTRATORS: codenames}, using=using)
