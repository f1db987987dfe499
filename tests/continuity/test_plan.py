"""The continuity plan: prefilled once per kind of organisation, its services (revisions,
the inventory of the organisation only), its completeness checks, its pages with every
role, and its yearly review reminder through a real SMTP server."""

from datetime import datetime, timedelta

from django.utils import timezone

from pharmagarde.continuity import activities, plan_services
from pharmagarde.continuity.models import ContinuityPlan, CriticalActivity
from pharmagarde.continuity.plan_checks import plan_activities, plan_checks
from pharmagarde.core import reminders
from pharmagarde.core.models import AuditEntry, Reminder
from pharmagarde.inventory.models import Device, Software
from tests.base import BaseTestCase, make_organisation, valid_siret
from tests.smtp import SMTPTestMixin, body_text

# A Monday at 7:00: the weekly digest's time.
MONDAY = timezone.make_aware(datetime(2026, 11, 16, 7))


def activity_data(**fields):
    data = {"name": "Accueil des patients", "description": "", "max_outage_hours": "4",
            "max_data_loss_hours": "24", "impact": "grave", "impact_detail": "",
            "dependencies": "Téléphone", "degraded_procedure": "Noter sur papier.",
            "roles": "", "return_to_normal": "Tout ressaisir.", "paper_forms": ["stock"]}
    data.update(fields)
    return data


class PlanTestCase(BaseTestCase):
    def prefill(self, org=None, user=None):
        return plan_services.plan_prefill(organisation=org or self.org,
                                          acting_user=user or self.alice)

    def plan(self, org=None):
        return ContinuityPlan.objects.get(organisation=org or self.org)

    def rows(self, org=None):
        return CriticalActivity.objects.filter(organisation=org or self.org)

    def audits(self, code):
        return AuditEntry.objects.filter(action=code, organisation=self.org)


class PrefillTestCase(PlanTestCase):
    def test_each_kind_gets_its_own_activities_once(self):
        for number, kind in enumerate(activities.ORGANISATION_KINDS, start=1):
            with self.subTest(kind):
                org = make_organisation(f"Structure {kind}", f"s-{kind}", kind=kind,
                                        siret=valid_siret(number))
                plan, created = self.prefill(org)
                self.assertTrue(created)
                expected = activities.activities_for(kind)
                rows = list(self.rows(org))
                self.assertEqual([row.key for row in rows], [item.key for item in expected])
                first = rows[0]
                self.assertEqual((first.max_outage_hours, first.max_data_loss_hours,
                                  first.impact, first.paper_forms),
                                 (expected[0].max_outage_hours,
                                  expected[0].max_data_loss_hours, expected[0].impact,
                                  list(expected[0].paper_forms)))
                self.assertEqual(first.degraded_procedure.splitlines(),
                                 list(expected[0].degraded_procedure))
                entry = AuditEntry.objects.get(action="continuity.plan_prefilled",
                                               organisation=org)
                self.assertEqual(entry.details["activités proposées"], len(expected))
                # Again: nothing more, even once every activity was removed.
                self.assertEqual(self.prefill(org), (plan, False))
                self.rows(org).delete()
                self.assertFalse(self.prefill(org)[1])
                self.assertFalse(self.rows(org).exists())

    def test_an_officine_gets_the_dispensing_and_the_narcotics_register(self):
        self.prefill()
        names = list(self.rows().values_list("name", flat=True))
        self.assertIn("Dispensation des ordonnances et conseil au comptoir", names)
        self.assertIn("Registre des stupéfiants", names)
        self.assertFalse(self.rows(self.other_org).exists())

    def test_the_first_visit_of_a_member_who_can_write_prefills(self):
        self.client.force_login(self.aude)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "Le plan n'a pas encore été préparé")
        self.assertFalse(ContinuityPlan.objects.exists())
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "Registre des stupéfiants")
        self.assertEqual(self.rows().count(), 7)
        self.client.get(self.org_url("continuity_plan"))
        self.assertEqual(self.rows().count(), 7)
        self.assertEqual(self.audits("continuity.plan_prefilled").count(), 1)
        self.client.force_login(self.aude)
        self.assertShows(self.client.get(self.org_url("continuity_plan")),
                         "Registre des stupéfiants")


class ServicesTestCase(PlanTestCase):
    def setUp(self):
        self.prefill()
        self.device = Device.objects.create(organisation=self.org, name="Poste comptoir 1")
        self.software = Software.objects.create(organisation=self.org, name="LGO")
        self.foreign = Device.objects.create(organisation=self.other_org, name="Poste Bravo")

    def save(self, activity, **kwargs):
        return plan_services.activity_save(acting_user=self.colin, activity=activity,
                                           **kwargs)

    def test_adding_and_changing_an_activity_bump_the_revisions(self):
        start = self.plan().revision
        activity = CriticalActivity(organisation=self.org, name="Livraisons à domicile")
        self.save(activity, devices=[self.device])
        self.assertEqual((activity.revision, self.plan().revision), (1, start + 1))
        activity.max_outage_hours = 48
        changed = self.save(activity, devices=[self.device], software=[self.software.pk],
                            revision=1)
        self.assertEqual(changed, ["interruption maximale admissible (DMIA), en heures",
                                   "logiciels nécessaires"])
        activity.refresh_from_db()
        self.assertEqual((activity.revision, activity.max_outage_hours), (2, 48))
        self.assertEqual(list(activity.software.all()), [self.software])
        self.assertEqual(self.plan().revision, start + 2)
        entry = self.audits("continuity.activity_saved").order_by("pk").last()
        self.assertIn("DMIA", entry.details["champs"])

    def test_saving_without_a_change_writes_nothing(self):
        activity = self.rows().first()
        revision, plan_revision = activity.revision, self.plan().revision
        self.assertEqual(self.save(activity, revision=revision), [])
        activity.refresh_from_db()
        self.assertEqual((activity.revision, self.plan().revision), (revision, plan_revision))
        self.assertFalse(self.audits("continuity.activity_saved").exists())

    def test_another_organisations_device_is_refused_and_nothing_is_written(self):
        activity = self.rows().first()
        revision = self.plan().revision
        activity.name = "Changé"
        for devices, software in [([self.foreign.pk], []), ([self.device, self.foreign], []),
                                  ([], [self.foreign.pk])]:
            with self.assertRaises(plan_services.ForeignInventoryItem):
                self.save(activity, devices=devices, software=software,
                          revision=activity.revision)
        activity.refresh_from_db()
        self.assertNotEqual(activity.name, "Changé")
        self.assertFalse(activity.devices.exists())
        self.assertEqual(self.plan().revision, revision)

    def test_a_concurrent_edit_is_a_conflict(self):
        activity = self.rows().first()
        mine = CriticalActivity.objects.get(pk=activity.pk)
        activity.max_outage_hours = 3
        self.save(activity, revision=1)
        mine.max_outage_hours = 5
        with self.assertRaises(plan_services.ActivityConflict) as caught:
            self.save(mine, revision=1)
        self.assertEqual(caught.exception.current.max_outage_hours, 3)

    def test_removing_an_activity_bumps_the_plan(self):
        revision = self.plan().revision
        activity = self.rows().first()
        plan_services.activity_delete(acting_user=self.colin, activity=activity)
        self.assertFalse(self.rows().filter(pk=activity.pk).exists())
        self.assertEqual(self.plan().revision, revision + 1)
        self.assertEqual(self.audits("continuity.activity_deleted").get().details["activité"],
                         activity.name)

    def test_the_crisis_cell_the_review_and_the_kit(self):
        plan = self.plan()
        self.assertEqual(plan.revision, 1, "a prefilled plan is its first version")
        self.assertTrue(plan_services.crisis_cell_save(acting_user=self.alice, plan=plan,
                                                       crisis_cell=" Alice décide. "))
        self.assertFalse(plan_services.crisis_cell_save(acting_user=self.alice, plan=plan,
                                                        crisis_cell="Alice décide."))
        plan = self.plan()
        self.assertEqual((plan.crisis_cell, plan.revision), ("Alice décide.", 2))
        now = timezone.now()
        plan_services.plan_review(acting_user=self.rita, plan=plan, now=now)
        plan = self.plan()
        self.assertEqual((plan.reviewed_at, plan.reviewed_by), (now, self.rita))
        self.assertEqual(self.audits("continuity.plan_reviewed").count(), 1)
        plan_services.kit_printed(acting_user=self.colin, organisation=self.org,
                                  revision=plan.revision, now=now)
        plan = self.plan()
        self.assertEqual((plan.kit_printed_at, plan.kit_printed_revision), (now, 2))
        self.assertFalse(plan.kit_outdated)
        self.save(CriticalActivity(organisation=self.org, name="Nouvelle"))
        self.assertTrue(self.plan().kit_outdated)

    def test_an_auditors_download_is_audited_but_marks_nothing(self):
        plan_services.kit_printed(acting_user=self.aude, organisation=self.org, revision=0,
                                  mark=False)
        self.assertIsNone(self.plan().kit_printed_at)
        self.assertEqual(self.audits("continuity.kit_printed").get().details,
                         {"version du plan": 0, "exemplaire à garder": "non"})

    def test_at_most_max_activities(self):
        CriticalActivity.objects.bulk_create(
            CriticalActivity(organisation=self.org, name=f"A{n}")
            for n in range(plan_services.MAX_ACTIVITIES - self.rows().count()))
        with self.assertRaises(plan_services.TooManyActivities):
            self.save(CriticalActivity(organisation=self.org, name="Une de trop"))


class ChecksTestCase(PlanTestCase):
    def setUp(self):
        self.plan_row = ContinuityPlan.objects.create(organisation=self.org)
        self.activity = CriticalActivity.objects.create(organisation=self.org,
                                                        name="Dispensation")

    def texts(self, now=None):
        return [check.text for check in plan_checks(
            self.plan(), plan_activities(self.org), organisation=self.org,
            now=now or timezone.now())]

    def assertFixes(self, line: str, fix):
        self.assertIn(line, self.texts())
        fix()
        self.assertNotIn(line, self.texts())

    def update(self, **fields):
        CriticalActivity.objects.filter(pk=self.activity.pk).update(**fields)

    def test_each_missing_piece_of_an_activity_goes_away_when_fixed(self):
        self.assertEqual(len(self.texts()), 8)
        self.assertFixes("« Dispensation » : la durée d'interruption maximale admissible "
                         "(DMIA) n'est pas fixée.", lambda: self.update(max_outage_hours=0))
        self.assertFixes("« Dispensation » : la perte de données maximale admissible (PDMA) "
                         "n'est pas fixée.", lambda: self.update(max_data_loss_hours=4))
        self.assertFixes("« Dispensation » : aucune procédure du mode dégradé ; que fait "
                         "l'équipe sans l'informatique ?",
                         lambda: self.update(degraded_procedure="Registre papier."))
        self.assertFixes("« Dispensation » : le retour à la normale n'est pas décrit "
                         "(redémarrer, vérifier, ressaisir les registres papier).",
                         lambda: self.update(return_to_normal="Ressaisir."))
        self.assertFixes(
            "« Dispensation » : aucune dépendance n'est nommée (appareils, logiciels, "
            "prestataires, accès Internet…).",
            lambda: self.activity.software.add(
                Software.objects.create(organisation=self.org, name="LGO")))

    def test_a_device_or_words_name_a_dependency(self):
        line = ("« Dispensation » : aucune dépendance n'est nommée (appareils, logiciels, "
                "prestataires, accès Internet…).")
        self.assertFixes(line, lambda: self.activity.devices.add(
            Device.objects.create(organisation=self.org, name="Poste")))
        self.activity.devices.clear()
        self.assertFixes(line, lambda: self.update(dependencies="Le grossiste"))

    def test_the_plans_own_lines_go_away_when_fixed(self):
        self.assertFixes("La cellule de crise n'est pas décrite : qui décide, qui appelle "
                         "qui, où se retrouver si les locaux sont inaccessibles.",
                         lambda: plan_services.crisis_cell_save(
                             acting_user=self.alice, plan=self.plan_row, crisis_cell="Alice"))
        long_ago = timezone.now() - timedelta(days=400)
        self.assertFixes("Le plan n'a jamais été revu avec l'équipe.",
                         lambda: plan_services.plan_review(acting_user=self.alice,
                                                           plan=self.plan_row, now=long_ago))
        stale = (f"Le plan a été revu pour la dernière fois le "
                 f"{timezone.localtime(long_ago).day} ")
        self.assertTrue(any(text.startswith(stale) and text.endswith("il y a plus d'un an.")
                            for text in self.texts()), self.texts())
        plan_services.plan_review(acting_user=self.alice, plan=self.plan_row)
        self.assertFalse(any("plus d'un an" in text for text in self.texts()))

    def test_the_kit_lines(self):
        self.assertFixes("Le kit du mode dégradé n'a jamais été imprimé.",
                         lambda: plan_services.kit_printed(
                             acting_user=self.alice, organisation=self.org,
                             revision=self.plan().revision))
        plan_services.activity_delete(acting_user=self.alice, activity=self.activity)
        outdated = [text for text in self.texts() if text.startswith("Le kit imprimé le ")]
        self.assertEqual(len(outdated), 1)
        self.assertTrue(outdated[0].endswith("ne correspond plus au plan, qui a changé "
                                             "depuis."))
        plan_services.kit_printed(acting_user=self.alice, organisation=self.org,
                                  revision=self.plan().revision)
        self.assertFalse([text for text in self.texts() if text.startswith("Le kit ")])

    def test_a_plan_without_activity_says_so_and_every_line_has_a_link(self):
        self.activity.delete()
        checks = plan_checks(self.plan(), plan_activities(self.org), organisation=self.org,
                             now=timezone.now())
        self.assertEqual(checks[0].text, "Le plan ne compte aucune activité critique.")
        self.assertEqual(checks[0].url, self.org_url("continuity_activity_add"))
        self.assertTrue(all(check.url.startswith("/o/alpha/continuite/") and check.action
                            for check in checks))


class PlanViewsTestCase(PlanTestCase):
    def setUp(self):
        self.prefill()
        self.activity = self.rows().first()
        self.edit_url = self.org_url("continuity_activity_edit", self.activity.pk)

    def post_add(self, user, **fields):
        self.client.force_login(user)
        return self.client.post(self.org_url("continuity_activity_add"), activity_data(**fields))

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        for url in (self.org_url("continuity_plan"), self.org_url("continuity_activity_add"),
                    self.edit_url, self.org_url("continuity_crisis_cell")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/comptes/login/"), url)

    def test_an_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        for url in (self.org_url("continuity_plan"), self.edit_url,
                    self.org_url("continuity_activity_add")):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        for url in (self.org_url("continuity_plan_review"), self.edit_url,
                    self.org_url("continuity_activity_delete", self.activity.pk)):
            self.assertEqual(self.client.post(url).status_code, 404, url)
        # Through Bravo's own addresses, Alpha's activity does not exist either.
        self.assertEqual(self.client.get(self.org_url(
            "continuity_activity_edit", self.activity.pk, org=self.other_org)).status_code, 404)

    def test_the_auditor_reads_but_writes_nothing(self):
        self.client.force_login(self.aude)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "Registre des stupéfiants")
        self.assertNotContains(page, self.org_url("continuity_activity_add"))
        self.assertNotContains(page, "Marquer le plan comme revu")
        for url in (self.org_url("continuity_activity_add"), self.edit_url,
                    self.org_url("continuity_crisis_cell")):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        for url in (self.org_url("continuity_activity_add"), self.edit_url,
                    self.org_url("continuity_activity_delete", self.activity.pk),
                    self.org_url("continuity_plan_review"),
                    self.org_url("continuity_crisis_cell")):
            self.assertEqual(self.client.post(url, activity_data()).status_code, 403, url)
        self.assertEqual(self.rows().count(), 7)
        self.assertIsNone(self.plan().reviewed_at)

    def test_a_collaborator_adds_an_activity(self):
        revision = self.plan().revision
        response = self.post_add(self.colin)
        self.assertRedirects(response, self.org_url("continuity_plan"),
                             fetch_redirect_response=False)
        row = self.rows().get(name="Accueil des patients")
        self.assertEqual((row.max_outage_hours, row.impact, row.paper_forms, row.key),
                         (4, "grave", ["stock"], ""))
        self.assertEqual(self.plan().revision, revision + 1)
        self.assertShows(self.client.get(self.org_url("continuity_plan")),
                         "Activité enregistrée : Accueil des patients.")

    def test_bad_hours_are_refused_next_to_the_field(self):
        for value, message in [("quatre", "Indiquez un nombre entier d'heures, par exemple 4."),
                               ("-2", "Un nombre d'heures ne peut pas être négatif."),
                               ("2.5", "Indiquez un nombre entier d'heures, par exemple 4."),
                               ("9000", "Au plus 8760 heures, soit un an.")]:
            with self.subTest(value):
                response = self.post_add(self.colin, max_outage_hours=value)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, 'id="id_max_outage_hours_error"', status_code=422)
                self.assertShows(response, message.replace("'", "&#x27;"), status_code=422)
        response = self.post_add(self.colin, max_data_loss_hours="-1", name="")
        self.assertShows(response, "Donnez un nom à l&#x27;activité.", status_code=422)
        self.assertShows(response, "ne peut pas être négatif", status_code=422)
        self.assertEqual(self.rows().count(), 7)

    def test_only_the_organisations_inventory_is_offered_and_accepted(self):
        empty = self.client
        empty.force_login(self.colin)
        self.assertShows(empty.get(self.edit_url),
                         "Votre inventaire ne compte encore aucun appareil ni logiciel.")
        mine = Device.objects.create(organisation=self.org, name="Poste comptoir 1")
        theirs = Device.objects.create(organisation=self.other_org, name="Poste Bravo")
        software = Software.objects.create(organisation=self.org, name="LGO Alpha")
        page = self.client.get(self.edit_url)
        self.assertShows(page, "Poste comptoir 1")
        self.assertShows(page, "LGO Alpha")
        self.assertNotContains(page, "Poste Bravo")
        self.assertNotContains(page, "Votre inventaire ne compte encore")
        data = activity_data(name=self.activity.name, revision=self.activity.revision,
                             devices=[mine.pk, theirs.pk])
        response = self.client.post(self.edit_url, data)
        self.assertShows(response, "Choisissez parmi les appareils de l&#x27;inventaire de "
                         "votre structure.", status_code=422)
        self.assertFalse(self.activity.devices.exists())
        data.update(devices=[mine.pk], software=[software.pk])
        self.assertRedirects(self.client.post(self.edit_url, data),
                             self.org_url("continuity_plan"))
        self.assertEqual(list(self.activity.devices.all()), [mine])
        self.assertEqual(list(self.activity.software.all()), [software])

    def test_the_form_shows_the_usual_dependencies_and_catches_a_stale_revision(self):
        self.client.force_login(self.rita)
        self.assertShows(self.client.get(self.edit_url),
                         "Habituellement : Logiciel d'officine et son serveur".replace(
                             "'", "&#x27;"))
        data = activity_data(name="Dispensation", revision=self.activity.revision)
        self.assertEqual(self.client.post(self.edit_url, data).status_code, 302)
        response = self.client.post(self.edit_url, {**data, "name": "Autre nom"})
        self.assertShows(response, "Quelqu&#x27;un d&#x27;autre a modifié cette activité",
                         status_code=409)
        self.activity.refresh_from_db()
        self.assertEqual(self.activity.name, "Dispensation")

    def test_removing_an_activity(self):
        self.client.force_login(self.colin)
        url = self.org_url("continuity_activity_delete", self.activity.pk)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertRedirects(self.client.post(url), self.org_url("continuity_plan"))
        self.assertFalse(self.rows().filter(pk=self.activity.pk).exists())

    def test_the_crisis_cell_and_the_review(self):
        self.client.force_login(self.alice)
        url = self.org_url("continuity_crisis_cell")
        response = self.client.post(url, {"crisis_cell": "x" * 2001})
        self.assertShows(response, "Au plus 2000 caractères (vous en avez écrit 2001).",
                         status_code=422)
        self.assertEqual(self.plan().crisis_cell, "")
        response = self.client.post(url, {"crisis_cell": "Alice décide, Rita appelle."})
        self.assertRedirects(response, self.org_url("continuity_plan") + "#cellule-de-crise",
                             fetch_redirect_response=False)
        self.assertEqual(self.plan().crisis_cell, "Alice décide, Rita appelle.")
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "Alice décide, Rita appelle.")
        self.assertShows(page, "Jamais revu.")
        self.assertEqual(self.client.get(self.org_url("continuity_plan_review")).status_code,
                         405)
        self.client.post(self.org_url("continuity_plan_review"))
        self.assertEqual(self.plan().reviewed_by, self.alice)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "par alice@alpha.example")
        self.assertNotContains(page, "Le plan n&#x27;a jamais été revu")

    def test_the_page_shows_the_checks_with_their_links(self):
        CriticalActivity.objects.filter(pk=self.activity.pk).update(max_outage_hours=None)
        self.client.force_login(self.colin)
        page = self.client.get(self.org_url("continuity_plan"))
        self.assertShows(page, "(DMIA) n&#x27;est pas fixée.")
        self.assertContains(page, f'href="{self.edit_url}#id_max_outage_hours"')
        self.assertShows(page, "Jamais imprimé.")

    def test_the_plan_page_costs_the_same_for_5_and_60_activities(self):
        device = Device.objects.create(organisation=self.org, name="Poste")
        self.client.force_login(self.colin)
        self.rows().delete()

        def make_row(number):
            row = CriticalActivity.objects.create(organisation=self.org, name=f"Activité {number}",
                                                  max_outage_hours=number)
            if number % 2:
                row.devices.add(device)

        self.assertQueriesConstant(self.org_url("continuity_plan"), make_row)


class ReviewReminderTestCase(SMTPTestMixin, PlanTestCase):
    def make_plan(self, org=None, *, created_days_ago=400, reviewed_days_ago=None):
        plan = ContinuityPlan.objects.create(
            organisation=org or self.org, created_at=MONDAY - timedelta(days=created_days_ago),
            reviewed_at=MONDAY - timedelta(days=reviewed_days_ago)
            if reviewed_days_ago is not None else None)
        return plan

    def dues(self, now=MONDAY):
        return list(plan_services.due(now))

    def test_a_plan_reviewed_within_the_year_is_not_reminded(self):
        self.make_plan(reviewed_days_ago=300)
        self.assertEqual(self.dues(), [])

    def test_a_plan_reviewed_more_than_a_year_ago_is_reminded_every_30_days(self):
        plan = self.make_plan(reviewed_days_ago=366)
        [due] = self.dues()
        review_day = timezone.localdate(plan.reviewed_at)
        self.assertEqual(due.key, f"continuity.plan_review:{plan.pk}")
        self.assertEqual(due.occurrence, review_day + timedelta(days=365))
        self.assertEqual((due.users, due.urgent, due.deadline), ((), False, None))
        self.assertEqual(str(due.link), "/o/alpha/continuite/plan/")
        self.assertEqual(self.dues(MONDAY + timedelta(days=28))[0].occurrence,
                         due.occurrence)
        self.assertEqual(self.dues(MONDAY + timedelta(days=31))[0].occurrence,
                         due.occurrence + timedelta(days=30))

    def test_a_plan_never_reviewed_is_reminded_after_30_days(self):
        self.make_plan(created_days_ago=29)
        self.assertEqual(self.dues(), [])
        self.assertEqual(len(self.dues(MONDAY + timedelta(days=2))), 1)
        self.assertIn("n'a encore jamais été revu", str(self.dues(MONDAY + timedelta(days=2))[0]
                                                           .text))

    def test_one_query_whatever_the_number_of_plans(self):
        self.make_plan(reviewed_days_ago=500)
        for number in range(20):
            org = make_organisation(f"Officine {number}", f"officine-{number}",
                                    siret=valid_siret(100 + number))
            self.make_plan(org, reviewed_days_ago=370 + number)
        with self.assertNumQueries(1):
            self.assertEqual(len(self.dues()), 21)

    def test_the_responsables_get_it_in_the_weekly_digest(self):
        self.make_plan(reviewed_days_ago=370)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(reminders.collect(MONDAY), 1)
            self.assertEqual(reminders.send_urgent(MONDAY), 0)
            self.assertEqual(reminders.send_digests(MONDAY), 1)
        reminder = Reminder.objects.get(key__startswith="continuity.plan_review:")
        self.assertEqual((reminder.user, reminder.urgent, reminder.state),
                         (self.alice, False, Reminder.State.IN_DIGEST))
        [message] = self.smtp.messages
        self.assertEqual(message["To"], "alice@alpha.example")
        self.assertIn("résumé", message["Subject"])
        text = body_text(message)
        self.assertIn("Plan de continuité à revoir — Pharmacie Alpha", text)
        self.assertIn("n'a pas été revu depuis le 11 novembre 2025", text)
        self.assertIn("http://127.0.0.1:8000/o/alpha/continuite/plan/", text)
        # Once only.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(reminders.collect(MONDAY + timedelta(hours=1)), 0)
