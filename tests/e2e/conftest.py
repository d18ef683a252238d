"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

The browser is the system's /usr/bin/chromium (never one downloaded by a tool). When it is
missing the tests are skipped with a clear line in the summary, unless
NEWSROOM_E2E_REQUIRED=1 (as in CI), which turns the skip into a failure. On failure each
test leaves a screenshot and the HTML of its open pages under test-artifacts/e2e/.
"""

import os
import re
import shutil
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from newsroom import images
from tests.caches import clear_cache
from tests.e2e import checks

CHROMIUM = Path(os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("NEWSROOM_E2E_REQUIRED", "") == "1"
ARTIFACTS = Path(
    os.environ.get("NEWSROOM_E2E_ARTIFACTS")
    or Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "e2e-password-not-a-secret"
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{version}.0.0.0 Safari/537.36"
)

# Django's live server must listen on loopback only.
os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"] = "127.0.0.1"

_skipped = []
_artifacts = []


def _missing(message):
    if REQUIRED:
        pytest.fail(f"NEWSROOM_E2E_REQUIRED=1 and {message}", pytrace=False)
    _skipped.append(message)
    pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED: {'; '.join(sorted(set(_skipped)))}. "
            "Set NEWSROOM_E2E_REQUIRED=1 to make this a failure.",
            yellow=True,
            bold=True,
        )
    if _artifacts:
        terminalreporter.write_line(
            f"Browser test artifacts (screenshots and HTML of failed tests): {ARTIFACTS}",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found (apt-get install chromium)")
    if missing := checks.missing_tools():
        _missing(f"missing {', '.join(missing)}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread; Django would take
    # the test's own ORM calls for calls from async code. Allowed while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def html_checker():
    """The W3C Nu HTML Checker (vnu.jar) and a Java to run it."""
    if missing := checks.missing_tools(html=True):
        _missing(f"the HTML checker needs {', '.join(missing)}")


@pytest.fixture
def site(transactional_db, live_server):
    """The demo content, served by the live server (accounts come from `make_staff`)."""
    assert urlsplit(live_server.url).hostname == "127.0.0.1"
    clear_cache()  # nothing cached from an earlier test's (flushed) database
    # Renditions on first use, only those the pages show: all of the demo's at every
    # test's load would cost seconds (tests/test_images.py tests them made at upload).
    with images.left_for_later():
        call_command("loaddemo", "--no-users", stdout=StringIO())
    return live_server


@pytest.fixture
def make_staff(django_user_model):
    def make(username, group=None, *, superuser=False):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=True, is_superuser=superuser
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


class Session:
    """One browser context at one width, with what went wrong in it recorded."""

    def __init__(self, context, base_url):
        self.context = context
        self.base_url = base_url
        self.outside_requests = []
        self.console_errors = []
        self.failed_requests = []
        context.route(re.compile(r".*"), self._route)

    def _route(self, route):
        host = urlsplit(route.request.url).hostname or ""
        if host in {"127.0.0.1", "localhost"} or route.request.url.startswith(("data:", "blob:")):
            return route.continue_()
        # No CDN and no third party: nothing leaves the machine.
        self.outside_requests.append(route.request.url)
        return route.abort("blockedbyclient")

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda e: self.console_errors.append(f"{page.url}: {e}"))
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and self.failed_requests.append(f"{r.status} {r.url}")
            ),
        )
        return page

    def _console(self, page, message):
        # A failed load is reported with its URL by the "response" handler (sub-resources)
        # or checked by the test itself (pages, e.g. the 404 page).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(f"{page.url}: {message.text}")

    def log_in(self, username, password=PASSWORD):
        """Log into the admin through its login form; returns the page, on the admin index."""
        page = self.new_page()
        page.goto(self.url("/admin/login/?next=/admin/"))
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("#login-form [type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/$"))
        return page

    def url(self, path):
        return self.base_url + path

    def assert_clean(self):
        """No request left the machine, no script error, no broken sub-resource."""
        problems = []
        if self.outside_requests:
            problems.append(f"requests to other hosts: {self.outside_requests}")
        if self.console_errors:
            problems.append(f"console errors: {self.console_errors}")
        if self.failed_requests:
            problems.append(f"failed sub-resources: {self.failed_requests}")
        assert not problems, "\n".join(problems)


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def session_factory(browser, request):
    """Open browser contexts (width, language, base URL); artefacts saved if the test fails."""
    sessions = []

    def make(base_url, width="desktop", *, locale="ar"):
        context = browser.new_context(
            viewport=WIDTHS[width],
            locale=locale,
            base_url=base_url,
            # A person's browser: headless Chromium's own user agent says "HeadlessChrome",
            # which the site rightly takes for a robot (robots' ad clicks are not counted).
            user_agent=USER_AGENT.format(version=browser.version.split(".")[0]),
        )
        context.set_default_timeout(15_000)
        session = Session(context, base_url)
        sessions.append(session)
        return session

    yield make
    report = getattr(request.node, "_report_call", None)
    failed = report is not None and report.failed
    for session in sessions:
        if failed:
            _save_artifacts(request.node.nodeid, session.context)
        session.context.close()


def _save_artifacts(nodeid, context):
    if not _artifacts:  # the first failure of this run: no leftovers from an earlier run
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(context.pages):
        stem = folder / f"page{index}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            Path(f"{stem}.url").write_text(page.url + "\n", encoding="utf-8")
        except Exception as error:  # a crashed page must not hide the test's own failure
            Path(f"{stem}.error").write_text(str(error), encoding="utf-8")
    _artifacts.append(folder)


@pytest.fixture
def reader(site, session_factory, width):
    """A reader's browser at the test's width, on the demo site."""
    return session_factory(site.url, width)
