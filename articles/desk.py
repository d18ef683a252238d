"""The editorial desk in the admin: who may do what to an article, its revisions (list,
compare, restore, recover), the workflow buttons, editorial notes and pending corrections.

Revisions are django-reversion's; the comparison is ours (plain text per language, word
by word), so editors read what changed in a story, not in its markup."""

import difflib
import re
from dataclasses import dataclass

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, override
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles import services
from articles.dates import format_date
from articles.html import plain_text, sanitize_html
from articles.models import (
    Article,
    Author,
    EditorialNote,
    PendingCorrection,
    Section,
    Tag,
    localized,
)
from articles.translation import ArticleTranslationOptions

Status = Article.Status

# Rights ---------------------------------------------------------------------------------------


def can_publish(user) -> bool:
    return user.has_perm("articles.publish_article")


def owns(user, article: Article) -> bool:
    """The writer who created the article, or the user behind its author."""
    return user.is_authenticated and (
        article.created_by_id == user.pk
        or (article.author_id is not None and article.author.user_id == user.pk)
    )


def can_edit(user, article: Article) -> bool:
    """Editors change anything; a writer only their own draft (not while it is in review)."""
    if can_publish(user):
        return True
    return owns(user, article) and article.status in (Status.DRAFT, Status.CHANGES)


def can_propose_correction(user, article: Article) -> bool:
    return (
        not can_publish(user)
        and article.status == Status.PUBLISHED
        and owns(user, article)
        and user.has_perm("articles.change_article")
    )


def can_see_history(user, article: Article) -> bool:
    return can_publish(user) or owns(user, article)


def allowed_steps(user, article: Article) -> list[str]:
    """The workflow buttons `user` gets for `article`, in the order they are shown."""
    steps = []
    if article.status in (Status.DRAFT, Status.CHANGES) and (
        can_publish(user) or owns(user, article)
    ):
        steps.append("review")
    if can_publish(user):
        if article.status == Status.REVIEW:
            steps.append("changes")
        if not article.is_public:
            steps += ["publish", "schedule"]
        if article.status == Status.PUBLISHED:
            steps.append("unpublish")
    return steps


# Labels -------------------------------------------------------------------------------------

TRANSLATED = ArticleTranslationOptions.fields
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def field_label(name: str) -> str:
    """A field's name for people, in the active language: "العنوان (الإنجليزية)"."""
    base, _sep, code = name.rpartition("_")
    if base in TRANSLATED and code in LANGUAGE_NAMES:
        label = Article._meta.get_field(base).verbose_name
        return f"{label} ({LANGUAGE_NAMES[code]})"
    field_name = name[:-3] if name.endswith("_id") else name
    try:
        return str(Article._meta.get_field(field_name).verbose_name)
    except Exception:  # a field removed since the revision was written
        return name


def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@admin.display(description=_("status"), ordering="status")
def status_badge(article: Article):
    if article.is_scheduled:
        state, label = "scheduled", _("Scheduled")
    else:
        state, label = article.status, article.get_status_display()
    return format_html('<span class="desk-badge desk-badge--{}">{}</span>', state, label)


class PublicationStateFilter(admin.SimpleListFilter):
    """Status as editors think of it: scheduled is not the same as live."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, Status.DRAFT.label),
            (Status.REVIEW, Status.REVIEW.label),
            (Status.CHANGES, Status.CHANGES.label),
            ("scheduled", _("Scheduled")),
            ("live", _("Published")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "scheduled":
                return queryset.filter(status=Status.PUBLISHED, published_at__gt=now)
            case "live":
                return queryset.filter(status=Status.PUBLISHED, published_at__lte=now)
            case Status.DRAFT | Status.REVIEW | Status.CHANGES as status:
                return queryset.filter(status=status)
        return queryset


# Comparing revisions --------------------------------------------------------------------------

_WORD = re.compile(r"\S+|\n")


def without_relations(fields: dict) -> dict:
    """A revision's field values that can be set on an article: its many-to-many values
    (tags, related picks, figures) are set apart, and a library picture deleted since is
    left out rather than pointing at nothing."""
    many = {field.name for field in Article._meta.many_to_many}
    values = {name: value for name, value in fields.items() if name not in many}
    for field in Article._meta.concrete_fields:
        if field.is_relation and field.name not in ("section", "author"):  # checked apart
            pk = values.get(field.attname)
            if pk is not None and not field.related_model._base_manager.filter(pk=pk).exists():
                values[field.attname] = None  # deleted since: the link goes, not the story
    return values


def existing_tags(fields: dict) -> list[int]:
    """The tags a revision names that still exist."""
    return list(Tag.objects.filter(pk__in=fields.get("tags", [])).values_list("pk", flat=True))


@dataclass
class Change:
    label: str
    old: list  # [(kind, text)]: kind is "same" or "removed"
    new: list  # [(kind, text)]: kind is "same" or "added"
    language: str = ""


def word_diff(old: str, new: str) -> tuple[list, list]:
    """Both sides of a word-by-word comparison, for a side-by-side view."""
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    left, right = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            left.append(("same", " ".join(old_words[a1:a2])))
            right.append(("same", " ".join(new_words[b1:b2])))
            continue
        if a2 > a1:
            left.append(("removed", " ".join(old_words[a1:a2])))
        if b2 > b1:
            right.append(("added", " ".join(new_words[b1:b2])))
    return left, right


def _display(name: str, value) -> str:
    """A non-text field's value as people read it."""
    if value in (None, "", []):
        return "—"
    if name == "status":
        return status_label(value)
    if name in ("section_id", "author_id", "source_id"):
        model = Article._meta.get_field(name[:-3]).related_model
        found = model.objects.filter(pk=value).first()
        return str(found) if found else gettext("(deleted: #%(pk)s)") % {"pk": value}
    if hasattr(value, "tzinfo"):
        return format_date(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in sorted(value))
    return str(value)


SKIPPED = {"updated_at", "created_at", "version"}


def compare_fields(old: dict, new: dict) -> list[Change]:
    """What changed from `old` to `new` (field dicts of two revisions), text fields per
    language, each as a word diff of its plain text."""
    changes = []
    for code in LANGUAGE_NAMES:
        for field in TRANSLATED:
            name = localized(field, code)
            before, after = (
                plain_text(old.get(name), lines=True),
                plain_text(new.get(name), lines=True),
            )
            if before != after:
                left, right = word_diff(before, after)
                changes.append(Change(field_label(name), left, right, language=code))
    for name in sorted(set(old) | set(new)):
        base, _sep, code = name.rpartition("_")
        if name in SKIPPED or name in TRANSLATED or (base in TRANSLATED and code in LANGUAGE_NAMES):
            continue
        if old.get(name) != new.get(name):
            left = [("removed", _display(name, old.get(name)))]
            right = [("added", _display(name, new.get(name)))]
            changes.append(Change(field_label(name), left, right))
    return changes


def changed_labels(old: dict, new: dict) -> list[str]:
    names = [
        name
        for name in sorted(set(old) | set(new))
        if name not in SKIPPED
        and name not in TRANSLATED
        and plain_text(old.get(name), lines=True) != plain_text(new.get(name), lines=True)
    ]
    return [field_label(name) for name in names]


# Views ----------------------------------------------------------------------------------------


REVISIONS_PER_PAGE = 50


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Publication time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future to schedule."))
        return when


class DeskViews:
    """The desk's pages, served under the article admin's URLs (see ArticleAdmin.get_urls)."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.site = model_admin.admin_site

    def urls(self):
        wrap = self.site.admin_view
        return [
            path(
                "<path:object_id>/step/<str:step>/", wrap(self.step), name="articles_article_step"
            ),
            path("<path:object_id>/note/", wrap(self.add_note), name="articles_article_note"),
            path("<path:object_id>/compare/", wrap(self.compare), name="articles_article_compare"),
            path(
                "<path:object_id>/restore/<int:version_id>/",
                wrap(self.restore),
                name="articles_article_restore",
            ),
            path(
                "<path:object_id>/correction/<str:decision>/",
                wrap(self.correction),
                name="articles_article_correction",
            ),
            path("recover/", wrap(self.recover_list), name="articles_article_recover_list"),
            path("recover/<int:version_id>/", wrap(self.recover), name="articles_article_recover"),
        ]

    # helpers

    def article(self, request, object_id) -> Article:
        article = Article.objects.select_related("author").filter(pk=unquote(object_id)).first()
        if article is None:
            raise Http404
        if not self.model_admin.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def change_url(self, article):
        return reverse("admin:articles_article_change", args=[article.pk])

    def context(self, request, article, **extra):
        return {
            **self.site.each_context(request),
            "opts": Article._meta,
            "original": article,
            "article": article,
            **extra,
        }

    # history: the revisions of one article

    def history(self, request, object_id):
        article = self.article(request, object_id)
        if not can_see_history(request.user, article):
            raise PermissionDenied
        # A page at a time: each row reads its revision and the one before it.
        all_versions = Version.objects.get_for_object(article).order_by(
            "-revision__date_created", "-pk"
        )
        page = Paginator(all_versions, REVISIONS_PER_PAGE).get_page(request.GET.get("page"))
        start = page.start_index() - 1 if page.paginator.count else 0
        versions = list(
            all_versions.select_related("revision__user")[start : start + REVISIONS_PER_PAGE + 1]
        )
        rows = []
        for index, version in enumerate(versions[:REVISIONS_PER_PAGE]):
            older = versions[index + 1] if index + 1 < len(versions) else None
            rows.append(
                {
                    "version": version,
                    "number": page.paginator.count - start - index,
                    "when": format_date(version.revision.date_created),
                    "changed": changed_labels(older.field_dict, version.field_dict)
                    if older
                    else [],
                }
            )
        return TemplateResponse(
            request,
            "admin/articles/article/revisions.html",
            self.context(
                request,
                article,
                title=gettext("Revisions of “%(title)s”") % {"title": article},
                rows=rows,
                page=page,
                transitions=article.transitions.select_related("user")[:50],
                may_restore=can_edit(request.user, article),
            ),
        )

    def compare(self, request, object_id):
        article = self.article(request, object_id)
        if not can_see_history(request.user, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        try:
            older = versions.get(pk=int(request.GET.get("from", "")))
            newer = versions.get(pk=int(request.GET.get("to", "")))
        except (ValueError, Version.DoesNotExist) as error:
            raise Http404 from error
        if older.revision.date_created > newer.revision.date_created:
            older, newer = newer, older
        changes = compare_fields(older.field_dict, newer.field_dict)
        return TemplateResponse(
            request,
            "admin/articles/article/compare.html",
            self.context(
                request,
                article,
                title=gettext("Compare revisions of “%(title)s”") % {"title": article},
                older=older,
                newer=newer,
                older_when=format_date(older.revision.date_created),
                newer_when=format_date(newer.revision.date_created),
                languages=[
                    (code, name, [c for c in changes if c.language == code])
                    for code, name in settings.LANGUAGES
                ],
                other_changes=[c for c in changes if not c.language],
                may_restore=can_edit(request.user, article),
            ),
        )

    @staticmethod
    def missing_dependency(fields: dict) -> str:
        """Why a revision cannot be restored as it is: a section or author it names is gone."""
        if not Section.objects.filter(pk=fields.get("section_id")).exists():
            return gettext(
                "This revision cannot be restored: its section no longer exists. "
                "The current version is kept."
            )
        if fields.get("author_id") and not Author.objects.filter(pk=fields["author_id"]).exists():
            return gettext(
                "This revision cannot be restored: its author no longer exists. "
                "The current version is kept."
            )
        return ""

    def restore(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[object_id]))
        article = self.article(request, object_id)
        if not can_edit(request.user, article):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        fields = version.field_dict
        problem = self.missing_dependency(fields)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=[article.pk])
            )
        # Content only: where the article is in the workflow is the workflow's business.
        keep = {"id", "status", "published_at", "first_published_at", "version", "created_by_id"}
        keep |= {"created_at", "updated_at", "import_hash", "imported_at"}
        keep |= {"is_featured", "is_breaking", "corrected_at"}  # an editor's choices
        with transaction.atomic(), reversion.create_revision():
            for name, value in without_relations(fields).items():
                if name not in keep:
                    setattr(article, name, value)
            article.save()
            article.tags.set(existing_tags(fields))
            reversion.set_user(request.user)
            with override(settings.LANGUAGE_CODE):
                reversion.set_comment(
                    gettext("Restored the revision of %(when)s")
                    % {"when": format_date(version.revision.date_created)}
                )
        messages.success(request, gettext("The revision was restored as a new revision."))
        return HttpResponseRedirect(self.change_url(article))

    def recover_list(self, request):
        if not can_publish(request.user) or not self.model_admin.has_add_permission(request):
            raise PermissionDenied
        deleted = Version.objects.get_deleted(Article).select_related("revision__user")
        return TemplateResponse(
            request,
            "admin/articles/article/recover_list.html",
            {
                **self.site.each_context(request),
                "opts": Article._meta,
                "title": gettext("Recover deleted articles"),
                "rows": [(v, format_date(v.revision.date_created)) for v in deleted[:100]],
            },
        )

    def recover(self, request, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_publish(request.user) or not self.model_admin.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(Article), pk=version_id)
        fields = version.field_dict
        problem = self.missing_dependency(fields)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(reverse("admin:articles_article_recover_list"))
        with transaction.atomic(), reversion.create_revision():
            article = Article(
                **{k: v for k, v in without_relations(fields).items() if k != "version"}
            )
            article.status = Status.DRAFT  # back on the desk; an editor publishes it again
            article.save(force_insert=True)
            article.tags.set(existing_tags(fields))
            reversion.set_user(request.user)
            with override(settings.LANGUAGE_CODE):
                reversion.set_comment(gettext("Recovered after deletion"))
        messages.success(request, gettext("The article was recovered as a draft."))
        return HttpResponseRedirect(self.change_url(article))

    # workflow

    def step(self, request, object_id, step):
        if request.method != "POST":
            raise PermissionDenied
        article = self.article(request, object_id)
        if step not in allowed_steps(request.user, article):
            raise PermissionDenied
        try:
            if step == "review":
                services.send_for_review(article=article, user=request.user)
                done = gettext("Sent for review.")
            elif step == "changes":
                note = request.POST.get("desk_note", "")
                services.request_changes(article=article, note=note, user=request.user)
                done = gettext("Changes requested; the writer sees your note.")
            elif step == "publish":
                now = request.POST.get("desk_now") == "on"
                services.publish_article(article=article, user=request.user, now=now)
                done = gettext("Published.")
            elif step == "schedule":
                form = ScheduleForm({"when": request.POST.get("desk_when", "")})
                if not form.is_valid():
                    raise services.TransitionError(" ".join(form.errors["when"]))
                services.publish_article(
                    article=article, user=request.user, when=form.cleaned_data["when"]
                )
                done = gettext("Scheduled for %(when)s.") % {
                    "when": format_date(form.cleaned_data["when"])
                }
            else:
                services.unpublish_article(article=article, user=request.user)
                done = gettext("Unpublished: readers no longer see it.")
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(self.change_url(article))

    def add_note(self, request, object_id):
        if request.method != "POST":
            raise PermissionDenied
        article = self.article(request, object_id)
        if not can_see_history(request.user, article):
            raise PermissionDenied
        text = request.POST.get("desk_new_note", "").strip()
        if text:
            EditorialNote.objects.create(article=article, author=request.user, text=text)
            messages.success(request, gettext("Note added."))
        else:
            messages.error(request, gettext("The note is empty."))
        return HttpResponseRedirect(self.change_url(article))

    def correction(self, request, object_id, decision):
        if request.method != "POST":
            raise PermissionDenied
        article = self.article(request, object_id)
        if not can_publish(request.user) or decision not in ("publish", "discard"):
            raise PermissionDenied
        pending = get_object_or_404(PendingCorrection, article=article)
        if decision == "discard":
            pending.delete()
            messages.success(request, gettext("The proposed correction was discarded."))
        else:
            try:
                services.publish_correction(correction=pending, user=request.user)
            except services.TransitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, gettext("The correction is published."))
        return HttpResponseRedirect(self.change_url(article))


# The desk page ------------------------------------------------------------------------------

DESK_LIST_SIZE = 8


def desk_lists(user) -> dict:
    """The desk's lists and their counts, in a constant number of queries."""
    now = timezone.now()
    articles = Article.objects.select_related("section", "author").order_by()
    mine = Q(created_by=user) | Q(author__user=user)
    filters = {
        "review": Q(status=Status.REVIEW),
        "changes": Q(status=Status.CHANGES),
        "drafts": Q(status=Status.DRAFT) & mine,
        "scheduled": Q(status=Status.PUBLISHED, published_at__gt=now),
        "published": Q(status=Status.PUBLISHED, published_at__lte=now),
    }
    if not can_publish(user):
        filters["changes"] &= mine
        filters["review"] &= mine
    counts = Article.objects.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in filters.items()}
    )
    orders = {
        "review": "updated_at",
        "changes": "-updated_at",
        "drafts": "-updated_at",
        "scheduled": "published_at",
        "published": "-published_at",
    }
    lists = {}
    for name, condition in filters.items():
        rows = list(articles.filter(condition).order_by(orders[name], "-pk")[:DESK_LIST_SIZE])
        lists[name] = rows
    return {"counts": counts, "lists": lists}


# The article admin's desk behaviour ---------------------------------------------------------


class LockedFormMixin:
    """Optimistic locking: the form carries the version it was opened at; a save made
    from an older one is refused (never a silent overwrite of a colleague's work)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        current = Article.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        opened = cleaned.get("lock_version")
        if current is not None and opened != current:
            url = conflict_compare_url(self.instance.pk, opened)
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    gettext(
                        "Someone else saved this article after you opened it. Your changes "
                        "were not saved: copy them, reload the article and apply them again."
                    ),
                    url,
                    gettext("Compare their version with yours"),
                ),
                code="conflict",
            )
        return cleaned


def conflict_compare_url(article_id: int, opened) -> str:
    """Compare the revision the stale form was opened at with the newest one."""
    versions = list(Version.objects.get_for_object_reference(Article, article_id)[:50])
    history = reverse("admin:articles_article_history", args=[article_id])
    if not versions:
        return history
    newest = versions[0]
    for version in versions:
        if opened is not None and version.field_dict.get("version", 0) <= opened:
            return (
                reverse("admin:articles_article_compare", args=[article_id])
                + f"?from={version.pk}&to={newest.pk}"
            )
    return history


class DeskAdminMixin:
    """Revisions, workflow, rights, locking and pending corrections for ArticleAdmin."""

    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    def get_urls(self):
        return DeskViews(self).urls() + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        return DeskViews(self).history(request, object_id)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with reversion.create_revision():
            if request.user.is_authenticated:
                reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    # rights

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or can_edit(request.user, obj)
            or (can_propose_correction(request.user, obj))
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or can_edit(request.user, obj)

    # the form

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class DeskForm(LockedFormMixin, form):
            lock_version = forms.IntegerField(
                widget=forms.HiddenInput, required=obj is not None, initial=0
            )

        DeskForm.__name__ = form.__name__
        if obj is not None:
            DeskForm.base_fields["lock_version"].initial = obj.version
        return DeskForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        base, _sep, code = db_field.name.rpartition("_")
        if field is not None and base in TRANSLATED and code in LANGUAGE_NAMES:
            # Each language's own direction, whatever the page's: an English summary in an
            # Arabic admin is still written left to right.
            direction = "rtl" if translation_bidi(code) else "ltr"
            field.widget.attrs.update({"dir": direction, "lang": code})
            label = field_label(db_field.name)
            field.label = label[:1].upper() + label[1:]
        return field

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only: the bodies as readers see them (sanitised HTML), not as markup.
        return [
            (name, {**options, "fields": [readonly_name(f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly += [f"readonly_body_{code}" for code in LANGUAGE_NAMES]
        return readonly

    def save_model(self, request, obj, form, change):
        if change and can_propose_correction(request.user, obj):
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            services.propose_correction(
                article=Article.objects.get(pk=obj.pk), values=changed, user=request.user
            )
            request.desk_correction_proposed = True
            return
        if change and obj.status == Status.PUBLISHED:
            if set(form.changed_data) & set(services.CORRECTABLE_FIELDS):
                obj.corrected_at = timezone.now()  # readers see "updated"
        if not change:
            obj.created_by = request.user
            profile = getattr(request.user, "author_profile", None)
            if obj.author_id is None and profile is not None:
                obj.author = profile
        super().save_model(request, obj, form, change)
        with override(settings.LANGUAGE_CODE):
            if change:
                labels = [
                    str(field_label(name)) for name in form.changed_data if name != "lock_version"
                ]
                comment = gettext("Edited: %(fields)s") % {"fields": "، ".join(labels) or "—"}
            else:
                comment = gettext("Created")
        reversion.set_comment(comment)

    def delete_model(self, request, obj):
        keep_before_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        keep_before_deletion(request, list(queryset))
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "desk_correction_proposed", False):
            return  # the live story's tags and links stay as they are
        super().save_related(request, form, formsets, change)

    def response_change(self, request, obj):
        if getattr(request, "desk_correction_proposed", False):
            self.message_user(
                request,
                gettext(
                    "Your correction was sent to the editors. Readers see the published "
                    "version until an editor publishes the correction."
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.desk_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def desk_context(self, request, article: Article) -> dict:
        pending = (
            PendingCorrection.objects.filter(article=article).select_related("proposed_by").first()
        )
        current = {name: getattr(article, name) for name in services.CORRECTABLE_FIELDS}
        return {
            "desk_steps": allowed_steps(request.user, article),
            "desk_state": status_badge(article),
            "desk_published": format_date(article.published_at),
            "desk_first_published": format_date(article.first_published_at),
            "desk_notes": list(article.notes.select_related("author")[:20]),
            "desk_transitions": list(article.transitions.select_related("user")[:10]),
            "desk_revisions": Version.objects.get_for_object(article).count(),
            "desk_may_note": can_see_history(request.user, article),
            "desk_may_publish": can_publish(request.user),
            "desk_pending": pending,
            "desk_pending_changes": compare_fields(current, {**current, **pending.values})
            if pending
            else [],
            "desk_pending_when": format_date(pending.created_at) if pending else "",
            "desk_is_correction": can_propose_correction(request.user, article),
        }

    # the list

    @admin.display(description=_("publication time"), ordering="published_at")
    def published(self, article):
        return format_date(article.published_at) or "—"

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, article):
        return format_date(article.created_at)

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, article):
        return format_date(article.updated_at)

    @admin.display(description=_("author"), ordering="author__name")
    def author_name(self, article):
        return article.byline_text or "—"

    @admin.action(
        description=_("Publish selected articles (keep their publication times)"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        count = services.publish_articles(queryset, user=request.user)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        count = services.publish_articles(queryset, now=True, user=request.user)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(queryset, user=request.user)
        self.message_user(
            request,
            ngettext("%d article unpublished.", "%d articles unpublished.", count) % count,
            messages.SUCCESS,
        )


def keep_before_deletion(request, articles) -> None:
    """A last revision of each deleted article, so that any deletion can be recovered
    (also of articles saved before revisions existed, or only by bulk writes)."""
    with reversion.create_revision():
        for article in articles:
            reversion.add_to_revision(article)
        reversion.set_user(request.user)
        with override(settings.LANGUAGE_CODE):
            reversion.set_comment(gettext("Deleted"))


def translation_bidi(code: str) -> bool:
    from django.utils.translation import get_language_info

    return get_language_info(code)["bidi"]


def readonly_name(field):
    base, _sep, code = field.rpartition("_") if isinstance(field, str) else ("", "", "")
    if base == "body" and code in LANGUAGE_NAMES:
        return f"readonly_body_{code}"
    return field


def _readonly_body(code):
    @admin.display(
        description=format_lazy(
            "{} ({})", Article._meta.get_field("body").verbose_name, LANGUAGE_NAMES[code]
        )
    )
    def show(self, article):
        return format_html(
            '<div class="desk-body" dir="{}" lang="{}">{}</div>',
            "rtl" if translation_bidi(code) else "ltr",
            code,
            mark_safe(sanitize_html(getattr(article, localized("body", code)) or "")),
        )

    return show


for _code in LANGUAGE_NAMES:
    setattr(DeskAdminMixin, f"readonly_body_{_code}", _readonly_body(_code))
