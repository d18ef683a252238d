"""The checks every public page is held to, usable on any Playwright page.

Each `*_problems` function returns a list of findings (empty when the page passes);
`audit_page` runs them all and fails the test with every finding at once. The tests in
test_checkers.py run these same functions on deliberately broken pages, so a checker
that stops biting is noticed.
"""

import functools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Pinned in tests/e2e/node/package-lock.json, installed by `make e2e-tools` (npm ci),
# which `make test` runs.
NODE_MODULES = Path(__file__).resolve().parent / "node" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

# WCAG 2.0 and 2.1, levels A and AA; serious and critical findings fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

# Runs in the page after axe.min.js. axe-core's icon-ligature heuristic (isIconLigature)
# mistakes shaped Arabic letters for icon-font ligatures; after three such hits it takes
# the whole font family for an icon font, and `color-contrast` then silently skips every
# text node set in it. We tell axe that each font family that renders Arabic text is a
# text font (its per-family statistics say "measured often, never a ligature"); other
# families, real icon fonts included, keep the normal heuristic.
AXE_RUN = """async (options) => {
  const ARABIC = /[\\u0600-\\u06FF\\u0750-\\u077F\\u08A0-\\u08FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF]/;
  const families = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && ARABIC.test(node.nodeValue)) {
      families.add(getComputedStyle(node.parentElement).getPropertyValue('font-family'));
    }
  }
  window.__arabicFontFamilies = families;
  if (options.arabicFix && !axe._cache.__arabicFontsPatched) {
    const originalGet = axe._cache.get;
    axe._cache.get = function (key, creator) {
      const value = originalGet.call(this, key, creator);
      if (key !== 'fonts' || !value) return value;
      return new Proxy(value, {
        get: (target, family) => (window.__arabicFontFamilies.has(family)
          ? { occurrences: 1e9, numLigatures: 0 } : target[family]),
      });
    };
    axe._cache.__arabicFontsPatched = true;
  }
  const result = await axe.run(document, {
    runOnly: { type: 'tag', values: options.tags },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(' '),
      html: n.html.slice(0, 160),
      summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240),
    })),
  }));
}"""


@functools.cache
def axe_source():
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, arabic_fix=True, impacts=FAILING_IMPACTS):
    """axe-core's WCAG 2.1 A/AA violations of the given impacts on the current page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which a Content-Security-Policy does not
        # restrict, so the page is tested with its own policy in force.
        page.evaluate(axe_source())
    page.evaluate("() => document.fonts.ready.then(() => true)")
    violations = page.evaluate(AXE_RUN, {"tags": AXE_TAGS, "arabicFix": arabic_fix})
    return [v for v in violations if v["impact"] in impacts]


def accessibility_problems(page):
    problems = []
    for violation in axe_violations(page):
        problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            problems.append(f"    {node['target']}  {node['html']}\n      {node['summary']}")
    return problems


# Which elements stick out of the viewport (ignoring children of an element that already does).
PAGE_FACTS = """() => {
  const html = document.documentElement;
  const viewport = html.clientWidth;
  const scroll = Math.max(html.scrollWidth, document.body ? document.body.scrollWidth : 0);
  const offenders = [];
  if (scroll > viewport + 1) {
    const out = (r) => r.width > 0 && r.height > 0 && (r.right > viewport + 1 || r.left < -1);
    for (const el of document.body.querySelectorAll('*')) {
      const rect = el.getBoundingClientRect();
      if (!out(rect)) continue;
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (parent && out(parent)) continue;
      const cls = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      offenders.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}`
        + ` [${Math.round(rect.left)}..${Math.round(rect.right)}px]`);
      if (offenders.length >= 5) break;
    }
  }
  return {dir: html.getAttribute('dir'), lang: html.getAttribute('lang'),
          direction: getComputedStyle(html).direction, viewport, scroll, offenders};
}"""


def page_facts(page):
    return page.evaluate(PAGE_FACTS)


def overflow_problems(page):
    facts = page_facts(page)
    if facts["scroll"] <= facts["viewport"] + 1:
        return []
    return [
        f"horizontal overflow: the page is {facts['scroll']}px wide in a "
        f"{facts['viewport']}px viewport; sticking out: {', '.join(facts['offenders'])}"
    ]


def direction_problems(page, language):
    """`lang` and `dir` on <html> match the language edition (and the browser agrees)."""
    facts = page_facts(page)
    expected = "rtl" if language == "ar" else "ltr"
    if facts["lang"] != language or facts["dir"] != expected or facts["direction"] != expected:
        return [
            f'expected <html lang="{language}" dir="{expected}">, found lang={facts["lang"]!r} '
            f"dir={facts['dir']!r} (computed direction {facts['direction']})"
        ]
    return []


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const main = document.querySelector('main');
  return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href'),
          text: (el.textContent || '').trim().slice(0, 60),
          isMain: el === main, inMain: !!main && main.contains(el),
          visible: (() => {
            const r = el.getBoundingClientRect();
            return r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0;
          })()};
}"""


def skip_link_problems(page):
    """The first Tab stop is a visible in-page link, and following it focuses <main>."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")  # fmt: skip
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    if first is None:
        return ["skip link: nothing receives focus on the first Tab"]
    if first["tag"] != "a" or not (first["href"] or "").startswith("#"):
        return [
            f"skip link: the first Tab stop is <{first['tag']}> {first['text']!r} "
            f"(href={first['href']!r}), not an in-page link"
        ]
    problems = []
    if not first["visible"]:
        problems.append(f"skip link {first['text']!r} is not visible when focused")
    url_before = page.url
    page.keyboard.press("Enter")
    try:  # following a fragment link moves focus in a task of its own
        page.wait_for_function(
            "href => document.activeElement?.getAttribute('href') !== href",
            arg=first["href"],
            timeout=2_000,
        )
    except PlaywrightTimeoutError:
        pass  # focus stayed on the link: reported below
    target = page.evaluate(FOCUSED)
    if target is None or not (target["isMain"] or target["inMain"]):
        problems.append(
            f"skip link {first['text']!r} -> {first['href']} does not move focus into <main> "
            f"(focus is on {target and '<' + target['tag'] + '>'})"
        )
    if page.url.split("#")[0] != url_before.split("#")[0]:
        problems.append("skip link navigated away from the page")
    return problems


def audit_page(page, *, language="ar", skip_link=True, accessibility=True):
    """Fail the test with every problem the page has: direction, overflow, skip link, axe."""
    problems = direction_problems(page, language) + overflow_problems(page)
    if skip_link:
        problems += skip_link_problems(page)
    if accessibility:
        problems += accessibility_problems(page)
    if problems:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        raise AssertionError(f"{page.url} at {width}px:\n  " + "\n  ".join(problems))


# ------------------------------------------------------------------ HTML validity ---


def missing_tools(*, html=False):
    """What the checks need and this machine lacks (empty when all is there)."""
    missing = (
        [] if AXE_JS.exists() else [f"{AXE_JS} (run make e2e-tools: npm ci in tests/e2e/node)"]
    )
    if html:
        if not VNU_JAR.exists():
            missing.append(f"{VNU_JAR} (run make e2e-tools: npm ci in tests/e2e/node)")
        if shutil.which("java") is None:
            missing.append("java (apt-get install default-jre-headless)")
    return missing


def html_errors(documents):
    """Validate {name: html} with the W3C Nu HTML Checker in one Java run.

    Returns {name: [error, ...]} for every document (warnings are not counted).
    """
    with tempfile.TemporaryDirectory(prefix="newsroom-vnu-") as folder:
        paths = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"{index:03d}.html"
            path.write_text(html, encoding="utf-8")
            paths[path.resolve().as_uri()] = name
        completed = subprocess.run(
            ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]
            + [str(Path(folder) / f"{i:03d}.html") for i in range(len(documents))],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        messages = json.loads(completed.stderr or completed.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(
            f"vnu.jar gave no JSON report: {completed.stdout}{completed.stderr}"
        ) from error
    errors = {name: [] for name in documents}
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        url = message.get("url", "")
        name = paths.get(url) or next(
            (n for u, n in paths.items() if url and url.endswith(Path(u).name)), "?"
        )
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        extract = (message.get("extract") or "").replace("\n", " ").strip()[:120]
        errors.setdefault(name, []).append(f"{where}: {message.get('message')} [{extract}]")
    return errors


def assert_valid_html(documents):
    errors = html_errors(documents)
    failing = {name: found for name, found in errors.items() if found}
    if failing:
        lines = []
        for name, found in failing.items():
            lines.append(f"{name}: {len(found)} error(s)")
            lines += [f"    {error}" for error in found[:20]]
        raise AssertionError("invalid HTML (W3C Nu HTML Checker):\n  " + "\n  ".join(lines))
