"""Our templates hold no code or style the Content-Security-Policy would refuse
(a guard read from the source; the browser check is tests/e2e/test_csp.py).

Scripts come from /static/ (`<script src>`), or carry the request's nonce when
one must stay inline; behaviour is attached by those scripts, never by `on…=`
attributes, `javascript:` addresses or htmx's `hx-on`; styles come from
static/css/site.css, never from `style` attributes or elements. PDFs and
emails are not pages a browser runs under the policy: their templates may
style inline.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NOT_PAGES = ("templates/pdf/", "templates/emails/")


def page_templates():
    folders = [ROOT / "templates", ROOT / "cms" / "templates"]
    folders += sorted(ROOT.glob("amap/*/templates"))
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_PAGES):
                yield relative


TEMPLATES = list(page_templates())

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
HX_ON = re.compile(r"\shx-on[:-]", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def problems(text: str) -> list[str]:
    found = []
    for tag in SCRIPT_TAG.findall(text):
        allowed = (
            re.search(r"\ssrc=", tag)
            or 'type="application/json"' in tag
            or 'nonce="{{ request.csp_nonce }}"' in tag
        )
        if not allowed:
            found.append(tag)
    found += [match.group(0)[-40:] for match in HANDLER.finditer(text)]
    found += JAVASCRIPT_URL.findall(text)
    found += HX_ON.findall(text)
    found += STYLE.findall(text)
    return found


def test_the_templates_are_found():
    assert "templates/base.html" in TEMPLATES
    assert "templates/groupbuy/includes/campaign_panel.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_inline_script_handler_or_style(template):
    assert problems((ROOT / template).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<input onclick="this.select()">',
        '<body\n  onload="go()">',
        '<a href="javascript:void(0)">',
        '<div hx-on:click="x()">',
        '<span style="width: 3%"></span>',
        "<style>p { color: red }</style>",
    ],
)
def test_the_guard_catches(snippet):
    assert problems(snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/site.js' %}\"></script>",
        '<script nonce="{{ request.csp_nonce }}">x()</script>',
        '<script type="application/json" id="x">{}</script>',
        '<p class="one">Tonight: online</p>',
        '<button data-check-boxes="all">',
    ],
)
def test_the_guard_lets_through(snippet):
    assert problems(snippet) == []


def test_htmx_is_told_to_add_no_style_and_run_no_code():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
    assert '"allowScriptTags": false' in base
