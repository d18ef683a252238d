"""Articles as JSON Lines records, in the schema `import_articles --format jsonl` reads
(README: "JSON Lines"), so that an export is a backup that the importer restores."""

from django.utils import timezone

# Translated fields of the schema: <name> is the Arabic edition, <name>_en the English one.
TRANSLATED = ("title", "summary", "body", "dateline", "byline")
# The schema's picture fields, from the article's main picture in the library.
PICTURE_TEXTS = {"image_caption": "caption", "image_alt": "alt"}
RECORD_PREFIX = "newsroom:"


def _moment(value):
    return timezone.localtime(value).isoformat() if value else None


def article_record(article, *, site_url=""):
    """One article as a dict of the JSON Lines schema. Expects `section`, `author`,
    `source`, `main_image` selected and `tags`, `related` and `figures` prefetched."""
    record = {
        # Our own id: importing the same export twice updates instead of duplicating.
        "id": f"{RECORD_PREFIX}{article.pk}",
        "status": article.status,
        "published_at": (
            timezone.localtime(article.published_at).isoformat() if article.published_at else None
        ),
        "section": article.section.slug,
        "section_name": article.section.name_ar,
        "slug": article.slug_ar,
        "slug_en": article.slug_en,
        "section_name_en": article.section.name_en,
        "section_in_navigation": article.section.in_navigation,
        "tags": [tag.name_ar for tag in article.tags.all()],
        "tags_en": [tag.name_en or "" for tag in article.tags.all()],
        "tag_slugs": [tag.slug for tag in article.tags.all()],
        "related": [f"{RECORD_PREFIX}{other.pk}" for other in article.related.all()],
        # Where an imported article came from.
        "source_published_at": _moment(article.source_published_at),
        "first_imported_at": _moment(article.first_imported_at),
        "needs_attention": article.needs_attention or None,
        "attention_reason": article.attention_reason,
        "duplicate_of": f"{RECORD_PREFIX}{article.duplicate_of_id}"
        if article.duplicate_of_id
        else "",
        "is_featured": article.is_featured,
        "is_breaking": article.is_breaking,
    }
    for name in TRANSLATED:
        record[name] = getattr(article, f"{name}_ar") or ""
        english = getattr(article, f"{name}_en") or ""
        if english:
            record[f"{name}_en"] = english
    if article.author:
        record["author"] = article.author.name_ar
        record["author_en"] = article.author.name_en
        record["author_slug"] = article.author.slug
        record["author_bio"] = article.author.bio_ar
        record["author_bio_en"] = article.author.bio_en
    if article.source:
        record["source"] = article.source.name_ar
        record["source_en"] = article.source.name_en
        if article.source.url:
            record["source_url"] = article.source.url
    if article.source_url:
        record["url"] = article.source_url  # the story's own address at its origin
    elif site_url:
        # The article's address on this site: after a restore it leads to the new copy.
        record["url"] = site_url.rstrip("/") + article.get_absolute_url()
    # The library pictures the bodies show (`<figure data-image="id">`), by their files:
    # a restore gives each figure the id its picture has there.
    record["figures"] = {str(image.pk): image.file.name for image in article.figures.all()}
    picture = article.main_image
    if picture is not None:
        # Where the picture is in the media storage (back it up with the database).
        record["image_path"] = picture.file.name
        record["image_credit"] = picture.credit_ar or picture.credit_en or ""
        for name, field in PICTURE_TEXTS.items():
            record[name] = getattr(picture, f"{field}_ar") or ""
            english = getattr(picture, f"{field}_en") or ""
            if english:
                record[f"{name}_en"] = english
    return {key: value for key, value in record.items() if value not in ("", None, [], {})}
