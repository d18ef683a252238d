"""Validation rules of the ads app: safe target addresses and the IAB ads.txt format."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Only plain web links: no javascript:, data:, ftp: or relative addresses.
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=gettext_lazy("Enter a full web address starting with http:// or https://."),
)

SECTION_SLUG_RE = re.compile(r"^[-\w]+\Z")


def parse_section_slugs(value):
    """Split "news, sport" (commas or spaces) into a sorted list of unique slugs."""
    slugs = sorted({slug for slug in re.split(r"[\s,]+", value or "") if slug})
    bad = [slug for slug in slugs if not SECTION_SLUG_RE.match(slug)]
    if bad:
        raise ValidationError(_("Not a section slug: %(slugs)s"), params={"slugs": ", ".join(bad)})
    return slugs


# ads.txt, IAB Tech Lab specification 1.1.
ADS_TXT_VARIABLES = {
    "CONTACT",
    "SUBDOMAIN",
    "OWNERDOMAIN",
    "MANAGERDOMAIN",
    "INVENTORYPARTNERDOMAIN",
}
ADS_TXT_RELATIONSHIPS = {"DIRECT", "RESELLER"}
DOMAIN_RE = re.compile(
    r"^(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z", re.IGNORECASE
)
TOKEN_RE = re.compile(r"^[^\s,;#=]+\Z")
VARIABLE_RE = re.compile(r"^([A-Za-z]+)\s*=\s*(.*)\Z")


@dataclass(frozen=True)
class AdsTxtLine:
    number: int
    text: str
    error: str = ""


def check_ads_txt_line(line):
    """An empty string when `line` is valid ads.txt, otherwise what is wrong with it."""
    data = line.split("#", 1)[0].strip()
    if not data:
        return ""  # blank line or comment
    variable = VARIABLE_RE.match(data)
    if variable:
        name, value = variable.group(1).upper(), variable.group(2).strip()
        if name not in ADS_TXT_VARIABLES:
            return _("unknown variable “%(name)s”") % {"name": variable.group(1)}
        if not value:
            return _("the variable %(name)s has no value") % {"name": name}
        if name.endswith("DOMAIN") and not DOMAIN_RE.match(value):
            return _("“%(value)s” is not a domain name") % {"value": value}
        return ""
    record = data.split(";", 1)[0]  # anything after ";" is an extension field
    fields = [field.strip() for field in record.split(",")]
    if len(fields) not in (3, 4):
        return _(
            "a record needs 3 or 4 comma-separated fields: "
            "domain, publisher ID, DIRECT or RESELLER, and optionally a certification ID"
        )
    domain, publisher_id, relationship, *certification = fields
    if not DOMAIN_RE.match(domain):
        return _("“%(value)s” is not a domain name") % {"value": domain}
    if not TOKEN_RE.match(publisher_id):
        return _("“%(value)s” is not a valid publisher ID") % {"value": publisher_id}
    if relationship.upper() not in ADS_TXT_RELATIONSHIPS:
        return _("the relationship must be DIRECT or RESELLER, not “%(value)s”") % {
            "value": relationship
        }
    if certification and not re.match(r"^[A-Za-z0-9]+\Z", certification[0]):
        return _("“%(value)s” is not a valid certification authority ID") % {
            "value": certification[0]
        }
    return ""


def check_ads_txt(text):
    """Every line of `text` with its error (empty when the line is valid)."""
    return [
        AdsTxtLine(number, line, check_ads_txt_line(line))
        for number, line in enumerate((text or "").splitlines(), start=1)
    ]


def validate_ads_txt(text):
    errors = [
        ValidationError(
            _("Line %(number)s: %(error)s."), params={"number": line.number, "error": line.error}
        )
        for line in check_ads_txt(text)
        if line.error
    ]
    if errors:
        raise ValidationError(errors)
