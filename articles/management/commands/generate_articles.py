"""Bulk synthetic articles for load, search and size tests.

On PostgreSQL the articles, their search rows and their tags are written with COPY, in
batches made by worker processes (each writes its own batches), with the indexes of those
tables that no constraint needs (the search table's GIN indexes among them) dropped during a
large load and built again after it: a million articles in minutes rather than hours. The
search rows are those the live index writes (its `columns_of_keys`, over what the terms that
`articles.text.analyze` gives each word are indexed under, worked out once a word: see
`Text`). On other databases the ORM writes them (`index_rows`).
"""

import math
import os
import random
import time
from array import array
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.bulk import copy_escape, copy_rows, fork_context, lz4_available
from articles.cache import articles_changed
from articles.models import Article, ArticleSearch, Author, Section, Tag
from articles.search import index_rows
from articles.search.index import FIELDS, ROW_FIELDS, columns_of_keys, quote_lexeme, term_extras
from articles.search.postgres import ANALYZE_SEARCH, GIN_INDEXES
from articles.text import analyze

# Everyday newsroom vocabulary, so that text statistics look like real Arabic news: the
# function words first (the most frequent), then the words of every day's stories.
FUNCTION_WORDS = """
في من على إلى عن مع خلال بعد قبل أمام ضمن عبر نحو حول بين منذ حتى لدى عند
""".split()
WORDS = """
الحكومة الوزارة المحافظة مجلس الوزراء البرلمان النواب المدينة العاصمة بغداد البصرة
الموصل أربيل النجف كربلاء الأنبار ديالى الحلة الناصرية العمارة الكوت السليمانية دهوك
أعلن أعلنت قال قالت أكد أكدت أوضح أوضحت أشار أشارت بحث بحثت افتتح افتتحت أطلق أطلقت
مشروع مشاريع خطة برنامج مؤتمر اجتماع لقاء زيارة وفد اتفاق اتفاقية مذكرة تفاهم قرار
المياه الكهرباء النفط الغاز الزراعة الصناعة التجارة الاستثمار السياحة الصحة التعليم
المدارس الجامعة الطلبة المستشفى الأطباء المرضى الطرق الجسور النقل الإسكان البيئة
المواطنين الأهالي الشباب المرأة الأطفال العائلات المزارعين الموظفين العمال الشركات
الأسعار السوق الدينار الموازنة الإيرادات الصادرات الاستيراد الإنتاج التنمية الخدمات
الثقافة المسرح الكتاب المعرض المهرجان الفنانين التراث المتحف الموسيقى السينما الشعر
المنتخب الدوري النادي المباراة الملعب اللاعبين المدرب البطولة الفوز الهدف الجمهور
التكنولوجيا الإنترنت الهاتف التطبيق الرقمية البيانات الشبكة الحاسوب المنصة الذكاء
جديد جديدة كبير كبيرة واسع واسعة مهم مهمة عاجل سريع رسمي رسمية محلي محلية دولي دولية
اليوم أمس الأسبوع الشهر العام المقبل الماضي الحالي صباح مساء الأحد الاثنين الثلاثاء
تنفيذ تطوير تحسين دعم تعزيز توفير إنشاء تأهيل صيانة متابعة معالجة مناقشة تقديم
العراق الانتخابات الانتخابية الأمن السلام المرأة الإسرائيلي إسرائيل القدس المسؤولين رئاسة
""".split()

# The long tail: words made as Arabic makes them, a pattern laid over a three-letter root
# (ك ت ب: كاتب، مكتوب، كتابة، استكتاب …; ف ع ل mark the root's places), some with the
# article and its prefixes. A real archive has hundreds of thousands of distinct words, most
# of them rare: this tail gives the search index that shape (see `vocabulary`).
ROOT_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
PATTERNS = """
فعل فاعل مفعول فعال فعالة فعيل مفعل مفعلة تفعيل افتعال انفعال استفعال فعول مفاعل فواعل تفاعل
يفعل تفعل فعلت فعلوا مفاعلة فعلاء أفعال فعلان تفعلة مستفعل متفاعل منفعل فعالي فعلية
""".split()
ROOTS = 9000
ARTICLE_PREFIXES = ["ال", "وال", "بال", "لل", "و"]
RARE_WORDS = """
الكوليرا الملاريا بيتكوين الزلزال الفيضانات الجراد الإعصار التضخم الطاقة الشمسية
""".split()
RARE_RATE = 0.006

SECTIONS = [
    ("news", "أخبار", "News"),
    ("economy", "اقتصاد", "Economy"),
    ("culture", "ثقافة", "Culture"),
    ("sports", "رياضة", "Sports"),
    ("technology", "تكنولوجيا", "Technology"),
]
TAG_COUNT = 200
FIRST_NAMES = "أحمد محمد علي حسن حسين زينب فاطمة مريم سارة عمر خالد يوسف ليلى نور".split()
FAMILY_NAMES = "الربيعي الجبوري العبيدي الموسوي الحسيني التميمي الساعدي الخفاجي الزبيدي".split()


@lru_cache(maxsize=1)
def vocabulary():
    """(words, cumulative weights): every word of the generator ranked by frequency, the
    function words first and the long tail last, with Zipf's weights (1 / rank), as word
    frequencies are in real text."""
    rng = random.Random("vocabulary")
    roots = set()
    while len(roots) < ROOTS:
        roots.add("".join(rng.choices(ROOT_LETTERS, k=3)))
    tail = []
    for root in sorted(roots):
        for pattern in PATTERNS:
            word = pattern.replace("ف", "\0").replace("ع", "\1").replace("ل", "\2")
            word = word.translate({ord("\0"): root[0], ord("\1"): root[1], ord("\2"): root[2]})
            if rng.random() < 0.2:
                word = rng.choice(ARTICLE_PREFIXES) + word
            tail.append(word)
    rng.shuffle(tail)
    words = list(dict.fromkeys([*FUNCTION_WORDS, *WORDS, *tail]))
    return words, list(accumulate(1 / (rank + 2.7) for rank in range(len(words))))


# random.choices bisects the cumulative weights of every word for each draw: a guide table
# of the weights cut into equal slots tells, for a draw, the word it is (58 % of draws: the
# common words span whole slots) or the few words it may be, bisected among those only. A
# draw costs about a third less (in one process, taken in turn: 0.8 µs against 1.3).
GUIDE_SLOTS = 1 << 16


class Draws:
    """Indexes of words drawn with `weights` (cumulative), the same as
    `[bisect(weights, rng.random() * total, 0, len(weights) - 1)]` for each draw, as
    `rng.choices(…, cum_weights=weights)` makes them, from the same random numbers."""

    def __init__(self, weights):
        self.weights, self.total = weights, weights[-1] + 0.0
        last = len(weights) - 1
        self.scale = GUIDE_SLOTS / self.total
        step = self.total / GUIDE_SLOTS
        # A slot's words: from the last one ending before it to the first one ending past it
        # (a draw's slot, worked out from its random number, may be one off at an edge).
        self.lows, self.highs, self.known = [], [], []
        for slot in range(GUIDE_SLOTS + 1):
            start, end = slot * step, (slot + 1) * step
            low = bisect_right(weights, start, 0, last)
            high = bisect_right(weights, end, 0, last)
            self.lows.append(max(low - 1, 0))
            self.highs.append(min(high + 1, last))
            inside = low == high and (low == 0 or weights[low - 1] < start * (1 - 1e-9))
            self.known.append(low if inside and weights[low] > end * (1 + 1e-9) else -1)

    def __call__(self, rng, count) -> list[int]:
        weights, scale, known, lows, highs = (
            self.weights, self.scale, self.known, self.lows, self.highs
        )  # fmt: skip
        drawn = []
        for number in [rng.random() * self.total for _ in repeat(None, count)]:
            slot = int(number * scale)
            word = known[slot]
            if word < 0:
                word = bisect_right(weights, number, lows[slot], highs[slot])
            drawn.append(word)
        return drawn


AUTHOR_COUNT = 40
# A daily's output, whatever the archive's length: twenty years of it is about a million
# articles. So the newest days hold as many articles at 10,000 as at a million (the news
# sitemap's two days, the ticker's breaking news of three), as in a real archive.
PER_DAY = 140
PARALLEL_FROM = 20_000  # articles: below this, one process (and the caller's transaction)
REINDEX_FROM = 50_000  # articles: from this many, most indexes are built after the load
MAINTENANCE_CONNECTIONS = 2  # building the indexes after a load, analysing the tables


class Text:
    """Generated text and its search terms together. Each word (of the vocabulary, then the
    rare words) is analysed once, when first drawn, and what its term is indexed under is
    kept by the word's number in flat lists; an article's search row is made from those
    (`columns_of_keys`), as the live index makes it from the terms of the whole text (the
    terms of a text are those of its words in order, as `analyze` of the whole gives).
    Reading the term objects of every occurrence cost 250 to 430 ns a term for each of
    its attributes read (the terms of 270,000 words lie all over memory: the reads miss the
    processor's caches); so a search row costs a third less (0.25–0.30 ms an article against
    0.37–0.43)."""

    def __init__(self):
        words, weights = vocabulary()
        self.words = [*words, *RARE_WORDS]
        self.rare = {word: len(words) + offset for offset, word in enumerate(RARE_WORDS)}
        self.draw = Draws(weights)
        count = len(self.words)
        # By word number: its key as it goes between quotes, the key's `word_hash`, its
        # `term_extras` (or None), and whether it is indexed (not a stop word: a flag in
        # one block of memory, read for every word drawn without reading the key).
        self.keys = [""] * count
        self.hashes = array("Q", bytes(8 * count))
        self.extras = [None] * count
        self.indexed = bytearray(count)
        self.analysed, self.unanalysed = bytearray(count), count

    def analyse(self, numbers):
        """Analyse the words `numbers` not analysed yet."""
        for number in numbers:
            if self.analysed[number]:
                continue
            self.analysed[number] = 1
            self.unanalysed -= 1
            (term,) = analyze(self.words[number]) or (None,)  # None: a stop word
            if term is not None:
                self.keys[number] = quote_lexeme(term.key)[1:-1]
                self.hashes[number] = term.key_hash
                self.extras[number] = term_extras(term)
                self.indexed[number] = 1

    def analyse_all(self):
        """Analyse every word now (before worker processes fork: they share the result)."""
        self.analyse(range(len(self.words)))

    def sentence(self, rng, low=8, high=18, terms=None):
        """Words drawn by frequency, the numbers of those indexed added to `terms`."""
        drawn = self.draw(rng, rng.randint(low, high))
        if terms is not None:
            if self.unanalysed:
                self.analyse(drawn)
            terms.extend(filter(self.indexed.__getitem__, drawn))
        return " ".join(map(self.words.__getitem__, drawn)) + "."

    def rare_word(self, word, terms) -> str:
        """A rare word (never a stop word), its number added to `terms`."""
        number = self.rare[word]
        self.analyse([number])
        terms.append(number)
        return word

    def search_columns(self, fields) -> tuple[str, list[str]]:
        """`search_columns` of the fields' terms, given as the numbers of their words."""
        keys, hashes, extras = self.keys, self.hashes, self.extras
        return columns_of_keys(
            (
                weight,
                list(map(keys.__getitem__, numbers)),
                list(map(hashes.__getitem__, numbers)),
                [
                    (index, extras[numbers[index]])
                    for index in compress(range(len(numbers)), map(extras.__getitem__, numbers))
                ],
            )
            for numbers, weight in ((fields[name], weight) for name, weight in FIELDS)
        )


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return copy_escape(str(value))


class Batches:
    """Batch `number` of a run: its articles, search rows and tags, the same for the same seed
    and batch size whatever the number of processes. Batches are counted from the newest
    article (batch 0 ends with it), so the newest articles of a seed are the same at every
    archive length: a million and 10,000 articles show the same stories on their front pages
    and differ only in depth, as the benchmarks compare them."""

    def __init__(self, *, seed, sections, tags, authors, now, per_day, count, batch_size):
        self.seed, self.now, self.per_day = seed, now, per_day
        self.count, self.batch_size = count, batch_size
        self.sections, self.tags, self.authors = sections, tags, authors
        self.text = Text()
        self.load_settings = []  # statements run first in each transaction that writes
        self._article_columns()

    def _article_columns(self):
        """The article table's columns and the value each generated article gives them:
        a template article's (as bulk_create would write them), the generated fields apart."""
        template = Article(status=Article.Status.PUBLISHED)
        template.created_at = template.updated_at = self.now
        self.columns, self.constants = [], []
        for field in Article._meta.concrete_fields:
            value = field.get_db_prep_save(getattr(template, field.attname), connection)
            if value is None and not field.null:
                value = ""
            self.columns.append(field.column)
            self.constants.append(copy_value(value))
        self.generated = {column: i for i, column in enumerate(self.columns)}

    def bounds(self, number) -> tuple[int, int]:
        """(place of its first article, counted from the oldest (0), number of articles) of
        batch `number`."""
        end = self.count - number * self.batch_size
        start = max(end - self.batch_size, 0)
        return start, end - start

    def articles(self, number, size):
        """[(values by field, terms by search field (the numbers of their words), tag ids)]
        of batch `number`, oldest first."""
        rng = random.Random(f"{self.seed}:{number}")
        text = self.text
        made = []
        # As an archive grows, a later article (a higher id) is a newer one: the run's
        # articles follow one another, `per_day` a day, the last a minute ago. Each batch is
        # drawn newest first, so that its newest articles are the same whatever its size.
        slot = 86400 / self.per_day
        start = self.bounds(number)[0]
        for place in range(start + size - 1, start - 1, -1):
            title_terms, summary_terms = [], []
            title = text.sentence(rng, 6, 12, title_terms).rstrip(".")
            paragraphs, paragraph_terms = [], []
            for _ in range(rng.randint(4, 8)):
                terms = []
                sentences = [text.sentence(rng, terms=terms) for _ in range(rng.randint(2, 4))]
                paragraphs.append(" ".join(sentences))
                paragraph_terms.append(terms)
            for word in RARE_WORDS:
                if rng.random() < RARE_RATE:
                    where = rng.randrange(len(paragraphs))
                    terms = paragraph_terms[where]
                    sentence = text.sentence(rng, 4, 8, terms)
                    paragraphs[where] += f" {sentence} {text.rare_word(word, terms)}."
            summary = text.sentence(rng, 15, 30, summary_terms)
            published_at = self.now - timedelta(
                seconds=60 + slot * (self.count - 1 - place + rng.random())
            )
            values = {
                "title": title,
                "slug": slugify(title, allow_unicode=True)[:200],
                "summary": summary,
                "body": "".join(f"<p>{text}</p>" for text in paragraphs),
                "section_id": rng.choice(self.sections),
                "author_id": rng.choice(self.authors) if self.authors else None,
                "published_at": published_at,
                "first_published_at": published_at,  # bulk writes skip Article.save()
                "is_breaking": rng.random() < 0.01,
                "is_featured": rng.random() < 0.005,
            }
            tags = rng.sample(self.tags, rng.randint(1, 4))
            body_terms = list(chain.from_iterable(paragraph_terms))
            fields = {"title": title_terms, "summary": summary_terms, "body": body_terms}
            made.append((values, fields, tags))
        return made[::-1]

    def write(self, number, first_id, size):
        """Write batch `number` (ids from `first_id`) with COPY, in a transaction of its own
        (or a savepoint of the caller's)."""
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in self.load_settings:
                cursor.execute(statement)
            return self.copy(cursor, number, first_id, size)

    def copy(self, cursor, number, first_id, size):
        """Write batch `number` (ids from `first_id`) with COPY."""
        article_rows, search_rows, tag_rows = [], [], []
        for offset, (values, fields, tags) in enumerate(self.articles(number, size)):
            pk = first_id + offset
            row = list(self.constants)
            row[self.generated["id"]] = str(pk)
            for name in ("title", "slug", "summary", "body"):
                value = copy_value(values[name])
                row[self.generated[name]] = row[self.generated[f"{name}_ar"]] = value
            for name in ("section_id", "author_id", "published_at", "first_published_at",
                         "is_breaking", "is_featured"):  # fmt: skip
                row[self.generated[name]] = copy_value(values[name])
            article_rows.append(row)
            document, phrases = self.text.search_columns(fields)
            published = copy_value(values["published_at"])
            section = str(values["section_id"])
            search_rows.append(
                (str(pk), "ar", section, "published", published, copy_value(document), *phrases)
            )  # the arrays' digits, commas and braces need no escaping
            tag_rows.extend((str(pk), str(tag)) for tag in tags)
        copy_rows(cursor, Article._meta.db_table, self.columns, map("\t".join, article_rows))
        copy_rows(cursor, ArticleSearch._meta.db_table, ROW_FIELDS, map("\t".join, search_rows))
        copy_rows(
            cursor, Article.tags.through._meta.db_table, ["article_id", "tag_id"],
            map("\t".join, tag_rows),
        )  # fmt: skip
        return size


LOAD_TABLES = (Article, ArticleSearch, Article.tags.through)
_BATCHES = None  # the run's Batches, in the worker processes (inherited when they fork)


def _write_batch(task):
    return _BATCHES.write(*task)


class Command(BaseCommand):
    help = "Create N synthetic published Arabic articles in bulk (for benchmarks and scale tests)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many articles.")
        parser.add_argument(
            "--seed", type=int, default=0, help="Random seed (same seed, same text)."
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--per-day",
            type=int,
            default=PER_DAY,
            help=f"Articles a day (default {PER_DAY}): the archive spans count / per-day days.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help=f"Processes writing batches on PostgreSQL (from {PARALLEL_FROM:,} articles).",
        )

    def handle(self, *args, count, seed, batch_size, per_day, workers, verbosity, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if per_day < 1:
            raise CommandError("--per-day must be at least 1.")
        batches = Batches(
            seed=seed,
            sections=[section.pk for section in self.ensure_sections()],
            tags=[tag.pk for tag in self.ensure_tags()],
            authors=[author.pk for author in self.ensure_authors()],
            now=timezone.now().astimezone(UTC),
            per_day=per_day,
            count=count,
            batch_size=batch_size,
        )
        # The oldest batch first: written through the ORM, a later article gets a higher id.
        tasks = [(n, *batches.bounds(n)) for n in reversed(range(math.ceil(count / batch_size)))]
        started = time.monotonic()
        if connection.vendor == "postgresql":
            made = self.copy(batches, tasks, count, workers, verbosity)
        else:
            made = self.write(batches, tasks, count, verbosity)
        articles_changed()  # bulk writes send no signals
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {made} articles in {elapsed:.1f} s ({made / max(elapsed, 1e-9):.0f}/s)."
            )
        )

    def progress(self, made, count, verbosity):
        if verbosity >= 2:
            self.stdout.write(f"{made}/{count}")

    def write(self, batches, tasks, count, verbosity):
        """Through the ORM (databases other than PostgreSQL)."""
        made = 0
        for number, _start, size in tasks:
            with transaction.atomic():
                generated = batches.articles(number, size)
                articles = [
                    Article(
                        title_ar=values["title"],
                        slug_ar=values["slug"],
                        summary_ar=values["summary"],
                        body_ar=values["body"],
                        status=Article.Status.PUBLISHED,
                        **{
                            name: values[name]
                            for name in (
                                "section_id",
                                "author_id",
                                "published_at",
                                "first_published_at",
                                "is_breaking",
                                "is_featured",
                            )
                        },  # fmt: skip
                    )
                    for values, _fields, _tags in generated
                ]
                Article.objects.bulk_create(articles, batch_size=1000)
                index_rows(articles)
                Article.tags.through.objects.bulk_create(
                    [
                        Article.tags.through(article_id=article.pk, tag_id=tag)
                        for article, (_values, _fields, tags) in zip(
                            articles, generated, strict=True
                        )
                        for tag in tags
                    ],
                    batch_size=4000,
                )
            made += size
            self.progress(made, count, verbosity)
        return made

    def copy(self, batches, tasks, count, workers, verbosity):
        """With COPY, by `workers` processes for a large load, most indexes built after."""
        global _BATCHES
        alone = not connection.in_atomic_block
        first_id = self.reserve_ids(count)
        tasks = [(number, first_id + start, size) for number, start, size in tasks]
        batches.load_settings = self.load_settings()
        indexes = self.drop_indexes() if alone and count >= REINDEX_FROM else {}
        made = 0
        try:
            if alone and workers > 1 and count >= PARALLEL_FROM:
                _BATCHES = batches
                batches.text.analyse_all()
                with fork_context().Pool(workers) as pool:
                    for size in pool.imap_unordered(_write_batch, tasks):
                        made += size
                        self.progress(made, count, verbosity)
            else:
                for task in tasks:
                    made += batches.write(*task)
                    self.progress(made, count, verbosity)
        finally:
            _BATCHES = None
            if alone:
                tables = [model._meta.db_table for model in LOAD_TABLES]
                analyses = {table: f"ANALYZE {table}" for table in tables}
                analyses[ArticleSearch._meta.db_table] = ANALYZE_SEARCH
                self.maintain({**indexes, **analyses}, verbosity)
        return made

    @staticmethod
    def load_settings():
        """What each writing transaction sets: its commit need not wait for the disk (a load
        cut short is run again), and long values are compressed with lz4 when the server
        has it (pglz took a quarter of the server's time; reading either is transparent)."""
        with connection.cursor() as cursor:
            lz4 = lz4_available(cursor)
        return [
            "SET LOCAL synchronous_commit = off",
            *(["SET LOCAL default_toast_compression = lz4"] if lz4 else []),
        ]

    @staticmethod
    def drop_indexes():
        """Drop the indexes of the tables written that no constraint or uniqueness needs:
        every row written would update each of them, at random places of trees that outgrow
        the server's cache in a large load; building them after costs far less. Returns
        {name: definition} to build them again (with the search table's GIN indexes even
        if they were missing, as after a load killed before it built them)."""
        tables = [model._meta.db_table for model in LOAD_TABLES]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique "
                "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)",
                [tables],
            )
            indexes = dict(cursor.fetchall())
            for name in indexes:
                cursor.execute(f"DROP INDEX {name}")
        for name, definition in GIN_INDEXES.items():
            indexes.setdefault(name, definition)
        return indexes

    @staticmethod
    def reserve_ids(count):
        """The first of `count` article ids no one else will be given."""
        table = Article._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
                f"nextval(pg_get_serial_sequence('{table}', 'id'))) + %s)",
                [count],
            )
            return cursor.fetchone()[0] - count + 1

    def maintain(self, statements, verbosity):
        """Run `statements` ({what: SQL}: the indexes to build, the tables to analyse), two at
        once (one connection each), the GIN indexes first: they take longest, and the other
        connection does the rest meanwhile (a table's ANALYZE waits for a build on it). Each is
        tried; an error is raised after, naming those that failed."""

        def run(what, sql):
            started = time.monotonic()
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                    # Two at once keep both cores busy: no parallel workers.
                    cursor.execute("SET max_parallel_maintenance_workers = 0")
                    cursor.execute(sql)
            finally:
                connection.close()
            if verbosity >= 2:
                self.stdout.write(f"{what}: {time.monotonic() - started:.1f} s")

        started = time.monotonic()
        order = sorted(statements.items(), key=lambda item: " USING gin " not in item[1])
        with ThreadPoolExecutor(MAINTENANCE_CONNECTIONS) as executor:
            futures = {what: executor.submit(run, what, sql) for what, sql in order}
        errors = {what: future.exception() for what, future in futures.items()}
        if failed := {what: error for what, error in errors.items() if error is not None}:
            raise CommandError(
                "Failed: "
                + "; ".join(f"{statements[what]} ({error})" for what, error in failed.items())
            )
        if verbosity >= 2:
            self.stdout.write(f"indexes and statistics in {time.monotonic() - started:.0f} s")

    def ensure_sections(self):
        sections = list(Section.objects.all())
        if sections:
            return sections
        return [
            Section.objects.create(slug=slug, name_ar=name_ar, name_en=name_en, order=order)
            for order, (slug, name_ar, name_en) in enumerate(SECTIONS, start=1)
        ]

    def ensure_tags(self):
        rng = random.Random("tags")
        existing = {tag.slug for tag in Tag.objects.all()}
        for index in range(TAG_COUNT):
            slug = f"generated-{index}"
            if slug not in existing:
                name = " ".join(rng.sample(WORDS, 2))
                Tag.objects.create(slug=slug, name_ar=name, name_en=f"Topic {index}")
        return list(Tag.objects.filter(slug__startswith="generated-").order_by("pk"))

    def ensure_authors(self):
        rng = random.Random("authors")
        existing = {author.slug for author in Author.objects.all()}
        for index in range(AUTHOR_COUNT):
            slug = f"generated-{index}"
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
            if slug not in existing:
                Author.objects.create(slug=slug, name_ar=name, name_en=f"Writer {index}")
        return list(Author.objects.filter(slug__startswith="generated-").order_by("pk"))
