"""The checkers bite: each one runs on a deliberately broken page and must report it.

Every broken page has a sound twin that must pass, so a checker that always fails is
caught as surely as one that never does.
"""

import pytest

from tests.e2e import checks

ARABIC_PARAGRAPHS = [
    "أعلنت وزارة الموارد المائية اليوم عن خطة جديدة لتحلية مياه شط العرب.",
    "وقال المتحدث باسم الوزارة إن المشروع سيخدم أكثر من مليون نسمة في البصرة.",
    "ومن المتوقع أن تبدأ أعمال البناء في الربيع المقبل بتمويل محلي ودولي.",
    "وأشار إلى أن الخطة تشمل صيانة محطات الضخ القديمة على طول النهر.",
]


def document(body, *, lang="ar", title="صفحة اختبار", head=""):
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
        f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n<title>{title}</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


SOUND_BODY = """<a class="skip" href="#main">تخطَّ إلى المحتوى الرئيسي</a>
<header><nav aria-label="الأقسام">
<a href="/news/">أخبار</a> <a href="/opinions/">آراء</a>
</nav></header>
<main id="main" tabindex="-1"><h1>عنوان الخبر</h1>{paragraphs}</main>"""
SKIP_LINK_CSS = """<style>
body { font-family: sans-serif; margin: 1rem; color: #222; background: #fff; }
.skip:not(:focus) { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
</style>
"""


def sound_page(paragraphs=None, *, extra_css=""):
    paragraphs = paragraphs or "".join(f"<p>{text}</p>" for text in ARABIC_PARAGRAPHS)
    head = SKIP_LINK_CSS.replace("</style>", extra_css + "</style>")
    return document(SOUND_BODY.format(paragraphs=paragraphs), head=head)


@pytest.fixture
def page(session_factory):
    return session_factory("http://127.0.0.1", "phone").new_page()


def test_a_sound_page_passes_every_browser_check(page):
    page.set_content(sound_page())
    checks.audit_page(page)


def test_missing_skip_link_is_reported(page):
    page.set_content(sound_page().replace('<a class="skip" href="#main">', '<a class="skip">'))
    with pytest.raises(AssertionError, match=r"skip link: the first Tab stop is <a>"):
        checks.audit_page(page, accessibility=False)

    page.set_content(sound_page().replace('href="#main"', 'href="#nowhere"'))
    with pytest.raises(AssertionError, match=r"does not move focus into <main>"):
        checks.audit_page(page, accessibility=False)


def test_overflowing_element_at_375px_is_reported(page):
    assert page.viewport_size["width"] == 375
    wide = '<table class="wide"><tr><td style="min-inline-size: 600px">جدول عريض</td></tr></table>'
    page.set_content(sound_page(wide + "<p>نص قصير.</p>"))
    with pytest.raises(AssertionError, match=r"horizontal overflow: .*table\.wide"):
        checks.audit_page(page, accessibility=False)


def test_wrong_direction_is_reported(page):
    page.set_content(sound_page().replace('dir="rtl"', 'dir="ltr"'))
    with pytest.raises(AssertionError, match=r'expected <html lang="ar" dir="rtl">'):
        checks.audit_page(page, accessibility=False)


def test_low_contrast_arabic_text_is_reported(page):
    """The colour-contrast rule really checks Arabic text (axe's icon-ligature trap)."""
    faint = "".join(f"<p>{text}</p>" for text in ARABIC_PARAGRAPHS[:3])
    faint += f'<p class="faint">{ARABIC_PARAGRAPHS[3]}</p>'
    page.set_content(sound_page(faint, extra_css=".faint { color: #c8c8c8; }\n"))

    violations = checks.axe_violations(page)
    contrast = [v for v in violations if v["id"] == "color-contrast"]
    assert contrast, f"low-contrast Arabic text went unreported: {violations}"
    assert contrast[0]["impact"] == "serious"
    assert [node["target"] for node in contrast[0]["nodes"]] == [".faint"]
    with pytest.raises(AssertionError, match=r"axe serious color-contrast"):
        checks.audit_page(page)


def test_plain_axe_misses_low_contrast_arabic_text(page):
    """Why the patch exists: without it the same faint Arabic paragraph passes unnoticed.

    If this starts failing, axe-core has fixed its heuristic and the patch in
    checks.AXE_RUN can go.
    """
    faint = "".join(f"<p>{text}</p>" for text in ARABIC_PARAGRAPHS[:3])
    faint += f'<p class="faint">{ARABIC_PARAGRAPHS[3]}</p>'
    page.set_content(sound_page(faint, extra_css=".faint { color: #c8c8c8; }\n"))

    violations = checks.axe_violations(page, arabic_fix=False)
    assert "color-contrast" not in {v["id"] for v in violations}


def test_low_contrast_latin_text_is_reported_too(page):
    page.set_content(
        sound_page('<p lang="en" dir="ltr" style="color: #c8c8c8">Faint English text.</p>')
    )
    ids = {v["id"] for v in checks.axe_violations(page)}
    assert "color-contrast" in ids


def test_invalid_html_is_reported(html_checker):
    broken = sound_page().replace("<h1>عنوان الخبر</h1>", "<h1>عنوان <p>الخبر</h1><li>بند</li>")
    broken = broken.replace('<html lang="ar" dir="rtl">', '<html lang="ar" dir="rtl" foo="1">')
    errors = checks.html_errors({"sound": sound_page(), "broken": broken})
    assert errors["sound"] == []
    assert any("Attribute “foo” not allowed" in error for error in errors["broken"])
    assert any("“li” not allowed" in error for error in errors["broken"])
    with pytest.raises(AssertionError, match=r"broken: \d+ error"):
        checks.assert_valid_html({"broken": broken})
