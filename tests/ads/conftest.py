import io
import random
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.utils import timezone
from PIL import Image

from ads.models import Ad, Placement
from tests.caches import clear_cache

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/140.0"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    clear_cache()
    yield
    clear_cache()


def png(width=30, height=25, colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="ad.png")


@pytest.fixture
def placement(db):
    def make(key="sidebar-1", width=300, height=250, max_ads=1, **extra):
        return Placement.objects.create(
            key=key, name_ar=key, name_en=key, width=width, height=height, max_ads=max_ads, **extra
        )

    return make


@pytest.fixture
def make_ad(db):
    def make(*placements, name="Ad", kind=Ad.Kind.IMAGE, **fields):
        fields.setdefault("advertiser", "Advertiser")
        fields.setdefault("starts_at", timezone.now() - timedelta(days=1))
        if kind == Ad.Kind.IMAGE:
            fields.setdefault("target_url", f"https://example.com/{name.replace(' ', '-')}")
            fields.setdefault("image_alt_ar", f"وصف {name}")
            fields.setdefault("image_alt_en", f"About {name}")
            fields.setdefault("image", png())
        else:
            fields.setdefault("html_code", "<p>ad</p>")
        ad = Ad.objects.create(name=name, kind=kind, **fields)
        ad.placements.set(placements)
        return ad

    return make


@pytest.fixture
def render_slots(rf):
    """Render `{% ad_slot %}` tags as a page would, with a browser's request."""

    def render(*keys, section=None, request=None, user_agent=BROWSER):
        request = request or rf.get("/", HTTP_USER_AGENT=user_agent)
        source = "{% load ads %}" + "".join(f'{{% ad_slot "{key}" %}}' for key in keys)
        return Template(source).render(Context({"request": request, "current_section": section}))

    return render


@pytest.fixture
def seeded_rng(monkeypatch):
    rng = random.Random(1234)
    monkeypatch.setattr("ads.templatetags.ads.rng", rng)
    return rng
