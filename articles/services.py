"""Writes to articles that more than one caller needs (admin actions, commands, importers)."""

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, override
from PIL import Image

from articles.cache import articles_changed, bulk_changes
from articles.html import sanitize_html
from articles.importers.base import (
    FetchError,
    ImportItem,
    fetch,
    normalise_headline,
)
from articles.importers.wordpress import autop
from articles.models import (
    RESERVED_SECTION_SLUGS,
    Article,
    Author,
    EditorialNote,
    LegacyURL,
    PendingCorrection,
    Section,
    Source,
    Tag,
    Transition,
    localized,
)
from articles.models import (
    Image as LibraryImage,
)
from newsroom import images, uploads

# Editorial desk: workflow transitions, each with a revision and an audit entry -----------


class TransitionError(Exception):
    """A workflow step that the article's state does not allow (e.g. reviewing a published
    article): the caller shows the message; nothing was changed."""


def _record(*, article: Article, user, comment: str) -> None:
    """Save `article` as a new revision (who, why) and bump the content version."""
    with reversion.create_revision():
        article.save()
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)


def _transition(
    *,
    article: Article,
    to: str,
    user=None,
    note: str = "",
    via: str = "admin",
    published_at=None,
) -> Transition:
    """Move `article` to status `to` in one transaction, with a revision and an audit entry
    (written by Article.save, see Article.audit_status_change)."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        from_status = locked.status
        locked.status = to
        if to == Article.Status.PUBLISHED:
            locked.published_at = published_at
        with override(settings.LANGUAGE_CODE):
            comment = gettext("%(from)s → %(to)s") % {
                "from": Article.Status(from_status).label,
                "to": Article.Status(to).label,
            }
        locked.audit = {"user": user, "note": note, "via": via}
        _record(article=locked, user=user, comment=comment)
        step = locked.last_transition
        if note:
            EditorialNote.objects.create(article=locked, author=step.user, text=note)
    article.refresh_from_db()
    return step


def send_for_review(*, article: Article, user=None, via: str = "admin") -> Transition:
    if article.status not in (Article.Status.DRAFT, Article.Status.CHANGES):
        raise TransitionError(gettext("Only a draft can be sent for review."))
    return _transition(article=article, to=Article.Status.REVIEW, user=user, via=via)


def request_changes(*, article: Article, note: str, user=None, via: str = "admin") -> Transition:
    if article.status != Article.Status.REVIEW:
        raise TransitionError(gettext("Changes can be requested only for an article in review."))
    if not note.strip():
        raise TransitionError(gettext("Say what should change: the note is required."))
    return _transition(
        article=article, to=Article.Status.CHANGES, user=user, note=note.strip(), via=via
    )


def publication_time(*, article: Article, when=None, now: bool = False):
    """When a publish makes `article` public: `when` if given; else its own publication
    time (an imported or republished story keeps its date) unless `now` is asked for, or
    the time has not come yet (publishing is not scheduling)."""
    current = timezone.now()
    if when is not None:
        return when
    if now or article.published_at is None or article.published_at > current:
        return current
    return article.published_at


def publish_article(
    *, article: Article, user=None, when=None, now: bool = False, via: str = "admin"
) -> Transition:
    """Publish at `when` (a future time schedules it) or see publication_time()."""
    if article.is_public:
        raise TransitionError(gettext("The article is already published."))
    return _transition(
        article=article,
        to=Article.Status.PUBLISHED,
        user=user,
        via=via,
        published_at=publication_time(article=article, when=when, now=now),
    )


def unpublish_article(*, article: Article, user=None, via: str = "admin") -> Transition:
    if article.status != Article.Status.PUBLISHED:
        raise TransitionError(gettext("The article is not published."))
    return _transition(article=article, to=Article.Status.DRAFT, user=user, via=via)


CORRECTABLE_FIELDS = [
    localized(name, code)
    for code, _label in settings.LANGUAGES
    for name in ("title", "summary", "body", "dateline", "byline", "correction_note")
]


def propose_correction(*, article: Article, values: dict, user=None) -> PendingCorrection:
    """Keep the changes `user` made to a live story apart from it until an editor
    publishes them (readers keep seeing the published text); a new proposal replaces
    the previous one."""
    proposal = {name: values[name] for name in CORRECTABLE_FIELDS if name in values}
    pending, _created = PendingCorrection.objects.update_or_create(
        article=article,
        defaults={
            "values": proposal,
            "proposed_by": user,
            "based_on_version": article.version,
            "created_at": timezone.now(),
        },
    )
    return pending


def publish_correction(*, correction: PendingCorrection, user=None) -> Article:
    """Apply a proposed correction to the live story: a revision, an audit entry, and the
    "updated" time readers see."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=correction.article_id)
        for name, value in correction.values.items():
            setattr(article, name, value)
        article.corrected_at = timezone.now()
        with override(settings.LANGUAGE_CODE):
            comment = gettext("Correction published")
        _record(article=article, user=user, comment=comment)
        Transition.objects.create(
            article=article,
            user=user if user is not None and user.is_authenticated else None,
            from_status=article.status,
            to_status=article.status,
            published_at=article.published_at,
            note=comment,
            via="correction",
        )
        correction.delete()
    return article


def publish_articles(queryset, *, when=None, now: bool = False, user=None, via="admin") -> int:
    """Publish each article of `queryset` that is not public yet (see publish_article);
    returns how many changed. Each gets its revision and audit entry."""
    changed = 0
    with bulk_changes():
        for article in queryset.exclude(
            status=Article.Status.PUBLISHED, published_at__lte=timezone.now()
        ).order_by("pk"):
            publish_article(article=article, user=user, when=when, now=now, via=via)
            changed += 1
    return changed


def unpublish_articles(queryset, *, user=None, via: str = "admin") -> int:
    """Take the articles off the site (back to draft), published or scheduled alike."""
    changed = 0
    with bulk_changes():
        for article in queryset.filter(status=Article.Status.PUBLISHED).order_by("pk"):
            unpublish_article(article=article, user=user, via=via)
            changed += 1
    return changed


# Imports -------------------------------------------------------------------------------------


class ImportResult(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass
class ImportOptions:
    """How one run of an importer writes: see the import_articles command's options."""

    import_source: str
    section: str = ""  # slug used when an item names none
    status: str = Article.Status.REVIEW  # used when an item has no status of its own
    update: bool = False
    force: bool = False
    dry_run: bool = False
    section_map: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportOutcome:
    result: ImportResult
    article_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportCache:
    """Rows looked up once per run instead of once per item."""

    sections: dict[str, Section] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    # Filled per batch by prefetch_import_state(): what the database holds for its items.
    known: dict[str, tuple[int, str]] = field(default_factory=dict)  # import id → pk, hash
    absent: set[str] = field(default_factory=set)  # import ids with no article yet
    url_owners: dict[str, int] = field(default_factory=dict)  # source url → article pk
    urls_checked: set[str] = field(default_factory=set)

    def forget_rows(self) -> None:
        """After a rolled-back transaction: rows it created are gone."""
        self.sections.clear()
        self.tags.clear()
        self.authors.clear()
        self.sources.clear()


def prefetch_import_state(
    *, items: list[ImportItem], options: ImportOptions, cache: ImportCache
) -> None:
    """Look up, in two queries for a whole batch, which items already have an article and
    which original addresses are already taken, so that import_article need not ask."""
    ids = [item.import_id for item in items]
    rows = Article.objects.filter(
        import_source=options.import_source, import_id__in=ids
    ).values_list("import_id", "pk", "import_hash")
    cache.known = {import_id: (pk, digest) for import_id, pk, digest in rows}
    cache.absent = set(ids) - set(cache.known)
    urls = {item.url[:1000] for item in items if item.url}
    cache.url_owners = dict(
        Article.objects.filter(source_url__in=urls).values_list("source_url", "pk")
    )
    cache.urls_checked = urls


DUPLICATE_WINDOW = timedelta(days=1)
# What sanitising leaves of a removed script or a picture without a usable address.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def _default(name: str) -> str:
    return localized(name, settings.LANGUAGE_CODE)


def _slug(value: str, length: int) -> str:
    return slugify(value, allow_unicode=True)[:length].strip("-")


def find_duplicate(*, item: ImportItem, cache: ImportCache | None = None) -> Article | None:
    """An article that already tells this story: the same original address, or the same
    normalised headline from the same source within a day."""
    if item.url:
        url = item.url[:1000]
        if cache is not None and url in cache.urls_checked:
            owner = cache.url_owners.get(url)
            if owner:
                return Article(pk=owner)
        else:
            found = Article.objects.filter(source_url=url).only("pk").first()
            if found:
                return found
    if not item.source_name:
        return None
    source = _find_source(item=item, cache=cache)
    if source is None:
        return None
    when = item.published_at or timezone.now()
    headline = normalise_headline(item.title)
    candidates = Article.objects.filter(
        source=source, published_at__range=(when - DUPLICATE_WINDOW, when + DUPLICATE_WINDOW)
    ).values_list("pk", _default("title"))
    for pk, title in candidates:
        if normalise_headline(title or "") == headline:
            return Article(pk=pk)
    return None


def _find_source(*, item: ImportItem, cache: ImportCache | None) -> Source | None:
    key = (item.source_name[:200], item.source_link[:200])
    if cache is not None and key in cache.sources:
        return cache.sources[key]
    found = None
    if item.source_link:
        found = Source.objects.filter(url=item.source_link).first()
    found = found or Source.objects.filter(**{_default("name"): key[0]}).first()
    if found is not None and cache is not None:
        cache.sources[key] = found
    return found


def _get_source(*, item: ImportItem, cache: ImportCache) -> Source | None:
    if not item.source_name:
        return None
    source = _find_source(item=item, cache=cache)
    if source is None:
        source = Source.objects.create(
            **{_default("name"): item.source_name[:200]}, url=item.source_link[:200]
        )
        cache.sources[(item.source_name[:200], item.source_link[:200])] = source
    return source


def _get_section(*, item: ImportItem, options: ImportOptions, cache: ImportCache) -> Section:
    raw = item.section_slug or options.section or "uncategorized"
    raw = options.section_map.get(raw, raw)
    slug = _slug(raw, 90) or "uncategorized"
    if slug.lower() in RESERVED_SECTION_SLUGS:
        slug = f"{slug}-section"
    if slug not in cache.sections:
        if slug == "uncategorized" and not item.section_name:
            with override(settings.LANGUAGE_CODE):
                name = gettext("Uncategorized")
        else:
            name = item.section_name if item.section_slug == raw else raw
        section, _created = Section.objects.get_or_create(
            slug=slug, defaults={_default("name"): (name or slug)[:100]}
        )
        cache.sections[slug] = section
    return cache.sections[slug]


def _get_author(*, item: ImportItem, cache: ImportCache) -> Author | None:
    slug = _slug(item.author_slug or item.author_name, 150)
    if not slug:
        return None
    if slug not in cache.authors:
        author, _created = Author.objects.get_or_create(
            slug=slug, defaults={_default("name"): (item.author_name or slug)[:150]}
        )
        cache.authors[slug] = author
    return cache.authors[slug]


def _tag_ids(*, item: ImportItem, cache: ImportCache) -> list[int]:
    ids = []
    for name in item.tags:
        slug = _slug(name, 100)
        if not slug:
            continue
        if slug not in cache.tags:
            tag, _created = Tag.objects.get_or_create(
                slug=slug, defaults={_default("name"): name[:100]}
            )
            cache.tags[slug] = tag.pk
        if cache.tags[slug] not in ids:
            ids.append(cache.tags[slug])
    return ids


def load_import_image(*, item: ImportItem) -> tuple[ContentFile | None, str]:
    """The item's picture, read from disk or fetched, and proven to be an image by decoding
    it. Returns (file, "") or (None, why not)."""
    try:
        if item.image_path is not None:
            if item.image_path.stat().st_size > uploads.max_bytes():
                return (
                    None,
                    f"image {item.image_path.name} is larger than {uploads.max_bytes()} bytes",
                )
            data = item.image_path.read_bytes()
            name = item.image_path.name
        elif item.image_url:
            data, _type = fetch(
                item.image_url,
                max_bytes=uploads.max_bytes(),
                content_types=("image/",),
                public_only=True,
            )
            name = urlsplit(item.image_url).path.rsplit("/", 1)[-1]
        else:
            return None, ""
    except (OSError, FetchError) as error:
        return None, f"image not imported: {error}"
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            if kind not in IMAGE_FORMATS:
                return None, f"image not imported: unsupported format {kind}"
            if picture.width * picture.height > uploads.max_pixels():
                return None, "image not imported: too many pixels"
            picture.verify()
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None, "image not imported: not a readable image"
    stem = _slug(name.rsplit(".", 1)[0], 80) or "image"
    return ContentFile(data, name=f"{stem}.{IMAGE_FORMATS[kind]}"), ""


def clean_import_body(html: str) -> str:
    """Sanitised body HTML; plain text gets paragraphs, and nothing empty is left behind."""
    body = html if "<" in html else autop(html)
    return _EMPTY_PARAGRAPH.sub("", _IMG_WITHOUT_SRC.sub("", sanitize_html(body))).strip()


def import_article(
    *, item: ImportItem, options: ImportOptions, cache: ImportCache | None = None
) -> ImportOutcome:
    """Create or update the article an importer read, with its section, tags, author,
    source, image and old addresses, in one transaction. Runs again safely: an unchanged
    item is left alone, a changed one is updated only with `options.update`, and an
    article an editor has saved since its import only with `options.force`."""
    cache = cache or ImportCache()
    digest = item.content_hash()
    if item.import_id in cache.absent:
        existing = None
    elif cache.known.get(item.import_id, (None, None))[1] == digest:
        return ImportOutcome(ImportResult.UNCHANGED, cache.known[item.import_id][0])
    else:
        existing = Article.objects.filter(
            import_source=options.import_source, import_id=item.import_id
        ).first()
    if existing is not None:
        if existing.import_hash == digest:
            return ImportOutcome(ImportResult.UNCHANGED, existing.pk)
        if not options.update:
            return ImportOutcome(
                ImportResult.UNCHANGED, existing.pk, "changed at the source; --update applies it"
            )
        if existing.is_edited_since_import and not options.force:
            return ImportOutcome(
                ImportResult.UNCHANGED,
                existing.pk,
                "edited by an editor since its import; kept (--force overwrites)",
            )
    else:
        duplicate = find_duplicate(item=item, cache=cache)
        if duplicate is not None:
            return ImportOutcome(
                ImportResult.DUPLICATE, duplicate.pk, f"same story as article {duplicate.pk}"
            )
    body = clean_import_body(item.body)
    if not body:
        return ImportOutcome(ImportResult.FAILED, message="empty content")
    result = ImportResult.UPDATED if existing else ImportResult.CREATED
    warnings = list(item.warnings)
    if options.dry_run:
        return ImportOutcome(result, existing.pk if existing else None, warnings=warnings)

    image, problem = load_import_image(item=item)  # network and disk before the transaction
    if problem:
        warnings.append(problem)
    try:
        with transaction.atomic():
            article = _write_article(
                item=item, options=options, cache=cache, article=existing, image=image, body=body
            )
            article.import_hash = digest
            Article.objects.filter(pk=article.pk).update(
                import_hash=digest, imported_at=article.updated_at
            )
    except (DatabaseError, ValidationError, ValueError) as error:
        cache.forget_rows()
        return ImportOutcome(ImportResult.FAILED, message=str(error), warnings=warnings)
    cache.absent.discard(item.import_id)
    cache.known[item.import_id] = (article.pk, digest)
    if article.source_url:
        cache.url_owners[article.source_url] = article.pk
        cache.urls_checked.add(article.source_url)
    return ImportOutcome(result, article.pk, warnings=warnings)


# The importers' names of the main picture's translated texts, and the library's.
IMPORT_PICTURE_TEXTS = {"image_alt": "alt", "image_caption": "caption", "image_credit": "credit"}


def _write_article(
    *,
    item: ImportItem,
    options: ImportOptions,
    cache: ImportCache,
    article: Article | None,
    image: ContentFile | None,
    body: str,
) -> Article:
    article = article or Article(import_source=options.import_source, import_id=item.import_id)
    values = {
        "title": item.title[:255],
        "summary": item.summary,
        "body": body,
        "byline": item.byline[:200],
        "dateline": item.dateline[:100],
    }
    for name, value in values.items():
        setattr(article, _default(name), value)
    if item.title:
        setattr(article, _default("slug"), "")  # refilled from the headline on save
    # A credit is the same in every language unless the item translates it.
    picture_texts = {code: {"credit": item.image_credit} for code, _name in settings.LANGUAGES}
    picture_texts[settings.LANGUAGE_CODE].update(alt=item.image_alt, caption=item.image_caption)
    for language, fields in item.translations.items():
        for name, value in fields.items():
            if name in IMPORT_PICTURE_TEXTS:
                picture_texts.setdefault(language, {})[IMPORT_PICTURE_TEXTS[name]] = value
                continue
            limit = Article._meta.get_field(localized(name, language)).max_length
            setattr(article, localized(name, language), value[:limit] if limit else value)
            if name == "title":
                setattr(article, localized("slug", language), "")
    article.section = _get_section(item=item, options=options, cache=cache)
    article.author = _get_author(item=item, cache=cache)
    article.source = _get_source(item=item, cache=cache)
    article.status = item.status or options.status
    article.published_at = item.published_at
    article.is_featured = item.is_featured
    article.is_breaking = item.is_breaking
    article.source_url = item.url if len(item.url) <= 1000 else ""
    if image is not None:
        article.main_image = image_create(file=image, texts=picture_texts)
    created = article.pk is None
    article.save()
    tag_ids = _tag_ids(item=item, cache=cache)
    if created:  # nothing to compare with: one insert
        Through = Article.tags.through
        Through.objects.bulk_create([Through(article_id=article.pk, tag_id=pk) for pk in tag_ids])
    else:
        article.tags.set(tag_ids)
    if item.legacy_paths:
        LegacyURL.objects.bulk_create(
            [LegacyURL(path=path[:500], article=article) for path in item.legacy_paths],
            ignore_conflicts=True,
        )
    return article


# The media library ---------------------------------------------------------------------------


def image_create(
    *,
    file,
    texts: dict[str, dict[str, str]] | None = None,
    uploaded_by=None,
    focus: tuple[float, float] = (0.5, 0.5),
) -> LibraryImage:
    """A new picture in the library. `file` goes through the upload rules (decoded, size and
    pixel limits, metadata stripped, random name: newsroom/uploads.py); `texts` holds the
    alt text, caption and credit per language: {"ar": {"alt": …, "caption": …}, …}."""
    picture = LibraryImage(uploaded_by=uploaded_by, focal_x=focus[0], focal_y=focus[1])
    for language, fields in (texts or {}).items():
        for name, value in fields.items():
            limit = LibraryImage._meta.get_field(localized(name, language)).max_length
            setattr(picture, localized(name, language), (value or "")[:limit])
    picture.file.save(file.name, file, save=False)
    picture.save()
    return picture


def image_changed(*, image: LibraryImage) -> int:
    """After a picture of the library changed (texts, focal point, file): every story that
    shows it is marked changed, so their pages and teasers are made again with it, and the
    crops around the new focal point are made once the change is committed. Returns how
    many articles show it."""
    ids = list(image.articles().values_list("pk", flat=True))
    if ids:
        Article.objects.filter(pk__in=ids).update(updated_at=timezone.now())
        articles_changed()  # update() sends no signals
    if image.file:
        transaction.on_commit(
            lambda: images.make_renditions(image.file.storage, image.file.name, focus=image.focus)
        )
    return len(ids)
