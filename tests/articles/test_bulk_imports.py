"""The batched write of new imported articles writes what an article's own save writes:
its figures, its revision (as django-reversion serialises it), its times; and the ids of
library pictures that an imported body names are this site's own, or gone."""

import io
import json

import pytest
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from reversion.models import Version
from reversion.revisions import _get_options

from articles import bulk
from articles.models import Article, Tag
from articles.services import image_create
from tests.conftest import jpeg_bytes


def write_jsonl(path, *records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def run(path):
    out = io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def library_picture(name="figure.jpg"):
    return image_create(
        file=SimpleUploadedFile(name, jpeg_bytes((40, 30))), texts={"ar": {"alt": "صورة"}}
    )


def reversions_serialisation(article):
    data = serializers.serialize("json", [article], fields=_get_options(Article).fields)
    return json.loads(data)


@pytest.mark.django_db
def test_a_batch_writes_the_revision_djangos_serializer_would(tmp_path):
    records = [
        {"id": f"v-{n}", "title": f"خبر \\ رقم\t{n}", "body": f"<p>نص\nالخبر {n}</p>",
         "summary": "ملخص", "tags": ["اقتصاد", f"وسم {n}"], "author": "ليلى",
         "url": f"https://agency.example/{n}", "published_at": "2025-01-01T10:00:00.123456Z",
         "status": "published", "title_en": f"Story {n}", "body_en": "<p>Text</p>"}
        for n in range(3)
    ]  # fmt: skip
    run(write_jsonl(tmp_path / "few.jsonl", *records))
    for article in Article.objects.all():
        (version,) = Version.objects.get_for_object(article)
        written = json.loads(version.serialized_data)
        expected = reversions_serialisation(article)
        for data in (written, expected):
            data[0]["fields"]["tags"].sort()
        assert written == expected
        assert version.object_repr == str(article)
        assert not article.is_edited_since_import
        assert article.imported_at == article.first_imported_at == article.updated_at
    assert Tag.objects.count() == 4


@pytest.mark.django_db
def test_version_data_matches_the_serializer_for_an_article_saved_by_hand():
    article = Article.objects.create(
        title_ar="خبر", body_ar='<p>نص "مقتبس"</p>', status="draft",
        section=Article._meta.get_field("section").related_model.objects.create(
            slug="news", name_ar="أخبار"
        ),
    )  # fmt: skip
    expected = reversions_serialisation(article)
    written = json.loads(bulk.version_data(article, {"tags": [], "related": []}))
    assert written == expected


@pytest.mark.django_db
def test_a_batch_sets_the_figures_as_a_save_does(tmp_path):
    """A backup's article whose body shows a library picture: the batched write records
    the figure (the figures query finds the article) as Article.save() would."""
    picture = library_picture()
    record = {
        "id": "newsroom:41", "title": "خبر بصورة", "status": "draft",
        "body": '<p>نص</p><figure data-image="9001"><figcaption>تعليق</figcaption></figure>',
        "figures": {"9001": picture.file.name},
    }  # fmt: skip
    run(write_jsonl(tmp_path / "backup.jsonl", record))
    article = Article.objects.get(import_id="newsroom:41")
    assert f'<figure data-image="{picture.pk}">' in article.body_ar
    assert list(article.figures.all()) == [picture]
    assert list(picture.figure_in.all()) == [article]


@pytest.mark.django_db
def test_another_sites_picture_ids_are_not_taken_for_ours(tmp_path):
    """Another system's `<figure data-image="…">` names a picture of its own library: the
    id is not carried over to whichever picture has it here."""
    ours = library_picture()
    record = {
        "id": "cms-7", "title": "خبر من نظام آخر", "status": "review",
        "body": f'<p>نص</p><figure data-image="{ours.pk}"><figcaption>صورتهم</figcaption>'
        '</figure><figure data-image="12"><img src="https://other.example/a.jpg" alt="">'
        "</figure>",
    }  # fmt: skip
    run(write_jsonl(tmp_path / "other.jsonl", record))
    article = Article.objects.get(import_id="cms-7")
    assert "data-image" not in article.body_ar
    assert "صورتهم" not in article.body_ar  # a figure left without its picture goes
    assert '<img src="https://other.example/a.jpg"' in article.body_ar  # its own picture stays
    assert not article.figures.exists()


@pytest.mark.django_db
def test_a_backup_figure_whose_picture_is_not_here_is_dropped(tmp_path):
    record = {
        "id": "newsroom:42", "title": "خبر", "status": "draft",
        "body": '<p>نص</p><figure data-image="77"></figure><figure data-image="78"></figure>',
        "figures": {"77": "images/not-here.jpg"},
    }  # fmt: skip
    run(write_jsonl(tmp_path / "backup.jsonl", record))
    article = Article.objects.get(import_id="newsroom:42")
    assert article.body_ar == "<p>نص</p>"
    assert not article.figures.exists()


@pytest.mark.django_db(transaction=True)
def test_search_rows_written_beside_the_import_are_all_there(tmp_path, monkeypatch):
    """On PostgreSQL the search rows of each committed batch are written on a second
    connection while the import goes on: when the command returns, every article has its
    row and is found."""
    from django.db import connection

    from articles.management.commands.import_articles import Command
    from articles.models import ArticleSearch
    from articles.search import matching_article_ids

    if connection.vendor != "postgresql":
        pytest.skip("the second connection is used on PostgreSQL only")
    records = [
        {"id": f"s-{n}", "title": f"خبر رقم {n}", "body": f"<p>نص الخبر المستورد {n}</p>",
         "published_at": "2025-01-01T00:00:00Z", "status": "published"}
        for n in range(25)
    ]  # fmt: skip
    indexers = []
    real = Command.background_indexer

    def recorded(self, options):
        indexers.append(real(self, options))
        return indexers[-1]

    monkeypatch.setattr(Command, "background_indexer", recorded)
    monkeypatch.setattr(Command, "batch_size", 10)  # three batches, two written beside
    run(write_jsonl(tmp_path / "many.jsonl", *records))
    assert indexers and indexers[0] is not None
    assert ArticleSearch.objects.count() == Article.objects.count() == 25
    article = Article.objects.get(import_id="s-17")
    assert article.pk in matching_article_ids("رقم 17")


@pytest.mark.django_db
def test_a_batch_the_database_refuses_is_written_again_item_by_item(tmp_path, monkeypatch):
    """An error of the database while a batch is streamed (COPY on PostgreSQL) is an error
    like any other: the batch is written again one item at a time, and nothing is lost."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY is used on PostgreSQL only")
    real = bulk.copy_escape

    def broken(text):  # a tab where none belongs: one column too many for COPY
        return f"{text}\textra" if "عطل" in text else real(text)

    monkeypatch.setattr(bulk, "copy_escape", broken)
    records = [
        {"id": f"e-{n}", "title": "عطل في السطر" if n == 2 else f"خبر {n}",
         "body": f"<p>نص {n}</p>", "status": "published",
         "published_at": "2025-01-01T00:00:00Z"}
        for n in range(4)
    ]  # fmt: skip
    out = run(write_jsonl(tmp_path / "batch.jsonl", *records))
    assert "created 4, updated 0, unchanged 0, duplicates 0, failed 0" in out
    assert Article.objects.count() == 4
    assert Version.objects.count() == 4  # each saved alone, each with its revision


class _Source:
    """An importer of `count` items that stops with `error` (or ends) after them."""

    import_source = "test"

    def __init__(self, count, error=None):
        self.count, self.error = count, error

    def items(self):
        from articles.importers import ImportItem

        for number in range(self.count):
            self.import_source = f"test:{number}"  # a feed learns its identity as it reads
            yield ImportItem(location=f"item {number}", import_id=f"r-{number}", title=str(number))
        if self.error is not None:
            raise self.error

    def progress(self):
        return 0.5


def test_read_ahead_gives_every_item_then_the_error_that_stopped_the_reader():
    from articles.importers.base import ReadAhead, SourceError

    reader = ReadAhead(_Source(250, SourceError("not well formed: line 9")))
    seen = []
    with pytest.raises(SourceError, match="line 9"):
        for item in reader.items():
            seen.append(item.import_id)
    assert seen == [f"r-{n}" for n in range(250)]
    assert reader.import_source == "test:249"
    assert reader.progress() == 0.5
    assert not reader._reader.is_alive()


def test_read_ahead_sends_the_items_hash_and_survives_an_error_that_cannot_travel():
    from articles.importers import ImportItem
    from articles.importers.base import ReadAhead

    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("no")

    items = []
    reader = ReadAhead(_Source(3, Unpicklable("broken reader")))
    with pytest.raises(RuntimeError, match="Unpicklable: broken reader"):
        for item in reader.items():
            items.append(item)
    assert len(items) == 3
    expected = ImportItem(location="item 0", import_id="r-0", title="0").content_hash()
    assert items[0]._content_hash == expected  # worked out by the reader


def test_read_ahead_stops_its_reader_when_the_writer_stops_early():
    from articles.importers.base import ReadAhead

    reader = ReadAhead(_Source(10_000))
    items = reader.items()
    assert next(items).import_id == "r-0"
    items.close()  # as --limit does
    assert not reader._reader.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_search_process_cannot_write_is_written_by_the_import(tmp_path, monkeypatch):
    """On PostgreSQL: when writing a batch's search rows fails in the search-row process,
    the import writes them itself, and every article is found."""
    import os

    from django.db import connection

    from articles import search
    from articles.management.commands.import_articles import Command
    from articles.models import ArticleSearch
    from articles.search import matching_article_ids

    if connection.vendor != "postgresql":
        pytest.skip("the search rows are written by another process on PostgreSQL only")
    importer_pid, real = os.getpid(), search.index_rows

    def fails_elsewhere(*args, **kwargs):
        if os.getpid() != importer_pid:
            raise RuntimeError("the search-row process failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "index_rows", fails_elsewhere)
    monkeypatch.setattr(Command, "batch_size", 10)
    records = [
        {"id": f"f-{n}", "title": f"نبأ رقم {n}", "body": f"<p>نص النبأ {n}</p>",
         "published_at": "2025-01-01T00:00:00Z", "status": "published"}
        for n in range(25)
    ]  # fmt: skip
    out = run(write_jsonl(tmp_path / "many.jsonl", *records))
    assert "created 25, updated 0, unchanged 0, duplicates 0, failed 0" in out
    assert ArticleSearch.objects.count() == 25
    assert Article.objects.get(import_id="f-21").pk in matching_article_ids("رقم 21")
