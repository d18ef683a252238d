"""Writes to articles that more than one caller needs (admin actions, commands, importers)."""

import functools
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, override
from PIL import Image

from articles import bulk, search
from articles.cache import articles_changed, bulk_changes
from articles.html import figure_image_ids, sanitize_html
from articles.importers.base import (
    EMPTY_BODY,
    SAME_STORY,
    FetchError,
    ImportItem,
    fetch,
    normalise_headline,
    plain_text,
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
    earlier = PendingCorrection.objects.filter(
        article=article, based_on_version=article.version
    ).first()
    if earlier is not None:  # the same writer's next changes to the same version add up
        proposal = {**earlier.values, **proposal}
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
        if article.version != correction.based_on_version:
            # Applying it would put back what was changed since: the story's later edits.
            raise TransitionError(
                gettext(
                    "The story was changed after this correction was proposed: compare "
                    "the versions, then propose the correction again."
                )
            )
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
    section: str = ""  # slug for items whose category is unknown to the site, or missing
    status: str = Article.Status.REVIEW  # used when an item has no status of its own
    update: bool = False
    force: bool = False
    dry_run: bool = False
    section_map: dict[str, str] = field(default_factory=dict)
    # Writes the search rows of committed batches beside the import (bulk.BackgroundIndexer);
    # None: in the batch's own transaction.
    indexer: "bulk.BackgroundIndexer | None" = None


@dataclass
class ImportOutcome:
    result: ImportResult
    article_id: int | None = None
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportCache:
    """Rows looked up once per run instead of once per item."""

    sections: dict[str, Section | None] = field(default_factory=dict)  # None: no such section
    tags: dict[str, int] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source | None] = field(default_factory=dict)
    # Filled per batch by prefetch_import_state(): what the database holds for its items.
    digests: dict[str, str] = field(default_factory=dict)  # import id → content hash
    known: dict[str, tuple[int, str]] = field(default_factory=dict)  # import id → pk, hash
    absent: set[str] = field(default_factory=set)  # import ids with no article yet
    url_owners: dict[str, int] = field(default_factory=dict)  # source url → article pk
    urls_checked: set[str] = field(default_factory=set)
    # (source id, normalised headline) → [(publication time, article pk)], for the batch.
    headlines: dict[tuple[int, str], list] = field(default_factory=dict)
    headlines_checked: set[int] = field(default_factory=set)

    def forget_rows(self) -> None:
        """After a rolled-back transaction: rows it created are gone."""
        self.sections.clear()
        self.tags.clear()
        self.authors.clear()
        self.sources.clear()


def prefetch_import_state(
    *, items: list[ImportItem], options: ImportOptions, cache: ImportCache
) -> None:
    """Look up, in a few queries for a whole batch, which items already have an article,
    which original addresses are taken and which headlines their sources already told,
    so that the writers need not ask item by item."""
    digests = {item.import_id: item.content_hash() for item in items}
    cache.digests = digests
    former = {old: item.import_id for item in items for old in item.former_ids}
    rows = Article.objects.filter(
        import_source=options.import_source, import_id__in=[*digests, *former]
    ).values_list("import_id", "pk", "import_hash")
    cache.known = {}
    for import_id, pk, digest in rows:
        if import_id in digests:
            cache.known[import_id] = (pk, digest)
        elif digest == digests[former[import_id]]:
            # Imported under its former identity, unchanged since: the same item. (A former
            # identity shared by different items, such as a WordPress guid, never matches
            # a content it does not have.)
            cache.known.setdefault(former[import_id], (pk, digest))
    cache.absent = set(digests) - set(cache.known)
    urls = {item.url[:1000] for item in items if item.url}
    cache.url_owners = dict(
        Article.objects.filter(source_url__in=urls).values_list("source_url", "pk")
    )
    cache.urls_checked = urls
    _prefetch_headlines(
        items=[item for item in items if item.import_id in cache.absent], cache=cache
    )


def _prefetch_headlines(*, items: list[ImportItem], cache: ImportCache) -> None:
    cache.headlines, cache.headlines_checked = {}, set()
    by_source: dict[int, list] = {}
    for item in items:
        source = _find_source(item=item, cache=cache) if item.source_name else None
        if source is not None:
            by_source.setdefault(source.pk, []).append(item.published_at or timezone.now())
    if not by_source:
        return
    times = [when for whens in by_source.values() for when in whens]
    rows = Article.objects.filter(
        source_id__in=list(by_source),
        published_at__range=(min(times) - DUPLICATE_WINDOW, max(times) + DUPLICATE_WINDOW),
    ).values_list("pk", "source_id", "published_at", _default("title"))
    for pk, source_id, published_at, title in rows:
        key = (source_id, normalise_headline(title or ""))
        cache.headlines.setdefault(key, []).append((published_at, pk))
    cache.headlines_checked = set(by_source)


DUPLICATE_WINDOW = timedelta(days=1)
# What sanitising leaves of a removed script or a picture without a usable address.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")
_FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_TRUNCATION = re.compile(r"(?:\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.))+\s*$")
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
INCOMING_SECTION_SLUG = "incoming"


def _default(name: str) -> str:
    return localized(name, settings.LANGUAGE_CODE)


def _slug(value: str, length: int) -> str:
    return slugify(value, allow_unicode=True)[:length].strip("-")


def incoming_section() -> Section:
    """Where imported items wait when no section of the site fits them: a section kept
    out of the navigation, so that an import never changes the site's menu."""
    names = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            names[localized("name", code)] = gettext("Incoming")
    section, _created = Section.objects.get_or_create(
        slug=INCOMING_SECTION_SLUG, defaults={**names, "in_navigation": False}
    )
    return section


def find_duplicate(*, item: ImportItem, cache: ImportCache | None = None) -> int | None:
    """The id of an article that already tells this story: the same original address, or
    the same normalised headline from the same source within a day."""
    if item.url:
        url = item.url[:1000]
        if cache is not None and url in cache.urls_checked:
            if owner := cache.url_owners.get(url):
                return owner
        elif found := Article.objects.filter(source_url=url).values_list("pk", flat=True).first():
            return found
    headline = normalise_headline(item.title)
    if not item.source_name or not headline:
        return None
    source = _find_source(item=item, cache=cache)
    if source is None:
        return None
    when = item.published_at or timezone.now()
    if cache is not None and source.pk in cache.headlines_checked:
        candidates = cache.headlines.get((source.pk, headline), [])
        return next(
            (pk for at, pk in candidates if at and abs(at - when) <= DUPLICATE_WINDOW), None
        )
    candidates = Article.objects.filter(
        source=source, published_at__range=(when - DUPLICATE_WINDOW, when + DUPLICATE_WINDOW)
    ).values_list("pk", _default("title"))
    return next(
        (pk for pk, title in candidates if normalise_headline(title or "") == headline), None
    )


def _remember(*, article: Article, item: ImportItem, cache: ImportCache) -> None:
    """What a written article adds to the batch's view of the database."""
    cache.absent.discard(item.import_id)
    cache.known[item.import_id] = (article.pk, article.import_hash)
    if article.source_url:
        cache.url_owners.setdefault(article.source_url, article.pk)
        cache.urls_checked.add(article.source_url)
    if article.source_id and article.source_id in cache.headlines_checked and item.title:
        key = (article.source_id, normalise_headline(item.title))
        cache.headlines.setdefault(key, []).append((article.published_at, article.pk))


def _find_source(*, item: ImportItem, cache: ImportCache | None) -> Source | None:
    key = (item.source_name[:200], item.source_link[:200])
    if cache is not None and key in cache.sources:
        return cache.sources[key]
    found = None
    if item.source_link:
        found = Source.objects.filter(url=item.source_link).first()
    found = found or Source.objects.filter(**{_default("name"): key[0]}).first()
    if cache is not None:
        cache.sources[key] = found
    return found


def _get_source(*, item: ImportItem, cache: ImportCache) -> Source | None:
    if not item.source_name:
        return None
    source = _find_source(item=item, cache=cache)
    if source is None:
        source = Source.objects.create(
            **{_default("name"): item.source_name[:200]},
            name_en=item.extra.get("source_en", "")[:200] or None,
            url=item.source_link[:200],
        )
        cache.sources[(item.source_name[:200], item.source_link[:200])] = source
    return source


def _existing_section(slug: str, cache: ImportCache) -> Section | None:
    if slug not in cache.sections:
        cache.sections[slug] = Section.objects.filter(slug=slug).first()
    return cache.sections[slug]


def _get_section(*, item: ImportItem, options: ImportOptions, cache: ImportCache) -> Section:
    """The site's section the item names (after --section-map); else the one --section
    names (created out of the navigation if new); else the hidden "incoming" section.
    An import never adds a section to the navigation."""
    raw = options.section_map.get(item.section_slug, item.section_slug)
    if slug := _slug(raw, 90):
        if section := _existing_section(slug, cache):
            return section
        if item.from_backup and slug.lower() not in RESERVED_SECTION_SLUGS:
            cache.sections[slug], _created = Section.objects.get_or_create(
                slug=slug,
                defaults={
                    _default("name"): (item.section_name or raw)[:100],
                    "name_en": item.extra.get("section_name_en", "")[:100] or None,
                    "in_navigation": item.extra.get("section_in_navigation", True),
                },
            )
            return cache.sections[slug]
    if slug := _slug(options.section, 90):
        if slug.lower() in RESERVED_SECTION_SLUGS:
            slug = f"{slug}-section"
        if _existing_section(slug, cache) is None:
            cache.sections[slug], _created = Section.objects.get_or_create(
                slug=slug,
                defaults={_default("name"): options.section[:100], "in_navigation": False},
            )
        return cache.sections[slug]
    if _existing_section(INCOMING_SECTION_SLUG, cache) is None:
        cache.sections[INCOMING_SECTION_SLUG] = incoming_section()
    return cache.sections[INCOMING_SECTION_SLUG]


def _unplaced_category(*, item: ImportItem, section: Section) -> str:
    """The name of a category of the source that no section of the site took: it is kept
    as a tag, so that no part of the item is lost."""
    if item.section_slug and section.slug != _slug(item.section_slug, 90):
        return item.section_name or item.section_slug
    return ""


def _get_author(*, item: ImportItem, cache: ImportCache) -> Author | None:
    slug = _slug(item.author_slug or item.author_name, 150)
    if not slug:
        return None
    if slug not in cache.authors:
        author, _created = Author.objects.get_or_create(
            slug=slug,
            defaults={
                _default("name"): (item.author_name or slug)[:150],
                "name_en": item.extra.get("author_en", "")[:150] or None,
                "bio_ar": item.extra.get("author_bio", ""),
                "bio_en": item.extra.get("author_bio_en", "") or None,
            },
        )
        cache.authors[slug] = author
    return cache.authors[slug]


def _tag_ids(
    *, names: list[str], cache: ImportCache, english: dict | None = None, slugs: dict | None = None
) -> list[int]:
    ids = []
    for name in names:
        slug = _slug((slugs or {}).get(name) or name, 100)
        if not slug:
            continue
        if slug not in cache.tags:
            tag, _created = Tag.objects.get_or_create(
                slug=slug,
                defaults={
                    _default("name"): name[:100],
                    "name_en": (english or {}).get(name, "")[:100] or None,
                },
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


# A library picture's figure in a cleaned body (nh3 writes its attributes quoted).
_LIBRARY_FIGURE = re.compile(r'<figure data-image="(\d+)"([^>]*)>(.*?)</figure>', re.S)


def import_figures(body: str, *, item: ImportItem) -> str:
    """A cleaned body whose figures name pictures of this site's library: the ids an item
    carries are another database's. A backup of this site (export_articles) names each
    picture's file: its figures are given the id of the picture with that file here. Any
    other figure id is dropped (the figure kept if it holds a picture of its own)."""
    if "data-image" not in body:
        return body
    files = item.extra.get("figures", {}) if item.from_backup else {}
    wanted = {files[found[0]] for found in _LIBRARY_FIGURE.findall(body) if found[0] in files}
    here = {}
    if wanted:
        here = dict(LibraryImage.objects.filter(file__in=wanted).values_list("file", "pk"))

    def figure(match):
        pk = here.get(files.get(match[1], ""))
        if pk is not None:
            return f'<figure data-image="{pk}"{match[2]}>{match[3]}</figure>'
        if "<img" in match[3]:
            return f"<figure{match[2]}>{match[3]}</figure>"
        return ""

    return _LIBRARY_FIGURE.sub(figure, body)


def standfirst(summary: str, body: str) -> str:
    """The summary, unless it only repeats the opening of the story (feeds often send the
    first paragraph, whole or cut short, as the description)."""
    repeated = normalise_headline(_TRUNCATION.sub("", plain_text(summary)))
    if not repeated:
        return summary
    first = _FIRST_PARAGRAPH.search(body)
    opening = normalise_headline(plain_text(first[1] if first else body))
    return "" if opening.startswith(repeated) else summary


def _reasons_text(reasons: list) -> str:
    """The reasons an item needs attention, in the site's language, for its editors."""
    if not reasons:
        return ""
    with override(settings.LANGUAGE_CODE):
        return "; ".join(str(reason) for reason in reasons)[:300]


@dataclass
class _Plan:
    """What importing one item will do, decided before anything is written."""

    item: ImportItem
    digest: str
    result: ImportResult
    body: str
    existing: Article | None = None
    duplicate_of: "int | _Plan | None" = None
    attention: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    article: Article | None = None  # once written
    tag_ids: list[int] = field(default_factory=list)  # once written together


def _plan(
    *, item: ImportItem, options: ImportOptions, cache: ImportCache
) -> "_Plan | ImportOutcome":
    digest = cache.digests.get(item.import_id) or item.content_hash()
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
    body = import_figures(clean_import_body(item.body), item=item)
    plan = _Plan(
        item=item,
        digest=digest,
        result=ImportResult.UPDATED if existing else ImportResult.CREATED,
        body=body,
        existing=existing,
        attention=[*item.attention, *([] if body else [EMPTY_BODY])],
        warnings=list(item.warnings),
    )
    if existing is None and not item.from_backup:
        # Another source's copy of a story we have is kept, as a draft linked to it.
        plan.duplicate_of = find_duplicate(item=item, cache=cache)
        if plan.duplicate_of is not None:
            plan.result = ImportResult.DUPLICATE
            plan.attention.append(SAME_STORY)
    return plan


def _outcome(plan: _Plan) -> ImportOutcome:
    article_id = plan.article.pk if plan.article else None
    message = ""
    if plan.duplicate_of is not None:
        message = f"same story as article {_pk(plan.duplicate_of)}; kept as a linked draft"
    elif plan.attention:
        with override("en"):
            reasons = "; ".join(str(reason) for reason in plan.attention)
        message = f"imported as a draft that needs attention: {reasons}"
    return ImportOutcome(plan.result, article_id, message, plan.warnings)


def _pk(target: "int | _Plan | None") -> int | None:
    if isinstance(target, _Plan):
        return target.article.pk if target.article else None
    return target


@contextmanager
def _revision(options: ImportOptions):
    """Imports leave a revision where article history is kept (django-reversion)."""
    if not reversion.is_registered(Article):
        yield None
        return
    with reversion.create_revision():
        reversion.set_comment(f"import: {options.import_source}"[:200])
        yield reversion


def import_batch(
    *, items: list[ImportItem], options: ImportOptions, cache: ImportCache
) -> list[ImportOutcome]:
    """Create or update the articles importers read, with their sections, tags, authors,
    sources, pictures and old addresses. Runs again safely: an unchanged item is left
    alone, a changed one is updated only with `options.update`, and an article an editor
    has saved since its import only with `options.force`. An item without a headline or a
    body, or another source's copy of a story we have, becomes a draft flagged for the
    editors (with the reason), never a loss.

    New articles without pictures are written together: one insert for the articles, one
    for their tags, old addresses and search rows. Updates and items with a picture are
    written one by one, each in its own transaction. If the batch's transaction fails,
    each of its items is written again alone, so that one bad item never costs the others.
    Call prefetch_import_state first."""
    outcomes: list[ImportOutcome | None] = [None] * len(items)
    together: list[tuple[int, _Plan]] = []
    for index, item in enumerate(items):
        plan = _plan(item=item, options=options, cache=cache)
        if isinstance(plan, ImportOutcome):
            outcomes[index] = plan
        elif options.dry_run:
            outcomes[index] = _outcome(plan)
            _remember_planned(plan=plan, cache=cache)
        elif plan.existing is None and not (item.image_url or item.image_path):
            together.append((index, plan))
            _remember_planned(plan=plan, cache=cache)
        else:
            outcomes[index] = _write_one(plan=plan, options=options, cache=cache)
    if together:
        plans = [plan for _index, plan in together]
        try:
            with transaction.atomic():
                _write_together(plans=plans, options=options, cache=cache)
        except (DatabaseError, ValidationError, ValueError):
            cache.forget_rows()
            for plan in plans:
                plan.article = None
            for index, plan in together:
                outcomes[index] = _write_one(plan=plan, options=options, cache=cache)
        else:
            for index, plan in together:
                _remember(article=plan.article, item=plan.item, cache=cache)
                outcomes[index] = _outcome(plan)
            if options.indexer is not None:
                options.indexer.submit([plan.article for plan in plans])
            articles_changed()  # bulk inserts send no signals
    return outcomes


def _remember_planned(*, plan: _Plan, cache: ImportCache) -> None:
    """A new item of the batch, not written yet: later items that tell the same story link
    to it once it is."""
    item = plan.item
    cache.absent.discard(item.import_id)
    if item.url:
        cache.url_owners.setdefault(item.url[:1000], plan)
        cache.urls_checked.add(item.url[:1000])
    source = cache.sources.get((item.source_name[:200], item.source_link[:200]))
    if source is not None and source.pk in cache.headlines_checked and item.title:
        key = (source.pk, normalise_headline(item.title))
        cache.headlines.setdefault(key, []).append((item.published_at or timezone.now(), plan))


def _write_one(*, plan: _Plan, options: ImportOptions, cache: ImportCache) -> ImportOutcome:
    image, problem = load_import_image(item=plan.item)  # network and disk first
    if problem:
        plan.warnings.append(problem)
    try:
        with _revision(options), transaction.atomic():
            article, tag_ids = _build_article(plan=plan, options=options, cache=cache)
            if image is not None:
                article.main_image = image_create(file=image, texts=import_picture_texts(plan.item))
            created = article.pk is None
            article.save()
            plan.article = article
            stamps = {"import_hash": plan.digest, "imported_at": article.updated_at}
            if created and not plan.item.from_backup:
                stamps["first_imported_at"] = article.updated_at
            Article.objects.filter(pk=article.pk).update(**stamps)
            for name, value in stamps.items():
                setattr(article, name, value)
            if created:  # nothing to compare with: one insert
                Through = Article.tags.through
                Through.objects.bulk_create(
                    [Through(article_id=article.pk, tag_id=pk) for pk in tag_ids]
                )
            else:
                article.tags.set(tag_ids)
            _add_legacy_paths([plan])
    except (DatabaseError, ValidationError, ValueError) as error:
        cache.forget_rows()
        plan.article = None
        return ImportOutcome(ImportResult.FAILED, message=str(error), warnings=plan.warnings)
    _remember(article=article, item=plan.item, cache=cache)
    return _outcome(plan)


def _write_together(*, plans: list[_Plan], options: ImportOptions, cache: ImportCache) -> None:
    """New articles of a batch in a few statements (see import_batch): the articles, their
    tags, figures, old addresses, search rows, audit entries and one revision for all."""
    now = timezone.now()
    for plan in plans:
        article, plan.tag_ids = _build_article(plan=plan, options=options, cache=cache)
        plan.article = article
        article.import_hash = plan.digest
        # As an import's own save leaves it: not "edited since its import".
        article.created_at = article.updated_at = article.imported_at = now
        if not plan.item.from_backup:  # a backup keeps its first import time
            article.first_imported_at = now
    # Copies of a story told earlier in this batch go in once that story has its id.
    first = [plan for plan in plans if not isinstance(plan.duplicate_of, _Plan)]
    later = [plan for plan in plans if isinstance(plan.duplicate_of, _Plan)]
    exact = True
    for group in (first, later):
        for plan in group:
            plan.article.duplicate_of_id = _pk(plan.duplicate_of)
        exact &= bulk.insert_rows(Article, [plan.article for plan in group], now=now)
    if not exact:  # bulk_create stamped its own times: the import's are the same
        ids = [plan.article.pk for plan in plans]
        fresh = [plan.article.pk for plan in plans if not plan.item.from_backup]
        Article.objects.filter(pk__in=ids).update(
            imported_at=F("updated_at"),
            first_imported_at=Case(
                When(pk__in=fresh, then=F("updated_at")), default=F("first_imported_at")
            ),
        )
        for plan in plans:  # bulk_create left the times it wrote on the objects
            plan.article.imported_at = plan.article.updated_at
            if not plan.item.from_backup:
                plan.article.first_imported_at = plan.article.updated_at
    bulk.insert_values(
        Article.tags.through,
        ("article_id", "tag_id"),
        [(plan.article.pk, pk) for plan in plans for pk in plan.tag_ids],
    )
    figures = _figure_ids([plan.article for plan in plans])
    bulk.insert_values(
        Article.figures.through,
        ("article_id", "image_id"),
        [(plan.article.pk, pk) for plan in plans for pk in figures[plan.article.pk]],
    )
    _add_legacy_paths(plans)
    if options.indexer is None:  # else once the batch is committed (import_batch)
        search.index_rows([plan.article for plan in plans])
    # What Article.save() records for any status but a draft (bulk inserts do not call it).
    via = f"import: {options.import_source}"[:50]
    published = Article.Status.PUBLISHED
    bulk.insert_values(
        Transition,
        ("article_id", "from_status", "to_status", "published_at", "note", "via", "created_at"),
        [
            (
                plan.article.pk,
                "",
                plan.article.status,
                plan.article.published_at if plan.article.status == published else None,
                "",
                via,
                now,
            )
            for plan in plans
            if plan.article.status != Article.Status.DRAFT
        ],
    )
    if reversion.is_registered(Article):  # one revision for the batch, as _revision() makes
        bulk.add_revision(
            [plan.article for plan in plans],
            related=[{"tags": plan.tag_ids, "related": []} for plan in plans],
            comment=f"import: {options.import_source}"[:200],
            now=now,
        )


def _figure_ids(articles: list[Article]) -> dict[int, list[int]]:
    """{article pk: the library pictures its bodies show}, as Article.figure_ids() finds
    them, in one query for all."""
    wanted = {
        article.pk: {
            pk
            for code, _name in settings.LANGUAGES
            for pk in figure_image_ids(getattr(article, localized("body", code)) or "")
        }
        for article in articles
    }
    every = set().union(*wanted.values())
    if not every:
        return {pk: [] for pk in wanted}
    found = set(LibraryImage.objects.filter(pk__in=every).values_list("pk", flat=True))
    return {pk: sorted(ids & found) for pk, ids in wanted.items()}


def _add_legacy_paths(plans: list[_Plan]) -> None:
    rows = [
        LegacyURL(path=path[:500], article=plan.article)
        for plan in plans
        for path in plan.item.legacy_paths
    ]
    if rows:
        LegacyURL.objects.bulk_create(rows, ignore_conflicts=True)


# The importers' names of the main picture's translated texts, and the library's.
IMPORT_PICTURE_TEXTS = {"image_alt": "alt", "image_caption": "caption", "image_credit": "credit"}


def import_picture_texts(item: ImportItem) -> dict[str, dict[str, str]]:
    """The library texts of an item's picture per language: a credit is the same in every
    language unless the item translates it."""
    texts = {code: {"credit": item.image_credit} for code, _name in settings.LANGUAGES}
    texts[settings.LANGUAGE_CODE].update(alt=item.image_alt, caption=item.image_caption)
    for language, fields in item.translations.items():
        for name, value in fields.items():
            if name in IMPORT_PICTURE_TEXTS:
                texts.setdefault(language, {})[IMPORT_PICTURE_TEXTS[name]] = value
    return texts


def _build_article(
    *, plan: _Plan, options: ImportOptions, cache: ImportCache
) -> tuple[Article, list[int]]:
    """The article as the item says it should be (not saved yet) and its tags' ids."""
    item = plan.item
    article = plan.existing or _new_article(
        import_source=options.import_source, import_id=item.import_id
    )
    values = {
        "title": item.title[:255],
        "summary": standfirst(item.summary, plan.body),
        "body": plan.body,
        "byline": item.byline[:200],
        "dateline": item.dateline[:100],
    }
    for name, value in values.items():
        setattr(article, _default(name), value)
    setattr(article, _default("slug"), _slug(item.title, 200))
    for language, fields in item.translations.items():
        for name, value in fields.items():
            if name in IMPORT_PICTURE_TEXTS:
                continue  # the picture's, in the library (import_picture_texts)
            limit = Article._meta.get_field(localized(name, language)).max_length
            if name == "body":
                value = import_figures(sanitize_html(value), item=item)
            setattr(article, localized(name, language), value[:limit] if limit else value)
            if name == "title":
                setattr(article, localized("slug", language), _slug(value, 200))
    article.section = _get_section(item=item, options=options, cache=cache)
    article.author = _get_author(item=item, cache=cache)
    article.source = _get_source(item=item, cache=cache)
    article.status = Article.Status.DRAFT if plan.attention else (item.status or options.status)
    article.published_at = item.published_at
    article.source_published_at = item.published_at
    article.stamp_publication_time()
    article.is_featured = item.is_featured
    article.is_breaking = item.is_breaking
    article.source_url = item.url if len(item.url) <= 1000 else ""
    article.needs_attention = bool(plan.attention)
    article.attention_reason = _reasons_text(plan.attention)
    article.duplicate_of_id = _pk(plan.duplicate_of)
    if item.from_backup:  # as the backup's site had it
        extra = item.extra
        for language, name in ((settings.LANGUAGE_CODE, "slug"), ("en", "slug_en")):
            if extra.get(name):
                setattr(article, localized("slug", language), extra[name][:255])
        article.needs_attention = bool(extra.get("needs_attention"))
        article.attention_reason = extra.get("attention_reason", "")[:300]
        published = extra.get("source_published_at")
        article.source_published_at = datetime.fromisoformat(published) if published else None
        if "first_imported_at" in extra and article.first_imported_at is None:
            article.first_imported_at = datetime.fromisoformat(extra["first_imported_at"])
    tags = [*item.tags, _unplaced_category(item=item, section=article.section)]
    names = [tag for tag in tags if tag]
    return article, _tag_ids(
        names=names,
        cache=cache,
        english=item.extra.get("tags_en"),
        slugs=item.extra.get("tag_slugs"),
    )


@functools.cache
@functools.cache
def _column_defaults() -> tuple[list, list[int]]:
    """Every column's default, in order, and the places of those made afresh each time."""
    fields = Article._meta.concrete_fields
    fresh = [index for index, field in enumerate(fields) if callable(field.default)]
    return [None if callable(f.default) else f.get_default() for f in fields], fresh


def _new_article(**values) -> Article:
    """A new Article made positionally from its columns' defaults, then given `values`: a
    fifth of the time of keyword arguments, which modeltranslation rewrites one by one (and
    whose missing per-language columns would each have their default worked out again)."""
    row, fresh = _column_defaults()
    row = list(row)
    for index in fresh:
        row[index] = Article._meta.concrete_fields[index].get_default()
    article = Article(*row)
    for name, value in values.items():
        setattr(article, name, value)
    return article


def link_restored_relations(*, import_source: str, relations: dict[int, dict]) -> None:
    """After a backup's articles are all in: their related picks and the story each copy
    duplicates, given as the backup's identifiers ({article id: {"related": [...],
    "duplicate_of": "..."}}), become links between the restored articles."""
    references = {
        ref
        for links in relations.values()
        for ref in [*links.get("related", []), links.get("duplicate_of", "")]
        if ref
    }
    found = dict(
        Article.objects.filter(import_source=import_source, import_id__in=references).values_list(
            "import_id", "pk"
        )
    )
    Through = Article.related.through
    Through.objects.bulk_create(
        [
            Through(from_article_id=pk, to_article_id=found[ref])
            for pk, links in relations.items()
            for ref in links.get("related", [])
            if ref in found and found[ref] != pk
        ],
        ignore_conflicts=True,
    )
    for pk, links in relations.items():
        if links.get("duplicate_of") in found:
            Article.objects.filter(pk=pk).update(duplicate_of_id=found[links["duplicate_of"]])


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


def image_deleting(sender, instance: LibraryImage, **kwargs) -> None:
    """Before a library picture is deleted (the database then empties the stories' links
    to it without signals): the stories that show it are marked changed, so no cached
    page or teaser keeps showing it."""
    ids = list(instance.articles().values_list("pk", flat=True))
    if ids:
        Article.objects.filter(pk__in=ids).update(updated_at=timezone.now())
        articles_changed()  # update() sends no signals


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
