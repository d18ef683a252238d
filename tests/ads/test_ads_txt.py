import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ads.models import AdsTxt
from ads.validators import check_ads_txt_line, validate_ads_txt

VALID = """# ads.txt
CONTACT=ads@example.com
contact=https://example.com/advertise
SUBDOMAIN=sport.example.com
OWNERDOMAIN=example.com
MANAGERDOMAIN=manager.example.net
INVENTORYPARTNERDOMAIN=partner.example.org
google.com, pub-0000000000000001, DIRECT, f08c47fec0942fa0
reseller.example.net, 12345, RESELLER
Example.COM , abc-1 , direct  # inline comment
exchange.example.com, 99, DIRECT; extension=field

"""


def test_valid_file_passes():
    validate_ads_txt(VALID)


@pytest.mark.parametrize(
    "line",
    [
        "google.com, pub-1",  # too few fields
        "google.com, pub-1, DIRECT, abc, extra",  # too many
        "google.com, pub-1, PARTNER",  # bad relationship
        "https://google.com, pub-1, DIRECT",  # a URL, not a domain
        "google, pub-1, DIRECT",  # no dot
        "google.com, pub 1, DIRECT",  # space in the publisher id
        "google.com, , DIRECT",  # empty publisher id
        "google.com, pub-1, DIRECT, f08c-47",  # bad certification id
        "FOO=bar",  # unknown variable
        "CONTACT=",  # empty variable
        "OWNERDOMAIN=not a domain",
        "<html><body>oops</body></html>",
    ],
)
def test_bad_lines_are_reported(line):
    assert check_ads_txt_line(line)


def test_errors_name_the_line_numbers():
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_ads_txt("# ok\ngoogle.com, pub-1, DIRECT\ngoogle.com, pub-1\nBAD=1\n")
    messages = error.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Line 3:")
    assert messages[1].startswith("Line 4:")


def test_model_validation_refuses_a_bad_line(db):
    record = AdsTxt(content="google.com, pub-1, DIRECT\nnonsense\n")
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert "content" in error.value.message_dict


def test_served_as_plain_text(client, db):
    AdsTxt.objects.create(content=VALID)
    response = client.get("/ads.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "google.com, pub-0000000000000001, DIRECT, f08c47fec0942fa0\n" in body
    assert body.endswith("\n")


def test_a_bad_line_that_slipped_into_the_database_is_never_served(client, db):
    AdsTxt.objects.create(content="google.com, pub-1, DIRECT\n<script>x</script>\nbad line\n")
    response = client.get("/ads.txt")
    assert response.content.decode() == "google.com, pub-1, DIRECT\n"


def test_missing_ads_txt_is_404(client, db):
    assert client.get("/ads.txt").status_code == 404
    assert client.get("/en/ads.txt").status_code == 404


def test_admin_shows_line_errors_and_keeps_the_old_file(admin_client):
    record = AdsTxt.objects.create(content="google.com, pub-1, DIRECT\n")
    response = admin_client.post(
        f"/admin/ads/adstxt/{record.pk}/change/",
        {"content": "google.com, pub-1, DIRECT\ngoogle.com pub-2 DIRECT\n"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the error
    assert "السطر 2:" in response.content.decode()
    record.refresh_from_db()
    assert record.content == "google.com, pub-1, DIRECT\n"


def test_only_one_ads_txt(admin_client):
    assert admin_client.get("/admin/ads/adstxt/add/").status_code == 200
    AdsTxt.objects.create(content="")
    assert admin_client.get("/admin/ads/adstxt/add/").status_code == 403
