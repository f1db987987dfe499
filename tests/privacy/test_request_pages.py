"""The pages of people's requests: the log (open first, filters, empty state, query
count), logging one, one request with its timeline and letters, a letter to print,
correcting one (conflict shown, nothing overwritten), extending, answering. Every role:
the DPO and the responsable write; the référent and the auditor read; the collaborateur
gets 403; the outsider 404; the anonymous visitor goes to sign-in."""

import datetime
import html

from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy import request_services
from pharmagarde.privacy.models import PersonRequest, Processing
from tests.base import BaseTestCase


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - datetime.timedelta(days=days)


def make(organisation, number=1, *, received=None, **fields):
    fields.setdefault("requester_name", "Mme Durand")
    fields.setdefault("right", PersonRequest.Right.ACCESS)
    return PersonRequest.objects.create(organisation=organisation, number=number,
                                        received_on=received or days_ago(3), **fields)


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


class AccessMixin:
    """The rules every page shares; `url()` and `writes` say which page."""

    writes = False

    def test_anonymous_goes_to_sign_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])

    def test_the_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.client.post(self.url(), {}).status_code, 404)

    def test_the_collaborateur_gets_403(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_the_readers_and_writers(self):
        for user in (self.alice, self.dora):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 200, user)
        for user in (self.rita, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code,
                             403 if self.writes else 200, user)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(self.url(), {}).status_code, 403)


class ListTestCase(AccessMixin, BaseTestCase):
    def url(self, query=""):
        return self.org_url("privacy_requests") + query

    def test_open_first_with_their_state_then_answered(self):
        answered = make(self.org, 1, received=days_ago(40), answered_on=days_ago(20),
                        outcome="satisfaite")
        late = make(self.org, 2, received=days_ago(45))
        soon = make(self.org, 3, received=days_ago(2))
        waiting = make(self.org, 4, received=days_ago(60), identity="demandee")
        make(self.other_org, 1, requester_name="Personne de Bravo")
        self.client.force_login(self.rita)
        response = self.client.get(self.url())
        self.assertEqual([row[0] for row in response.context["rows"]],
                         [waiting, late, soon, answered])
        text = page(response)
        self.assertIn("en retard", text)
        self.assertIn("en attente du justificatif", text)
        self.assertIn("répondue", text)
        self.assertNotIn("Personne de Bravo", text)
        self.assertNotIn("Noter une demande", text, "the référent reads only")

    def test_filters(self):
        make(self.org, 1, received=days_ago(40), answered_on=days_ago(20), outcome="satisfaite")
        late = make(self.org, 2, received=days_ago(45))
        soon = make(self.org, 3, received=days_ago(2))
        make(self.org, 4, received=days_ago(60), identity="demandee")
        self.client.force_login(self.alice)

        def shown(query):
            return [row[0].number for row in self.client.get(self.url(query)).context["rows"]]

        self.assertEqual(shown("?etat=en-retard"), [late.number])
        self.assertEqual(shown("?etat=ouvertes"), [4, late.number, soon.number])
        self.assertEqual(shown("?etat=repondues"), [1])
        self.assertEqual(len(shown("?etat=nimporte")), 4)

    def test_the_empty_state_says_what_a_request_is(self):
        self.client.force_login(self.dora)
        response = self.client.get(self.url())
        self.assertIn("Aucune demande notée pour l'instant", page(response))
        self.assertIn("je voudrais savoir ce que vous avez sur moi", page(response))

    def test_constant_queries(self):
        self.client.force_login(self.alice)
        processing = Processing.objects.create(organisation=self.org, number=1,
                                               name="Dispensation")
        self.assertQueriesConstant(self.url(), lambda i: make(
            self.org, i + 1, received=days_ago(i), processing=processing,
            handled_by=self.dora, answered_on=None if i % 2 else days_ago(0),
            outcome="" if i % 2 else "satisfaite"))
        self.assertQueriesConstant(self.url("?etat=en-retard"), lambda i: make(
            self.org, 100 + i, received=days_ago(40 + i)))


class NewTestCase(AccessMixin, BaseTestCase):
    writes = True

    def url(self):
        return self.org_url("privacy_request_new")

    def data(self, **fields):
        return {"requester": "patient", "requester_name": "M. Martin", "right": "effacement",
                "received_on": days_ago(1).isoformat(), "channel": "Courriel",
                "details": "Effacer son adresse.", "identity": "inutile",
                "identity_received_on": "", "processing": "", "handled_by": "", **fields}

    def test_logged_with_the_next_number(self):
        make(self.org, 7)
        self.client.force_login(self.dora)
        response = self.client.post(self.url(), self.data(handled_by=self.dora.pk))
        created = PersonRequest.objects.get(organisation=self.org, number=8)
        self.assertRedirects(response, self.org_url("privacy_request", created.pk))
        self.assertEqual((created.requester_name, created.handled_by, created.channel),
                         ("M. Martin", self.dora, "Courriel"))
        self.assertTrue(AuditEntry.objects.filter(action="privacy.request_logged").exists())

    def test_bad_input_french_errors_next_to_the_fields_nothing_saved(self):
        self.client.force_login(self.alice)
        foreign = Processing.objects.create(organisation=self.other_org, number=1, name="B")
        response = self.client.post(self.url(), self.data(
            requester_name="", right="", received_on=(today() + datetime.timedelta(days=2))
            .isoformat(), processing=foreign.pk))
        self.assertEqual(response.status_code, 422)
        form = response.context["form"]
        self.assertEqual(form.errors["requester_name"], ["Écrivez le nom de la personne."])
        self.assertEqual(form.errors["right"], ["Choisissez le droit que la personne exerce."])
        self.assertEqual(form.errors["processing"],
                         ["Choisissez un traitement du registre."])
        response = self.client.post(self.url(), self.data(
            received_on=(today() + datetime.timedelta(days=2)).isoformat()))
        self.assertEqual(response.status_code, 422)
        self.assertIn("Cette date est dans le futur",
                      " ".join(response.context["form"].errors["received_on"]))
        self.assertIn('id="id_received_on_error"', response.content.decode())
        response = self.client.post(self.url(), self.data(received_on="32/13/2026"))
        self.assertEqual(response.context["form"].errors["received_on"],
                         ["Indiquez une date, par exemple 05/01/2026."])
        self.assertFalse(PersonRequest.objects.exists())


class DetailTestCase(AccessMixin, BaseTestCase):
    def setUp(self):
        self.request = make(self.org, received=days_ago(10), channel="Au comptoir")

    def url(self):
        return self.org_url("privacy_request", self.request.pk)

    def test_timeline_deadline_and_the_letters_with_copy_buttons(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        text = page(response)
        self.assertIn("Demande reçue (Au comptoir)", text)
        self.assertIn("Échéance de la réponse", text)
        self.assertIn("à répondre sous", text)
        [first, *_] = response.context["suggested"]
        self.assertEqual(first.slug, "acces")
        self.assertIn('data-copy="lettre-acces"', text)
        self.assertIn(self.org_url("privacy_request_letter", self.request.pk, "acces"), text)
        self.assertIn("Prolonger le délai", text)

    def test_awaiting_the_proof_the_deadline_is_provisional(self):
        PersonRequest.objects.filter(pk=self.request.pk).update(identity="demandee")
        self.client.force_login(self.rita)
        text = page(self.client.get(self.url()))
        self.assertIn("Échéance provisoire", text)
        self.assertIn("repartira du jour où le justificatif d'identité arrivera", text)
        self.assertNotIn("Noter la réponse envoyée", text, "the référent reads only")

    def test_another_organisation_s_request_is_404(self):
        foreign = make(self.other_org)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("privacy_request", foreign.pk))
                         .status_code, 404)


class LetterTestCase(AccessMixin, BaseTestCase):
    def setUp(self):
        self.request = make(self.org, right=PersonRequest.Right.ERASURE)

    def url(self, slug="effacement-refus"):
        return self.org_url("privacy_request_letter", self.request.pk, slug)

    def test_the_letter_alone_with_a_print_button(self):
        self.client.force_login(self.aude)
        text = page(self.client.get(self.url()))
        self.assertIn("ordonnancier", text)
        self.assertIn("data-print", text)
        self.assertIn('class="no-print"', text)

    def test_an_unknown_letter_is_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url("inconnu")).status_code, 404)


class EditTestCase(AccessMixin, BaseTestCase):
    writes = True

    def setUp(self):
        self.request = make(self.org, received=days_ago(5), channel="Courriel")

    def url(self):
        return self.org_url("privacy_request_edit", self.request.pk)

    def data(self, **fields):
        return {"revision": 0, "requester": "patient", "requester_name": "Mme Durand",
                "right": "acces", "received_on": days_ago(5).isoformat(),
                "channel": "Courriel", "details": "", "identity": "inutile",
                "identity_received_on": "", "processing": "", "handled_by": "", **fields}

    def test_saved_and_audited(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.url(), self.data(channel="Lettre recommandée"))
        self.assertRedirects(response, self.org_url("privacy_request", self.request.pk))
        self.request.refresh_from_db()
        self.assertEqual((self.request.channel, self.request.revision),
                         ("Lettre recommandée", 1))
        entry = AuditEntry.objects.get(action="privacy.request_updated")
        self.assertEqual(entry.details, {"reçue par": ["Courriel", "Lettre recommandée"]})

    def test_a_concurrent_edit_shows_both_versions_and_overwrites_nothing(self):
        request_services.request_update(acting_user=self.alice, person_request=self.request,
                                        values={"channel": "Au comptoir"}, revision=0)
        self.client.force_login(self.dora)
        response = self.client.post(self.url(), self.data(channel="Lettre recommandée"))
        self.assertEqual(response.status_code, 409)
        text = page(response)
        self.assertIn("Quelqu'un d'autre a modifié cette demande", text)
        self.assertEqual(response.context["conflict"]["rows"],
                         [("Reçue par", "Au comptoir", "Lettre recommandée")])
        self.request.refresh_from_db()
        self.assertEqual((self.request.channel, self.request.revision), ("Au comptoir", 1))
        # Saving again, after reading, is a deliberate choice.
        response = self.client.post(self.url(), self.data(revision=1,
                                                          channel="Lettre recommandée"))
        self.assertEqual(response.status_code, 302)

    def test_bad_input(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), self.data(
            identity="verifiee", identity_received_on=days_ago(9).isoformat()))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.context["form"].errors["identity_received_on"],
                         ["Le justificatif ne peut pas être arrivé avant la demande."])
        self.request.refresh_from_db()
        self.assertEqual(self.request.revision, 0)


class ExtendTestCase(AccessMixin, BaseTestCase):
    writes = True

    def setUp(self):
        self.request = make(self.org, received=days_ago(10))

    def url(self):
        return self.org_url("privacy_request_extend", self.request.pk)

    def test_extended_with_reasons(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.url(), {
            "revision": 0, "extension_reason": "Dix ans d'historique à réunir.",
            "extension_notified_on": today().isoformat()})
        self.assertRedirects(response, self.org_url("privacy_request", self.request.pk))
        self.request.refresh_from_db()
        self.assertTrue(self.request.extended)
        self.assertEqual(request_services.deadline(self.request),
                         request_services.add_months(days_ago(10), 3))

    def test_missing_reasons_or_too_late(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {"revision": 0, "extension_reason": "",
                                                 "extension_notified_on": ""})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.context["form"].errors),
                         {"extension_reason", "extension_notified_on"})
        PersonRequest.objects.filter(pk=self.request.pk).update(received_on=days_ago(40))
        response = self.client.get(self.url())
        self.assertIn("il est trop tard pour prolonger le délai", page(response))
        response = self.client.post(self.url(), {
            "revision": 0, "extension_reason": "Complexe.",
            "extension_notified_on": days_ago(35).isoformat()})
        self.assertEqual(response.status_code, 422)
        self.assertIn("il est trop tard", " ".join(response.context["form"].non_field_errors()))
        self.request.refresh_from_db()
        self.assertFalse(self.request.extended)


class AnswerTestCase(AccessMixin, BaseTestCase):
    writes = True

    def setUp(self):
        self.request = make(self.org, received=days_ago(10))

    def url(self):
        return self.org_url("privacy_request_answer", self.request.pk)

    def test_answered(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {
            "revision": 0, "answered_on": today().isoformat(), "outcome": "satisfaite",
            "answer_notes": "Copie remise au comptoir."})
        self.assertRedirects(response, self.org_url("privacy_request", self.request.pk))
        self.request.refresh_from_db()
        self.assertEqual(self.request.answered_on, today())

    def test_a_refusal_without_reasons_and_a_stale_form(self):
        self.client.force_login(self.dora)
        response = self.client.post(self.url(), {
            "revision": 0, "answered_on": today().isoformat(), "outcome": "refusee",
            "answer_notes": ""})
        self.assertEqual(response.status_code, 422)
        self.assertIn("doit être motivé", " ".join(response.context["form"]
                                                   .errors["answer_notes"]))
        response = self.client.post(self.url(), {"revision": 0, "answered_on": "",
                                                 "outcome": ""})
        self.assertEqual(response.context["form"].errors["outcome"],
                         ["Choisissez l'issue de la demande."])
        request_services.request_update(acting_user=self.alice, person_request=self.request,
                                        values={"channel": "Courriel"}, revision=0)
        response = self.client.post(self.url(), {
            "revision": 0, "answered_on": today().isoformat(), "outcome": "satisfaite"})
        self.assertEqual(response.status_code, 409)
        self.assertIn("Quelqu'un d'autre a modifié cette demande", page(response))
        self.request.refresh_from_db()
        self.assertIsNone(self.request.answered_on)
