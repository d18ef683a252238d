from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ads.validators import parse_section_slugs, validate_ads_txt, validate_web_url
from newsroom.site import edition
from newsroom.uploads import RandomUploadPath, SafeImageField


class Placement(models.Model):
    """A place on the page where ads appear, such as `sidebar-1`."""

    key = models.SlugField(
        _("key"),
        max_length=50,
        unique=True,
        help_text=_("The name templates use for this place, such as sidebar-1."),
    )
    name = models.CharField(_("name"), max_length=100)
    width = models.PositiveSmallIntegerField(_("width (pixels)"))
    height = models.PositiveSmallIntegerField(_("height (pixels)"))
    max_ads = models.PositiveSmallIntegerField(
        _("ads shown at once"), default=1, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_ads__gte=1),
                name="placement_shows_at_least_one_ad",
                violation_error_message=_("A placement shows at least one ad."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.width}×{self.height})"


class AdStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SCHEDULED = "scheduled", _("Scheduled")
    ENDED = "ended", _("Ended")
    INACTIVE = "inactive", _("Inactive")


# "Running" in SQL; `Ad.status_at` says the same of one ad in Python.
def _started(at):
    return Q(starts_at__lte=at)


def _not_ended(at):
    return Q(ends_at__isnull=True) | Q(ends_at__gt=at)


class AdQuerySet(models.QuerySet):
    def running(self, language=None, section=None, at=None, *, starting_within=None):
        """Ads readers may see now: active, inside their dates, for this language edition
        and, when `section` (a slug) is given, for that section. Untargeted ads run on
        every page; targeted ones only on their sections' pages. With `starting_within`
        (a timedelta), also those that start within it, for a list kept that long
        (`Ad.is_running_at` then tells, at each view, which of them run)."""
        at = at or timezone.now()
        starting_by = at + starting_within if starting_within else at
        return (
            self.filter(_started(starting_by) & _not_ended(at), is_active=True)
            .filter(language__in=[Ad.Language.ALL, edition(language)])
            .for_section(section)
        )

    def for_section(self, section):
        untargeted = Q(sections="")
        if not section:
            return self.filter(untargeted)
        # `sections` holds "a,b": wrapping it in commas makes ",a,b," match ",a," exactly.
        return self.alias(_wrapped_sections=Concat(Value(","), "sections", Value(","))).filter(
            untargeted | Q(_wrapped_sections__contains=f",{section},")
        )

    def with_status(self, status, at=None):
        at = at or timezone.now()
        started, not_ended = _started(at), _not_ended(at)
        if status == AdStatus.INACTIVE:
            return self.filter(is_active=False)
        active = self.filter(is_active=True)
        if status == AdStatus.RUNNING:
            return active.filter(started & not_ended)
        if status == AdStatus.SCHEDULED:
            return active.filter(~started & not_ended)
        if status == AdStatus.ENDED:
            return active.filter(~not_ended)
        raise ValueError(f"Unknown ad status: {status!r}")


class Ad(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        HTML = "html", _("HTML code (ad network tag)")

    class Language(models.TextChoices):
        ALL = "all", _("Both editions")
        AR = "ar", _("Arabic edition")
        EN = "en", _("English edition")

    name = models.CharField(_("name"), max_length=200)
    advertiser = models.CharField(_("advertiser"), max_length=200)
    placements = models.ManyToManyField(Placement, verbose_name=_("placements"), related_name="ads")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IMAGE)
    image = SafeImageField(
        _("image"),
        upload_to=RandomUploadPath("ads"),
        blank=True,
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_("What the ad says or shows, for readers who cannot see it."),
    )
    target_url = models.URLField(
        _("target address"),
        max_length=1000,
        blank=True,
        validators=[validate_web_url],
        help_text=_("Where a click leads; http:// or https:// only."),
    )
    html_code = models.TextField(
        _("HTML code"),
        blank=True,
        help_text=_(
            "The ad network's tag. It runs in a sandboxed frame the size of the placement "
            "and can never read the page, its cookies or the admin session."
        ),
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Leave empty to run until stopped.")
    )
    weight = models.PositiveIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("An ad with weight 2 is shown twice as often as one with weight 1."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language edition"), max_length=3, choices=Language.choices, default=Language.ALL
    )
    sections = models.CharField(
        _("sections"),
        max_length=500,
        blank=True,
        help_text=_(
            "Section slugs, separated by commas, to show the ad only in those sections. "
            "Leave empty to show it everywhere."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AdQuerySet.as_manager()

    class Meta:
        verbose_name = _("ad")
        verbose_name_plural = _("ads")
        ordering = ["-starts_at", "-pk"]
        get_latest_by = "starts_at"
        permissions = [
            ("manage_html_ads", _("Can add and change HTML code ads")),
        ]
        indexes = [
            models.Index(fields=["is_active", "starts_at", "ends_at"], name="ad_schedule_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="ad_ends_after_start",
                violation_error_message=_("An ad must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="ad_weight_at_least_one",
                violation_error_message=_("The weight is at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["image", "html"]),
                name="ad_kind_known",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        try:
            self.sections = ",".join(parse_section_slugs(self.sections))
        except ValidationError as error:
            errors["sections"] = error
        if self.kind == self.Kind.IMAGE:
            if not self.image:
                errors["image"] = _("An image ad needs an image.")
            editions = (
                [lang for lang, _name in settings.LANGUAGES]
                if self.language == self.Language.ALL
                else [self.language]
            )
            for lang in editions:
                if not getattr(self, f"image_alt_{lang}", None):
                    errors[f"image_alt_{lang}"] = _(
                        "Describe the image for readers who cannot see it."
                    )
            if not self.target_url:
                errors["target_url"] = _("An image ad needs a target address.")
        elif not self.html_code.strip():
            errors["html_code"] = _("An HTML ad needs its code.")
        if errors:
            raise ValidationError(errors)

    def status_at(self, at=None):
        at = at or timezone.now()
        if not self.is_active:
            return AdStatus.INACTIVE
        if self.ends_at is not None and self.ends_at <= at:
            return AdStatus.ENDED
        if self.starts_at > at:
            return AdStatus.SCHEDULED
        return AdStatus.RUNNING

    @property
    def status(self):
        return self.status_at()

    @property
    def has_content(self):
        """Whether there is anything to show: a picture, or some HTML code."""
        if self.kind == self.Kind.HTML:
            return bool(self.html_code.strip())
        return bool(self.image)

    def is_running_at(self, at):
        return self.status_at(at) == AdStatus.RUNNING


class AdDailyStat(models.Model):
    """Impressions and clicks of one ad on one day (in the site's time zone).
    Aggregated counts only: no address, user agent or any other data about readers."""

    ad = models.ForeignKey(
        Ad, verbose_name=_("ad"), on_delete=models.CASCADE, related_name="daily_stats"
    )
    date = models.DateField(_("date"))
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("daily ad statistics")
        verbose_name_plural = _("daily ad statistics")
        ordering = ["-date", "ad"]
        constraints = [
            models.UniqueConstraint(fields=["ad", "date"], name="ad_daily_stat_unique_day"),
        ]

    def __str__(self):
        return f"{self.ad} {self.date}"


class AdsTxt(models.Model):
    """The site's /ads.txt: one record, edited in the admin, checked line by line."""

    content = models.TextField(
        _("content"),
        blank=True,
        validators=[validate_ads_txt],
        help_text=_(
            "One line per seller: “domain, publisher ID, DIRECT or RESELLER[, certification ID]”. "
            "Lines starting with # are comments; CONTACT=, SUBDOMAIN=, OWNERDOMAIN=, "
            "MANAGERDOMAIN= and INVENTORYPARTNERDOMAIN= are variables."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ads.txt")
        verbose_name_plural = _("ads.txt")

    def __str__(self):
        return "ads.txt"

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first()
