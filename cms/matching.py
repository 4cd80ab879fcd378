"""Matching what a visitor types against farms and products, the way people
type on a phone: without accents, in any case, words in any order.

"chevre clisson" finds "Chèvrerie des Moulins" in Clisson; "oeufs" finds
"Œufs frais". Done in Python over the few hundred farms and few thousand
products of a network, so it behaves the same on SQLite (whose LIKE folds
neither accents nor non-ASCII case) and PostgreSQL (no `unaccent`
extension needed).
"""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelt out, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_LIGATURES).split())


def query_words(query: str) -> list[str]:
    """The words of a query, punctuation left out: `"pain" l'ail` gives
    pain, l, ail; a query of quotes alone gives no word."""
    return re.findall(r"\w+", fold(query))


def search_terms(query: str) -> str:
    """The query as plain words for Wagtail's full-text search, whose
    engines read quotes, brackets and operators as syntax (a lone double
    quote is an SQL error on SQLite)."""
    return " ".join(re.findall(r"\w+", query))


def matches(words: list[str], *texts: str) -> bool:
    """Whether every word appears somewhere in the texts."""
    haystack = " ".join(fold(text) for text in texts)
    return all(word in haystack for word in words)
