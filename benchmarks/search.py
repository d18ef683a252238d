"""Search latency over 100,000 generated articles on PostgreSQL.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/search.py [--count 100000] [--runs 5]

Fills the database with `manage.py generate_articles` up to --count articles (reusing what is
there), then runs 50 queries of five shapes the way the search page does (count, the first page
of 20 ranked results, snippets) and prints p50/p95 per shape. Informative only: it never fails on
a time. On SQLite it says so and stops.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

QUERIES = {
    "single word": [
        "العراق", "الانتخابات", "المرأة", "المراة", "المؤتمر",
        "الكهرباء", "الكوليرا", "بيتكوين", "كوفيد", "اسرائيل",
    ],
    "AND": [
        "المرأة الأمن", "الحكومة النفط الكهرباء", "الكوليرا البصرة", "مشروع الاستثمار",
        "المنتخب الفوز", "الزلزال الموصل", "الطلبة الجامعة", "الدينار السوق",
        "المياه الزراعة", "الشباب المسرح",
    ],
    "OR": [
        "الكوليرا أو الملاريا", "الزلزال أو الفيضانات", "بيتكوين أو التضخم", "الجراد أو الإعصار",
        "المسرح أو السينما", "النفط أو الغاز", "كوفيد أو الكوليرا", "الشعر أو الموسيقى",
        "الطاقة أو الشمسية", "الملاريا أو الجراد",
    ],
    "prefix": [
        "انتخاب*", "مشروع*", "استثمار*", "كهرب*", "تكنولوج*",
        "صناع*", "زراع*", "مسرح*", "كوليرا*", "ملاري*",
    ],
    "phrase": [
        '"مجلس الوزراء"', '"العام الماضي"', '"الأسبوع المقبل"', '"مشروع جديد"', '"وفد رسمي"',
        '"زيارة رسمية"', '"مذكرة تفاهم"', '"اليوم الأحد"', '"الحكومة المحلية"', '"خطة جديدة"',
    ],
}  # fmt: skip


def shown(total):
    """Counting stops past the number of results a reader can reach."""
    from articles.search import RANK_CAP

    return f"{RANK_CAP}+" if total > RANK_CAP else str(total)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article
    from articles.search import search

    if connection.vendor != "postgresql":
        print("search benchmark: skipped (set DATABASE_URL to a PostgreSQL database)")
        return
    call_command("migrate", verbosity=0)
    missing = args.count - Article.objects.count()
    if missing > 0:
        print(f"generating {missing} articles…", flush=True)
        call_command("generate_articles", count=missing, seed=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics after a bulk load
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('articles_articlesearch'))")
        size = cursor.fetchone()[0]

    def run(query):
        started = time.perf_counter()
        results = search(query, language="ar")
        total = results.total
        page = results[0:20]
        return (time.perf_counter() - started) * 1000, total, len(page)

    print(
        f"\nsearch over {Article.objects.count():,} articles (search table {size}); "
        f"ms per query, page of 20 with snippets, {args.runs} runs after a warm-up"
    )
    print(
        f"{'shape':<12} {'queries':>7} {'matches (min–max)':>19} {'p50':>7} {'p95':>7} {'max':>7}"
    )
    slowest = []
    for shape, queries in QUERIES.items():
        times, totals = [], []
        for query in queries:
            run(query)
            for _ in range(args.runs):
                elapsed, total, _shown = run(query)
                times.append(elapsed)
            totals.append(total)
            slowest.append((max(times[-args.runs :]), shape, query, total))
        print(
            f"{shape:<12} {len(queries):>7} {f'{shown(min(totals))}–{shown(max(totals))}':>19} "
            f"{statistics.median(times):>7.1f} {percentile(times, 0.95):>7.1f} {max(times):>7.1f}"
        )
    # The related-news widget's first computation (what its cached piece is made from), for
    # 20 articles.
    sample = list(Article.objects.public().order_by("-published_at")[:20])
    times = []
    for article in sample:
        started = time.perf_counter()
        Article.objects.only("pk", "updated_at").related_list(article, 6, "ar")
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"{'related news':<12} {len(sample):>7} {'':>19} "
        f"{statistics.median(times):>7.1f} {percentile(times, 0.95):>7.1f} {max(times):>7.1f}"
    )

    print("\nslowest queries:")
    for elapsed, shape, query, total in sorted(slowest, reverse=True)[:5]:
        print(f"  {elapsed:7.1f} ms  {shape:<12} {query}  ({shown(total)} matches)")


if __name__ == "__main__":
    main()
