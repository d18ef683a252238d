from django.conf import settings
from django.utils.translation import gettext as _


def site(request):
    """The site's name, translated unless the operator fixed one in the environment."""
    return {"site_name": settings.NEWSROOM_SITE_NAME or _("Newsroom")}
