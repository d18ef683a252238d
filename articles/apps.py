from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        import reversion

        from articles.cache import connect_signals, next_publication
        from articles.models import Article
        from articles.roles import sync_roles
        from newsroom.pagecache import register_deadline

        post_migrate.connect(sync_roles, sender=self)
        connect_signals()
        # Cached pages must not outlive the next scheduled publication.
        register_deadline(next_publication)
        # Every field, both languages (modeltranslation's columns are model fields too),
        # and the tags; the import bookkeeping is not editorial content.
        if not reversion.is_registered(Article):
            reversion.register(Article, exclude=["import_hash"])
