"""Our scripts build no HTML from strings (a guard read from the source).

Names of pickup points and farms are typed by organisers and farmers; a string
handed to Leaflet's bindPopup/bindTooltip, or to innerHTML and its kin, is read
as HTML, so such a name could run a script (issue #15). Labels are DOM nodes
whose text is set with textContent; the browser check of every map is
tests/e2e/test_map_names.py.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

SCRIPTS = sorted((Path(settings.BASE_DIR) / "static" / "js").glob("*.js"))

# Ways of turning a string into markup.
FORBIDDEN = re.compile(
    r"\binnerHTML\b|\binsertAdjacentHTML\b|\bdocument\.write|\bDOMParser\b"
    r"|\bcreateContextualFragment\b|\bdivIcon\b|\bouterHTML\s*="
)
# A string literal that opens a tag: HTML written by hand.
TAG_IN_STRING = re.compile(r"[\"'`][^\"'`\n]*<[a-zA-Z/!]")
# What Leaflet is given as a popup's or tooltip's content: a function that
# builds the node when it opens, or a call to a builder named ...Popup,
# ...Tooltip or ...Content (which return nodes made with textContent).
LEAFLET_CONTENT = re.compile(
    r"\.(bindPopup|bindTooltip|setPopupContent|setTooltipContent|setContent)\(\s*"
    r"(?P<argument>[^\n]{0,60})"
)
BUILDER = re.compile(r"function\b|\w+(Popup|Tooltip|Content)\(")


def source(path):
    """The script without its comments."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$", "", text)


def test_the_scripts_are_found():
    assert {path.name for path in SCRIPTS} >= {"maps.js", "volumes.js"}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_no_script_turns_a_string_into_html(path):
    text = source(path)
    assert FORBIDDEN.findall(text) == []
    assert TAG_IN_STRING.findall(text) == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_leaflet_gets_nodes_for_popups_and_tooltips(path):
    for call in LEAFLET_CONTENT.finditer(source(path)):
        assert BUILDER.match(call["argument"]), call.group(0)


def test_the_guard_catches_a_string_given_to_a_tooltip():
    text = "line.bindTooltip(fill(labels.route, {}), { sticky: true });"
    call = LEAFLET_CONTENT.search(text)
    assert call and not BUILDER.match(call["argument"])
    assert TAG_IN_STRING.search("box.innerHTML = '<b>' + name;")
    assert FORBIDDEN.search("box.innerHTML = name;")
