from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        post_migrate.connect(sync_site_roles, dispatch_uid="newsroom.sync_site_roles")


# People and logins: only Administrators manage accounts and unlock locked-out logins.
SITE_ROLE_PERMISSIONS = {
    "auth": ["add_user", "change_user", "delete_user", "view_user", "add_group",
             "change_group", "delete_group", "view_group", "view_permission"],
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accesslog",
             "view_accessfailurelog", "delete_accessfailurelog"],
}  # fmt: skip


def sync_site_roles(app_config, using="default", **kwargs):
    """After `migrate` has created the permissions of auth and axes (the later of the two
    in INSTALLED_APPS), give them to the Administrators group."""
    from newsroom.roles import ADMINISTRATORS, grant_app_permissions

    if app_config.label != "axes":
        return
    for app_label, codenames in SITE_ROLE_PERMISSIONS.items():
        grant_app_permissions(app_label, {ADMINISTRATORS: codenames}, using=using)
