"""Benchmark: import a generated 10,000-post WordPress export (WXR) and the same posts as
JSON Lines.

    .venv/bin/python benchmarks/import_wxr.py [--count 10000] [--seed 0] [--formats wxr,jsonl]
    .venv/bin/python benchmarks/import_wxr.py --count 1000 --pictures 5 [--no-renditions]
    .venv/bin/python benchmarks/import_wxr.py --revisions   # imports leave revisions

Writes the export to a temporary folder (with `--pictures N`, every Nth post has a
1600×900 featured image in a copy of wp-content/uploads, read with --media-dir), imports it
with `manage.py import_articles` into a throw-away database of the configured engine
(DATABASE_URL: SQLite by default, PostgreSQL when set; the test database Django would
create, destroyed afterwards), and prints one line:
posts, seconds, items/s, and peak memory. The run is done twice: once timed, once under
tracemalloc (which slows Python down) for the peak of Python allocations; ru_maxrss is the
process's peak resident memory during the timed run.
"""

import argparse
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

if "--revisions" in sys.argv:
    # Article history (django-reversion), as where the editorial desk keeps it.
    import newsroom.settings as project_settings  # noqa: E402

    if "reversion" not in project_settings.INSTALLED_APPS:
        project_settings.INSTALLED_APPS.append("reversion")

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from articles.management.commands.generate_articles import WORDS  # noqa: E402
from benchmarks.renditions import photo  # noqa: E402

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>موقع للقياس</title>
<link>https://bench.example.iq</link>
<wp:base_site_url>https://bench.example.iq</wp:base_site_url>
"""
CATEGORIES = ["news", "economy", "culture", "sports", "technology", "local", "world", "health"]


def sentence(rng):
    return " ".join(rng.choices(WORDS, k=rng.randint(8, 18))) + "."


def generate(path: Path, count: int, seed: int, pictures: int = 0, uploads: Path = None) -> None:
    """Stream a realistic export to `path`: posts with paragraphs, captions, categories,
    tags and authors; every `pictures`th post with a featured image written under `uploads`
    (never downloaded: no network)."""
    rng = random.Random(seed)
    photo_bytes = photo() if pictures else b""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for number in range(5):
            out.write(
                f"<wp:author><wp:author_login>writer{number}</wp:author_login>"
                f"<wp:author_display_name><![CDATA[كاتب {number}]]></wp:author_display_name>"
                "</wp:author>\n"
            )
        for post in range(1, count + 1):
            paragraphs = "\n\n".join(
                " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
                for _ in range(rng.randint(3, 7))
            )
            if post % 5 == 0:
                paragraphs += (
                    f'\n\n[caption id="attachment_{post}" width="640"]<img src="https://'
                    f'bench.example.iq/wp-content/uploads/p{post}.jpg" alt="صورة"> '
                    f"{sentence(rng)}[/caption]"
                )
            tags = "".join(
                f'<category domain="post_tag" nicename="t{tag}"><![CDATA[وسم {tag}]]></category>'
                for tag in rng.sample(range(200), rng.randint(1, 4))
            )
            day = 1 + post % 28
            thumbnail = ""
            if pictures and post % pictures == 0:
                attachment = 100_000 + post
                relative = f"2024/{1 + post % 12:02d}/photo-{post}.jpg"
                (uploads / relative).parent.mkdir(parents=True, exist_ok=True)
                (uploads / relative).write_bytes(photo_bytes)
                thumbnail = (
                    "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                    f"<wp:meta_value>{attachment}</wp:meta_value></wp:postmeta>"
                )
                out.write(
                    f"<item><title>photo {post}</title><wp:post_id>{attachment}</wp:post_id>"
                    "<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
                    "<wp:attachment_url>https://bench.example.iq/wp-content/uploads/"
                    f"{relative}</wp:attachment_url></item>\n"
                )
            out.write(
                f"<item><title>{escape(sentence(rng))} {post}</title>"
                f"<link>https://bench.example.iq/2024/{1 + post % 12:02d}/post-{post}/</link>"
                f"<dc:creator>writer{post % 5}</dc:creator>"
                f'<guid isPermaLink="false">https://bench.example.iq/?p={post}</guid>'
                f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{sentence(rng)}]]></excerpt:encoded>"
                f"<wp:post_id>{post}</wp:post_id>"
                f"<wp:post_date_gmt>2024-{1 + post % 12:02d}-{day:02d} 08:00:00</wp:post_date_gmt>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="{CATEGORIES[post % 8]}">'
                f"<![CDATA[{CATEGORIES[post % 8]}]]></category>{tags}{thumbnail}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def wxr_to_jsonl(export: Path, path: Path) -> None:
    """The same posts as JSON Lines records (the schema README documents)."""
    from articles.importers.wxr import WxrImporter

    with path.open("w", encoding="utf-8") as out:
        for item in WxrImporter(str(export)).items():
            record = {
                "id": item.import_id,
                "title": item.title,
                "body": item.body,
                "summary": item.summary,
                "status": item.status,
                "published_at": item.published_at.isoformat(),
                "section": item.section_slug,
                "tags": item.tags,
                "author": item.author_name,
                "author_slug": item.author_slug,
                "url": item.url,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_import(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import_articles", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pictures", type=int, default=0, metavar="N", help="a featured image in every Nth post"
    )
    parser.add_argument(
        "--no-renditions",
        action="store_true",
        help="import with --no-renditions (renditions left for later)",
    )
    parser.add_argument("--formats", default="wxr,jsonl", help="wxr, jsonl or both")
    parser.add_argument(
        "--revisions", action="store_true", help="with Article registered in django-reversion"
    )
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the second run under tracemalloc"
    )
    args = parser.parse_args()
    if args.revisions:
        import reversion

        from articles.models import Article

        if not reversion.is_registered(Article):
            reversion.register(Article)
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as folder:
        settings.MEDIA_ROOT = Path(folder) / "media"
        export = Path(folder) / "export.xml"
        uploads = Path(folder) / "uploads"
        generate(export, args.count, args.seed, args.pictures, uploads)
        options = ["--media-dir", str(uploads)] if args.pictures else []
        if args.no_renditions:
            options.append("--no-renditions")
        for name in args.formats.split(","):
            source = export
            if name == "jsonl":
                source = Path(folder) / "export.jsonl"
                wxr_to_jsonl(export, source)
            measure(name, source, options, args, folder)


def measure(name: str, export: Path, options: list[str], args, folder: str) -> None:
    """Import `export` into a fresh database, timed; then again under tracemalloc."""
    size = export.stat().st_size
    database = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":  # a file, as in use, not Django's in-memory test db
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(Path(folder) / "db")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        summary = run_import(export, *options)
        elapsed = time.perf_counter() - started
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
    details = f", a picture in every {args.pictures}" if args.pictures else ""
    if args.pictures and args.no_renditions:
        details += " (--no-renditions)"
    if args.revisions:
        details += ", with revisions"
    print(
        f"import {name} [{connection.vendor}]: {args.count} posts{details} "
        f"({size / 2**20:.1f} MiB) in {elapsed:.1f}s = {args.count / elapsed:.0f} items/s; "
        f"max RSS {max_rss:.0f} MiB ({rss_before:.0f} MiB before the import); {summary}",
        flush=True,
    )
    if args.no_trace:
        return
    # Again on a fresh database, under tracemalloc, for the peak of Python's allocations.
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        tracemalloc.start()
        run_import(export, *options)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
    print(f"import {name}: peak traced {peak / 2**20:.1f} MiB", flush=True)


if __name__ == "__main__":
    main()
