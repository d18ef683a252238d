"""Search, related news and sitemaps over 100,000 generated articles on PostgreSQL.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/search.py [--count 100000] [--runs 5]

Fills the database with `manage.py generate_articles` up to --count articles (reusing what is
there), then, in this process (Django's test client, page cache off):
- the search page for seven query shapes of ten queries each, the first time after a
  publish (counting, ranking and snippets all done) and again (the ranking kept), p50/p95;
- the uncached article page the same way, the reference the ratios are taken against;
- the related-news widget's first computation, and each sitemap's first render after an edit;
and prints the goals of the scale issue with met / NOT met. Informative only: it never fails
on a time. On SQLite it says so and stops. Throughput at 16 connections, against the bare
Django view, is benchmarks/web.py's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("NEWSROOM_PAGE_CACHE_SECONDS", "0")  # every page rendered

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


SHAPES = {
    "single word": [f"/search/?q={q}" for q in QUERIES["single word"]],
    "several words": [f"/search/?q={q}" for q in QUERIES["AND"]],
    "OR": [f"/search/?q={q}" for q in QUERIES["OR"]],
    "prefix": [f"/search/?q={q}" for q in QUERIES["prefix"]],
    "quoted phrase": [f"/search/?q={q}" for q in QUERIES["phrase"]],
    "section filter": [f"/search/?q={q}&section=economy" for q in QUERIES["single word"]],
    "page 5": [f"/search/?q={q}&page=5" for q in QUERIES["single word"]],
}
SEARCH_P95_MS = 50
RELATED_MS = 30
SITEMAP_MS = 1000


def shown(total):
    """Counting stops past the number of results a reader can reach."""
    from articles.search import RANK_CAP

    return f"{RANK_CAP}+" if total > RANK_CAP else str(total)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def create_database(connection):
    """Create the benchmark's database on its first run."""
    import psycopg2

    params = connection.get_connection_params()
    name = params["dbname"]
    server = psycopg2.connect(**{**params, "dbname": "postgres"})
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=int(os.environ.get("BENCH_SEARCH_N") or 100_000)
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles.cache import articles_changed
    from articles.models import Article
    from articles.search import search
    from newsroom.cache import forget_versions

    if connection.vendor != "postgresql":
        print("search benchmark: skipped (set DATABASE_URL to a PostgreSQL database)")
        return
    create_database(connection)
    call_command("migrate", verbosity=0)
    missing = args.count - Article.objects.count()
    if missing > 0:
        print(f"generating {missing} articles…", flush=True)
        call_command("generate_articles", count=missing, seed=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics after a bulk load
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('articles_articlesearch'))")
        size = cursor.fetchone()[0]

    client = Client(SERVER_NAME="127.0.0.1", HTTP_USER_AGENT="Mozilla/5.0 (bench) Firefox/140.0")

    def get(url, *, first):
        if first:  # as right after a publish: lists, related news and searches made anew
            articles_changed()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return elapsed

    goals = []
    print(
        f"\nsearch page over {Article.objects.count():,} articles (search table {size}), "
        f"in-process, page cache off; ms, {args.runs} runs of each URL after a warm-up"
    )
    cache.clear()
    forget_versions()
    print(f"{'page':<16} {'first p50':>9} {'first p95':>9} {'again p50':>9} {'again p95':>9}")
    articles = [
        a.get_absolute_url()
        for a in Article.objects.public().select_related("section").order_by("?")[:10]
    ]
    # The machine's bare figure: a small response (robots.txt), through every middleware.
    pages = {"bare (robots.txt)": ["/robots.txt"] * 10, "article": articles}
    pages.update({shape: [quote(u, safe="/?=&") for u in urls] for shape, urls in SHAPES.items()})
    figures = {}
    for kind, urls in pages.items():
        for url in urls:
            get(url, first=True)
        first = [get(url, first=True) for url in urls for _ in range(args.runs)]
        again = [get(url, first=False) for url in urls for _ in range(args.runs)]
        figures[kind] = first, again
        print(
            f"{kind:<16} {statistics.median(first):>9.1f} {percentile(first, 0.95):>9.1f} "
            f"{statistics.median(again):>9.1f} {percentile(again, 0.95):>9.1f}"
        )
    article_p50 = statistics.median(figures["article"][0])
    bare_p50 = statistics.median(figures["bare (robots.txt)"][0])
    for shape in SHAPES:
        p95 = percentile(figures[shape][0], 0.95)
        ratio = statistics.median(figures[shape][0]) / article_p50
        goals.append(
            (f"search, {shape}: p95 first time under {SEARCH_P95_MS} ms "
             f"({p95:.1f}; median {ratio:.1f}× the uncached article page's; "
             f"bare Django {bare_p50:.1f})",
             p95 < SEARCH_P95_MS)
        )  # fmt: skip

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
    worst = max(times)
    goals.append((f"related news, first computation under {RELATED_MS} ms (worst {worst:.1f})",
                  worst < RELATED_MS))  # fmt: skip

    # Sitemaps: each page's first render after an edit (an edit changes every sitemap).
    from articles.sitemaps import ArticleSitemap

    last_page = ArticleSitemap("ar").paginator.num_pages
    print("\nsitemaps, first render after an edit (ms):")
    for url in ("/sitemap.xml", "/sitemap-news.xml", "/sitemap-articles-ar.xml",
                f"/sitemap-articles-ar.xml?p={last_page}"):  # fmt: skip
        times = []
        for _ in range(3):
            articles_changed()
            times.append(get(url, first=False))
        print(f"  {url:<36} {min(times):8.1f}")
        goals.append((f"{url} first render after an edit under {SITEMAP_MS} ms "
                      f"({min(times):.0f})", min(times) < SITEMAP_MS))  # fmt: skip

    print(
        f"\nGoals at {Article.objects.count():,} articles (this machine now: bare Django "
        f"{bare_p50:.1f} ms, uncached article page {article_p50:.1f} ms, medians in-process):"
    )
    print("| goal | result |")
    print("| --- | --- |")
    for text, met in goals:
        print(f"| {text} | {'met' if met else 'NOT met'} |")

    print("\nslowest queries:")
    for elapsed, shape, query, total in sorted(slowest, reverse=True)[:5]:
        print(f"  {elapsed:7.1f} ms  {shape:<12} {query}  ({shown(total)} matches)")


if __name__ == "__main__":
    main()
