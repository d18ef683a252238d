"""Write every article as JSON Lines, for backups and moves.

    manage.py export_articles backup.jsonl
    manage.py export_articles - > backup.jsonl
    manage.py import_articles backup.jsonl --format jsonl     # restores it

All statuses (drafts too), both languages, section, tags, author, source and the stored
path of the main picture (copy MEDIA_ROOT along: the picture files are not in the export).
"""

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.exports import article_record
from articles.models import Article

CHUNK = 500


class Command(BaseCommand):
    help = "Write every article (all languages and statuses) as JSON Lines."

    def add_arguments(self, parser):
        parser.add_argument("output", help="file to write, or - for standard output")
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "NEWSROOM_SITE_URL", ""),
            help="public address of the site (e.g. https://news.example): each record "
            "then carries the article's address. Default: NEWSROOM_SITE_URL.",
        )

    def handle(self, *args, output, site_url, verbosity, **options):
        if site_url and not site_url.startswith(("http://", "https://")):
            raise CommandError("--site-url must start with http:// or https://")
        articles = (
            Article.objects.select_related("section", "author", "source", "main_image")
            .prefetch_related("tags", "related", "figures")
            .order_by("pk")
        )
        if output == "-":
            count = self.write(articles, self.stdout, site_url)
        else:
            count = self.write_file(articles, Path(output), site_url)
        if verbosity >= 1 and output != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {count} articles to {output}."))

    def write_file(self, articles, path, site_url):
        """Write beside the target and rename at the end: a failed export (a full disk)
        never leaves a truncated file that looks like a complete backup."""
        directory = path.resolve().parent
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                count = self.write(articles, stream, site_url)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return count

    def write(self, articles, stream, site_url):
        count = 0
        for article in articles.iterator(chunk_size=CHUNK):
            record = article_record(article, site_url=site_url)
            line = json.dumps(record, ensure_ascii=False) + "\n"
            if stream is self.stdout:
                stream.write(line, ending="")
            else:
                stream.write(line)
            count += 1
        return count
