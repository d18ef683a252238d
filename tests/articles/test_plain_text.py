"""One `plain_text` for the desk, the search index and the importers."""

from articles import desk
from articles.html import plain_text
from articles.importers import base
from articles.search import index

MARKUP = "<h2>العنوان</h2><p>فقرة <b>أولى</b> &amp; نص<br>سطر</p><ul><li>بند</li></ul>"


def test_one_definition_is_used_everywhere():
    assert base.plain_text is index.plain_text is desk.plain_text is plain_text


def test_text_of_markup_in_one_line_or_one_line_per_paragraph():
    assert plain_text(MARKUP) == "العنوان فقرة أولى & نص سطر بند"
    assert plain_text(MARKUP, lines=True) == "العنوان\nفقرة أولى & نص\nسطر\nبند"
    assert plain_text(None) == plain_text("") == ""
