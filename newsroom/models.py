from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """A content version (newsroom/cache.py) kept in the database, where every process of
    the site reads it, for sites without Redis."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    version = models.BigIntegerField(_("version"))

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return f"{self.name}={self.version}"
