"""Browser tests: real headless Chromium (Debian's package) against Django's live server.

- Chromium is the system one (/usr/bin/chromium, or $PHARMAGARDE_CHROMIUM); Playwright never
  downloads a browser. Without it the tests are skipped with the reason, so `make test` works
  on a fresh machine; under CI (CI=true) a missing browser is an error instead, so a broken
  CI image cannot pass by silently skipping.
- The live server is pytest-django's `live_server`: it listens on `localhost` (a secure
  context for WebAuthn, and in ALLOWED_HOSTS) and serves static files like runserver.
- The page runs under the application's real Content-Security-Policy. Every CSP violation
  the browser reports is collected and fails the test at teardown.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PHARMAGARDE_CHROMIUM", "/usr/bin/chromium")
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
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 15_000


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole tests/browser package, closed when the package is done.

    Playwright's sync API marks an asyncio loop as running in this thread for as long as it
    lives, so Django would refuse the ORM calls the tests make between two browser steps:
    DJANGO_ALLOW_ASYNC_UNSAFE is set for that time only. Package scope (not session) keeps
    both the loop and the variable away from the rest of the suite, and from the
    subprocesses it starts (`check --deploy` refuses to run with that variable set).
    """
    if not os.access(CHROMIUM, os.X_OK):
        reason = (f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
                  "or set PHARMAGARDE_CHROMIUM to run the browser tests")
        if in_ci():
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        if in_ci():
            raise
        pytest.skip("the playwright package is not installed")

    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, live_server, settings):
    from django.core.cache import cache

    # Used TOTP codes and sign-in throttling live in the cache: start each test clean.
    cache.clear()
    assert live_server.url.startswith("http://localhost:"), (
        f"the live server must listen on localhost (a WebAuthn secure context), "
        f"not {live_server.url}: unset DJANGO_LIVE_TEST_SERVER_ADDRESS"
    )
    ctx = browser.new_context(base_url=live_server.url, locale="fr-FR",
                              timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request):
    page = context.new_page()
    page.csp_violations = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            page.csp_violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        # A failed screenshot must not hide the failure itself.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(RESULTS_DIR / f"failure-{name}.png"), full_page=True)
    violations = page.csp_violations
    page.close()
    if report is not None and report.passed:
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
