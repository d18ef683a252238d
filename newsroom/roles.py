"""Role groups shared by the apps: each app grants its own permissions to the groups."""

from django.contrib.auth.models import Group, Permission

# The role that runs the site: every permission of every app, users and groups, and
# unlocking logins. Each app grants its own permissions to it with ALL.
ADMINISTRATORS = "Administrators"
ALL = "*"


def grant_app_permissions(app_label, role_permissions, using="default"):
    """Give each group exactly the listed permissions of `app_label` (ALL: every one of
    them), leaving other apps' grants alone, so that every app can run this after its
    own migrations."""
    for group_name, codenames in role_permissions.items():
        group, _created = Group.objects.using(using).get_or_create(name=group_name)
        app_permissions = Permission.objects.using(using).filter(content_type__app_label=app_label)
        if codenames == ALL:
            codenames = list(app_permissions.values_list("codename", flat=True))
        wanted = list(app_permissions.filter(codename__in=codenames))
        missing = set(codenames) - {permission.codename for permission in wanted}
        if missing:
            raise LookupError(f"Unknown {app_label} permissions for {group_name}: {missing}")
        group.permissions.remove(*app_permissions.exclude(pk__in=[p.pk for p in wanted]))
        group.permissions.add(*wanted)
