from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from newsroom.security import is_site_path
from social.icons import icon_svg

# Host names each network's links may point at (their subdomains too, e.g. m.facebook.com).
NETWORK_DOMAINS = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "x": ("x.com", "twitter.com"),
    "youtube": ("youtube.com", "youtu.be"),
    "telegram": ("t.me", "telegram.me"),
    "instagram": ("instagram.com",),
    "whatsapp": ("whatsapp.com",),
    "tiktok": ("tiktok.com",),
}
# A path the link must start with, where the network has one for the kind of account we link.
NETWORK_PATH_PREFIXES = {"whatsapp": "/channel/"}

https_url = URLValidator(schemes=["https"])


class Network(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X (Twitter)")
    YOUTUBE = "youtube", _("YouTube")
    TELEGRAM = "telegram", _("Telegram")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp channel")
    TIKTOK = "tiktok", _("TikTok")
    RSS = "rss", _("RSS feed")
    OTHER = "other", _("Other")

    @property
    def domains(self):
        return NETWORK_DOMAINS.get(self.value, ())

    @property
    def icon(self):
        return icon_svg(self.value)

    def validate_url(self, url):
        """Raise ValidationError unless `url` is an https address on this network.

        RSS may also be a path on this site (`/feed/`); "other" takes any https address.
        """
        if self is Network.RSS and is_site_path(url):
            return
        https_url(url)
        if not self.domains:
            return
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == domain or host.endswith(f".{domain}") for domain in self.domains):
            raise ValidationError(
                _("A %(network)s link must point at %(domains)s."),
                code="wrong_network",
                params={"network": self.label, "domains": ", ".join(self.domains)},
            )
        prefix = NETWORK_PATH_PREFIXES.get(self.value, "/")
        account = parts.path[len(prefix) :] if parts.path.startswith(prefix) else ""
        if not account.strip("/"):
            raise ValidationError(
                _("The address must lead to an account, not to the network's home page."),
                code="no_account",
            )


class Placement(models.TextChoices):
    HEADER = "header", _("Header")
    FOOTER = "footer", _("Footer")
    BOTH = "both", _("Header and footer")

    def includes(self, placement):
        return self.value == placement or self is Placement.BOTH


class SocialLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def shown_in(self, placement):
        """Links for the header or the footer, including those shown in both."""
        return self.filter(placement__in=[placement, Placement.BOTH])


class SocialLink(models.Model):
    """One of the site's own accounts on a social network, linked from the header or footer."""

    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    url = models.CharField(
        _("address"),
        max_length=500,
        help_text=_(
            "An https address on the chosen network, e.g. https://t.me/account. "
            "An RSS feed may also be a path on this site, e.g. /feed/."
        ),
    )
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        help_text=_("The link's name for readers; the network's name when left empty."),
    )
    placement = models.CharField(
        _("shown in"), max_length=10, choices=Placement.choices, default=Placement.BOTH
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SocialLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("social link")
        verbose_name_plural = _("social links")
        ordering = ["order", "pk"]
        constraints = [
            # The last line of defence against javascript: and other schemes in an href.
            models.CheckConstraint(
                condition=Q(url__startswith="https://")
                | (
                    Q(network="rss")
                    & Q(url__startswith="/")
                    & ~Q(url__startswith="//")
                    & ~Q(url__contains="\\")  # browsers read "/\\host/" as "//host/"
                ),
                name="sociallink_url_https_or_feed_path",
                violation_error_message=_("The address must start with https://."),
            ),
        ]

    def __str__(self):
        return str(self.name)

    def clean(self):
        super().clean()
        if self.network in Network.values and self.url:
            try:
                Network(self.network).validate_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error}) from error

    @property
    def name(self):
        """What readers see and hear: the label, or the network's name in their language."""
        return self.label or str(Network(self.network).label)

    @property
    def icon(self):
        return Network(self.network).icon

    @property
    def x_handle(self):
        """ "@account" of an X link (for the twitter:site card tag), else ""."""
        if self.network != Network.X:
            return ""
        account = urlsplit(self.url).path.strip("/").split("/")[0]
        return f"@{account}" if account else ""

    def shows_in(self, placement):
        return Placement(self.placement).includes(placement)
