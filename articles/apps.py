from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


def site_page_changed(sender, **_kwargs) -> None:
    """A site page was added, changed or deleted: the labels hold the footer's pages."""
    from articles.cache import labels_changed

    labels_changed(sender, created=False)


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        import reversion

        from articles.cache import connect_signals, next_publication
        from articles.models import Article, Image, Page
        from articles.readership import article_deleted, article_saved
        from articles.roles import sync_roles
        from articles.services import image_deleting
        from newsroom.pagecache import register_deadline

        post_migrate.connect(sync_roles, sender=self)
        connect_signals()
        # The footer lists the site's pages: they are cached with the labels, which a new
        # page changes too (unlike a new tag, author or source).
        post_save.connect(site_page_changed, sender=Page, dispatch_uid="site-page-save")
        post_delete.connect(site_page_changed, sender=Page, dispatch_uid="site-page-delete")
        pre_delete.connect(image_deleting, sender=Image)
        # A story taken off the site leaves the most read lists at once.
        post_save.connect(article_saved, sender=Article, dispatch_uid="most-read-withdrawn-save")
        post_delete.connect(article_deleted, sender=Article, dispatch_uid="most-read-withdrawn")
        # Cached pages must not outlive the next scheduled publication.
        register_deadline(next_publication)
        # Every field, both languages (modeltranslation's columns are model fields too),
        # and the tags; the import bookkeeping is not editorial content, and the figures are
        # read from the body on every save (one query less per revision).
        if not reversion.is_registered(Article):
            reversion.register(Article, exclude=["import_hash", "figures"])
