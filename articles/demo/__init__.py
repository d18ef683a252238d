"""Demo content for the articles app: sections, authors, sources, tags and ~30 original
articles (content.json beside this file), with pictures drawn by Pillow.

Loading twice changes nothing: every object is found by its natural key first.
"""

import io
import json
import random
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.models import Article, Author, Page, Section, Source, Tag
from articles.services import image_create

CONTENT_FILE = Path(__file__).with_name("content.json")
IMAGE_SIZE = (1200, 675)

PALETTES = [
    ((14, 59, 67), (236, 179, 101), (245, 235, 220)),
    ((40, 54, 85), (220, 96, 76), (242, 228, 211)),
    ((23, 80, 60), (196, 214, 140), (250, 246, 230)),
    ((70, 40, 80), (240, 150, 120), (250, 240, 235)),
    ((30, 30, 40), (90, 160, 210), (230, 240, 250)),
]


def draw_picture(seed: int) -> bytes:
    """An abstract, deterministic picture: a gradient with a few shapes."""
    rng = random.Random(seed)
    dark, accent, light = rng.choice(PALETTES)
    width, height = IMAGE_SIZE
    image = Image.new("RGB", IMAGE_SIZE, dark)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(d + (a - d) * mix * 0.6) for d, a in zip(dark, accent, strict=True)),
        )
    for _ in range(rng.randint(4, 8)):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randint(60, 260)
        colour = rng.choice([accent, light])
        if rng.random() < 0.5:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=colour, width=8)
        else:
            draw.rectangle([x, y, x + radius * 2, y + radius // 2], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80, optimize=True)
    return buffer.getvalue()


# The site's own pages, linked from the footer (editors change them in the admin).
DEMO_PAGES = [
    {
        "slug": "about",
        "order": 1,
        "title_ar": "من نحن",
        "title_en": "About us",
        "body_ar": "<p>غرفة الأخبار موقع إخباري مستقل ينشر أخبار العراق والعالم"
        " بالعربية والإنجليزية.</p>",
        "body_en": "<p>Newsroom is an independent news site publishing news from Iraq"
        " and the world in Arabic and English.</p>",
    },
    {
        "slug": "contact",
        "order": 2,
        "title_ar": "اتصل بنا",
        "title_en": "Contact us",
        "body_ar": '<p>لمراسلة التحرير: <a href="mailto:desk@news.example">'
        "desk@news.example</a></p>",
        "body_en": '<p>To write to the desk: <a href="mailto:desk@news.example">'
        "desk@news.example</a></p>",
    },
]


def load_content():
    with CONTENT_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def paragraphs(texts):
    return "".join(f"<p>{text}</p>" for text in texts)


def upsert_all(model, items, *, lookup, fields, key=None):
    """Create or update one object per item, found by `lookup`; returns them by `key`."""
    return {
        item[key or lookup]: model.objects.update_or_create(
            **{lookup: item[lookup]},
            defaults={field: item[field] for field in fields if field in item},
        )[0]
        for item in items
    }


@transaction.atomic
def load(stdout=None):
    """Create or update the demo articles. Returns how many articles were created."""
    content = load_content()
    sections = upsert_all(
        Section, content["sections"], lookup="slug",
        fields=["name_ar", "name_en", "order", "in_navigation", "is_opinion"],
    )  # fmt: skip
    authors = upsert_all(
        Author, content["authors"], lookup="slug",
        fields=["name_ar", "name_en", "bio_ar", "bio_en", "role_form"],
    )  # fmt: skip
    for index, author in enumerate(authors.values()):
        if not author.photo:  # columnists show a round photo
            author.photo.save(f"demo-author-{author.slug}.jpg", ContentFile(draw_picture(index)))
    sources = upsert_all(
        Source, content["sources"], key="key", lookup="name_ar", fields=["name_en", "url"]
    )
    tags = upsert_all(Tag, content["tags"], lookup="slug", fields=["name_ar", "name_en"])

    now = timezone.now().replace(second=0, microsecond=0)
    created_count = 0
    articles = {}
    for index, item in enumerate(content["articles"]):
        article = Article.objects.filter(title_ar=item["title_ar"]).first()
        created = article is None
        if created:
            article = Article(title_ar=item["title_ar"])
            # Publication times are relative to the first load, then left alone.
            if item["status"] == Article.Status.PUBLISHED:
                article.published_at = now - timedelta(hours=item["hours_ago"])
        article.section = sections[item["section"]]
        article.author = authors.get(item["author"])
        article.source = sources.get(item["source"])
        article.status = item["status"]
        article.is_featured = item["featured"]
        article.is_breaking = item["breaking"]
        for language in ("ar", "en"):
            setattr(article, f"title_{language}", item[f"title_{language}"])
            setattr(article, f"summary_{language}", item[f"summary_{language}"])
            setattr(article, f"body_{language}", paragraphs(item[f"body_{language}"]))
            setattr(article, f"dateline_{language}", item[f"dateline_{language}"])
        texts = {
            language: {
                "alt": item[f"image_alt_{language}"],
                "caption": item[f"image_caption_{language}"],
                "credit": item["image_credit"],
            }
            for language in ("ar", "en")
        }
        if article.main_image is None:
            article.main_image = image_create(
                file=ContentFile(draw_picture(index), name=f"demo-{item['key']}.jpg"), texts=texts
            )
        article.save()
        article.tags.set([tags[slug] for slug in item["tags"]])
        articles[item["key"]] = article
        created_count += created

    for item in content["articles"]:
        articles[item["key"]].related.set([articles[key] for key in item.get("related", [])])
    for item in DEMO_PAGES:
        Page.objects.get_or_create(slug=item["slug"], defaults=item)
    return created_count
