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

        post_migrate.connect(sync_roles, sender=self)
        for model in (Ad, Placement):
            post_save.connect(ads_changed, sender=model, dispatch_uid=f"ads_changed_{model}")
            post_delete.connect(ads_changed, sender=model, dispatch_uid=f"ads_deleted_{model}")
        m2m_changed.connect(
            ads_changed, sender=Ad.placements.through, dispatch_uid="ads_placements_changed"
        )
