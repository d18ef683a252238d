"""Renditions: made once with Pillow and stored, looked up in the cache, never enlarged;
pages show them as <picture> with WebP and JPEG candidates, sizes, width and height."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
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
    return make_article(image=upload()).image


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
    small = make_article(image=upload(size=(400, 300))).image
    assert stored(images.rendition(small, 1200).url) == ("JPEG", (400, 300))
    transparent = make_article(image=upload(size=(300, 800), fmt="PNG", mode="RGBA")).image
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
    assert article.image.url not in home  # the original upload is never sent


def test_demo_pictures_store_their_size_so_pages_never_open_them(client, db, monkeypatch):
    import articles.demo
    from articles.models import Article

    articles.demo.load()
    sizes = set(Article.objects.exclude(image="").values_list("image_width", "image_height"))
    assert sizes and None not in {value for size in sizes for value in size}
    client.get("/")  # renditions made once

    def fail(*args, **kwargs):
        raise AssertionError("a page opened a picture")

    monkeypatch.setattr(Image, "open", fail)
    assert client.get("/").status_code == 200
    assert client.get("/en/").status_code == 200
