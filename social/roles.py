"""Who manages the site's social accounts: the Editors group (shared with other apps
by name, not by import)."""

from newsroom.roles import ADMINISTRATORS, ALL, grant_app_permissions

EDITORS = "Editors"

ROLE_PERMISSIONS = {
    EDITORS: ["add_sociallink", "change_sociallink", "delete_sociallink", "view_sociallink"],
    ADMINISTRATORS: ALL,
}


def sync_roles(using="default", **kwargs):
    grant_app_permissions("social", ROLE_PERMISSIONS, using=using)
