"""More query parameters than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS) is a 400, with
DEBUG on or off, with the page cache on or off: under DEBUG it was a 500 (Django's debug page
read the parameters again and failed)."""

import pytest

TOO_MANY = "&".join(f"p{number}=1" for number in range(1_100))


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/", "/en/", "/search/", "/no-such-page/", "/admin/login/"])
def test_more_than_a_thousand_query_parameters_is_a_400(client, db, settings, path, debug):
    settings.DEBUG = debug
    response = client.get(f"{path}?{TOO_MANY}")
    assert response.status_code == 400


def test_also_through_the_page_cache(client, db, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    settings.DEBUG = True
    assert client.get(f"/?{TOO_MANY}").status_code == 400
    assert client.get("/?page=1").status_code == 200  # an ordinary query is untouched
