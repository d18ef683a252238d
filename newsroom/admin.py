"""Admin helpers shared by the apps, and the site's admin site (optional two-factor login)."""

import logging

from django.contrib.admin import AdminSite
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

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


class OptionalOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """The admin login with an optional second factor: a user who has set up an
    authenticator app (a confirmed TOTP device) must give its current code; others log
    in with their password alone."""

    def clean_otp(self, user):
        if user is None or not user_has_device(user):
            return
        super().clean_otp(user)


class NewsroomAdminSite(AdminSite):
    """The default admin site, with optional two-factor login (django-otp): staff who
    have an authenticator device are only let in once verified with it."""

    login_form = OptionalOTPAuthenticationForm
    login_template = OTPAdminSite.login_template

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return request.user.is_verified() or not user_has_device(request.user)
