"""Demo content for the ads app: the placements, a few image and HTML ads (pictures
drawn by Pillow, no network) and an ads.txt. Loading twice changes nothing."""

import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from ads.models import Ad, AdsTxt, Placement

PLACEMENTS = [
    # key, Arabic name, English name, width, height
    ("header", "إعلان الترويسة", "Header banner", 728, 90),
    ("sidebar-1", "الإعلان الجانبي 1", "Side ad 1", 300, 250),
    ("sidebar-2", "الإعلان الجانبي 2", "Side ad 2", 300, 250),
    ("in-article", "إعلان داخل الخبر", "In-article ad", 300, 250),
]

IMAGE_ADS = [
    # name, advertiser, placements, alt (ar, en), language, weight, colours
    (
        "Demo: Basra book fair",
        "Basra Book Fair",
        ["sidebar-1"],
        (
            "معرض البصرة الدولي للكتاب: من ١ إلى ١٠ آذار",
            "Basra International Book Fair, 1–10 March",
        ),
        Ad.Language.ALL,
        2,
        ((23, 80, 60), (196, 214, 140)),
    ),
    (
        "Demo: Date palm cooperative",
        "Southern Date Palm Cooperative",
        ["sidebar-1", "sidebar-2"],
        ("تمور الجنوب: من النخلة إلى مائدتك", "Southern dates: from the palm to your table"),
        Ad.Language.ALL,
        1,
        ((70, 40, 80), (240, 150, 120)),
    ),
    (
        "Demo: Header banner",
        "Tigris Telecom",
        ["header"],
        ("دجلة للاتصالات: إنترنت أسرع في كل المحافظات", "Tigris Telecom: faster internet"),
        Ad.Language.ALL,
        1,
        ((14, 59, 67), (236, 179, 101)),
    ),
    (
        "Demo: English course",
        "Mesopotamia Language School",
        ["sidebar-2"],
        ("", "Evening English courses in Baghdad and Erbil"),
        Ad.Language.EN,
        1,
        ((40, 54, 85), (220, 96, 76)),
    ),
]

HTML_AD_CODE = """<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><style>
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#0e3b43;color:#fff;
display:flex;flex-direction:column;justify-content:center;align-items:center;
block-size:100vh;text-align:center}
strong{font-size:22px}
a{color:#ecb365}
</style></head><body>
<strong>مهرجان المربد الشعري</strong>
<p>أمسيات شعرية في البصرة — الدخول مجاني</p>
<p id="when"></p>
<a href="https://example.com/mirbad" target="_blank" rel="noopener">التفاصيل</a>
<script>document.getElementById("when").textContent = new Date().getFullYear();</script>
</body></html>"""

ADS_TXT = """# ads.txt for the demo site (example sellers)
CONTACT=ads@example.com
example-exchange.com, pub-0000000000000001, DIRECT, f08c47fec0942fa0
reseller.example.net, 12345, RESELLER
"""


def draw_banner(size, colours, seed):
    """An abstract banner: a gradient with a few shapes, deterministic for `seed`."""
    rng = random.Random(seed)
    dark, accent = colours
    width, height = size
    image = Image.new("RGB", size, dark)
    draw = ImageDraw.Draw(image)
    for x in range(width):
        mix = x / width
        draw.line(
            [(x, 0), (x, height)],
            fill=tuple(int(d + (a - d) * mix * 0.7) for d, a in zip(dark, accent, strict=True)),
        )
    for _ in range(5):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randint(height // 6, height // 2)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=accent, width=4)
    draw.rectangle([0, 0, width - 1, height - 1], outline=accent, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@transaction.atomic
def load(stdout=None):
    """Create or update the demo placements and ads. Returns how many ads were created."""
    placements = {}
    for key, name_ar, name_en, width, height in PLACEMENTS:
        placements[key], _ = Placement.objects.update_or_create(
            key=key,
            defaults={"name_ar": name_ar, "name_en": name_en, "width": width, "height": height},
        )
    now = timezone.now().replace(second=0, microsecond=0)
    created_count = 0
    for index, (name, advertiser, keys, (alt_ar, alt_en), language, weight, colours) in enumerate(
        IMAGE_ADS
    ):
        ad = Ad.objects.filter(name=name).first()
        created = ad is None
        if created:
            ad = Ad(name=name, starts_at=now)
        ad.advertiser = advertiser
        ad.kind = Ad.Kind.IMAGE
        ad.image_alt_ar = alt_ar
        ad.image_alt_en = alt_en
        ad.language = language
        ad.weight = weight
        ad.target_url = f"https://example.com/ads/{index + 1}"
        if not ad.image:
            slot = placements[keys[0]]
            picture = draw_banner((slot.width, slot.height), colours, index)
            ad.image.save(f"demo-ad-{index + 1}.png", ContentFile(picture), save=False)
        ad.full_clean()
        ad.save()
        ad.placements.set([placements[key] for key in keys])
        created_count += created

    html_ad = {
        "advertiser": "Mirbad Festival",
        "kind": Ad.Kind.HTML,
        "html_code": HTML_AD_CODE,
        "language": Ad.Language.AR,
        "weight": 1,
    }
    ad, created = Ad.objects.update_or_create(
        name="Demo: Mirbad poetry festival (HTML)",
        defaults=html_ad,
        create_defaults={**html_ad, "starts_at": now},
    )
    ad.placements.set([placements["sidebar-2"]])
    created_count += created

    if not AdsTxt.objects.exists():
        AdsTxt.objects.create(content=ADS_TXT)
    return created_count
