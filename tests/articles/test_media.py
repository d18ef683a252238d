"""The media library: pictures reused across stories, focal-point crops, inline figures
and embeds in the body, and the migration of the articles' own pictures."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from PIL import Image as Pillow

from articles.body import render_body
from articles.embeds import parse_embed
from articles.html import sanitize_html
from articles.models import Image
from articles.services import image_changed, image_create
from newsroom import images


def picture_file(size=(1600, 900), name="photo.jpg"):
    buffer = io.BytesIO()
    canvas = Pillow.new("RGB", size, (255, 255, 255))
    # A red square in the top right corner: where the focal point goes.
    canvas.paste((255, 0, 0), (size[0] - size[0] // 8, 0, size[0], size[1] // 4))
    canvas.save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name=name)


@pytest.fixture
def picture(db):
    return image_create(
        file=picture_file(),
        texts={"ar": {"alt": "جسر المرأة", "caption": "تعليق", "credit": "وكالة"}},
    )


# Embeds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "provider", "frame"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3", "youtube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
        ("https://vimeo.com/76979871", "vimeo", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://x.com/BBCArabic/status/1790000000000000000", "x",
         "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=1790000000000000000"),
        ("https://twitter.com/BBCArabic/status/17", "x",
         "https://platform.twitter.com/embed/Tweet.html?dnt=true&id=17"),
        ("https://t.me/alsumaria/12345", "telegram", "https://t.me/alsumaria/12345?embed=1"),
        ("https://www.facebook.com/BasraGov/posts/pfbid02ab", "facebook",
         "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2FBasraGov%2Fposts%2Fpfbid02ab"),
    ],
)  # fmt: skip
def test_known_providers_become_embeds(address, provider, frame):
    embed = parse_embed(address)
    assert embed.provider == provider and embed.frame_src == frame


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "https://www.youtube.com/embed/../../redirect?q=https://evil.example",
        "https://www.youtube.com/embed/%2e%2e/redirect",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://user@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/redirect?q=https://evil.example",
        "ftp://vimeo.com/1",
        "",
    ],
)
def test_other_addresses_are_refused_and_removed_by_the_sanitiser(address):
    assert parse_embed(address) is None
    assert sanitize_html(f'<p>x</p><figure data-embed="{address}"></figure>') == "<p>x</p>"


def test_the_sanitiser_keeps_the_canonical_address_only():
    stored = sanitize_html(
        '<figure data-embed="https://youtu.be/dQw4w9WgXcQ" onclick="x()"></figure>'
    )
    assert stored == '<figure data-embed="https://www.youtube.com/watch?v=dQw4w9WgXcQ"></figure>'


def test_readers_get_a_facade_with_a_working_link_and_feeds_a_plain_link():
    body = sanitize_html('<figure data-embed="https://x.com/a/status/1"></figure>')
    page = render_body(body)
    assert "<iframe" not in page  # nothing from the provider before a click
    assert 'href="https://x.com/a/status/1"' in page
    assert (
        'data-frame-src="https://platform.twitter.com/embed/Tweet.html?dnt=true&amp;id=1"' in page
    )
    feed = render_body(body, for_feed=True)
    assert feed.startswith('<p><a href="https://x.com/a/status/1">') and "data-frame" not in feed


def test_the_csp_allows_exactly_the_providers_frames(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    frame_src = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    assert frame_src.split()[1:] == [
        "'self'",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://platform.twitter.com",
        "https://t.me",
        "https://www.facebook.com",
    ]


# Figures -------------------------------------------------------------------------------


def test_figures_render_from_the_library_in_one_query(
    make_article, picture, django_assert_num_queries
):
    other = image_create(file=picture_file(name="b.jpg"), texts={"ar": {"alt": "نهر"}})
    body = sanitize_html(
        f'<p>a</p><figure data-image="{picture.pk}"><figcaption>تعليق المحرر</figcaption>'
        f'</figure><figure data-image="{other.pk}"></figure>'
        f'<figure data-image="{picture.pk}"></figure><figure data-image="999999"></figure>'
    )
    render_body(body)  # renditions made once
    with django_assert_num_queries(1):
        html = render_body(body)
    assert html.count('<figure class="figure">') == 3  # the deleted picture renders nothing
    assert "تعليق المحرر" in html and 'alt="جسر المرأة"' in html and "وكالة" in html
    assert 'alt="نهر"' in html and "<picture>" in html and 'srcset="/media/renditions/' in html
    article = make_article(body_ar=body)
    assert set(article.figures.values_list("pk", flat=True)) == {picture.pk, other.pk}


def test_a_deleted_picture_renders_nothing_on_the_page(client, make_article, picture):
    article = make_article(body_ar=f'<p>نص</p><figure data-image="{picture.pk}"></figure>')
    picture.delete()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert '<figure class="figure">' not in response.content.decode()


def test_the_editor_is_warned_of_a_figure_whose_picture_was_deleted(
    admin_client, make_article, picture
):
    article = make_article(
        status="draft", body_ar=f'<p>نص</p><figure data-image="{picture.pk}"></figure>'
    )
    pk = picture.pk
    picture.delete()
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(section=article.section_id, lock_version=article.version)
    data.update(published_at_0="", published_at_1="")
    response = admin_client.post(change, data, follow=True)
    assert str(pk) in " ".join(str(message) for message in response.context["messages"])


# The library ---------------------------------------------------------------------------


def test_admin_search_uses_the_normaliser_and_shows_where_a_picture_is_used(
    admin_client, make_article, picture
):
    image_create(file=picture_file(name="c.jpg"), texts={"ar": {"alt": "سوق"}})
    make_article(main_image=picture)
    make_article(body_ar=f'<figure data-image="{picture.pk}"></figure>')
    found = admin_client.get(reverse("admin:articles_image_changelist"), {"q": "المراة"})
    assert list(found.context["cl"].result_list) == [picture]
    assert found.context["cl"].result_list[0].usage == 2
    page = admin_client.get(reverse("admin:articles_image_change", args=[picture.pk]))
    assert page.content.decode().count("/admin/articles/article/") >= 2
    assert 'class="focal-picture"' in page.content.decode()


def test_crops_keep_the_focal_point(picture, django_capture_on_commit_callbacks):
    picture.focal_x, picture.focal_y = 0.95, 0.1
    picture.save()
    with django_capture_on_commit_callbacks(execute=True):
        image_changed(image=picture)
    found = images.picture(picture.file, (160,), ratio=(1, 1))
    with picture.file.storage.open(found["src"].removeprefix("/media/")) as file:
        square = Pillow.open(file).convert("RGB")
    assert square.size == (160, 160)
    assert square.getpixel((150, 10))[1] < 80  # the red corner is in the crop
    centred = images.picture(Image(file=picture.file.name).file, (160,), ratio=(1, 1))
    assert centred["src"] != found["src"]


def test_a_change_to_a_picture_updates_every_story_that_shows_it(make_article, picture):
    article = make_article(main_image=picture)
    before = article.updated_at
    assert image_changed(image=picture) == 1
    article.refresh_from_db()
    assert article.updated_at > before


# The migration of the articles' own pictures -------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_article_pictures_move_into_the_library_with_nothing_lost():
    executor = MigrationExecutor(connection)
    before = [("articles", "0007_front_page")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Section = old.get_model("articles", "Section")
    Article = old.get_model("articles", "Article")
    section = Section.objects.create(slug="news", name="n", name_ar="n")
    common = {"section": section, "status": "draft", "title_ar": "t", "body_ar": "<p>b</p>"}
    Article.objects.create(
        **common, image="articles/2026/01/a.jpg", image_width=800, image_height=450,
        image_alt_ar="جسر", image_alt_en="A bridge", image_caption_ar="تعليق",
        image_caption_en="Caption", image_credit="رويترز",
    )  # fmt: skip
    same = {"image": "articles/2026/01/a.jpg", "image_width": 800, "image_height": 450}
    Article.objects.create(**common, **same, image_credit="رويترز")  # other texts: its own
    Article.objects.create(
        **common, **same, image_alt_ar="جسر", image_alt_en="A bridge",
        image_caption_ar="تعليق", image_caption_en="Caption", image_credit="رويترز",
    )  # fmt: skip
    # No size known and no file in the storage: moved all the same.
    unsized = Article.objects.create(**common)
    Article.objects.filter(pk=unsized.pk).update(image="articles/2026/01/b.jpg")
    Article.objects.create(**common)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("articles"))
    try:
        from articles.models import Article as NewArticle

        assert NewArticle.objects.count() == 5
        # One per file and texts: the first and third articles share theirs.
        assert Image.objects.count() == 3
        story_one, _story_two, story_three = NewArticle.objects.order_by("pk")[:3]
        assert story_one.main_image_id == story_three.main_image_id
        first = NewArticle.objects.order_by("pk").first().main_image
        assert (first.file.name, first.width, first.height) == ("articles/2026/01/a.jpg", 800, 450)
        assert (first.alt_ar, first.alt_en, first.caption_ar, first.caption_en) == (
            "جسر",
            "A bridge",
            "تعليق",
            "Caption",
        )
        assert first.credit_ar == first.credit_en == "رويترز"
        assert first.search_text  # found by the admin's search
        assert NewArticle.objects.exclude(main_image=None).count() == 4
        missing = Image.objects.values_list("file", "width").get(file="articles/2026/01/b.jpg")
        assert missing == ("articles/2026/01/b.jpg", None)
        # And back: the article's own fields again.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        rows = old.get_model("articles", "Article").objects.order_by("pk")
        assert list(rows.values_list("image", "image_alt_en", "image_credit")) == [
            ("articles/2026/01/a.jpg", "A bridge", "رويترز"),
            ("articles/2026/01/a.jpg", "", "رويترز"),
            ("articles/2026/01/a.jpg", "A bridge", "رويترز"),
            ("articles/2026/01/b.jpg", "", ""),
            ("", None, ""),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("articles"))
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)


# Tables and pull quotes ----------------------------------------------------------------


def test_tables_keep_their_header_row_and_pull_quotes_their_class_only():
    stored = sanitize_html(
        '<table style="x"><thead><tr><th colspan="1" scope="col" onclick="x()">المحافظة</th>'
        "</tr></thead><tbody><tr><td>البصرة</td></tr></tbody></table>"
        '<blockquote class="pull-quote evil" style="color:red"><p>قول</p></blockquote>'
        '<p class="pull-quote">x</p>'
    )
    assert stored == (
        '<table><thead><tr><th colspan="1" scope="col">المحافظة</th></tr></thead>'
        "<tbody><tr><td>البصرة</td></tr></tbody></table>"
        '<blockquote class="pull-quote"><p>قول</p></blockquote><p>x</p>'
    )


def test_feeds_carry_figures_as_pictures_and_embeds_as_plain_links(client, make_article, picture):
    make_article(
        body_ar=f'<p>نص</p><figure data-image="{picture.pk}"></figure>'
        '<figure data-embed="https://www.youtube.com/watch?v=dQw4w9WgXcQ"></figure>'
    )
    feed = client.get("/feed/").content.decode()
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in feed
    assert "youtube-nocookie" not in feed and "embed-load" not in feed and "data-embed" not in feed
    assert f"http://testserver{picture.file.url}" in feed and "data-image" not in feed


def test_make_renditions_makes_the_crops_around_each_focal_point(picture):
    from django.core.management import call_command

    picture.focal_x, picture.focal_y = 0.95, 0.1
    picture.save()  # never committed in this test: no renditions yet
    square = images.Spec(160, 160, enlarge=False).focused(picture.focus)
    name = square.stored_name(picture.file.name, picture.file.size)
    assert "-at950-100" in name and not picture.file.storage.exists(name)
    call_command("make_renditions", stdout=io.StringIO())
    assert picture.file.storage.exists(name)


@pytest.mark.django_db
def test_a_deleted_picture_leaves_no_cached_story_showing_it(client, make_article, picture):
    article = make_article(main_image=picture)
    assert (
        picture.file.name.rsplit("/", 1)[-1].split(".")[0]
        in client.get(article.get_absolute_url()).content.decode()
    )
    before = article.updated_at
    picture.delete()
    article.refresh_from_db()
    assert article.main_image is None and article.updated_at > before
    page = client.get(article.get_absolute_url()).content.decode()
    assert picture.file.name.rsplit("/", 1)[-1].split(".")[0] not in page


@pytest.mark.django_db
def test_a_writer_may_not_change_a_picture_that_a_published_story_shows(
    client, make_article, picture, django_user_model
):
    from django.contrib.auth.models import Group

    from articles.roles import WRITERS

    writer = django_user_model.objects.create_user("w", is_staff=True)
    writer.groups.add(Group.objects.get(name=WRITERS))
    own = image_create(file=picture_file(name="own.jpg"), uploaded_by=writer)
    make_article(main_image=own, status="draft")
    live = image_create(file=picture_file(name="live.jpg"), uploaded_by=writer)
    make_article(main_image=live)  # published
    client.force_login(writer)
    change = "admin:articles_image_change"
    assert client.get(reverse(change, args=[own.pk])).status_code == 200
    for forbidden in (live, picture):  # live, or someone else's
        response = client.post(reverse(change, args=[forbidden.pk]), {"alt_ar": "بديل"})
        assert response.status_code == 403 or "alt_ar" not in response.content.decode()
        forbidden.refresh_from_db()
        assert forbidden.alt_ar != "بديل"
