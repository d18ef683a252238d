from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

# The content version of the site's social links (newsroom/cache.py): cached link lists
# and every cached page fold it into their keys.
SOCIAL = "social"


def social_links_changed(**_kwargs):
    from newsroom.cache import bump_version

    bump_version(SOCIAL)


class SocialConfig(AppConfig):
    name = "social"
    verbose_name = _("Social media")

    def ready(self):
        from newsroom.images import register
        from social.images import OG_RENDITION
        from social.models import SocialLink
        from social.roles import sync_roles

        # Every stored picture gets its link-preview crop at upload, not on a page view.
        register(OG_RENDITION)

        post_migrate.connect(sync_roles, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(
                social_links_changed, sender=SocialLink, dispatch_uid=f"social-changed-{signal}"
            )
