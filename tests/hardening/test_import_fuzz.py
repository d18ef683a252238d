"""Malformed import files: every broken item is reported and skipped, the command ends
with its documented exit status, and nothing crashes."""

import io
import json

from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIELDS = [
    "id", "title", "body", "summary", "status", "published_at", "section", "section_name",
    "tags", "author", "author_slug", "byline", "dateline", "source", "source_url", "url",
    "image_url", "image_caption", "image_alt", "image_credit", "is_featured", "is_breaking",
    "title_en", "body_en", "summary_en", "image_path",
]  # fmt: skip

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=60),
        st.sampled_from(["published", "draft", "review", "2026-13-45T99:00", "javascript:x",
                         "http://10.0.0.1/x.jpg", "file:///etc/passwd", "../../etc/passwd",
                         "<script>alert(1)</script>", "٢٠٢٥-١٠-٢٠", "😀" * 50]),
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)  # fmt: skip
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12)
lines = st.lists(
    st.one_of(
        records.map(lambda record: json.dumps(record, ensure_ascii=False).encode()),
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=80).filter(lambda raw: b"\n" not in raw),
    ),
    max_size=8,
)


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@FUZZ
@given(content=lines)
def test_malformed_json_lines_never_crash_the_import(tmp_path_factory, db, content):
    path = tmp_path_factory.mktemp("fuzz") / "input.jsonl"
    path.write_bytes(b"\n".join(content) + b"\n")
    before = Article.objects.count()
    code, output = run_import(path, "--format", "jsonl")
    assert code in (0, 1, 2), output
    assert "Traceback" not in output
    assert Article.objects.count() >= before


xml_like = st.lists(
    st.one_of(
        st.sampled_from([b"<?xml version='1.0'?>", b"<rss version='2.0'>", b"<channel>",
                         b"<item>", b"</item>", b"<title>", b"</title>", b"<![CDATA[",
                         b"]]>", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"&a;", b"<link>",
                         b"<wp:post_type>post</wp:post_type>", b"<content:encoded>",
                         b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>",
                         b"<!ENTITY xxe SYSTEM 'file:///etc/passwd'>", b"&xxe;"]),
        st.text(max_size=30).map(str.encode),
    ),
    max_size=30,
).map(b"".join)  # fmt: skip


@FUZZ
@given(content=xml_like, kind=st.sampled_from(["wxr", "feed"]))
def test_malformed_xml_never_crashes_the_import(tmp_path_factory, db, content, kind):
    path = tmp_path_factory.mktemp("fuzz") / "input.xml"
    path.write_bytes(content)
    code, output = run_import(path, "--format", kind)
    assert code in (0, 1, 2), output
    assert "root:" not in output  # no external entity was ever read
