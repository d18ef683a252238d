"""The match matrix of the search research (45 cases), of real feeds' digits and words
written together or apart (14 more), and of a leading و or ف that is the word's own letter
or a conjunction (9 more), through the real search on this database."""

import pytest

from articles.search import search
from tests.search.matrix import SHOULD_MATCH, SHOULD_NOT_MATCH


def found(make_article, document, query):
    article = make_article(title_ar="تقرير", body_ar=f"<p>{document}</p>")
    return article in list(search(query, language="ar")[:20])


@pytest.mark.parametrize(
    ("document", "query", "what"), SHOULD_MATCH, ids=[c[2] for c in SHOULD_MATCH]
)
def test_should_match(make_article, document, query, what):
    assert found(make_article, document, query), what


@pytest.mark.parametrize(
    ("document", "query", "what"), SHOULD_NOT_MATCH, ids=[c[2] for c in SHOULD_NOT_MATCH]
)
def test_should_not_match(make_article, document, query, what):
    assert not found(make_article, document, query), what


def test_matrix_size():
    assert len(SHOULD_MATCH) == 65
    assert len(SHOULD_NOT_MATCH) == 9
