"""Content versions kept in the database (the default without Redis): what one process
writes, every other reads (tests/test_freshness.py runs it with real processes)."""

import pytest
from django.db import OperationalError, connection

from newsroom.cache import bump_version, forget_versions, get_versions
from newsroom.models import ContentVersion


@pytest.fixture
def versions_in_database(settings, db):
    settings.NEWSROOM_CONTENT_VERSIONS = "database"
    forget_versions()
    yield
    forget_versions()


def test_a_version_is_created_once_and_read_from_the_database(versions_in_database):
    first = get_versions(["articles"])["articles"]
    assert ContentVersion.objects.get(name="articles").version == first
    forget_versions()
    assert get_versions(["articles"]) == {"articles": first}


def test_a_bump_by_another_process_is_read_once_the_memo_has_lapsed(versions_in_database):
    mine = get_versions(["articles", "labels"])
    # Another process (a command, a cron job) bumps "labels" in the database.
    ContentVersion.objects.filter(name="labels").update(version=mine["labels"] + 1)
    forget_versions()  # as every process does within NEWSROOM_VERSION_CHECK_SECONDS
    assert get_versions(["articles", "labels"]) == {
        "articles": mine["articles"],
        "labels": mine["labels"] + 1,
    }


def test_a_bump_is_written_to_the_database(versions_in_database, django_assert_num_queries):
    before = get_versions(["ads"])["ads"]
    version = bump_version("ads")
    assert version > before
    assert ContentVersion.objects.get(name="ads").version >= version


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def test_the_database_down_answers_503_through_the_page_cache(
    versions_in_database, settings, client, make_article
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    make_article()
    forget_versions()
    with connection.execute_wrapper(database_down):
        response = client.get("/")
    assert response.status_code == 503
    assert client.get("/").status_code == 200  # back by itself


def test_every_version_is_read_in_one_query(versions_in_database, django_assert_num_queries):
    """A page asks for its versions in several calls (page cache, pieces, ads, social):
    once the memo has lapsed, the first call reads them all."""
    get_versions(["articles", "labels", "ads", "social"])
    forget_versions()
    with django_assert_num_queries(1):
        get_versions(["articles"])
        get_versions(["labels", "ads"])
        get_versions(["social"])
