"""The "Ad managers" role, kept in step with the code after every `migrate`.

Managing ads is separate from editing articles. HTML code ads (ad network tags) need
the stricter `manage_html_ads` permission, which only the Administrators group has (or
grant it to a trusted person directly). The admin enforces it on the server (see
ads/admin.py).
"""

from newsroom.roles import ADMINISTRATORS, ALL, grant_app_permissions

AD_MANAGERS = "Ad managers"

ROLE_PERMISSIONS = {
    AD_MANAGERS: [
        "add_ad", "change_ad", "delete_ad", "view_ad",
        "view_placement", "change_placement",
        "view_addailystat",
        "add_adstxt", "change_adstxt", "view_adstxt",
    ],
    ADMINISTRATORS: ALL,  # manage_html_ads included
}  # fmt: skip


def sync_roles(using="default", **kwargs):
    grant_app_permissions("ads", ROLE_PERMISSIONS, using=using)
