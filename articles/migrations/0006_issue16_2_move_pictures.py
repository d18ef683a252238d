"""Every article's own picture moves into the media library, nothing lost: the same file
(not copied), its size, alt text and caption in each language, and its credit (one text
before, now kept in both languages, as both editions showed it). Articles that shared a
file share one library picture."""

from django.db import migrations

from articles.text import normalize

LANGUAGES = ("ar", "en")


def move_into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    pictures = {}
    for article in Article.objects.exclude(image="").exclude(image__isnull=True).order_by("pk"):
        picture = pictures.get(article.image.name)
        if picture is None:
            picture = Image(
                file=article.image.name,
                width=article.image_width,
                height=article.image_height,
                uploaded_at=article.created_at,
            )
            texts = []
            for language in LANGUAGES:
                alt = getattr(article, f"image_alt_{language}") or ""
                caption = getattr(article, f"image_caption_{language}") or ""
                setattr(picture, f"alt_{language}", alt)
                setattr(picture, f"caption_{language}", caption)
                setattr(picture, f"credit_{language}", article.image_credit)
                texts += [alt, caption, article.image_credit]
            picture.alt = picture.alt_ar
            picture.caption = picture.caption_ar
            picture.credit = article.image_credit
            picture.search_text = normalize(" ".join(text for text in texts if text))
            picture.save()
            pictures[article.image.name] = picture
        article.main_image = picture
        article.save(update_fields=["main_image"])


def move_back(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(main_image=None).select_related("main_image"):
        picture = article.main_image
        article.image = picture.file.name
        article.image_width, article.image_height = picture.width, picture.height
        for language in LANGUAGES:
            setattr(article, f"image_alt_{language}", getattr(picture, f"alt_{language}") or "")
            setattr(article, f"image_caption_{language}", getattr(picture, f"caption_{language}") or "")
        article.image_alt, article.image_caption = article.image_alt_ar, article.image_caption_ar
        article.image_credit = picture.credit_ar or picture.credit_en or ""
        article.save()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_issue16_1_media_library"),
    ]

    operations = [migrations.RunPython(move_into_library, move_back)]
