"""A reader's journey through the demo site (home, section, article, related article,
tag, search, result, English edition), clicking as a person does, on a phone and on
a desktop. Every page on the way passes the audit (lang/dir, no horizontal scroll, skip
link first and working, no serious or critical axe finding)."""

import re
from urllib.parse import unquote

from django.utils.translation import override
from playwright.sync_api import expect

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


WIDGET_FACTS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const main = document.querySelector('main');
  const aside = document.querySelector('aside.sidebar');
  return {
    main: box(main), aside: box(aside),
    headerSocial: document.querySelectorAll('header.site-header nav.social-links a').length,
    footerSocial: document.querySelectorAll('footer.site-footer .social-links a').length,
    headerAd: document.querySelectorAll('header.site-header .ad-slot-header').length,
    sidebarAds: [...aside.querySelectorAll('.ad-slot')].map((el) => el.className),
  };
}"""


def assert_widgets_in_place(page, width):
    """Ads in the header and the sidebar, social links in the header and footer; the
    sidebar beside <main> on the reading side's far end on a desktop, below it on a phone."""
    facts = page.evaluate(WIDGET_FACTS)
    assert facts["headerSocial"] >= 4, "social links missing from the header"
    assert facts["footerSocial"] >= 4, "social links missing from the footer"
    assert facts["headerAd"] == 1, "the header ad slot is missing"
    assert any("ad-slot-sidebar-1" in c for c in facts["sidebarAds"]), facts["sidebarAds"]
    assert any("ad-slot-sidebar-2" in c for c in facts["sidebarAds"]), facts["sidebarAds"]
    main, aside = facts["main"], facts["aside"]
    rtl = checks.page_facts(page)["dir"] == "rtl"
    if width == "desktop":
        # Side by side: in Arabic the sidebar is on the left of the text, in English on the right.
        if rtl:
            assert aside["right"] <= main["left"], (aside, main)
        else:
            assert aside["left"] >= main["right"], (aside, main)
    else:
        assert aside["top"] >= main["bottom"], (aside, main)
    # On a phone the header keeps its height for the first headline: its social links are
    # in the footer only.
    header_links = ["header.site-header nav.social-links a"] if width == "desktop" else []
    for selector in (
        *header_links,
        "footer.site-footer .social-links a",
        "header.site-header .ad-slot-header img",
        "aside.sidebar .ad-slot-sidebar-1 a img",
    ):
        element = page.locator(selector).first
        element.scroll_into_view_if_needed()
        assert element.is_visible(), f"{selector} is not visible"
    for image in page.locator(".ad-slot img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth > 0"), "an ad picture did not load"
    names = page.locator("footer.site-footer .social-links a").all_inner_texts()
    assert all(name.strip() for name in names), "a social link has no accessible text"
    page.evaluate("() => window.scrollTo(0, 0)")


def heading(page):
    return page.locator("main h1").first.inner_text().strip()


def test_reader_journey(reader, width):
    article = journey_article()
    assert article is not None, "the demo content has no article to follow"
    section = article.section
    page = reader.new_page()

    # Home, in Arabic.
    page.goto(reader.url("/"))
    checks.audit_page(page, language="ar")
    assert page.locator("main .teaser").count() > 3
    assert_widgets_in_place(page, width)

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
    assert_widgets_in_place(page, width)
    # Share links under the article, each carrying this article's address.
    share = page.locator("main article section.share a.share-link")
    assert share.count() >= 3
    share.first.scroll_into_view_if_needed()
    expect(share.first).to_be_visible()
    hrefs = share.evaluate_all("links => links.map(a => a.href)")
    assert all(f"/{article.pk}/" in unquote(href) for href in hrefs), hrefs

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

    # Tag page -> search, from the box in the header, for two words of the article's
    # headline -> the article among the results.
    words = sorted(article.title_ar.split(), key=len, reverse=True)[:2]
    query = " ".join(words)
    search_box = page.locator("header.site-header form[role=search] input[name=q]")
    search_box.fill(query)
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?"))
    assert page.locator("main input[name=q]").input_value() == query
    result = page.locator("main .search-results .teaser-title a", has_text=article.title_ar)
    expect(result).to_have_count(1)
    checks.audit_page(page, language="ar")
    result.click()
    page.wait_for_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    assert heading(page) == article.title_ar

    # The article -> the same article in English, through the language switcher.
    page.goto(reader.url(article.get_absolute_url()))
    page.locator('nav.language-switcher a[hreflang="en"]').click()
    with override("en"):
        english_url = article.get_absolute_url()
    page.wait_for_url(re.compile(re.escape(english_url) + "$"))
    assert heading(page) == article.title_en
    checks.audit_page(page, language="en")
    assert_widgets_in_place(page, width)

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
