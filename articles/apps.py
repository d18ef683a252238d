from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        import reversion

        from articles.cache import connect_signals, labels_changed, next_publication
        from articles.models import Article, Image, Page
        from articles.roles import sync_roles
        from articles.services import image_deleting
        from newsroom.pagecache import register_deadline

        post_migrate.connect(sync_roles, sender=self)
        connect_signals()
        # The footer lists the site's pages: it is cached with the labels.
        post_save.connect(labels_changed, sender=Page)
        post_delete.connect(labels_changed, sender=Page)
        pre_delete.connect(image_deleting, sender=Image)
        # Cached pages must not outlive the next scheduled publication.
        register_deadline(next_publication)
        # Every field, both languages (modeltranslation's columns are model fields too),
        # and the tags; the import bookkeeping is not editorial content, and the figures are
        # read from the body on every save (one query less per revision).
        if not reversion.is_registered(Article):
            reversion.register(Article, exclude=["import_hash", "figures"])
