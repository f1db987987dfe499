"""Awareness across one's organisations: a module assigned to several organisations, and
the same campaign prepared as a draft in several, each only where the user's own role
allows it, one transaction per organisation, audited there."""

import datetime
import html
from unittest import mock

from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from pharmagarde.awareness.models import Assignment, Campaign, SendingProfile
from pharmagarde.core.models import AuditEntry, Membership, Person, Role
from tests.base import BaseTestCase, make_organisation, make_user, valid_siret

ASSIGN = reverse("awareness_bulk_assign")
CAMPAIGN = reverse("awareness_bulk_campaign")
MODULE = "hameconnage"


class BulkTestCase(BaseTestCase):
    """The provider is référent of Alpha and Charlie, collaborateur of Delta, auditeur of
    Echo; Bravo (oscar's) is not theirs."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.provider = make_user("prestataire@example.fr", with_mfa=True)
        cls.charlie = make_organisation("Pharmacie Charlie", "charlie", siret=valid_siret(3))
        cls.delta = make_organisation("Pharmacie Delta", "delta", siret=valid_siret(4))
        cls.echo = make_organisation("Laboratoire Echo", "echo", kind="lbm",
                                     siret=valid_siret(5))
        for organisation, role in [(cls.org, Role.REFERENT), (cls.charlie, Role.REFERENT),
                                   (cls.delta, Role.COLLABORATEUR),
                                   (cls.echo, Role.AUDITEUR)]:
            Membership.objects.create(organisation=organisation, user=cls.provider, role=role)
        for organisation in (cls.charlie, cls.delta, cls.echo):
            Person.objects.create(organisation=organisation, first_name="Léa",
                                  last_name="Martin", email=f"lea@{organisation.slug}.fr",
                                  job="Préparatrice")
            Person.objects.create(organisation=organisation, first_name="Hugo",
                                  last_name="Bernard", job="Pharmacien adjoint")
        Person.objects.create(organisation=cls.org, first_name="Ancien", last_name="Départ",
                              email="ancien@alpha.example",
                              departure_date=timezone.localdate() - datetime.timedelta(days=5))

    def setUp(self):
        self.client.force_login(self.provider)

    def assertShows(self, response, text, **kwargs):
        """The page's text, its apostrophes unescaped (« n'a » is n&#x27;a in the HTML)."""
        response.content = html.unescape(response.content.decode()).encode()
        super().assertShows(response, text, **kwargs)

    def assign_data(self, *organisations, **fields):
        due = timezone.localdate() + datetime.timedelta(days=20)
        return {"module": MODULE, "due_on": due.isoformat(), "target": "tous",
                "organisations": [str(o.pk) for o in organisations], **fields}

    def confirm(self, url, data):
        """The confirmation, and the result page it redirects to."""
        return self.client.post(url, {**data, "confirmer": "1"}, follow=True)


class BulkAssignTestCase(BulkTestCase):
    def test_it_offers_only_the_organisations_where_the_role_may_assign(self):
        response = self.client.get(ASSIGN)
        choices = dict(response.context["form"].fields["organisations"].choices)
        self.assertEqual(set(choices), {self.org.pk, self.charlie.pk})
        expected = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
        self.assertContains(response, f'value="{expected}"')

    def test_it_previews_without_writing(self):
        response = self.client.post(ASSIGN, self.assign_data(self.org, self.charlie))
        self.assertEqual(response.status_code, 200)
        preview = {o.organisation_id: o for o in response.context["preview"]}
        # Alpha: Paul (the one who left is not counted); Charlie: two people.
        self.assertEqual(preview[self.org.pk].people, 1)
        self.assertEqual(preview[self.charlie.pk].count, 2)
        self.assertFalse(Assignment.objects.exists())
        self.assertShows(response, "Confirmer l'assignation")

    def test_it_assigns_in_each_organisation_and_audits_there(self):
        response = self.confirm(ASSIGN, self.assign_data(self.org, self.charlie))
        self.assertShows(response, "3 formations assignées dans 2 structures.")
        self.assertEqual(Assignment.objects.filter(organisation=self.org).count(), 1)
        self.assertEqual(Assignment.objects.filter(organisation=self.charlie).count(), 2)
        for organisation, count in ((self.org, 1), (self.charlie, 2)):
            entry = AuditEntry.objects.get(organisation=organisation,
                                           action="awareness.module_assigned")
            self.assertEqual(entry.details["count"], count)
            self.assertEqual(entry.actor, self.provider)
        self.assertContains(response, reverse("awareness_training", args=["charlie"]))

    def test_it_keeps_to_the_job_chosen(self):
        self.confirm(ASSIGN, self.assign_data(self.charlie, target="fonction",
                                              job="Préparatrice"))
        self.assertEqual(list(Assignment.objects.values_list("person__first_name", flat=True)),
                         ["Léa"])

    def test_it_does_not_duplicate_an_open_assignment(self):
        self.confirm(ASSIGN, self.assign_data(self.charlie))
        response = self.confirm(ASSIGN, self.assign_data(self.charlie))
        self.assertEqual(Assignment.objects.filter(organisation=self.charlie).count(), 2)
        self.assertShows(response, "Tout le monde avait déjà ce module à faire")
        self.assertEqual(AuditEntry.objects.filter(organisation=self.charlie,
                                                   action="awareness.module_assigned").count(),
                         1)

    def test_it_says_why_nothing_was_done_where_nobody_has_the_job(self):
        response = self.confirm(ASSIGN, self.assign_data(self.org, self.charlie,
                                                         target="fonction",
                                                         job="Pharmacien adjoint"))
        self.assertShows(response, "Personne de l'équipe n'a la fonction « Pharmacien adjoint ».")
        self.assertEqual(Assignment.objects.filter(organisation=self.org).count(), 0)
        self.assertEqual(Assignment.objects.filter(organisation=self.charlie).count(), 1)

    def test_it_refuses_forged_organisations_and_changes_nothing_there(self):
        data = self.assign_data(self.charlie, self.other_org, self.delta, self.echo)
        response = self.confirm(ASSIGN, data)
        self.assertEqual(response.status_code, 200)
        for organisation in (self.other_org, self.delta, self.echo):
            self.assertFalse(Assignment.objects.filter(organisation=organisation).exists())
            self.assertFalse(AuditEntry.objects.filter(organisation=organisation).exists())
        self.assertEqual(Assignment.objects.filter(organisation=self.charlie).count(), 2)
        refused = {o.organisation_id: o for o in response.context["refused"]}
        self.assertEqual(set(refused), {self.other_org.pk, self.delta.pk, self.echo.pk})
        # Not a member of Bravo: not even named.
        self.assertEqual(refused[self.other_org.pk].name, "")
        self.assertNotContains(response, "Pharmacie Bravo")
        self.assertShows(response, "Pharmacie Delta — Votre rôle dans cette structure ne "
                                   "permet pas d'assigner des formations")
        self.assertShows(response, "Laboratoire Echo")

    def test_it_refuses_a_user_whose_role_allows_it_nowhere(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(ASSIGN).status_code, 403)
        response = self.confirm(ASSIGN, self.assign_data(self.org))
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.aude)
        self.assertEqual(self.confirm(ASSIGN, self.assign_data(self.org)).status_code, 403)
        self.assertFalse(Assignment.objects.exists())

    def test_it_keeps_each_organisation_all_or_nothing(self):
        from pharmagarde.core import audit

        real = audit.record

        def failing_in_charlie(action, **kwargs):
            if kwargs.get("organisation") == self.charlie:
                raise DatabaseError("disque plein")
            return real(action, **kwargs)

        with mock.patch.object(audit, "record", side_effect=failing_in_charlie):
            response = self.confirm(ASSIGN, self.assign_data(self.org, self.charlie))
        self.assertEqual(Assignment.objects.filter(organisation=self.org).count(), 1)
        self.assertFalse(Assignment.objects.filter(organisation=self.charlie).exists())
        self.assertShows(response, "Une erreur a empêché l'assignation")

    def test_it_answers_bad_input_next_to_the_fields(self):
        cases = [
            ({"organisations": []}, "organisations", "Choisissez au moins une structure."),
            ({"module": "inconnu"}, "module", "Choisissez un module de la liste."),
            ({"due_on": "2020-01-01"}, "due_on", "Cette date est passée"),
            ({"due_on": "demain"}, "due_on", "Indiquez une date"),
            ({"target": "fonction"}, "job", "Choisissez la fonction"),
            ({"organisations": ["abc"]}, "organisations", "Choisissez des structures"),
            # "²".isdigit() is True, but int("²") fails.
            ({"organisations": ["²"]}, "organisations",
             "Choisissez des structures de la liste."),
            ({"organisations": ["١"]}, "organisations",
             "Choisissez des structures de la liste."),
        ]
        for fields, name, message in cases:
            with self.subTest(name=name, fields=fields):
                response = self.confirm(ASSIGN, self.assign_data(self.org, **fields))
                self.assertEqual(response.status_code, 422)
                self.assertIn(message, " ".join(response.context["form"].errors[name]))
        self.assertFalse(Assignment.objects.exists())

    def test_it_redirects_to_the_result_which_a_reload_does_not_redo(self):
        response = self.client.post(ASSIGN, {**self.assign_data(self.charlie),
                                             "confirmer": "1"})
        self.assertEqual(response.status_code, 302)
        result = response["Location"]
        self.assertTrue(result.startswith(reverse("awareness_bulk_result", args=["x"])[:-2]))
        for _ in range(2):
            page = self.client.get(result)
            self.assertShows(page, "2 formations assignées dans 1 structure.")
        self.assertEqual(Assignment.objects.count(), 2)
        self.assertEqual(AuditEntry.objects.filter(action="awareness.module_assigned").count(),
                         1)

    def test_its_result_page_is_the_session_own(self):
        response = self.client.post(ASSIGN, {**self.assign_data(self.charlie),
                                             "confirmer": "1"})
        result = response["Location"]
        self.assertEqual(self.client.get(
            reverse("awareness_bulk_result", args=["inconnu"])).status_code, 404)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(result).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(result).status_code, 302)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        response = self.client.post(ASSIGN, self.assign_data(self.org))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Assignment.objects.exists())

    def test_it_previews_in_a_bounded_number_of_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count():
            allowed = Membership.objects.filter(user=self.provider, role=Role.REFERENT)
            data = self.assign_data(*[m.organisation for m in allowed.select_related(
                "organisation")])
            with CaptureQueriesContext(connection) as ctx:
                self.client.post(ASSIGN, data)
            return len(ctx.captured_queries)

        few = count()
        for i in range(10):
            organisation = make_organisation(f"Officine {i}", f"officine-{i}",
                                             siret=valid_siret(50 + i))
            Membership.objects.create(organisation=organisation, user=self.provider,
                                      role=Role.REFERENT)
            Person.objects.create(organisation=organisation, first_name="A", last_name="B")
        self.assertEqual(count(), few)


class BulkCampaignTestCase(BulkTestCase):
    def data(self, *organisations, **fields):
        return {"template": "facture-grossiste", "name": "",
                "organisations": [str(o.pk) for o in organisations], **fields}

    def test_it_prepares_one_draft_per_organisation_aimed_at_staff_with_an_address(self):
        SendingProfile.objects.create(organisation=self.charlie, name="Relais",
                                      host="smtp.example.fr", from_address="c@example.fr")
        response = self.confirm(CAMPAIGN, self.data(self.org, self.charlie))
        self.assertShows(response, "2 campagnes préparées.")
        campaign = Campaign.objects.get(organisation=self.charlie)
        self.assertEqual(campaign.status, Campaign.Status.DRAFT)
        self.assertIsNone(campaign.profile)
        self.assertEqual(campaign.template_key, "facture-grossiste")
        self.assertEqual([p.first_name for p in campaign.people.all()], ["Léa"])
        # Alpha: Paul only (the one who left is not aimed at).
        self.assertEqual([p.first_name for p in
                          Campaign.objects.get(organisation=self.org).people.all()], ["Paul"])
        self.assertContains(response, reverse("awareness_campaign",
                                              args=["charlie", campaign.pk]))
        self.assertShows(response, "créez un profil d'envoi pour cette structure et testez-le")
        for organisation in (self.org, self.charlie):
            self.assertTrue(AuditEntry.objects.filter(
                organisation=organisation, action="awareness.campaign_created").exists())

    def test_a_confirmation_sent_twice_prepares_one_draft_per_organisation(self):
        self.confirm(CAMPAIGN, self.data(self.org, self.charlie))
        response = self.confirm(CAMPAIGN, self.data(self.org, self.charlie))
        for organisation in (self.org, self.charlie):
            campaign = Campaign.objects.get(organisation=organisation)
            self.assertContains(response, reverse("awareness_campaign",
                                                  args=[organisation.slug, campaign.pk]))
            self.assertEqual(AuditEntry.objects.filter(
                organisation=organisation, action="awareness.campaign_created").count(), 1)
        self.assertShows(response, "Déjà préparé")
        self.assertShows(response, "2 étaient déjà préparées.")

    def test_another_name_or_another_user_makes_another_draft(self):
        self.confirm(CAMPAIGN, self.data(self.charlie))
        self.confirm(CAMPAIGN, self.data(self.charlie, name="Deuxième vague"))
        colleague = make_user("collegue@example.fr", with_mfa=True)
        Membership.objects.create(organisation=self.charlie, user=colleague,
                                  role=Role.REFERENT)
        self.client.force_login(colleague)
        self.confirm(CAMPAIGN, self.data(self.charlie))
        self.assertEqual(Campaign.objects.filter(organisation=self.charlie).count(), 3)

    def test_a_launched_campaign_of_the_same_name_does_not_stop_a_new_draft(self):
        self.confirm(CAMPAIGN, self.data(self.charlie))
        Campaign.objects.filter(organisation=self.charlie).update(
            status=Campaign.Status.SENDING)
        self.confirm(CAMPAIGN, self.data(self.charlie))
        self.assertEqual(Campaign.objects.filter(organisation=self.charlie).count(), 2)

    def test_it_says_so_where_nobody_has_an_address(self):
        Person.objects.filter(organisation=self.charlie).update(email="")
        response = self.confirm(CAMPAIGN, self.data(self.charlie))
        self.assertShows(response, "Personne de l'équipe n'a d'adresse e-mail")
        self.assertFalse(Campaign.objects.exists())

    def test_it_refuses_forged_organisations(self):
        response = self.confirm(CAMPAIGN, self.data(self.other_org, self.delta, self.echo,
                                                    self.charlie))
        self.assertEqual(list(Campaign.objects.values_list("organisation__slug", flat=True)),
                         ["charlie"])
        self.assertEqual(len(response.context["refused"]), 3)

    def test_it_refuses_an_unknown_template(self):
        response = self.confirm(CAMPAIGN, self.data(self.org, template="inconnu"))
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Campaign.objects.exists())

    def test_it_refuses_a_user_whose_role_allows_it_nowhere(self):
        self.client.force_login(self.dora)
        self.assertEqual(self.confirm(CAMPAIGN, self.data(self.org)).status_code, 403)
        self.assertFalse(Campaign.objects.exists())
