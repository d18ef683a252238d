"""Every public page type, in both editions, held to the same bar at 375 px and 1280 px:
`lang`/`dir` right, no horizontal scrolling, the skip link first and working, no serious
or critical WCAG 2.1 A/AA finding, nothing fetched from another host, and valid HTML.
"""

from urllib.parse import quote

from django.utils.translation import override

from articles.models import Article, Author, Section, Tag
from tests.e2e import checks


def public_pages():
    """(name, language, path, expected status) for each page type, in both editions."""
    article = (
        Article.objects.public()
        .public("en")
        .filter(tags__isnull=False, author__isnull=False, source__isnull=False)
        .exclude(main_image=None)
        .order_by("-published_at")
        .first()
    )
    assert article is not None, "the demo content has no fully translated article"
    tag = article.tags.order_by("pk").first()

    def query(language):  # a word of the headline, which finds at least this article
        return quote(max(getattr(article, f"title_{language}").split(), key=len))

    pages = []
    for language, prefix in (("ar", ""), ("en", "/en")):
        with override(language):
            pages += [
                (f"home/{language}", language, f"{prefix}/", 200),
                (f"section/{language}", language, article.section.get_absolute_url(), 200),
                (f"article/{language}", language, article.get_absolute_url(), 200),
                (f"tag/{language}", language, tag.get_absolute_url(), 200),
                (f"author/{language}", language, article.author.get_absolute_url(), 200),
                (f"search/{language}", language, f"{prefix}/search/?q={query(language)}", 200),
                (f"search-empty/{language}", language, f"{prefix}/search/?q=zzzzqqq", 200),
                (f"404/{language}", language, f"{prefix}/no-such-page/", 404),
            ]
    return pages


def test_page_list_covers_every_public_page_type(site):
    names = {name.split("/")[0] for name, *_ in public_pages()}
    assert names == {"home", "section", "article", "tag", "author", "search", "search-empty", "404"}
    assert Section.objects.exists() and Tag.objects.exists() and Author.objects.exists()


def test_public_pages_pass_the_browser_checks(reader):
    page = reader.new_page()
    failures = []
    for name, language, path, status in public_pages():
        response = page.goto(reader.url(path))
        if response.status != status:
            failures.append(f"{name}: {path} answered {response.status}, expected {status}")
            continue
        try:
            checks.audit_page(page, language=language)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, "\n".join(failures)
    reader.assert_clean()


def test_public_pages_are_valid_html(site, session_factory, html_checker):
    request = session_factory(site.url).context.request
    documents = {}
    for name, _language, path, status in public_pages():
        response = request.get(site.url + path)
        assert response.status == status, f"{name}: {path} answered {response.status}"
        assert response.headers["content-type"].startswith("text/html")
        documents[f"{name} {path}"] = response.text()
    checks.assert_valid_html(documents)
