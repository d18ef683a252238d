"""Renditions: made once with Pillow and stored, looked up in the cache, never enlarged;
pages show them as <picture> with WebP and JPEG candidates, sizes, width and height. Every
registered rendition is made when a picture's save commits, and `make_renditions` makes the
missing ones of every stored picture."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from PIL import Image

from newsroom import images
from tests.caches import clear_cache


def upload(size=(1600, 900), fmt="JPEG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (30, 120, 200) if mode == "RGB" else (30, 120, 200, 120)).save(
        buffer, format=fmt
    )
    return ContentFile(buffer.getvalue(), name=f"photo.{fmt.lower()}")


@pytest.fixture
def photo(db, make_article):
    return make_article(image=upload()).main_image.file


def stored(url):
    with default_storage.open(url.removeprefix("/media/")) as file, Image.open(file) as image:
        return image.format, image.size


def test_renditions_are_made_once_at_fixed_widths(photo, monkeypatch):
    made = images.rendition(photo, 640, fmt="webp")
    assert (made.width, made.height, made.fmt) == (640, 360, "webp")
    assert stored(made.url) == ("WEBP", (640, 360))
    jpeg = images.rendition(photo, 640)
    assert stored(jpeg.url) == ("JPEG", (640, 360))
    mtime = default_storage.get_modified_time(made.url.removeprefix("/media/"))

    # Found again without Pillow or the storage: the cache remembers it.
    def fail(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(images, "render", fail)
    monkeypatch.setattr(photo.storage, "exists", fail)
    monkeypatch.setattr(photo.storage, "size", fail)
    assert images.rendition(photo, 640, fmt="webp") == made
    monkeypatch.undo()
    # Another process (an empty cache) finds the stored file and does not redo it.
    clear_cache()
    monkeypatch.setattr(images, "render", fail)
    assert images.rendition(photo, 640, fmt="webp") == made
    assert default_storage.get_modified_time(made.url.removeprefix("/media/")) == mtime


def test_pictures_are_never_enlarged_and_crops_have_the_asked_size(db, make_article):
    small = make_article(image=upload(size=(400, 300))).main_image.file
    assert stored(images.rendition(small, 1200).url) == ("JPEG", (400, 300))
    transparent = make_article(
        image=upload(size=(300, 800), fmt="PNG", mode="RGBA")
    ).main_image.file
    crop = images.rendition(transparent, 1200, 630, directory="og")
    assert crop.url.startswith("/media/og/") and stored(crop.url) == ("JPEG", (1200, 630))


def test_picture_srcsets(photo):
    picture = images.picture(photo, (320, 640, 2000))
    assert re.fullmatch(r"\S+\.webp 320w, \S+\.webp 640w, \S+\.webp 1600w", picture["webp"])
    assert re.fullmatch(r"\S+\.jpg 320w, \S+\.jpg 640w, \S+\.jpg 1600w", picture["jpeg"])
    assert (picture["width"], picture["height"]) == (1600, 900)
    broken = default_storage.save("articles/broken.jpg", ContentFile(b"not a picture"))
    photo.name = broken
    assert images.picture(photo, (320,)) is None


def test_pages_use_responsive_pictures(client, make_article):
    article = make_article(image=upload(), image_alt="جسر في البصرة", is_featured=True)
    make_article(image=upload())
    html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index('<figure class="article-image">') :]
    figure = figure[: figure.index("</figure>")]
    assert '<source type="image/webp" srcset="' in figure
    assert 'alt="جسر في البصرة"' in figure and 'fetchpriority="high"' in figure
    assert 'width="1200" height="675"' in figure and "loading=" not in figure
    related = html[html.index('class="related-news"') :]
    assert 'loading="lazy"' in related and 'sizes="(min-width: 48rem) 15rem, 100vw"' in related
    home = client.get("/").content.decode()
    lead = home[home.index('class="lead-story"') : home.index('class="latest"')]
    assert 'fetchpriority="high"' in lead and "loading=" not in lead
    assert article.main_image.file.url not in home  # the original upload is never sent


def test_demo_pictures_store_their_size_so_pages_never_open_them(client, db, monkeypatch):
    import articles.demo
    from articles.models import Article

    articles.demo.load()
    sizes = set(
        Article.objects.exclude(main_image=None).values_list(
            "main_image__width", "main_image__height"
        )
    )
    assert sizes and None not in {value for size in sizes for value in size}
    client.get("/")  # renditions made once

    def fail(*args, **kwargs):
        raise AssertionError("a page opened a picture")

    monkeypatch.setattr(Image, "open", fail)
    assert client.get("/").status_code == 200
    assert client.get("/en/").status_code == 200


# Renditions made when a picture is stored.


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of this test's own, so what it finds there is this test's doing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_renditions(media):
    return sorted(
        str(path.relative_to(media))
        for folder in ("renditions", "og")
        if (media / folder).is_dir()
        for path in (media / folder).iterdir()
    )


def expected_renditions(field_file):
    return sorted(
        spec.stored_name(field_file.name, field_file.size) for spec in images.registered()
    )


def test_the_registry_holds_what_pages_ask_for():
    wanted = {(spec.width, spec.height, spec.fmt, spec.directory) for spec in images.registered()}
    presets = {
        (width, round(width * ratio[1] / ratio[0]) if ratio else None, fmt, "renditions")
        for preset, (widths, _sizes) in images.PRESETS.items()
        for ratio in [images.RATIOS.get(preset)]
        for width in widths
        for fmt in ("webp", "jpeg")
    }
    assert wanted == presets | {(1200, 630, "jpeg", "og")}  # the og crop: social/apps.py


def test_renditions_are_stored_when_the_save_commits(
    media, make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(image=upload())
        assert stored_renditions(media) == []  # not before the commit
    assert stored_renditions(media) == expected_renditions(article.main_image.file) != []
    og = images.Spec(1200, 630, "jpeg", "og")
    og = og.stored_name(article.main_image.file.name, article.main_image.file.size)
    assert stored(f"/media/{og}") == ("JPEG", (1200, 630))
    teaser = images.Spec(320, 180, fmt="webp", enlarge=False)
    teaser = teaser.stored_name(article.main_image.file.name, article.main_image.file.size)
    assert stored(f"/media/{teaser}") == ("WEBP", (320, 180))


def test_a_rolled_back_save_makes_no_renditions(
    media, make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_article(image=upload())
            raise RuntimeError("the editor's save failed after the picture was stored")
        make_article()  # the outer transaction commits
    assert stored_renditions(media) == []
    assert list((media / "images").rglob("*.jpg"))  # the picture itself was stored


def test_a_page_whose_renditions_were_made_at_upload_does_no_pillow_work(
    client, media, make_article, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(image=upload(), is_featured=True)

    def fail(*args, **kwargs):
        raise AssertionError("a page used Pillow")

    monkeypatch.setattr(Image, "open", fail)
    monkeypatch.setattr(images, "render", fail)
    html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index('<figure class="article-image">') :]
    assert '<source type="image/webp" srcset="/media/renditions/' in figure
    assert 'content="http://testserver/media/og/' in html
    home = client.get("/").content.decode()
    assert 'srcset="/media/renditions/' in home and article.main_image.file.url not in home


def make_ad_with_picture():
    from ads.models import Ad

    buffer = io.BytesIO()
    Image.new("RGB", (300, 250), (200, 30, 30)).save(buffer, format="PNG")
    return Ad.objects.create(
        name="Ad",
        advertiser="Advertiser",
        kind=Ad.Kind.IMAGE,
        target_url="https://example.com/",
        image=ContentFile(buffer.getvalue(), name="ad.png"),
    )


def run_make_renditions(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("make_renditions", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
    return code, out.getvalue().strip().splitlines(), err.getvalue()


def test_make_renditions_makes_the_missing_ones_of_every_picture_and_reports(media, make_article):
    # Stored in the test's transaction, never committed: no renditions yet.
    article = make_article(image=upload())
    ad = make_ad_with_picture()
    assert stored_renditions(media) == []
    count = len(images.registered())

    code, lines, _err = run_make_renditions()
    assert code == 0
    assert lines == [f"pictures 2, renditions made {2 * count}, already there 0, pictures failed 0"]
    assert stored_renditions(media) == sorted(
        expected_renditions(article.main_image.file) + expected_renditions(ad.image)
    )

    # Run again: nothing to do. A rendition lost since (or a new width) is made again.
    assert run_make_renditions()[1] == [
        f"pictures 2, renditions made 0, already there {2 * count}, pictures failed 0"
    ]
    default_storage.delete(expected_renditions(article.main_image.file)[0])
    code, lines, _err = run_make_renditions("-v", "2")
    assert lines == [
        f"articles.Image {article.main_image.file.name}: 1 made",
        f"pictures 2, renditions made 1, already there {2 * count - 1}, pictures failed 0",
    ]
    assert run_make_renditions("-v", "0")[1] == []


def test_make_renditions_reports_a_picture_it_cannot_read(media, make_article):
    from articles.models import Image as LibraryImage

    article = make_article(image=upload())
    broken = default_storage.save("images/broken.jpg", ContentFile(b"not a picture"))
    LibraryImage.objects.filter(pk=article.main_image.pk).update(file=broken)
    article = make_article(image=upload())
    code, lines, err = run_make_renditions()
    assert code == 1
    assert lines[-1] == (
        f"pictures 2, renditions made {len(images.registered())}, already there 0, "
        "pictures failed 1"
    )
    assert f"articles.Image {broken}: UnidentifiedImageError" in err
    assert stored_renditions(media) == expected_renditions(article.main_image.file)


def test_two_processes_storing_the_same_rendition_keep_one_copy(media, photo, monkeypatch):
    first = images.make_renditions(photo.storage, photo.name)
    assert first.made == len(images.registered())
    made = stored_renditions(media)
    # A second process checked before the first had stored anything: it makes them all
    # again, finds each name taken when it stores, and keeps the first copy.
    checks = iter(range(len(images.registered())))
    real_exists = photo.storage.exists
    monkeypatch.setattr(
        photo.storage, "exists", lambda name: next(checks, None) is None and real_exists(name)
    )
    clear_cache()
    second = images.make_renditions(photo.storage, photo.name)
    assert second.made == len(images.registered()) and not second.error
    monkeypatch.undo()
    assert stored_renditions(media) == made
    found = images.rendition(photo, 480, fmt="webp")
    assert found.url.removeprefix("/media/") in made
