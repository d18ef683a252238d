"""Snippets: where a result matched, shown on the original text (never the indexed form)."""

from html import escape

from django.utils.safestring import mark_safe

from articles.search.query import ParsedQuery
from articles.text import highlight_keys

SNIPPET_WORDS = 36
SNIPPET_LEAD = 8


def _word_start(window, index):
    """`index` moved back to the first part of a written word (٩٥مرشحاً is two parts)."""
    while index > 0 and window[index][0] == window[index - 1][1]:
        index -= 1
    return index


def make_snippet(text: str, parsed: ParsedQuery) -> str:
    """A window of whole words of plain `text` around the first match, escaped, with matching
    words in <mark>. Never cuts a word, never carries markup from the text. Reads the text
    only as far as the window needs."""
    exact, prefixes = parsed.exact_keys(), tuple(parsed.prefixes())
    pairs, previous = parsed.split_pairs(), set()

    def entry(start, end, keys):
        """[start, end, marked] of a word; a word that ends a split pair marks its partner."""
        nonlocal previous
        marked = bool(keys & exact) or bool(prefixes and any(k.startswith(prefixes) for k in keys))
        if pairs and any((first, second) in pairs for first in previous for second in keys):
            marked = window[-1][2] = True
        previous = keys
        return [start, end, marked]

    window, first_hit, more, trimmed = [], None, False, False
    for start, end, keys in highlight_keys(text):
        if first_hit is None:
            window.append(entry(start, end, keys))
            if window[-1][2]:
                # The word before is marked only when the two make a split pair.
                first_hit = len(window) - (2 if len(window) > 1 and window[-2][2] else 1)
                if first_hit > SNIPPET_LEAD:
                    cut = _word_start(window, first_hit - SNIPPET_LEAD)
                    window, trimmed = window[cut:], True
                    first_hit -= cut
            elif len(window) > SNIPPET_WORDS * 8:  # no match early on: show the opening
                break
        elif len(window) < SNIPPET_WORDS or start == window[-1][1]:
            window.append(entry(start, end, keys))
        else:
            more = True
            break
    if not window:
        return ""
    if len(window) > SNIPPET_WORDS:
        end = _word_start(window, SNIPPET_WORDS)
        window, more = window[:end] if end else window[:SNIPPET_WORDS], True
    out = ["… " if trimmed else ""]
    cursor = window[0][0] if trimmed else 0
    for start, end, marked in window:
        out.append(escape(text[cursor:start]))
        piece = escape(text[start:end])
        out.append(f"<mark>{piece}</mark>" if marked else piece)
        cursor = end
    out.append(" …" if more else escape(text[cursor:]))
    return mark_safe("".join(out))
