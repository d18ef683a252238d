from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AdsConfig(AppConfig):
    name = "ads"
    verbose_name = _("Ads")

    def ready(self):
        from ads.models import Ad, Placement
        from ads.roles import sync_roles
        from ads.selection import ads_changed
        from ads.templatetags.ads import FRAGMENT, render_slot
        from newsroom.pagecache import register_fragment

        post_migrate.connect(sync_roles, sender=self)
        # Cached pages fill their ad slots on every view (newsroom/pagecache.py).
        register_fragment(FRAGMENT, render_slot)
        for model in (Ad, Placement):
            post_save.connect(ads_changed, sender=model, dispatch_uid=f"ads_changed_{model}")
            post_delete.connect(ads_changed, sender=model, dispatch_uid=f"ads_deleted_{model}")
        m2m_changed.connect(
            ads_changed, sender=Ad.placements.through, dispatch_uid="ads_placements_changed"
        )
