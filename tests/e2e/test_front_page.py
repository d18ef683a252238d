"""Issue 17 in the browser, at 375 px and 1280 px: the first headline on the phone's first
screen, each story once on the home page, most read made of counted visits, the site's
own font; the new pages pass the audit and the HTML checker."""

import re

from django.utils import timezone
from django.utils.translation import override

from articles import readership
from articles.models import Article, DailyReads
from tests.caches import clear_cache
from tests.e2e import checks


def new_page(reader):
    """A page that gives the first views time: they make the demo's renditions (lead,
    teasers, columnists' photos), seconds on a busy machine."""
    page = reader.new_page()
    page.set_default_navigation_timeout(60_000)
    return page


FONT_FACTS = """async () => {
  await document.fonts.ready;
  return {
    kufi: document.fonts.check('700 1em "Noto Kufi Arabic"'),
    naskh: document.fonts.check('400 1em "Noto Naskh Arabic"'),
    loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family),
    fontUrls: performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('.woff2')).map((e) => e.name),
  };
}"""


def test_home_first_headline_no_repeats_own_font(reader):
    page = new_page(reader)
    page.goto(reader.url("/"))
    checks.audit_page(page, language="ar")
    headline = page.locator("main .teaser-title").first.bounding_box()
    if page.viewport_size["width"] == 375:
        assert headline["y"] + headline["height"] <= 667, headline
    links = page.eval_on_selector_all(
        "main .teaser-title a, .opinion-block .teaser-title a", "els => els.map(e => e.href)"
    )
    assert links and len(links) == len(set(links)), links
    fonts = page.evaluate(FONT_FACTS)
    assert fonts["kufi"] and fonts["naskh"], fonts
    assert fonts["fontUrls"] and all(
        url.startswith(reader.base_url + "/static/") for url in fonts["fontUrls"]
    ), fonts
    reader.assert_clean()


def test_most_read_lists_counted_visits(reader):
    clear_cache()
    popular, other = Article.objects.public().public("en").order_by("-published_at")[3:5]
    for _ in range(3):  # three readers
        page = new_page(reader)
        page.goto(reader.url(popular.get_absolute_url()))
        page.wait_for_load_state("networkidle")
        page.reload()  # within a minute: not a new read
        page.wait_for_load_state("networkidle")
        page.close()
    page = new_page(reader)
    page.goto(reader.url(other.get_absolute_url()))
    page.wait_for_load_state("networkidle")
    # Reads after each article's first are written by the next write: do it now.
    readership.save_counted(article_id=popular.pk, day=timezone.localdate())
    reads = dict(DailyReads.objects.values_list("article", "reads"))
    assert reads == {popular.pk: 3, other.pk: 1}
    clear_cache()  # the most read lists are kept a few minutes
    for path in ("/", "/en/most-read/"):
        page.goto(reader.url(path))
        checks.audit_page(page, language="en" if path.startswith("/en/") else "ar")
        ranked = page.eval_on_selector_all(
            ".teaser-list--ranked .teaser-title a", "els => els.map(e => e.href)"
        )
        assert re.search(rf"/{popular.pk}/", ranked[0]) and re.search(rf"/{other.pk}/", ranked[1])
    reader.assert_clean()


def test_relative_times_in_arabic(reader):
    page = new_page(reader)
    page.goto(reader.url("/"))
    said = page.evaluate(
        "[0, 1, 2, 3, 11, 60, 120, 180, 660].map((m) => window.newsroomRelativeTime(m, 'ar'))"
    )
    assert said == [
        "الآن", "منذ دقيقة", "منذ دقيقتين", "منذ 3 دقائق", "منذ 11 دقيقة",
        "منذ ساعة", "منذ ساعتين", "منذ 3 ساعات", "منذ 11 ساعة",
    ]  # fmt: skip
    exact = page.locator("main time[datetime]").first
    assert exact.get_attribute("title")


def changed_pages():
    """The pages this work changed, in both editions."""
    article = Article.objects.public().public("en").filter(author__isnull=False).first()
    pages = []
    for language, prefix in (("ar", ""), ("en", "/en")):
        with override(language):
            pages += [
                (language, f"{prefix}/"),
                (language, f"{prefix}/most-read/"),
                (language, f"{prefix}/pages/about/"),
                (language, "/opinions/" if language == "ar" else "/en/opinions/"),
                (language, article.get_absolute_url()),
                (language, article.author.get_absolute_url()),
            ]
    return pages


def test_changed_pages_pass_the_audit(reader):
    page = new_page(reader)
    failures = []
    for language, path in changed_pages():
        page.goto(reader.url(path))
        try:
            checks.audit_page(page, language=language)
        except AssertionError as error:
            failures.append(f"{path}: {error}")
    assert not failures, "\n".join(failures)
    reader.assert_clean()


def test_changed_pages_are_valid_html(site, session_factory, html_checker):
    request = session_factory(site.url).context.request
    documents = {}
    for _language, path in changed_pages():
        response = request.get(site.url + path)
        assert response.status == 200, path
        documents[path] = response.text()
    checks.assert_valid_html(documents)
