"""Move the impression counters kept in the cache into the daily ad statistics.

Run it from cron every few minutes (and at least once a day: the counters live three
days in the cache). Safe to run in several processes at once.
"""

from django.core.management.base import BaseCommand

from ads import services


class Command(BaseCommand):
    help = "Move cached ad impression counters into the daily statistics table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=services.FLUSH_DAYS,
            help="How many days back to look (default: %(default)s).",
        )

    def handle(self, *args, **options):
        moved = services.flush_impressions(days=options["days"])
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"{moved} impressions saved."))
