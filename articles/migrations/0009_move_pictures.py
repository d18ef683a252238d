"""Every article's own picture moves into the media library, nothing lost: the same file
(not copied), its size, alt text and caption in each language, and its credit (one text
before, now kept in both languages, as both editions showed it). Articles that showed the
same file with the same texts share one library picture."""

from django.db import migrations
from django.db.models.signals import post_init

from articles.text import normalize

LANGUAGES = ("ar", "en")


def move_into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    # The sizes come from the articles' own columns: no file is opened (a missing file
    # must not stop the migration; its picture keeps no size, as before).
    file_field = Image._meta.get_field("file")
    post_init.disconnect(file_field.update_dimension_fields, sender=Image)
    try:
        _move(Article, Image)
    finally:
        post_init.connect(file_field.update_dimension_fields, sender=Image)


def _move(Article, Image):
    pictures = {}
    columns = ["pk", "image", "image_width", "image_height", "image_credit", "created_at"]
    columns += [f"image_{text}_{language}" for text in ("alt", "caption") for language in LANGUAGES]
    # Rows, not model instances: loading an article would open its picture's file.
    for row in (
        Article.objects.exclude(image="")
        .exclude(image__isnull=True)
        .order_by("pk")
        .values(*columns)
    ):
        # Stories share a library picture when they showed the same file with the same texts.
        key = tuple(row[column] for column in columns if column not in {"pk", "created_at"})
        picture = pictures.get(key)
        if picture is None:
            credit = row["image_credit"] or ""
            picture = Image(
                file=row["image"],
                width=row["image_width"],
                height=row["image_height"],
                uploaded_at=row["created_at"],
                alt=row["image_alt_ar"] or "",
                caption=row["image_caption_ar"] or "",
                credit=credit,
            )
            texts = []
            for language in LANGUAGES:
                alt = row[f"image_alt_{language}"] or ""
                caption = row[f"image_caption_{language}"] or ""
                setattr(picture, f"alt_{language}", alt)
                setattr(picture, f"caption_{language}", caption)
                setattr(picture, f"credit_{language}", credit)
                texts += [alt, caption, credit]
            picture.search_text = normalize(" ".join(text for text in texts if text))
            picture.save()
            pictures[key] = picture
        Article.objects.filter(pk=row["pk"]).update(main_image=picture)


def move_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    columns = ["file", "width", "height", "credit_ar", "credit_en"]
    columns += [f"{text}_{language}" for text in ("alt", "caption") for language in LANGUAGES]
    columns = {f"main_image__{name}": name for name in columns}
    for row in Article.objects.exclude(main_image=None).values("pk", *columns):
        picture = {name: row[column] for column, name in columns.items()}
        values = {
            "image": picture["file"],
            "image_width": picture["width"],
            "image_height": picture["height"],
            "image_credit": picture["credit_ar"] or picture["credit_en"] or "",
            "image_alt": picture["alt_ar"] or "",
            "image_caption": picture["caption_ar"] or "",
        }
        for language in LANGUAGES:
            values[f"image_alt_{language}"] = picture[f"alt_{language}"] or ""
            values[f"image_caption_{language}"] = picture[f"caption_{language}"] or ""
        Article.objects.filter(pk=row["pk"]).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_media_library"),
    ]

    operations = [migrations.RunPython(move_into_library, move_back)]
