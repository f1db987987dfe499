"""A phishing exercise in a real browser (issue 11): a campaign with the fake sign-in form
is launched and sent to a real SMTP server; the link of the received e-mail is opened in
Chromium: the fake sign-in page, where a password is typed and « sent » (nothing leaves the
browser: the request has no body, and the password is nowhere in the database), then the
teaching page with the message as received and its clues highlighted, then the e-learning
module it leads to through the personal link, its quiz passed and the certificate
downloaded. axe-core on every page, under the real CSP."""

import datetime
import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from pharmagarde.awareness import campaign_content, campaign_services, modules
from pharmagarde.awareness.models import Assignment, Campaign, Recipient, SendingProfile
from pharmagarde.core.models import Person, Role
from tests.smtp import SMTPServer

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-du-comptoir-2026!"
# A person's browser, not a headless one (which the tracking sets apart as a scanner).
BROWSER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                 "(KHTML, like Gecko) Chrome/130.0 Safari/537.36")


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   check=True, text=True).stdout.split())


def test_a_received_email_leads_to_the_teaching_page_and_its_module(
        page, context, live_server, settings):
    serve_axe(context, live_server.url)
    context.set_extra_http_headers({"User-Agent": BROWSER_AGENT})
    settings.SITE_URL = live_server.url
    settings.AWARENESS_SENDERS = 1
    pharmacy = make_pharmacy("Pharmacie du Canal", "canal", size_band="1-9")
    alice = make_member("alice@canal.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    paul = Person.objects.create(organisation=pharmacy, first_name="Paul",
                                 last_name="Comptoir", email="paul@canal.example",
                                 job="Préparateur")
    with SMTPServer() as smtp:
        profile = SendingProfile.objects.create(
            organisation=pharmacy, name="Relais", host=smtp.host, port=smtp.port,
            security=SendingProfile.Security.NONE, from_address="exercices@canal.example",
            rate_per_minute=0)
        campaign = Campaign.objects.create(organisation=pharmacy, number=1,
                                           name="Fausse facture", profile=profile,
                                           template_key="facture-grossiste", fake_form=True)
        campaign.people.set([paul])
        campaign_services.campaign_launch(
            acting_user=alice, campaign=campaign,
            content=campaign_content.content_for(campaign, pharmacy))
        message = smtp.wait_for(1)[0]
    # Read a few minutes later (a click seconds after delivery is a mail scanner's).
    Recipient.objects.filter(campaign=campaign).update(
        sent_at=timezone.now() - datetime.timedelta(minutes=5))
    html = message.get_body(("html",)).get_content()
    link = re.search(r'href="([^"]+/p/[^"/]+/)"', html).group(1)
    assert link.startswith(live_server.url)

    # The fake sign-in page: what is typed never leaves the browser.
    page.goto(link)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    assert_no_axe_violations(page, "awareness-signin")
    for field in page.locator("form input").all():
        assert field.get_attribute("name") is None
    page.locator("input[type=password]").fill(PASSWORD)
    with page.expect_request(re.compile(r"/connexion/$")) as sent:
        page.get_by_role("button", name="Se connecter").click()
    assert not sent.value.post_data

    # The teaching page: the message as received, its clues highlighted.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "C'était un exercice : pas de panique")
    expect(page.get_by_role("heading", name="Le message reçu")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Texte du message"))).to_be_visible()
    assert page.locator("mark").count() >= 3
    expect(page.get_by_role("heading", name="Les indices à repérer")).to_be_visible()
    assert_no_axe_violations(page, "awareness-teach")
    recipient = Recipient.objects.get(campaign=campaign)
    assert recipient.result == Recipient.Result.SUBMITTED
    dump = io.StringIO()
    call_command("dumpdata", "awareness", stdout=dump)
    assert PASSWORD not in dump.getvalue()

    # The module it leads to, through the personal link; its quiz passed.
    page.get_by_role("link", name="Suivre le module").click()
    assignment = Assignment.objects.get(person=paul)
    module = modules.module(assignment.module)
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    assert_no_axe_violations(page, "awareness-module")
    for question in module.questions:
        group = page.get_by_role("group", name=question.text)
        for choice in question.choices:
            if choice.correct:
                group.get_by_label(choice.text, exact=True).check()
    page.get_by_role("button", name="Voir mon résultat").click()
    expect(page.get_by_role("heading", name="Votre résultat")).to_be_visible()
    assert_no_axe_violations(page, "awareness-result")
    assignment.refresh_from_db()
    assert assignment.completed_at is not None and assignment.score == 100
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon attestation (PDF)").click()
    text = pdf_text(download.value.path())
    assert "Paul Comptoir" in text and module.title in text
