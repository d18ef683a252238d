"""What the reader typed, as clauses of words and phrases for the search backends."""

import re
from dataclasses import dataclass

from articles.text import (
    WORD_RE,
    analyze_word,
    clean,
    joined_alternatives,
    prefix_key,
    query_alternatives,
    split_pairs,
)

MAX_QUERY_LENGTH = 200  # characters kept of a query
MAX_QUERY_CLAUSES = 10
MAX_PHRASE_WORDS = 8


@dataclass(frozen=True)
class Word:
    alternatives: frozenset
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words in a row. `split` marks the halves of a query word that the text may write as
    two words (فيسبوك → فيس بوك): only the pair is highlighted, never each half alone."""

    keys: tuple
    split: bool = False


OR_WORDS = {"OR", "أو", "او", "|"}
_CHUNK_RE = re.compile(r'"([^"]*)(?:"|$)|(\S+)')


@dataclass
class ParsedQuery:
    """An AND of clauses, each an OR of words and phrases."""

    text: str
    clauses: list

    def __bool__(self):
        return bool(self.clauses)

    def items(self):
        return [item for clause in self.clauses for item in clause]

    def exact_keys(self) -> set:
        keys = set()
        for item in self.items():
            if isinstance(item, Phrase):
                if not item.split:
                    keys.update(item.keys)
            elif not item.prefix:
                keys.update(item.alternatives)
        return keys

    def key(self) -> str:
        """The same text for the same query in every process (for cache keys)."""

        def item_key(item):
            if isinstance(item, Phrase):
                return ("~" if item.split else '"') + " ".join(item.keys)
            return ("*" if item.prefix else "") + ",".join(sorted(item.alternatives))

        return " & ".join("|".join(sorted(map(item_key, clause))) for clause in self.clauses)

    def split_pairs(self) -> set:
        return {i.keys for i in self.items() if isinstance(i, Phrase) and i.split}

    def prefixes(self) -> list:
        return [
            next(iter(i.alternatives)) for i in self.items() if isinstance(i, Word) and i.prefix
        ]


def _item(chunk: str, *, quoted: bool):
    prefix = not quoted and chunk.endswith("*")
    terms = [term for word in WORD_RE.findall(chunk) if (term := analyze_word(word)) is not None]
    if not terms:
        return None
    if len(terms) == 1:
        term = terms[0]
        if prefix and len(prefix_key(term)) >= 2:
            return Word(frozenset([prefix_key(term)]), prefix=True)
        return Word(frozenset(query_alternatives(term)))
    return Phrase(tuple(term.key for term in terms[:MAX_PHRASE_WORDS]))


def _single_word(chunk: str) -> str | None:
    """The word of a bare chunk that is one plain word (no prefix star, no digits)."""
    words = WORD_RE.findall(chunk)
    if len(words) == 1 and "*" not in chunk and words[0].isalpha():
        return words[0]
    return None


def parse_query(text: str) -> ParsedQuery:
    """Words are ANDed; `OR`/`أو` between two joins them; "quotes" make a phrase; word* is a
    prefix. Anything else is ignored, so no input can make a bad query.

    Names and loanwords are written together or apart (عبد الله/عبدالله, فيس بوك/فيسبوك):
    two plain words in a row also match as one word, and one plain word also matches as
    two adjacent words (through the index of word pairs)."""
    text = clean((text or "")[: MAX_QUERY_LENGTH * 4])[:MAX_QUERY_LENGTH]
    clauses, join_next = [], False
    previous = None  # (word, clause index, item index) of the last plain word
    for match in _CHUNK_RE.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare.upper() in OR_WORDS:
            join_next, previous = bool(clauses), None
            continue
        item = _item(quoted if bare is None else bare, quoted=bare is None)
        if item is None:
            previous = None
            continue
        if join_next:
            clauses[-1].append(item)
        elif len(clauses) < MAX_QUERY_CLAUSES:
            clauses.append([item])
        else:
            break
        join_next = False
        word = _single_word(bare) if bare is not None and isinstance(item, Word) else None
        if word is None:
            previous = None
            continue
        here = (len(clauses) - 1, len(clauses[-1]) - 1)
        clauses[here[0]] += [Phrase(pair, split=True) for pair in sorted(split_pairs(word))]
        if previous is not None:
            joined = joined_alternatives(previous[0], word)
            for index, position in (previous[1:], here):
                old = clauses[index][position]
                clauses[index][position] = Word(old.alternatives | joined)
        previous = (word, *here)
    return ParsedQuery(text=text, clauses=clauses)
