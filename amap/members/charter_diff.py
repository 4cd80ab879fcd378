"""A word diff of two versions of the charter: pure functions, no database."""

import difflib
import html
import re

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|div)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"\n|[^\S\n]*\S+")


def html_to_text(value: str) -> str:
    """The readable text of a rich text snapshot, one paragraph a line."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", value or ""))
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def _render(tokens: list[str]) -> str:
    return html.escape("".join(tokens)).replace("\n", "<br>\n")


def word_diff(old_html: str, new_html: str) -> str:
    """HTML of the new text where removed words are in <del> and added ones in <ins>.

    The result is built from escaped text only, so it is safe to show as is.
    """
    old = _TOKEN.findall(html_to_text(old_html))
    new = _TOKEN.findall(html_to_text(new_html))
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
    return "".join(parts)


_HEADING = re.compile(r"<h2[^>]*>(.*?)</h2>", re.IGNORECASE | re.DOTALL)


def charter_headings(body_html: str) -> list[str]:
    """The commitments of a charter text: its level-2 headings, in order."""
    headings = []
    for raw in _HEADING.findall(body_html or ""):
        text = " ".join(html.unescape(_TAG.sub("", raw)).split())
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
