"""Issue 17: the reader's front page: each story once, the sidebar's most read and
opinions, the footer, the site's pages; reads counted without knowing the reader."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles import readership, services
from articles.models import Article, Author, DailyReads, Page, Section
from tests.caches import clear_cache

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def article_links(html):
    """The article addresses of every teaser headline of <main>, in order."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r'class="teaser-title"><a href="([^"]+)"', main)


def test_home_shows_each_story_once(client, make_article, news, opinions):
    make_article(is_featured=True)
    for hours in range(1, 15):
        make_article(published_at=timezone.now() - timedelta(minutes=hours))
    for _ in range(3):
        make_article(section=opinions)
    links = article_links(client.get("/").content.decode())
    assert len(links) == len(set(links)), links
    # 1 lead + 6 latest + 4 more news + 3 opinions: the section blocks are still full.
    assert len(links) == 14


def test_front_page_skips_shown_stories_in_the_same_queries(
    make_article, news, opinions, django_assert_num_queries
):
    for _ in range(12):
        make_article()
    with django_assert_num_queries(3):  # newest, the featured lead, the section blocks
        page = Article.objects.public().front_page([news, opinions], latest=6, per_section=4)
    shown = [page["lead"], *page["latest"]]
    news_block = dict(page["section_blocks"])[news]
    assert len(news_block) == 4
    assert not {ref.pk for ref in shown} & {ref.pk for ref in news_block}


def test_opinions_go_to_the_sidebar_with_the_columnist(client, make_article, opinions, author):
    opinions.is_opinion = True
    opinions.save()
    for _ in range(8):
        make_article(published_at=timezone.now() - timedelta(minutes=1))
    column = make_article(section=opinions, author=author, title_ar="عمود عن المياه")
    html = client.get("/").content.decode()
    sidebar = html.split('<aside class="sidebar"', 1)[1].split("</aside>", 1)[0]
    assert 'class="opinion-block"' in sidebar and column.get_absolute_url() in sidebar
    assert "ليلى حسن" in sidebar
    assert column.get_absolute_url() not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_footer_lists_sections_pages_feeds_and_most_read(client, make_article, news):
    Page.objects.create(slug="about", title_ar="من نحن", body_ar="<p>موقع إخباري.</p>")
    Page.objects.create(slug="draft", title_ar="صفحة", body_ar="<p>x</p>", in_footer=False)
    make_article()
    footer = client.get("/").content.decode().split('<footer class="site-footer">', 1)[1]
    assert f'href="{news.get_absolute_url()}"' in footer
    assert 'href="/pages/about/"' in footer and "من نحن" in footer
    assert 'href="/pages/draft/"' not in footer
    assert 'href="/feed/"' in footer and 'href="/most-read/"' in footer


def test_site_page_is_sanitised_and_only_in_its_languages(client, db):
    Page.objects.create(
        slug="contact", title_ar="اتصل بنا", body_ar='<p onclick="x()">البريد</p><script>1</script>'
    )
    response = client.get("/pages/contact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "اتصل بنا" in html and "onclick" not in html and "<script>1" not in html
    assert client.get("/en/pages/contact/").status_code == 404


@pytest.fixture
def counting(db):
    clear_cache()
    yield
    clear_cache()


def test_beacon_counts_a_read_into_daily_rows(client, make_article, counting):
    article = make_article()
    response = client.post(f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 204
    row = DailyReads.objects.get(article=article)
    assert row.day == timezone.localdate() and row.reads == 1
    # Within the minute the counts stay in the cache; the next write takes them all.
    client.post(f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER)
    client.post(f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER)
    assert DailyReads.objects.get(article=article).reads == 1
    assert readership.save_counted(article_id=article.pk, day=timezone.localdate()) == 2
    assert DailyReads.objects.get(article=article).reads == 3


def test_beacon_ignores_bots_made_up_ids_drafts_and_get(client, make_article, counting):
    draft = make_article(status=Article.Status.DRAFT)
    article = make_article()
    assert client.post(f"/read/{article.pk}/", HTTP_USER_AGENT="Googlebot/2.1").status_code == 204
    assert client.post(f"/read/{article.pk}/").status_code == 204  # no user agent
    assert client.post("/read/999999/", HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.post(f"/read/{draft.pk}/", HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.get(f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER).status_code == 405
    assert not DailyReads.objects.exists()


def test_beacon_from_another_site_is_forbidden(client, make_article, counting):
    article = make_article()
    response = client.post(
        f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not DailyReads.objects.exists()


def test_beacon_keeps_no_cookie_and_answers_when_the_cache_is_down(client, make_article, counting):
    article = make_article()
    with mock.patch.object(readership.cache, "incr", side_effect=ConnectionError("down")):
        response = client.post(f"/read/{article.pk}/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 204
    assert not response.cookies
    assert not DailyReads.objects.exists()


def test_most_read_lists_on_home_section_article_and_page(client, make_article, news, counting):
    popular, quiet, old_favourite = make_article(), make_article(), make_article()
    today = timezone.localdate()
    DailyReads.objects.create(article=popular, day=today, reads=50)
    DailyReads.objects.create(article=quiet, day=today, reads=2)
    DailyReads.objects.create(article=old_favourite, day=today - timedelta(days=5), reads=500)
    most = readership.most_read(5)
    assert [ref.pk for ref in most["day"]] == [popular.pk, quiet.pk]
    assert [ref.pk for ref in most["week"]] == [old_favourite.pk, popular.pk, quiet.pk]
    for url in ("/", news.get_absolute_url(), quiet.get_absolute_url(), "/most-read/"):
        html = client.get(url).content.decode()
        assert 'class="teaser-list teaser-list--ranked"' in html, url
        ranked = html.split("teaser-list--ranked", 1)[1].split("</ol>", 1)[0]
        assert popular.get_absolute_url() in ranked, url
    assert client.get("/en/most-read/").status_code == 200


def test_most_read_of_24_hours_weighs_yesterday_by_its_hours_in_the_window(make_article):
    yesterday_hit, today_hit = make_article(), make_article()
    DailyReads.objects.create(
        article=yesterday_hit, day=timezone.localdate() - timedelta(days=1), reads=10_000
    )
    DailyReads.objects.create(article=today_hit, day=timezone.localdate(), reads=1)
    refs = DailyReads.objects.most_read(hours=24, count=5)
    now = timezone.localtime()
    share_of_yesterday = 1 - (now.hour * 60 + now.minute) / (24 * 60)
    expected = [yesterday_hit.pk, today_hit.pk] if share_of_yesterday > 0.001 else [today_hit.pk]
    assert [ref.pk for ref in refs] == expected


def test_editors_see_reads_in_the_article_list_and_form(admin_client, make_article):
    article = make_article()
    DailyReads.objects.create(article=article, day=timezone.localdate(), reads=7)
    DailyReads.objects.create(
        article=article, day=timezone.localdate() - timedelta(days=30), reads=3
    )
    listing = admin_client.get("/admin/articles/article/").content.decode()
    assert "field-reads_week" in listing and ">7</td>" in listing
    form = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "7" in form and "10" in form.split("field-reads", 1)[1][:400]


def test_article_page_carries_its_beacon_and_times_carry_the_exact_time(client, make_article):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'data-read-url="/read/{article.pk}/"' in html
    assert "articles/reader.js" in html
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">', html)


def test_author_page_shows_photo_bio_links_and_chosen_role(
    client, make_article, author, jpeg_upload
):
    from articles.models import AuthorRole

    author.photo = jpeg_upload
    author.bio_ar = "صحفية تغطي شؤون البصرة."
    author.role_form = AuthorRole.FEMININE
    author.x_url = "https://x.example/layla"
    author.save()
    make_article(author=author)
    html = client.get(author.get_absolute_url()).content.decode()
    assert re.search(r'<img class="avatar" src="[^"]+/authors/[^"]+" width="96"', html)
    assert "صحفية تغطي شؤون البصرة." in html and 'href="https://x.example/layla"' in html
    assert '<span class="kicker">الكاتبة</span>' in html
    author.role_form = AuthorRole.NEUTRAL
    author.save()
    assert (
        '<span class="kicker">بقلم</span>' in client.get(author.get_absolute_url()).content.decode()
    )


def test_teasers_show_an_updated_time_only_for_corrected_stories(client, make_article):
    fresh = make_article(published_at=timezone.now() - timedelta(minutes=5))
    changed = make_article(published_at=timezone.now() - timedelta(hours=30))
    Article.objects.filter(pk=changed.pk).update(corrected_at=timezone.now() - timedelta(hours=1))
    html = client.get("/").content.decode()

    def teaser(article):
        title = f'class="teaser-title"><a href="{article.get_absolute_url()}"'
        return html.split(title, 1)[1].split("</article>", 1)[0]

    assert 'class="updated"' in teaser(changed) and "محدَّث" in teaser(changed)
    assert 'class="updated"' not in teaser(fresh)


# Taken off the site, gone from most read at once; the lists' and labels' few queries.

WITHDRAWALS = {
    "unpublish": lambda story: services.unpublish_article(article=story),
    "reschedule": lambda story: reschedule(story).save(),
    "delete": lambda story: story.delete(),
}


def reschedule(story):
    story.published_at = timezone.now() + timedelta(days=1)
    return story


def ranked_links(html):
    if "teaser-list--ranked" not in html:
        return ""
    return "".join(part.split("</ol>", 1)[0] for part in html.split("teaser-list--ranked")[1:])


@pytest.mark.parametrize("withdrawal", [*WITHDRAWALS, "out-of-an-edition"])
def test_a_story_taken_off_the_site_leaves_most_read_at_once(
    client, make_article, news, counting, withdrawal
):
    english = {"title_en": "Water", "body_en": "<p>Water.</p>"}
    stays, goes = make_article(**english), make_article(**english)
    today = timezone.localdate()
    DailyReads.objects.create(article=stays, day=today, reads=5)
    DailyReads.objects.create(article=goes, day=today, reads=50)
    prefix = "/en" if withdrawal == "out-of-an-edition" else ""
    urls = [f"{prefix}/", f"{prefix}/most-read/", f"{prefix}{news.get_absolute_url()}"]
    with translation.override("en" if prefix else "ar"):
        urls.append(stays.get_absolute_url())
        gone_url = goes.get_absolute_url()
    for url in urls:
        assert gone_url in ranked_links(client.get(url).content.decode()), url
    story = Article.objects.get(pk=goes.pk)  # as the desk reads it
    if withdrawal == "out-of-an-edition":
        story.title_en = story.body_en = ""
        story.save()
    else:
        WITHDRAWALS[withdrawal](story)
    for url in urls:
        ranked = ranked_links(client.get(url).content.decode())
        assert gone_url not in ranked and f"/{stays.pk}/" in ranked, url


def test_a_publish_or_an_edit_keeps_the_most_read_lists(make_article, counting):
    read = make_article()
    DailyReads.objects.create(article=read, day=timezone.localdate(), reads=5)
    readership.most_read(5)
    make_article(published_at=timezone.now())  # a publish
    story = Article.objects.get(pk=read.pk)
    story.title_ar = "عنوان مصحح"  # a correction: still public
    story.save()
    with CaptureQueriesContext(connection) as captured:
        readership.most_read(5)
    assert not captured


def test_most_read_of_both_windows_in_one_query(make_article, django_assert_num_queries):
    today = timezone.localdate()
    old_hit, first, second, third = (make_article() for _ in range(4))
    DailyReads.objects.create(article=old_hit, day=today - timedelta(days=5), reads=900)
    for article, reads in ((first, 30), (second, 20), (third, 20)):
        DailyReads.objects.create(article=article, day=today, reads=reads)
    draft = make_article(status=Article.Status.DRAFT)
    DailyReads.objects.create(article=draft, day=today, reads=1000)
    with django_assert_num_queries(1):
        lists = DailyReads.objects.most_read_in({"day": 24, "week": 7 * 24}, count=2)
    # Each list has its own `count`; equal reads: the newer story first.
    assert [ref.pk for ref in lists["day"]] == [first.pk, max(second.pk, third.pk)]
    assert [ref.pk for ref in lists["week"]] == [old_hit.pk, first.pk]
    assert lists["day"][0] == (first.pk, Article.objects.get(pk=first.pk).updated_at)


def test_labels_sections_sources_and_footer_pages_in_one_query(
    news, opinions, source, django_assert_num_queries
):
    opinions.is_opinion, opinions.in_navigation = True, False
    opinions.save()
    Page.objects.create(slug="about", title_ar="من نحن", title_en="About", body_ar="<p>x</p>")
    Page.objects.create(slug="hidden", title_ar="مخفية", body_ar="<p>x</p>", in_footer=False)
    with django_assert_num_queries(1):
        sections, sources, pages = Section.objects.with_sources_and_pages()
    with django_assert_num_queries(0):
        assert [(s.slug, s.in_navigation, s.is_opinion) for s in sections] == [
            ("news", True, False),
            ("opinions", False, True),
        ]
        assert (sources[0].pk, sources[0].name, sources[0].url) == (
            source.pk,
            source.name,
            source.url,
        )
        assert [(page.slug, page.title, page.in_footer) for page in pages] == [
            ("about", "من نحن", True)
        ]
        with translation.override("en"):
            assert sections[0].name == "News" and pages[0].title == "About"
            assert sources[0].name == "Basra Governorate Office"
    # Sections and sources whole (a field added to either must join the union too).
    assert not sections[0].get_deferred_fields() and not sources[0].get_deferred_fields()
    assert "body_ar" in pages[0].get_deferred_fields()


def test_a_new_site_page_is_in_the_footer_at_once(client, make_article):
    make_article()
    assert 'href="/pages/contact/"' not in client.get("/").content.decode()
    page = Page.objects.create(slug="contact", title_ar="اتصل بنا", body_ar="<p>x</p>")
    assert 'href="/pages/contact/"' in client.get("/").content.decode()
    page.delete()
    assert 'href="/pages/contact/"' not in client.get("/").content.decode()


def test_section_and_author_pages_from_the_labels(client, make_article, news, author):
    make_article(author=author)
    assert client.get(news.get_absolute_url()).status_code == 200
    assert client.get(author.get_absolute_url()).status_code == 200
    assert client.get("/no-such-section/").status_code == 404
    assert client.get("/author/nobody/").status_code == 404
    # A new author is not among the cached labels (a new author does not change them).
    newcomer = Author.objects.create(slug="sami", name_ar="سامي")
    make_article(author=newcomer)
    html = client.get(newcomer.get_absolute_url()).content.decode()
    assert "سامي" in html
