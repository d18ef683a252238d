"""Bulk synthetic articles for load, search and size tests."""

import random
import time
from datetime import timedelta
from functools import lru_cache
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.cache import articles_changed
from articles.models import Article, Section, Tag
from articles.search import index_rows

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


def sentence(rng, low=8, high=18):
    words, weights = vocabulary()
    return " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(low, high))) + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


class Command(BaseCommand):
    help = "Create N synthetic published Arabic articles in bulk (for benchmarks and scale tests)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many articles.")
        parser.add_argument(
            "--seed", type=int, default=0, help="Random seed (same seed, same text)."
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--days", type=int, default=730, help="Spread over this many days.")

    def handle(self, *args, count, seed, batch_size, days, verbosity, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        rng = random.Random(seed)
        sections = self.ensure_sections()
        tags = self.ensure_tags()
        now = timezone.now()
        started = time.monotonic()
        made = 0
        while made < count:
            size = min(batch_size, count - made)
            with transaction.atomic():
                batch = [self.make_article(rng, sections, now, days) for _ in range(size)]
                Article.objects.bulk_create(batch, batch_size=batch_size)
                index_rows(batch)
                links = [
                    Article.tags.through(article_id=article.pk, tag_id=tag.pk)
                    for article in batch
                    for tag in rng.sample(tags, rng.randint(1, 4))
                ]
                Article.tags.through.objects.bulk_create(links, batch_size=batch_size * 4)
            made += size
            if verbosity >= 2:
                self.stdout.write(f"{made}/{count}")
        articles_changed()  # bulk_create sends no signals
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {made} articles in {elapsed:.1f} s ({made / max(elapsed, 1e-9):.0f}/s)."
            )
        )

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
        return list(Tag.objects.filter(slug__startswith="generated-"))

    def make_article(self, rng, sections, now, days):
        """bulk_create skips save(): the slug is set here, and the body is safe by making."""
        title = sentence(rng, 6, 12).rstrip(".")
        paragraphs = [paragraph(rng) for _ in range(rng.randint(4, 8))]
        for word in RARE_WORDS:
            if rng.random() < RARE_RATE:
                paragraphs[rng.randrange(len(paragraphs))] += f" {sentence(rng, 4, 8)} {word}."
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        published_at = now - timedelta(seconds=rng.randint(60, days * 86400))
        return Article(
            title_ar=title,
            slug_ar=slugify(title, allow_unicode=True)[:200],
            summary_ar=sentence(rng, 15, 30),
            body_ar=body,
            section=rng.choice(sections),
            status=Article.Status.PUBLISHED,
            published_at=published_at,
            first_published_at=published_at,  # bulk_create skips Article.save()
            is_breaking=rng.random() < 0.01,
            is_featured=rng.random() < 0.005,
        )
