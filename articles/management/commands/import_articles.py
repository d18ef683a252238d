"""Import articles from a WordPress export, an RSS/Atom feed, JSON Lines or saved pages.

    manage.py import_articles export.xml                  # format detected from the content
    manage.py import_articles https://agency.example/rss --section news --status review
    manage.py import_articles pages/ --format html --dry-run

Items are written in batches by `articles.services.import_batch` (new articles together,
each batch in one transaction; if a batch fails, each of its items is written alone); a bad
item is reported with its place in the source and skipped. An item without a headline or a
body, and another source's copy of a story already on file, become drafts flagged for the
editors. Running the same input again creates nothing new. Exit status: 0 all imported,
1 some items failed, 2 source unreadable.
"""

import sys
import time
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.db.backends.signals import connection_created

from articles.bulk import BackgroundIndexer, can_fork, lz4_available
from articles.cache import bulk_changes
from articles.importers import IMPORTERS, FailedItem, SourceError, get_importer
from articles.importers.base import ReadAhead, is_http_url
from articles.importers.report import Progress, summary_line
from articles.models import Article
from articles.search.postgres import GIN_INDEXES
from articles.services import (
    ImportCache,
    ImportOptions,
    ImportResult,
    import_batch,
    link_restored_relations,
    prefetch_import_state,
)
from newsroom.images import left_for_later

GIN_PENDING_LIST = "64MB"
LINKS = ("related", "duplicate_of")
# What an import's PostgreSQL sessions set (see relax_commit_durability).
SESSION = (
    "SET synchronous_commit TO off",
    f"SET gin_pending_list_limit TO '{GIN_PENDING_LIST}'",
    "SET work_mem TO '64MB'",
)
# Long texts (bodies, revisions) compressed with lz4 where the server has it.
LZ4 = "SET default_toast_compression TO 'lz4'"
RELAXED_SESSIONS = "import-articles-relaxed-session"


class Command(BaseCommand):
    progress = None
    indexer = None
    session = ()  # what relax_commit_durability set
    batch_size = 1000  # items looked up and written together
    help = (
        "Import articles from a WordPress export (wxr), an RSS/Atom feed file or URL (feed), "
        "a JSON Lines file (jsonl) or saved legacy article pages (html). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A file, a folder of .html pages, or a feed URL.")
        parser.add_argument(
            "--format", choices=sorted(IMPORTERS), help="Skip detection from the content."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument("--limit", type=int, help="Stop after this many items.")
        parser.add_argument(
            "--update", action="store_true", help="Update articles whose source item changed."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="With --update, also overwrite articles that editors changed since import.",
        )
        parser.add_argument(
            "--section",
            default="",
            help="Section slug for items whose category the site has no section for, or that "
            "name none (created out of the navigation if new). Default: the hidden "
            "“incoming” section.",
        )
        parser.add_argument(
            "--status",
            choices=[choice for choice, _label in Article.Status.choices],
            default=Article.Status.REVIEW,
            help="Status of items that carry none (feeds, pages): review by default.",
        )
        parser.add_argument(
            "--section-map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Put category OLD into section NEW (repeat, or separate with commas).",
        )
        parser.add_argument(
            "--media-dir", help="A copy of wp-content/uploads to read featured images from."
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="Saved pages: the address the page had on its site, to resolve its relative "
            "links and pictures (default: the page's canonical link; links that cannot be "
            "resolved are unwrapped).",
        )
        parser.add_argument(
            "--no-renditions",
            action="store_true",
            help="Store pictures without their renditions (much faster for a large archive); "
            "make_renditions or the first page view makes them.",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.", returncode=2)
        if options["base_url"] and not is_http_url(options["base_url"]):
            raise CommandError("--base-url must be an http(s) address.", returncode=2)
        section_map = self.parse_section_map(options["section_map"])
        try:
            importer = get_importer(
                options["source"],
                format=options["format"],
                options={
                    "media_dir": options["media_dir"],
                    "section_map": section_map,
                    "base_url": options["base_url"],
                },
            )
        except SourceError as error:
            raise CommandError(str(error), returncode=2) from error
        relaxed = self.relax_commit_durability()
        try:
            renditions = left_for_later() if options["no_renditions"] else nullcontext()
            with renditions, bulk_changes():
                importer = self.read_ahead(importer, options)
                self.indexer = self.background_indexer(options)
                try:
                    self.run_import(importer, options, section_map, verbosity)
                finally:
                    if self.indexer is not None:
                        self.indexer.finish()
        finally:
            if relaxed:
                self.restore_commit_durability()

    @staticmethod
    def works_beside(options) -> bool:
        """Whether other processes read the source and write the search rows: on PostgreSQL,
        where processes can be forked, not inside a transaction the caller holds (other
        processes would not see its articles) and not for a dry run."""
        return (
            connection.vendor == "postgresql"
            and can_fork()
            and not connection.in_atomic_block
            and not options["dry_run"]
        )

    def read_ahead(self, importer, options):
        """The source read by a second process while the batches are written."""
        return ReadAhead(importer) if self.works_beside(options) else importer

    def background_indexer(self, options):
        """The search rows of each committed batch written by a third process while the next
        batch is written."""
        return BackgroundIndexer() if self.works_beside(options) else None

    def relax_commit_durability(self) -> bool:
        """On PostgreSQL, commit without waiting for the disk: a crash can lose the last
        fraction of a second of imported items (never half an item), and running the import
        again brings them back. Roughly halves the cost of an item's transaction. The search
        index's new entries wait in a larger pending list, merged once at the end: one
        sorted merge instead of one every few hundred articles (and a merge the list's
        size forces meanwhile sorts in memory: 15 % less of the database's time). Long
        texts are compressed with lz4 when the server has it."""
        if connection.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            lz4 = lz4_available(cursor)
        self.session = (*SESSION, *([LZ4] if lz4 else []))
        self.relax_session(connection=connection)
        # Every connection the import opens from here on, in this process and in the
        # search rows' (BackgroundIndexer), does the same.
        connection_created.connect(self.relax_session, dispatch_uid=RELAXED_SESSIONS)
        return True

    def relax_session(self, connection, **_kwargs) -> None:
        with connection.cursor() as cursor:
            for statement in self.session:
                cursor.execute(statement)

    @staticmethod
    def restore_commit_durability() -> None:
        connection_created.disconnect(dispatch_uid=RELAXED_SESSIONS)
        with connection.cursor() as cursor:
            for index in GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute("RESET gin_pending_list_limit")
            cursor.execute("RESET work_mem")
            cursor.execute("RESET default_toast_compression")
            cursor.execute("RESET synchronous_commit")

    def run_import(self, importer, options, section_map, verbosity):
        counts = dict.fromkeys(ImportResult, 0)
        cache = ImportCache()
        seen: dict[str, str] = {}
        progress = Progress(self.stdout, importer) if self.is_terminal() else None
        self.progress = progress
        started = time.monotonic()
        processed = 0
        items = importer.items()
        import_options = ImportOptions(
            import_source=importer.import_source,
            section=options["section"],
            status=options["status"],
            update=options["update"],
            force=options["force"],
            dry_run=options["dry_run"],
            section_map=section_map,
            indexer=self.indexer,
        )
        batch = []
        relations = {}  # a backup's links between its articles, made once all are in

        def flush():
            # The importer knows its identity (a feed's link) once it has read the header.
            import_options.import_source = importer.import_source
            ready = []
            for item in batch:
                if isinstance(item, FailedItem):
                    counts[ImportResult.FAILED] += 1
                    self.report_failure(item.location, item.reason, verbosity)
                elif item.import_id in seen:
                    counts[ImportResult.DUPLICATE] += 1
                    if verbosity >= 1:
                        self.say(
                            self.stdout,
                            f"{item.location}: duplicate of {seen[item.import_id]} "
                            "(same identifier)",
                        )
                else:
                    seen[item.import_id] = item.location
                    ready.append(item)
            batch.clear()
            # With DEBUG on, Django keeps the text of recent queries: a batch's inserts
            # would hold megabytes each, and memory would grow with the archive.
            reset_queries()
            if not ready:
                return
            prefetch_import_state(items=ready, options=import_options, cache=cache)
            outcomes = import_batch(items=ready, options=import_options, cache=cache)
            for item, outcome in zip(ready, outcomes, strict=True):
                self.report(item, outcome, counts, verbosity)
                links = {name: item.extra[name] for name in LINKS if item.extra.get(name)}
                if item.from_backup and links and outcome.article_id:
                    relations[outcome.article_id] = links

        try:
            for item in items:
                processed += 1
                batch.append(item)
                if len(batch) >= self.batch_size:
                    flush()
                if progress:
                    progress.update(processed)
                if options["limit"] and processed >= options["limit"]:
                    break
            flush()
        except SourceError as error:
            flush()
            if processed == 0:
                raise CommandError(str(error), returncode=2) from error
            counts[ImportResult.FAILED] += 1
            self.report_failure(options["source"], f"stopped reading: {error}", verbosity)
        finally:
            items.close()
            if progress:
                progress.update(processed, final=True)
        if relations and not options["dry_run"]:
            link_restored_relations(import_source=import_options.import_source, relations=relations)
        elapsed = time.monotonic() - started
        if verbosity >= 2:
            rate = processed / elapsed if elapsed else 0
            self.stdout.write(f"{processed} items in {elapsed:.1f}s ({rate:.1f} items/s)")
        summary = summary_line(counts)
        if options["dry_run"] and verbosity >= 1:
            self.stdout.write("Dry run: nothing was written.")
        elif options["no_renditions"] and verbosity >= 1:
            self.stdout.write("Pictures stored without renditions: run make_renditions.")
        if verbosity >= 1:
            style = self.style.WARNING if counts[ImportResult.FAILED] else self.style.SUCCESS
            self.stdout.write(style(summary))
        if counts[ImportResult.FAILED]:
            raise CommandError(
                f"{counts[ImportResult.FAILED]} item(s) could not be imported.", returncode=1
            )

    def report(self, item, outcome, counts, verbosity):
        counts[outcome.result] += 1
        if outcome.result == ImportResult.FAILED:
            self.report_failure(item.location, outcome.message, verbosity)
            return
        if verbosity >= 1:
            for warning in outcome.warnings:
                self.say(self.stderr, self.style.WARNING(f"{item.location}: {warning}"))
            if outcome.message:
                self.say(self.stdout, f"{item.location}: {outcome.result.value}: {outcome.message}")
        if verbosity >= 2 and not outcome.message:
            self.say(self.stdout, f"{item.location}: {outcome.result.value}: {item.title}")

    def say(self, stream, text):
        if self.progress:
            self.progress.clear()
        stream.write(text)

    def report_failure(self, location, reason, verbosity):
        if verbosity >= 1:
            self.say(self.stderr, self.style.ERROR(f"{location}: failed: {reason}"))

    @staticmethod
    def parse_section_map(values):
        mapping = {}
        for value in values:
            for pair in value.split(","):
                if not pair.strip():
                    continue
                old, sep, new = pair.partition("=")
                if not sep or not old.strip() or not new.strip():
                    raise CommandError(f"--section-map expects OLD=NEW, not {pair!r}", returncode=2)
                mapping[old.strip()] = new.strip()
        return mapping

    def is_terminal(self) -> bool:
        stream = getattr(self.stdout, "_out", sys.stdout)
        return hasattr(stream, "isatty") and stream.isatty()
