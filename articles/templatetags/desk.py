"""The editorial desk on the admin's landing page (templates/admin/index.html)."""

from django import template

from articles.dates import format_date
from articles.desk import desk_lists

register = template.Library()

LISTS = ["review", "changes", "drafts", "scheduled", "published"]


@register.inclusion_tag("admin/articles/desk.html", takes_context=True)
def editorial_desk(context):
    """What waits for whom, with counts; nothing for staff who cannot see articles."""
    request = context["request"]
    if not request.user.has_perm("articles.view_article"):
        return {"show": False}
    desk = desk_lists(request.user)
    return {
        "show": True,
        "lists": [
            {
                "name": name,
                "count": desk["counts"][name],
                "rows": [
                    (article, format_date(article.published_at), format_date(article.updated_at))
                    for article in desk["lists"][name]
                ],
            }
            for name in LISTS
        ],
    }
