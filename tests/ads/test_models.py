from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ads.models import Ad, AdStatus, Placement


def test_database_refuses_an_ad_that_ends_before_it_starts(make_ad, placement):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_ad(placement(), starts_at=now, ends_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_ad(placement("sidebar-2"), starts_at=now, ends_at=now - timedelta(seconds=1))
    assert not Ad.objects.exists()


def test_database_refuses_weight_zero(make_ad, placement):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_ad(placement(), weight=0)


def test_database_refuses_a_placement_showing_no_ads(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(key="x", name_ar="x", width=1, height=1, max_ads=0)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/file",
        "data:text/html,hi",
        "//evil.example/",
        "/relative/path",
    ],
)
def test_target_url_must_be_http_or_https(make_ad, placement, url):
    ad = make_ad(placement())
    ad.target_url = url
    with pytest.raises(ValidationError) as error:
        ad.full_clean()
    assert "target_url" in error.value.message_dict


def test_https_target_url_is_accepted(make_ad, placement):
    ad = make_ad(placement(), target_url="https://example.com/path?q=1")
    ad.full_clean()


def test_sections_are_normalised_and_checked(make_ad, placement):
    ad = make_ad(placement())
    ad.sections = " sport, اقتصاد  sport "
    ad.full_clean()
    assert ad.sections == "sport,اقتصاد"
    ad.sections = "sport, bad/slug"
    with pytest.raises(ValidationError) as error:
        ad.full_clean()
    assert "sections" in error.value.message_dict


def test_image_ad_needs_image_alt_text_and_target(placement, db):
    ad = Ad(name="x", advertiser="y", kind=Ad.Kind.IMAGE, language=Ad.Language.EN)
    with pytest.raises(ValidationError) as error:
        ad.full_clean()
    assert {"image", "image_alt_en", "target_url"} <= set(error.value.message_dict)
    assert "image_alt_ar" not in error.value.message_dict  # English edition only


def test_html_ad_needs_code(db):
    ad = Ad(name="x", advertiser="y", kind=Ad.Kind.HTML, html_code="  ")
    with pytest.raises(ValidationError) as error:
        ad.full_clean()
    assert "html_code" in error.value.message_dict


def test_status_is_computed(make_ad, placement):
    now = timezone.now()
    slot = placement()
    running = make_ad(slot, name="running")
    scheduled = make_ad(slot, name="scheduled", starts_at=now + timedelta(hours=1))
    ended = make_ad(
        slot, name="ended", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    inactive = make_ad(slot, name="inactive", is_active=False)
    expected = {
        running: AdStatus.RUNNING,
        scheduled: AdStatus.SCHEDULED,
        ended: AdStatus.ENDED,
        inactive: AdStatus.INACTIVE,
    }
    for ad, status in expected.items():
        assert ad.status == status
        assert list(Ad.objects.with_status(status)) == [ad]
