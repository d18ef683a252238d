"""A tag, author or section is public only through a published article: a writer's new tag
puts nothing online until an editor publishes a story that uses it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Author, Section, Tag
from articles.roles import WRITERS

FAKE = "FAKE: editor-in-chief resigns"


@pytest.fixture
def writer_client(client, django_user_model):
    from django.contrib.auth.models import Group

    writer = django_user_model.objects.create_user("writer", is_staff=True)
    writer.groups.add(Group.objects.get(name=WRITERS))
    client.force_login(writer)
    return client


def test_a_writers_new_tag_is_not_online(writer_client, client, db, django_user_model):
    added = writer_client.post(
        "/admin/articles/tag/add/",
        {"name_ar": "مزيف", "name_en": FAKE, "slug": "fake-resigns"},
    )
    # Writers may still tag their drafts (see articles/roles.py): the tag is stored...
    assert added.status_code == 302
    assert Tag.objects.filter(slug="fake-resigns").exists()
    writer_client.logout()
    # ...but readers see nothing of it.
    for url in (
        "/en/tag/fake-resigns/",
        "/tag/fake-resigns/",
        "/en/tag/fake-resigns/feed/",
        "/en/tag/fake-resigns/feed/atom/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert FAKE not in response.content.decode()
    assert "fake-resigns" not in client.get("/sitemap-tags.xml").content.decode()


@pytest.mark.parametrize(
    "unpublished",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},  # scheduled
    ],
)
def test_tag_author_and_section_with_only_unpublished_articles_are_404(
    client, make_article, unpublished
):
    tag = Tag.objects.create(slug="quiet", name_ar="هادئ", name_en="Quiet")
    author = Author.objects.create(slug="nobody", name_ar="لا أحد", name_en="Nobody")
    section = Section.objects.create(slug="empty", name_ar="فارغ", name_en="Empty")
    make_article(tags=[tag], author=author, section=section, **unpublished)
    for url in ("/tag/quiet/", "/author/nobody/", "/empty/", "/tag/quiet/feed/", "/empty/feed/"):
        assert client.get(url).status_code == 404, url
    assert Tag.objects.public().count() == 0
    assert Author.objects.public().count() == 0
    assert not Section.objects.public().filter(slug="empty").exists()


def test_a_tag_without_an_english_article_is_404_in_english(client, make_article, tag, author):
    make_article(tags=[tag], author=author)  # Arabic only
    assert client.get(tag.get_absolute_url()).status_code == 200
    assert client.get(author.get_absolute_url()).status_code == 200
    assert client.get("/en/tag/basra/").status_code == 404
    assert client.get("/en/author/layla/").status_code == 404
    assert client.get("/en/tag/basra/feed/").status_code == 404
    assert list(Tag.objects.public("ar")) == [tag]
    assert list(Tag.objects.public("en")) == []


def test_unpublishing_the_last_article_takes_the_tag_page_down(client, make_article, tag):
    article = make_article(tags=[tag])
    assert client.get(tag.get_absolute_url()).status_code == 200
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(tag.get_absolute_url()).status_code == 404
    assert client.get(tag.get_absolute_url() + "feed/").status_code == 404


def test_only_authors_of_public_articles_are_public(make_article, author):
    Author.objects.create(slug="silent", name_ar="صامت", name_en="Silent")
    make_article(author=author)
    assert list(Author.objects.public()) == [author]
