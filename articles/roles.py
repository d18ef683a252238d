"""Editorial roles, kept in step with the code after every `migrate`.

Writers draft and revise; only Editors publish. The publish rule is enforced by the
admin on the server (see articles/admin.py), not only by hiding buttons.
"""

from newsroom.roles import ADMINISTRATORS, ALL, grant_app_permissions

WRITERS = "Writers"
EDITORS = "Editors"

ROLE_PERMISSIONS = {
    WRITERS: [
        "add_article", "change_article", "view_article",
        "add_tag", "view_tag", "view_section", "view_author", "view_source",
        "add_image", "change_image", "view_image",
    ],
    EDITORS: [
        "add_article", "change_article", "delete_article", "view_article", "publish_article",
        "add_tag", "change_tag", "delete_tag", "view_tag",
        "add_section", "change_section", "view_section",
        "add_author", "change_author", "view_author",
        "add_source", "change_source", "delete_source", "view_source",
        "add_image", "change_image", "delete_image", "view_image",
    ],
    ADMINISTRATORS: ALL,
}  # fmt: skip


def sync_roles(using="default", **kwargs):
    grant_app_permissions("articles", ROLE_PERMISSIONS, using=using)
