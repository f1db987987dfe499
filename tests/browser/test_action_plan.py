import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Person, Role

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page, context, live_server):
    serve_axe(context, live_server.url)
    alpha = make_pharmacy("Pharmacie Alpha", "alpha")
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)
    paul = Person.objects.create(organisation=alpha, first_name="Paul", last_name="P")
    today = timezone.localdate()
    Action.objects.create(organisation=alpha, title="Wi-Fi", owner=paul,
                          due_date=today - datetime.timedelta(days=2), progress=30)
    Action.objects.create(organisation=alpha, title="Sauvegardes", status="in_progress",
                          source="diagnostic", source_key="m-referent", why="Parce que",
                          how="Comme ça", resolved_at_source=True,
                          source_data={"question_ids": ["gouv-referent", "x"], "level": "basic"})
    Action.objects.create(organisation=alpha, title="Finie", status="done")
    return page


def test_it_keeps_the_plan_pages_accessible(signed_in):
    page = signed_in
    for path, name in [("/o/alpha/plan/", "list"), ("/o/alpha/plan/tableau/", "board"),
                       ("/o/alpha/plan/nouvelle/", "new"), ("/o/alpha/plan/imprimer/", "print")]:
        response = page.goto(path)
        assert response.status == 200
        assert_no_axe_violations(page, f"plan-{name}")
    action = Action.objects.get(title="Sauvegardes")
    page.goto(f"/o/alpha/plan/{action.id}/")
    assert_no_axe_violations(page, "plan-edit-diag")
    page.goto("/o/alpha/plan/nouvelle/")
    page.get_by_label("Avancement (%)").fill("150")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(page, "plan-new-errors")


def test_it_moves_a_card_on_the_board_with_htmx_and_the_keyboard(signed_in):
    page = signed_in
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto("/o/alpha/plan/tableau/")
    wifi = Action.objects.get(title="Wi-Fi")
    page.select_option(f"#status-{wifi.id}", "in_progress")
    page.focus(f"#move-{wifi.id}")
    page.keyboard.press("Enter")
    expect(page.locator("#board-announce")).to_contain_text("est maintenant « En cours »")
    expect(page.locator("#column-in_progress")).to_be_visible()
    column = page.locator(".board__column--in_progress")
    expect(column).to_contain_text("Wi-Fi")
    assert page.url.endswith("/plan/tableau/")  # swapped, not reloaded
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_no_axe_violations(page, "plan-board-after-move")
