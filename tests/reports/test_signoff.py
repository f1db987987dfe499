"""The management's approval of the plan (NIS2 art. 20): responsables only, a
confirmation required, who/when/comment and the plan frozen with its digest, audited; the
digest changes when the plan changes, and every pack then says « le plan a changé »."""

import datetime

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.core.packs import FAILED, FRESH, Facts, PackRequest, Paragraph
from pharmagarde.reports import checklists, pack_sections, selectors, services
from pharmagarde.reports.models import SignOff
from tests.base import BaseTestCase


class SignOffTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.action = Action.objects.create(organisation=cls.org, title="Sauvegarde hors ligne",
                                           due_date=datetime.date(2026, 3, 1),
                                           criticality="critique")
        Action.objects.create(organisation=cls.org, title="Fait", status=Action.Status.DONE)
        Action.objects.create(organisation=cls.other_org, title="Ailleurs")

    def url(self):
        return self.org_url("reports_signoff")

    def test_only_responsables_reach_it(self):
        for user, status in ((self.rita, 403), (self.colin, 403), (self.dora, 403),
                             (self.aude, 403), (self.oscar, 404), (self.alice, 200)):
            self.client.force_login(user)
            with self.subTest(user.email):
                self.assertEqual(self.client.get(self.url()).status_code, status)
                if status != 200:
                    self.assertIn(self.client.post(self.url(), {"confirm": "on"}).status_code,
                                  {403, 404})
        self.assertFalse(SignOff.objects.exists())
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)

    def test_it_shows_the_plan_and_records_the_approval_with_a_confirmation(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertShows(response, "Sauvegarde hors ligne")
        self.assertShows(response, "01/03/2026")
        self.assertNotContains(response, "Ailleurs")
        response = self.client.post(self.url(), {"comment": "Vu en réunion"})
        self.assertShows(response, "Cochez la case pour confirmer l")
        self.assertFalse(SignOff.objects.exists())
        response = self.client.post(self.url(), {"comment": "x" * 2001, "confirm": "on"})
        self.assertShows(response, "Ce commentaire est trop long")
        digest = response.context["form"]["digest"].value()
        self.assertEqual(digest, selectors.plan_digest(selectors.plan_summary(self.org)))
        response = self.client.post(self.url(), {"comment": "Vu en réunion", "confirm": "on",
                                                 "digest": digest}, follow=True)
        self.assertShows(response, "L&#x27;approbation du plan est enregistrée.")
        signoff = SignOff.objects.get()
        self.assertEqual((signoff.organisation, signoff.approved_by, signoff.comment),
                         (self.org, self.alice, "Vu en réunion"))
        self.assertEqual(signoff.plan_summary["total"], 2)
        self.assertEqual(signoff.plan_summary["by_status"], {"done": 1, "todo": 1})
        self.assertEqual(signoff.plan_summary["open_by_criticality"], {"critique": 1})
        self.assertEqual([item["title"] for item in signoff.plan_summary["open"]],
                         ["Sauvegarde hors ligne"])
        self.assertEqual(signoff.plan_digest,
                         selectors.plan_digest(selectors.plan_summary(self.org)))
        entry = AuditEntry.objects.get(action="signoff.recorded")
        self.assertEqual(entry.details["empreinte"], signoff.plan_digest)
        self.assertShows(response, "Vu en réunion")  # the history

    def test_a_plan_changed_while_it_was_read_is_not_approved(self):
        self.client.force_login(self.alice)
        shown = self.client.get(self.url()).context["form"]["digest"].value()
        Action.objects.create(organisation=self.org, title="Ajoutée pendant la lecture")
        response = self.client.post(self.url(), {"confirm": "on", "digest": shown})
        self.assertShows(response, "Le plan a changé pendant votre lecture : relisez-le "
                                   "avant d&#x27;approuver.")
        self.assertShows(response, "Ajoutée pendant la lecture")  # the plan as it is now
        self.assertFalse(SignOff.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="signoff.recorded").exists())
        current = response.context["form"]["digest"].value()
        self.assertNotEqual(current, shown)
        response = self.client.post(self.url(), {"confirm": "on"})  # no digest: refused
        self.assertFalse(SignOff.objects.exists())
        self.client.post(self.url(), {"confirm": "on", "digest": current})
        self.assertEqual(SignOff.objects.get().plan_summary["total"], 3)

    def test_the_digest_changes_when_the_plan_changes(self):
        before = selectors.plan_digest(selectors.plan_summary(self.org))
        self.assertEqual(before, selectors.plan_digest(selectors.plan_summary(self.org)))
        for change in ({"due_date": datetime.date(2026, 4, 1)}, {"title": "Autre titre"},
                       {"status": Action.Status.DONE}):
            Action.objects.filter(pk=self.action.pk).update(**change)
            after = selectors.plan_digest(selectors.plan_summary(self.org))
            self.assertNotEqual(before, after, change)
            before = after
        Action.objects.create(organisation=self.other_org, title="Ailleurs encore")
        self.assertEqual(before, selectors.plan_digest(selectors.plan_summary(self.org)))

    def test_the_plan_summary_costs_two_queries_whatever_its_size(self):
        for index in range(30):
            Action.objects.create(organisation=self.org, title=f"A{index}")
        with self.assertNumQueries(2):
            selectors.plan_summary(self.org)

    def test_every_pack_prints_the_latest_approval_and_whether_the_plan_changed(self):
        pack = PackRequest(self.org, "nis2", datetime.date(2026, 6, 1))
        [section] = pack_sections.sections(pack)
        self.assertEqual(section.evidence[0].date, None)
        services.signoff_record(organisation=self.org, acting_user=self.alice,
                                comment="Approuvé")
        [section] = pack_sections.sections(pack)
        texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
        self.assertIn("Le plan n'a pas changé depuis cette approbation.", texts)
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Commentaire"], "Approuvé")
        self.assertIsNotNone(section.evidence[0].date)
        self.assertEqual(section.evidence[0].freshness(pack.today), FRESH)
        Action.objects.create(organisation=self.org, title="Nouvelle action")
        [section] = pack_sections.sections(pack)
        texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
        self.assertTrue(any(t.startswith("Le plan a changé depuis cette approbation")
                            for t in texts))
        # A recent approval of another plan: the requirement is not met, not « à jour ».
        self.assertEqual(section.evidence[0].freshness(pack.today), FAILED)
        requirement = next(item for item in checklists.requirements_for("nis2").requirements
                           if "reports.signoff" in item.answered_by)
        state, where = checklists.requirement_state(requirement, [section], pack)
        self.assertEqual(state, checklists.UNMET)
        self.assertIn("le plan a changé depuis cette approbation", where)
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.url()), "Le plan a changé depuis la dernière")
