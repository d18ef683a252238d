from django import forms
from django.utils.translation import gettext_lazy as _

from articles.cache import labels
from articles.models import Section
from articles.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The reader's search box and filters. Over-long queries are cut, never refused."""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All sections"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The sections from the kept labels (no query, no model iteration per page).
        field = self.fields["section"]
        sections = sorted(labels().sections.values(), key=lambda s: (s.order, s.pk))
        field.choices = [("", field.empty_label)] + [(s.slug, str(s)) for s in sections]

    def spelled(self):
        """The cleaned search as a link to it spells it: {field: text}, "" when empty."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "section": data["section"].slug if data["section"] else "",
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
        }

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
