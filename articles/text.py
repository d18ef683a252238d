"""Arabic-aware text helpers for search: one pipeline for documents and queries.

The steps, in order (see the search research note for the measurements behind each):

1. NFKC: folds presentation forms (old sites, PDFs) and ligatures (ﻻ → لا, ﷲ → الله).
2. Delete tashkeel (U+064B–U+065F, U+0670), Quranic marks, tatweel (U+0640) and the invisible
   format characters that word processors paste (ZWNJ, RLM, bidi embeddings, BOM, soft hyphen).
3. Split into words (a run of letters or a run of digits: ٩٥مرشحاً is two words, ٩٥ and
   مرشحاً); drop stop words *before* any letter mapping, so that the preposition على
   never reaches the index and the name علي stays findable.
4. Map: أ إ آ ٱ → ا; ى → ي; ة → ه; ؤ → و and ئ → ي (the seat letter: what readers type when they
   skip the hamza); Persian ی ک → ي ك; Arabic-Indic and Persian digits → 0–9; Latin case-folded
   and stripped of accents.
5. Strip the article and its attached prefixes — (و|ف)?(ب|ك)?ال and (و|ف)?لل — only when at
   least three letters remain; a bare و ف ب ل ك is never stripped (وزير، فلسطين، بغداد).
6. Snowball stemmer (the algorithm of PostgreSQL's `arabic` configuration; English words get the
   English one). Snowball takes a leading و or ف for the conjunction (وقال → قال) even where it
   is the word's own letter (فيسبوك → يسب, فورد → ورد, وزير → زير); such a word is also
   indexed *whole*, the letter kept (فيسب, فورد, وزير), and a query word that begins with the
   letter looks for its whole keys only. So فيسبوك no longer finds يسب, nor فورد the verb ورد,
   and قال still finds وقال.

Indexing adds *variants* at the same position (never used for phrases): the word without a bare
ل (لمجلس → مجلس), a nisba adjective without its ي (الكردستاني → كردستان), the hamza spelling
(مسؤول/مسئول → مسءول, so the ؤ and ئ spellings meet) and امرأة's definite form. A query word
written with a hamza seat also looks for that hamza spelling; so one function, `analyze`, serves
both sides and the rest of the pipeline is identical.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from hashlib import md5

import Stemmer

# Step 2: characters removed outright (one regex pass: str.translate is slower on Arabic text).
_DELETE_RE = re.compile(
    "["
    "\u064b-\u065f"  # tashkeel, maddah and hamza marks
    "\u0670"  # superscript alef
    "\u06d6-\u06ed"  # Quranic annotation marks
    "\u0640"  # tatweel
    "\u200b-\u200f"  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    "\u061c"  # Arabic letter mark
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2066-\u2069"  # bidi isolates
    "\ufeff\u00ad"  # BOM, soft hyphen
    "]"
)

# Step 4: one letter for one letter.
_MAP = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك",
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
        "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4",
        "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".",
    }
)  # fmt: skip

# The hamza spelling used for variants: both seats become the bare hamza.
_HAMZA = str.maketrans({"ؤ": "ء", "ئ": "ء"})

# Words: a run of letters or a run of digits (any script's: ٩٥مرشحاً is ٩٥ and مرشحا), never
# "_", which joins two words in a phrase key.
WORD_RE = re.compile(r"\d+|[^\W\d_]+")
# A word in text that was not cleaned yet: marks, tatweel and joiners stay inside it.
RAW_WORD_RE = re.compile(r"\d+|(?:[^\W\d_]|[\u064B-\u065F\u0670\u06D6-\u06ED\u200C\u200D\u00AD])+")
# Control characters (category Cc) but tab and line ends, and lone surrogates (Cs).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")
_CLITIC_RE = re.compile(r"^(?:[وف]?[بك]?ال|[وف]?لل)(?=[^\W_]{3,}$)")

# Function words, as typed (with or without hamza): removed before the letter mapping.
STOP_WORDS = frozenset(
    """
    في من على علی إلى الى إلي عن مع ثم أو او أم إن ان أن لا ما لم لن قد هذا هذه ذلك تلك هناك
    التي الذي الذين اللذين اللتين كان كانت يكون هو هي هم هما نحن أنا انا حتى متى لدى سوى
    عند بين كل بعض غير أي اي إذا اذا لكن بل و ف ب ل ك يا
    a an and are as at be by for from has have in is it of on or that the this to was were
    will with
    """.split()
)

# Irregular definite forms: the indefinite امرأة loses its alef with the article (المرأة).
_IRREGULAR = {"امراه": "مراه", "امرا": "مرا"}

MAX_TOKEN_LENGTH = 64

_arabic_stemmer = Stemmer.Stemmer("arabic")
_english_stemmer = Stemmer.Stemmer("english")


def clean(text: str) -> str:
    """Steps 1–2, plus removal of control characters and lone surrogates (never indexable)."""
    text = _CONTROL_RE.sub("", text)
    return _DELETE_RE.sub("", unicodedata.normalize("NFKC", text))


def _fold_latin(word: str) -> str:
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not 0x0300 <= ord(ch) <= 0x036F)
    )


def map_letters(text: str) -> str:
    """Step 4 on any cleaned text (no stop-word removal)."""
    return _fold_latin(text.translate(_MAP))


def normalize(text: str, *, strip_prefixes: bool = False) -> str:
    """Human-readable normal form: steps 1, 2, 4 (and 5 when asked); stop words stay."""
    text = map_letters(clean(text))
    if strip_prefixes:
        text = WORD_RE.sub(lambda m: strip_clitics(m.group()), text)
    return text


def strip_clitics(word: str) -> str:
    return _CLITIC_RE.sub("", word)


def _stem_arabic(word: str) -> str:
    word = _IRREGULAR.get(word, word)
    return _arabic_stemmer.stemWord(word)


# Letters the stemmer takes from the front of a word as a conjunction.
CONJUNCTIONS = "وف"


def _whole(word: str, keys) -> set[str]:
    """Those of `keys` (stems of `word`) that lost its first letter, a و or ف the stemmer took
    for a conjunction, with the letter put back."""
    letter = word[0]
    if letter not in CONJUNCTIONS:
        return set()
    return {letter + key for key in keys if not key.startswith(letter)}


@dataclass(frozen=True)
class Term:
    """One word of a text: its search key (what it is indexed and looked up as) and the
    extra keys it is also indexed under (or, for a query word, also looked up as)."""

    key: str
    variants: frozenset = field(default_factory=frozenset)
    bare: str = ""  # mapped, clitic-stripped, not stemmed: the base of a prefix query
    # The key and variants with the leading و/ف that the stemmer took put back; indexed at
    # the word's own weight and never in pairs (phrases match on keys).
    wholes: frozenset = field(default_factory=frozenset)

    @cached_property
    def key_hash(self) -> int:
        """`word_hash` of the key, worked out once per analysed word (word pairs are
        indexed by their hashes: `articles.search.index.pair_bucket`)."""
        return word_hash(self.key)


def word_hash(word: str) -> int:
    """A 32-bit hash of a word, the same in every process and in SQL:
    ('x' || left(md5(word), 8))::bit(32)::bigint."""
    return int.from_bytes(md5(word.encode()).digest()[:4], "big")


@lru_cache(maxsize=65536)
def analyze_word(raw: str) -> Term | None:
    """The pipeline for one cleaned word, or None for a stop word or an unindexable token."""
    if raw in STOP_WORDS or len(raw) > MAX_TOKEN_LENGTH:
        return None
    word = map_letters(raw)
    if word in STOP_WORDS:
        return None
    if not _ARABIC_RE.search(word):
        if word.isdigit() or not word.isalpha():
            return Term(key=word, bare=word)
        return Term(key=_english_stemmer.stemWord(word), bare=word)
    bare = strip_clitics(word)
    key = _stem_arabic(bare)
    variants = set()
    if "ؤ" in raw or "ئ" in raw:
        variants.add(_stem_arabic(strip_clitics(map_letters(raw.translate(_HAMZA)))))
    if bare.startswith("ل") and not bare.startswith("ال") and len(bare) >= 4:
        without = _stem_arabic(bare[1:])
        variants |= {without, *_whole(bare[1:], {without})}  # لوزير: زير and وزير
    if bare.endswith("ي") and len(bare) >= 5:
        variants.add(_stem_arabic(bare[:-1]))
    variants.discard(key)
    wholes = frozenset(_whole(bare, {key, *variants}))
    return Term(key=key, variants=frozenset(variants), bare=bare, wholes=wholes)


def analyze(text: str) -> list[Term]:
    """The terms of a text, in order, stop words left out."""
    return [term for term in map(analyze_word, WORD_RE.findall(clean(text))) if term is not None]


def query_alternatives(term: Term) -> set[str]:
    """Keys a query word is looked up as. The ل and nisba variants are for documents only
    (a query for لبنان must not find بنان); the hamza spelling goes both ways."""
    alternatives = {term.key}
    if term.variants:
        hamza = {v for v in term.variants if "ء" in v}
        alternatives |= hamza
    if term.wholes:  # the و or ف typed is the word's own letter: look for it
        letter = term.bare[0]
        return {key if key.startswith(letter) else letter + key for key in alternatives}
    return alternatives


# Each half of a word that may also be written as two (فيس|بوك، عبد|الله، أبو|بكر).
MIN_HALF_LETTERS = 3


def joined_alternatives(first: str, second: str) -> set[str]:
    """Keys of two query words written as one (عبد الله → عبدالله, فيس بوك → فيسبوك)."""
    term = analyze_word(first + second) if (first + second).isalpha() else None
    return query_alternatives(term) if term is not None else set()


def split_pairs(word: str) -> set[tuple[str, str]]:
    """The key pairs of a query word cut in two words of at least three letters each
    (فيسبوك → فيس بوك, عبدالرحمن → عبد الرحمن): how a name written together finds the text
    that writes it apart. Halves that are stop words are no split."""
    if not word.isalpha() or len(word) < 2 * MIN_HALF_LETTERS:
        return set()
    pairs = set()
    for cut in range(MIN_HALF_LETTERS, len(word) - MIN_HALF_LETTERS + 1):
        first, second = analyze_word(word[:cut]), analyze_word(word[cut:])
        if first is not None and second is not None:
            pairs.add((first.key, second.key))
    return pairs


def prefix_key(term: Term) -> str:
    """What a prefix query (word*) looks for: the stem when it is a prefix of the word."""
    if term.bare.startswith(term.key):
        return term.key
    return term.bare


@lru_cache(maxsize=65536)
def _written_word_keys(raw: str) -> frozenset | None:
    words = WORD_RE.findall(clean(raw))
    term = analyze_word(words[0]) if len(words) == 1 else None
    return None if term is None else frozenset({term.key, *term.variants, *term.wholes})


def highlight_keys(text: str):
    """(start, end, keys) for every word of `text`: where it is and what it matches as."""
    for match in RAW_WORD_RE.finditer(text):
        keys = _written_word_keys(match.group())
        if keys is not None:
            yield match.start(), match.end(), keys
