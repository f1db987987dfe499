"""The page a user sees is the styled, scripted one: every asset loads under the strict CSP."""

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Role

from .helpers import make_member, make_pharmacy, use_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stylesheet_and_scripts_load_and_apply(page, context, live_server):
    alpha = make_pharmacy()
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)
    failures = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}: {r.failure}"))

    page.goto("/o/alpha/", wait_until="load")
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()

    assert not failures, "some resources did not load:\n" + "\n".join(failures)
    # app.css is applied: the skip link is moved off-screen until it gets the focus.
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.bounding_box()["x"] < 0, "app.css is not applied (skip link on screen)"
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0, "the skip link does not show when focused"
    # htmx is loaded from our own origin (script-src 'self').
    assert page.evaluate("() => typeof window.htmx") == "object"
