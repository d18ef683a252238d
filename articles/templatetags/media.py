"""`{% article_body article %}`: the body with its library figures and embeds rendered
(articles/body.py), the pictures of all its figures read in one query."""

from django import template

from articles.body import render_body

register = template.Library()


@register.simple_tag
def article_body(article):
    return render_body(article.body)
