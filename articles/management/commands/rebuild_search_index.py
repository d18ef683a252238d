"""Rebuild the search index of every article (after a bulk write that bypassed the services,
or after a change to the text pipeline in articles/text.py)."""

import time

from django.core.management.base import BaseCommand

from articles.cache import articles_changed
from articles.models import Article
from articles.search import index_rows


class Command(BaseCommand):
    help = "Rebuild the search rows of all articles, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, verbosity, **options):
        started = time.monotonic()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        written = 0
        for start in range(0, len(ids), batch_size):
            written += index_rows(Article.objects.filter(pk__in=ids[start : start + batch_size]))
            if verbosity >= 2:
                self.stdout.write(f"{min(start + batch_size, len(ids))}/{len(ids)}")
        articles_changed()  # cached search results were computed from the old rows
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {len(ids)} articles ({written} language versions) "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
