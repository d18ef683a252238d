"""Pages are put together from cached pieces (teasers, widgets, an article's content):
each piece changes exactly when what it shows does, and no sooner."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Source, Tag
from articles.services import publish_articles
from articles.teasers import TeaserForm, render_teasers
from tests.caches import clear_cache

PLAIN = TeaserForm()


def refs(*articles):
    return list(Article.objects.filter(pk__in=[a.pk for a in articles]).only("pk", "updated_at"))


def render(articles, form=PLAIN):
    with CaptureQueriesContext(connection) as queries:
        html = render_teasers([(article, form) for article in articles])
    return html, len(queries)


def test_teasers_are_made_once_and_found_in_one_lookup(make_article):
    articles = [make_article(title_ar=f"خبر {n}") for n in range(5)]
    refs = list(Article.objects.order_by("pk").only("pk", "updated_at"))
    first, queries = render(refs)
    assert queries == 1  # the rows of all five, at once
    assert [f"خبر {n}" in html for n, html in enumerate(first)] == [True] * 5
    again, queries = render(refs)
    assert (again, queries) == (first, 0)
    assert render(articles)[0] == first  # the same pieces, whatever the list holds


def test_an_edit_remakes_only_that_teaser_and_a_publish_none(make_article):
    one, two = make_article(title_ar="الأول"), make_article(title_ar="الثاني")
    render([one, two])
    one.title_ar = "الأول بعد التصحيح"
    one.save()
    make_article(title_ar="خبر جديد")  # another article changes the lists, not these teasers
    html, queries = render(refs(one, two))
    assert queries == 1  # the edited article's row only
    assert "الأول بعد التصحيح" in html[0] or "الأول بعد التصحيح" in html[1]
    publish_articles(Article.objects.filter(pk=one.pk))  # already public: no change
    assert render([one, two])[1] == 0


def test_forms_and_languages_are_kept_apart(make_article):
    article = make_article(title_ar="خبر", title_en="Story", body_en="<p>Text.</p>")
    plain, _ = render([article])
    lead, _ = render([article], TeaserForm(lead=True, show_section=True))
    assert plain != lead and "teaser--lead" in lead[0] and "teaser--lead" not in plain[0]
    from django.utils import translation

    with translation.override("en"):
        english, _ = render([article])
    assert "Story" in english[0] and "/en/" in english[0]


def test_a_renamed_section_remakes_every_teaser(make_article, news):
    article = make_article()
    render(refs(article), TeaserForm(show_section=True))
    news.name_ar = "الأخبار المحلية"
    news.save()
    html, queries = render(refs(article), TeaserForm(show_section=True))
    assert queries == 1 and "الأخبار المحلية" in html[0]


def test_a_deleted_article_has_an_empty_teaser(make_article):
    article = make_article()
    ref = Article.objects.only("pk", "updated_at").get(pk=article.pk)
    article.delete()
    assert render([ref])[0] == [""]


def test_changing_tags_from_either_side_touches_the_article(make_article, tag):
    article = make_article()
    before = article.updated_at
    article.tags.add(tag)
    assert article.updated_at > before  # the instance too: imports compare it
    assert Article.objects.get(pk=article.pk).updated_at == article.updated_at
    other = Tag.objects.create(slug="other", name_ar="آخر")
    stamp = Article.objects.get(pk=article.pk).updated_at
    other.articles.add(article)
    assert Article.objects.get(pk=article.pk).updated_at > stamp
    stamp = Article.objects.get(pk=article.pk).updated_at
    other.articles.clear()
    assert Article.objects.get(pk=article.pk).updated_at > stamp


def test_the_article_page_shows_new_tags_and_a_renamed_source(client, make_article, source, tag):
    article = make_article(source=source)
    client.get(article.get_absolute_url())
    article.tags.add(tag)
    page = client.get(article.get_absolute_url()).content.decode()
    assert tag.get_absolute_url() in page
    source.name = "وكالة الأنباء العراقية"
    source.save()
    assert "وكالة الأنباء العراقية" in client.get(article.get_absolute_url()).content.decode()


def test_an_article_page_from_its_pieces_costs_one_query(client, make_article, tag, source):
    article = make_article(tags=[tag], source=source)
    first = client.get(article.get_absolute_url()).content
    with CaptureQueriesContext(connection) as queries:
        again = client.get(article.get_absolute_url()).content
    assert len(queries) == 1 and again == first
    clear_cache()
    assert client.get(article.get_absolute_url()).content == first


def test_list_pages_follow_publications(client, make_article, news):
    old = make_article(title_ar="خبر قديم")
    assert "خبر قديم" in client.get(news.get_absolute_url()).content.decode()
    new = make_article(title_ar="خبر اليوم", status=Article.Status.DRAFT)
    assert "خبر اليوم" not in client.get(news.get_absolute_url()).content.decode()
    publish_articles(Article.objects.filter(pk=new.pk))
    page = client.get(news.get_absolute_url()).content.decode()
    assert page.index("خبر اليوم") < page.index("خبر قديم")
    old.delete()
    assert "خبر قديم" not in client.get(news.get_absolute_url()).content.decode()


def test_a_source_newer_than_the_cached_labels_is_read_by_its_article(client, make_article):
    client.get(make_article().get_absolute_url())  # the labels are cached
    newer = Source.objects.create(name="وكالة الأنباء الجديدة")  # a new one changes no label
    article = make_article(source=newer)
    assert "وكالة الأنباء الجديدة" in client.get(article.get_absolute_url()).content.decode()


def test_an_edited_article_is_rendered_again_within_the_budget(
    client, make_article, tag, source, django_capture_on_commit_callbacks
):
    article = make_article(tags=[tag], source=source)
    for other in range(3):
        make_article(tags=[tag], title_ar=f"خبر آخر {other}")
    client.get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        article.title_ar = "العنوان بعد التحرير"
        article.save()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(article.get_absolute_url()).content.decode()
    assert "العنوان بعد التحرير" in page
    # the article, its tags, related picks and the newest of its section, the ticker (no
    # breaking news: the latest headlines)
    assert len(queries) == 6
