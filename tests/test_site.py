"""The site-wide fallbacks, defined once (newsroom/site.py)."""

from django.utils import translation

from newsroom.site import edition, site_name


def test_edition_is_the_given_language_else_the_active_one_else_the_default():
    with translation.override("en-us"):
        assert edition("ar") == "ar"
        assert edition() == "en"
    with translation.override(None):
        assert edition() == "ar"


def test_site_name_is_the_setting_else_newsroom_translated(settings):
    with translation.override("ar"):
        assert site_name() == "غرفة الأخبار"
    settings.NEWSROOM_SITE_NAME = "نركال"
    assert site_name() == "نركال"
