"""Poll the wire and partner feeds managed in the admin (Feeds), each when it is due.

    manage.py poll_feeds            # every due feed, once; run it every minute or two
    manage.py poll_feeds --feed 3   # this feed now, due or not

Safe to run from several schedulers at once: a feed being polled is claimed in the
database and skipped by the others. Exit status: 0, or 1 when a feed could not be read.
"""

from django.core.management.base import BaseCommand, CommandError

from articles.importers.report import summary_line
from articles.models import Feed
from articles.wire import poll_due_feeds


class Command(BaseCommand):
    help = "Poll the feeds whose time has come (conditional GET) and import their new items."

    def add_arguments(self, parser):
        parser.add_argument(
            "--feed", type=int, action="append", help="Poll this feed (id) now; repeat."
        )

    def handle(self, *args, feed=None, verbosity=1, **options):
        feeds = Feed.objects.filter(pk__in=feed).select_related("section") if feed else None
        results = poll_due_feeds(feeds=feeds)
        errors = 0
        for result in results:
            if result.error:
                errors += 1
                self.stderr.write(self.style.ERROR(f"{result.feed}: {result.error}"))
                continue
            if verbosity >= 1:
                for location, reason in result.failures:
                    self.stderr.write(self.style.WARNING(f"{result.feed}: {location}: {reason}"))
                if result.not_modified:
                    self.stdout.write(f"{result.feed}: not modified")
                else:
                    self.stdout.write(f"{result.feed}: {summary_line(result.counts)}")
        if verbosity >= 2 and not results:
            self.stdout.write("No feed is due.")
        if errors:
            raise CommandError(f"{errors} feed(s) could not be read.", returncode=1)
