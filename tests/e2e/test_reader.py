"""A reader's journey through the demo site, clicking as a person does, on a phone and on
a desktop. Every page on the way passes the audit (lang/dir, no horizontal scroll, skip
link first and working, no serious or critical axe finding)."""

import re

from django.utils.translation import override

from articles.models import Article, Section
from tests.e2e import checks


def journey_article():
    """A public article in both editions, with tags and related reading, in a navigable
    section: the one the reader follows."""
    return (
        Article.objects.public()
        .public("en")
        .filter(section__in_navigation=True, tags__isnull=False, related__isnull=False)
        .filter(related__status=Article.Status.PUBLISHED)
        .distinct()
        .order_by("-published_at")
        .first()
    )


def heading(page):
    return page.locator("main h1").first.inner_text().strip()


def test_reader_journey(reader):
    article = journey_article()
    assert article is not None, "the demo content has no article to follow"
    section = article.section
    page = reader.new_page()

    # Home, in Arabic.
    page.goto(reader.url("/"))
    checks.audit_page(page, language="ar")
    assert page.locator("main .teaser").count() > 3

    # Home -> section, through the section navigation.
    page.locator("nav.section-nav").get_by_role("link", name=section.name_ar, exact=True).click()
    page.wait_for_url(re.compile(re.escape(section.get_absolute_url()) + "$"))
    assert section.name_ar in heading(page)
    current = page.locator('nav.section-nav a[aria-current="page"]')
    assert current.inner_text().strip() == section.name_ar
    checks.audit_page(page, language="ar")

    # Section -> article, through its teaser (the section lists up to 20 articles).
    page.locator("main .teaser-title a", has_text=article.title_ar).click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    assert heading(page) == article.title_ar
    checks.audit_page(page, language="ar")

    # Article -> related article, through the "read more" block.
    related_link = page.locator("section.related-news .teaser-title a").first
    related_title = related_link.inner_text().strip()
    related_link.click()
    page.wait_for_url(lambda url: article.get_absolute_url() not in url)
    assert heading(page) == related_title
    related = Article.objects.public().get(title_ar=related_title)
    checks.audit_page(page, language="ar")

    # Related article -> one of its tags.
    tag = related.tags.order_by("name_ar").first() or article.tags.order_by("name_ar").first()
    if not related.tags.exists():
        page.goto(reader.url(article.get_absolute_url()))
    page.locator("nav.article-tags").get_by_role("link", name=tag.name_ar, exact=True).click()
    page.wait_for_url(re.compile(re.escape(tag.get_absolute_url()) + "$"))
    assert tag.name_ar in heading(page)
    assert page.locator("main .teaser").count() == tag.articles.public().count()
    checks.audit_page(page, language="ar")

    # The article -> the same article in English, through the language switcher.
    page.goto(reader.url(article.get_absolute_url()))
    page.locator('nav.language-switcher a[hreflang="en"]').click()
    with override("en"):
        english_url = article.get_absolute_url()
    page.wait_for_url(re.compile(re.escape(english_url) + "$"))
    assert heading(page) == article.title_en
    checks.audit_page(page, language="en")

    # ...and back to Arabic.
    page.locator('nav.language-switcher a[hreflang="ar"]').click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    assert heading(page) == article.title_ar

    reader.assert_clean()


def test_english_edition_lists_only_translated_articles(reader):
    page = reader.new_page()
    page.goto(reader.url("/en/"))
    checks.audit_page(page, language="en")
    titles = {t.strip() for t in page.locator("main .teaser-title a").all_inner_texts()}
    assert titles
    english = set(Article.objects.public("en").values_list("title_en", flat=True))
    assert titles <= english
    section = Section.objects.filter(in_navigation=True).order_by("order").first()
    page.locator("nav.section-nav").get_by_role("link", name=section.name_en, exact=True).click()
    with override("en"):
        page.wait_for_url(re.compile(re.escape(section.get_absolute_url()) + "$"))
    checks.audit_page(page, language="en")
    reader.assert_clean()
