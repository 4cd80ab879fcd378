"""A word diff of two versions of the charter: pure functions, no database."""

import difflib
import html
import re

from django.utils.html import strip_tags

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|div)>|<br\s*/?>", re.IGNORECASE)
_TOKEN = re.compile(r"\n|[^\S\n]*\S+")


def html_to_text(value: str) -> str:
    """The readable text of a rich text snapshot, one paragraph a line."""
    text = strip_tags(_BLOCK_END.sub("\n", value or ""))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def _render(tokens: list[str]) -> str:
    return html.escape("".join(tokens)).replace("\n", "<br>\n")


# SequenceMatcher is quadratic, and worse on prose where the same short words
# repeat: two texts of 2,000 words (from a list of 30) with an edit every 50
# words take about 0.25 s, of 4,000 words about 1.8 s, and a 200,000-character
# pair over a minute. At 1,500 words a side it stays near 0.1 s at worst, room
# for a farm description of 5,000 characters. Beyond it a 200,000-character
# pair takes about 0.03 s.
WORD_DIFF_MAX_TOKENS = 1500


def _diff_tokens(old: list[str], new: list[str]) -> list[str]:
    if len(old) > WORD_DIFF_MAX_TOKENS or len(new) > WORD_DIFF_MAX_TOKENS:
        # Too long to compare word by word: the whole passage is replaced.
        parts = []
        if old:
            parts.append(f"<del>{_render(old)}</del>")
        if new:
            parts.append(f"<ins>{_render(new)}</ins>")
        return parts
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_render(new[b1:b2]))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{_render(old[a1:a2])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{_render(new[b1:b2])}</ins>")
    return parts


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many tokens both lists share at their start, then at their end."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


def word_diff(old_html: str, new_html: str) -> str:
    """HTML of the new text where removed words are in <del> and added ones in <ins>.

    The result is built from escaped text only, so it is safe to show as is.
    Its time stays linear beyond `WORD_DIFF_MAX_TOKENS` words a side: the
    words both texts share at their start and end are kept, and if what lies
    between is still too long it shows whole, struck out then underlined.
    """
    old = _TOKEN.findall(html_to_text(old_html))
    new = _TOKEN.findall(html_to_text(new_html))
    if old == new:
        return _render(new)
    if len(old) <= WORD_DIFF_MAX_TOKENS and len(new) <= WORD_DIFF_MAX_TOKENS:
        return "".join(_diff_tokens(old, new))
    start, end = _common_ends(old, new)
    middle = _diff_tokens(old[start : len(old) - end], new[start : len(new) - end])
    return "".join([_render(new[:start]), *middle, _render(new[len(new) - end :])])


_HEADING = re.compile(r"<h2[^>]*>(.*?)</h2>", re.IGNORECASE | re.DOTALL)


def charter_headings(body_html: str) -> list[str]:
    """The commitments of a charter text: its level-2 headings, in order."""
    headings = []
    for raw in _HEADING.findall(body_html or ""):
        text = " ".join(html.unescape(strip_tags(raw)).split())
        if text and text not in headings:
            headings.append(text)
    return headings


def changed_passages(old_html: str, new_html: str) -> tuple[list[str], list[str]]:
    """The paragraphs removed from and added to the text, for a plain-text
    email: (removed, added), each in the order of its version."""
    old = html_to_text(old_html).splitlines()
    new = html_to_text(new_html).splitlines()
    removed, added = [], []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            removed.extend(old[a1:a2])
        if op in ("insert", "replace"):
            added.extend(new[b1:b2])
    return removed, added
