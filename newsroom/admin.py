"""Admin helpers shared by the apps."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

STORAGE_ERROR = _(
    "The uploaded file could not be stored: the server's disk may be full. Nothing was "
    "saved. Try again later, or tell the technical team."
)


class StorageErrorAdminMixin:
    """When storing an uploaded file fails (full disk, quota, read-only storage), show the
    form again with a clear error instead of a server error. The admin saves inside a
    transaction, so the failed attempt leaves no row behind; the storage leaves no file
    (newsroom.storage.CleanFileSystemStorage)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError as error:
            if request.method != "POST":
                raise
            logger.error("Storage failed while saving %s: %s", self.model._meta.label, error)
            request.newsroom_storage_error = True
            # The same submission again, now refused by the form: everything typed stays.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "newsroom_storage_error", False):
            return form

        class StorageErrorForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(STORAGE_ERROR, code="storage")

        return StorageErrorForm
