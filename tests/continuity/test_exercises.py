"""Running a crisis exercise (continuity/exercise_services.py, views/exercises.py): its
services with the times said, the pages by stage and by role, the stimuli released live
(htmx) or by a plain form, the plan's actions from its findings, the yearly reminder."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from pharmagarde.actions.models import Action
from pharmagarde.continuity import exercise_services as services
from pharmagarde.continuity.models import Exercise, ExerciseEvent
from pharmagarde.continuity.scenarios import scenario
from pharmagarde.core import reminders
from pharmagarde.core.models import AuditEntry, Organisation, Reminder
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text


def at(day, hour=14, minute=0, month=11, year=2026):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


T0 = at(3)


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


class ExerciseFlowTestCase(BaseTestCase):
    """The services, with every moment given."""

    def setUp(self):
        self.exercise = services.exercise_create(
            acting_user=self.alice, organisation=self.org, scenario="faux-rib",
            participants="Alice, titulaire, décide\nColin, comptabilité")

    def start(self):
        services.exercise_start(acting_user=self.alice, exercise=self.exercise, now=T0)

    def release(self, inject_id, minute):
        return services.inject_release(acting_user=self.alice, exercise=self.exercise,
                                       inject_id=inject_id, now=minutes(minute))

    def audited(self, code):
        return AuditEntry.objects.filter(action=code, object_id=str(self.exercise.pk)).count()

    def test_the_whole_exercise_with_its_times(self):
        self.assertEqual(self.exercise.status, Exercise.Status.PREPARING)
        self.assertEqual(self.exercise.title, scenario("faux-rib").title)
        self.assertEqual(self.exercise.facilitator, self.alice)
        self.assertEqual(self.audited("continuity.exercise_created"), 1)

        self.assertTrue(services.exercise_start(acting_user=self.alice,
                                                exercise=self.exercise, now=T0))
        self.assertFalse(services.exercise_start(acting_user=self.rita,
                                                 exercise=self.exercise, now=minutes(5)))
        self.exercise.refresh_from_db()
        self.assertEqual((self.exercise.status, self.exercise.started_at),
                         (Exercise.Status.RUNNING, T0))
        self.assertEqual(self.audited("continuity.exercise_started"), 1)

        first, created = self.release("nouveau-rib", 1)
        self.assertTrue(created)
        again, created_again = self.release("nouveau-rib", 3)
        self.assertFalse(created_again)
        self.assertEqual((again.pk, again.at), (first.pk, minutes(1)))
        self.assertIn("Courriel — « Le service comptable »", first.text)
        self.release("relance", 8)

        services.event_note(acting_user=self.alice, exercise=self.exercise,
                            kind=ExerciseEvent.Kind.DECISION,
                            text="  Rappeler le laboratoire au numéro habituel.  ",
                            at=minutes(9), now=minutes(10))
        services.event_note(acting_user=self.rita, exercise=self.exercise,
                            kind=ExerciseEvent.Kind.OBSERVATION,
                            text="Personne ne connaît le numéro de la banque.", now=minutes(12))
        events = list(self.exercise.events.values_list("kind", "inject", "at", "text"))
        self.assertEqual([(kind, inject, moment) for kind, inject, moment, _text in events], [
            ("stimulus", "nouveau-rib", minutes(1)), ("stimulus", "relance", minutes(8)),
            ("decision", "", minutes(9)), ("observation", "", minutes(12))])
        self.assertEqual(events[2][3], "Rappeler le laboratoire au numéro habituel.")
        self.assertEqual(self.audited("continuity.exercise_event"), 4)

        services.exercise_finish(
            acting_user=self.alice, exercise=self.exercise,
            debrief={"regle": " Non : à écrire. ", "banque": "", "inconnue": "ignorée"},
            findings="- Écrire la règle du contre-appel\n\n• Noter le numéro de la banque\n",
            revision=self.exercise.revision, now=minutes(45))
        self.exercise.refresh_from_db()
        self.assertEqual((self.exercise.status, self.exercise.ended_at),
                         (Exercise.Status.DONE, minutes(45)))
        self.assertEqual(self.exercise.debrief, {"regle": "Non : à écrire."})
        self.assertEqual(self.audited("continuity.exercise_finished"), 1)

        actions = Action.objects.filter(organisation=self.org, source="continuite") \
            .order_by("source_key")
        self.assertEqual([(a.source_key, a.title) for a in actions], [
            (f"exercice:{self.exercise.pk}:1", "Écrire la règle du contre-appel"),
            (f"exercice:{self.exercise.pk}:2", "Noter le numéro de la banque")])
        self.assertIn(self.exercise.title, actions[0].source_data["origine"])
        self.assertIn("03/11/2026", actions[0].source_data["origine"])

    def test_a_second_release_is_one_event_and_the_database_holds_it(self):
        self.start()
        for minute in (0, 0, 2):
            self.release("president", minute)
        self.assertEqual(self.exercise.events.filter(inject="president").count(), 1)
        self.assertEqual(self.audited("continuity.exercise_event"), 1)
        # Even written past the service (two workers at once), the constraint refuses it.
        with self.assertRaises(IntegrityError), transaction.atomic():
            ExerciseEvent.objects.create(organisation=self.org, exercise=self.exercise,
                                         kind="stimulus", inject="president", at=minutes(3),
                                         text="Doublon")

    def test_stimuli_are_released_only_while_it_runs(self):
        with self.assertRaises(services.ExerciseStateError):
            self.release("nouveau-rib", 0)
        self.start()
        with self.assertRaises(KeyError):
            self.release("inconnu", 1)
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="", revision=None, now=minutes(40))
        with self.assertRaises(services.ExerciseStateError):
            self.release("nouveau-rib", 41)
        self.assertFalse(self.exercise.events.exists())

    def test_notes_are_checked(self):
        with self.assertRaises(services.ExerciseStateError):
            services.event_note(acting_user=self.alice, exercise=self.exercise,
                                kind="decision", text="Trop tôt", now=T0)
        self.start()
        for kind, text, moment, field in [
                ("stimulus", "Un stimulus à la main", minutes(2), "kind"),
                ("decision", "   ", minutes(2), "text"),
                ("decision", "x" * 3001, minutes(2), "text"),
                ("decision", "Avant le début", minutes(-1), "at"),
                ("decision", "Dans le futur", minutes(30), "at")]:
            with self.subTest(field=field, text=text[:20]):
                with self.assertRaises(ValidationError) as raised:
                    services.event_note(acting_user=self.alice, exercise=self.exercise,
                                        kind=kind, text=text, at=moment, now=minutes(10))
                self.assertIn(field, raised.exception.message_dict)
        self.assertFalse(self.exercise.events.exists())

    def test_a_scenario_outside_the_library_or_the_organisation_kind_is_refused(self):
        for scenario_id in ("inconnu", "serveur-resultats"):
            with self.subTest(scenario_id), self.assertRaises(ValidationError):
                services.exercise_create(acting_user=self.alice, organisation=self.org,
                                         scenario=scenario_id)
        self.assertEqual(Exercise.objects.count(), 1)

    def test_correcting_the_findings_after_the_end_moves_the_plan(self):
        self.start()
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="Écrire la règle\nActiver la double authentification",
                                 revision=None, now=minutes(45))
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="Écrire la règle\nFormer l'équipe à la fraude",
                                 revision=self.exercise.revision, now=minutes(90))
        self.exercise.refresh_from_db()
        self.assertEqual(self.exercise.ended_at, minutes(45), "the end does not move")
        self.assertEqual(self.audited("continuity.exercise_updated"), 1)
        self.assertEqual(sorted(Action.objects.filter(source="continuite")
                                .values_list("title", flat=True)),
                         ["Former l'équipe à la fraude", "Écrire la règle"])

    def test_a_stale_form_is_a_conflict(self):
        self.start()
        stale = self.exercise.revision
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="Une mesure", revision=stale, now=minutes(45))
        other = Exercise.objects.get(pk=self.exercise.pk)
        with self.assertRaises(services.ExerciseConflict):
            services.exercise_finish(acting_user=self.rita, exercise=other, debrief={},
                                     findings="Autre chose", revision=stale, now=minutes(50))
        self.assertEqual(Exercise.objects.get(pk=self.exercise.pk).findings, "Une mesure")


class ExerciseViewsTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.exercise = services.exercise_create(acting_user=self.alice,
                                                 organisation=self.org, scenario="faux-rib")

    def url(self, name="continuity_exercise", *args):
        return self.org_url(name, self.exercise.pk, *args)

    def run_it(self, started_minutes_ago=0):
        services.exercise_start(acting_user=self.alice, exercise=self.exercise,
                                now=timezone.now() - datetime.timedelta(
                                    minutes=started_minutes_ago, seconds=5))
        self.exercise.refresh_from_db()

    # Creating

    def test_create_from_a_scenario(self):
        response = self.client.get(self.org_url("continuity_exercise_new") +
                                   "?scenario=vol-portable")
        self.assertShows(response, "Ordinateur portable volé avec une carte CPS")
        response = self.client.post(self.org_url("continuity_exercise_new"), {
            "scenario": "vol-portable", "title": "", "planned_for": "2026-12-10T09:00",
            "participants": "Alice, titulaire\nColin, comptoir"})
        created = Exercise.objects.exclude(pk=self.exercise.pk).get()
        self.assertRedirects(response, self.org_url("continuity_exercise", created.pk))
        self.assertEqual(created.title, "Ordinateur portable volé avec une carte CPS")
        self.assertEqual(timezone.localtime(created.planned_for).hour, 9)

    def test_create_with_bad_input_is_422_in_french_and_writes_nothing(self):
        response = self.client.get(self.org_url("continuity_exercise_new") + "?scenario=xyz")
        self.assertShows(response, "Choisissez un scénario de la bibliothèque.",
                         status_code=422)
        response = self.client.post(self.org_url("continuity_exercise_new"), {
            "scenario": "serveur-resultats"})
        self.assertEqual(response.status_code, 422)
        response = self.client.post(self.org_url("continuity_exercise_new"), {
            "scenario": "vol-portable", "planned_for": "jeudi prochain"})
        self.assertShows(response, "Indiquez une date et une heure", status_code=422)
        self.assertContains(response, 'id="id_planned_for_error"', status_code=422)
        self.assertEqual(Exercise.objects.count(), 1)

    # Roles

    def test_the_auditor_reads_but_does_not_write(self):
        self.run_it()
        self.client.force_login(self.aude)
        response = self.client.get(self.url())
        self.assertShows(response, "Les stimuli, dans l'ordre")
        self.assertNotContains(response, "Diffuser</button>")
        self.assertNotContains(response, "Noter au journal")
        for method, url in [
                ("get", self.org_url("continuity_exercise_new") + "?scenario=faux-rib"),
                ("post", self.url("continuity_inject_release", "nouveau-rib")),
                ("post", self.url("continuity_exercise_note")),
                ("post", self.url("continuity_exercise_start")),
                ("post", self.url("continuity_exercise_prepare")),
                ("get", self.url("continuity_exercise_finish"))]:
            with self.subTest(url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 403)
        self.assertFalse(self.exercise.events.exists())

    def test_outsiders_get_404_and_anonymous_visitors_sign_in(self):
        self.client.force_login(self.oscar)
        for url in (self.url(), self.org_url("continuity_exercises"),
                    self.url("continuity_exercise_report")):
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(self.url("continuity_inject_release",
                                                   "nouveau-rib")).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))

    def test_an_exercise_of_another_organisation_is_404(self):
        other = services.exercise_create(acting_user=self.oscar, organisation=self.other_org,
                                         scenario="faux-rib")
        for name in ("continuity_exercise", "continuity_exercise_report"):
            response = self.client.get(self.org_url(name, other.pk))
            self.assertEqual(response.status_code, 404)
        response = self.client.post(self.org_url("continuity_exercise_start", other.pk))
        self.assertEqual(response.status_code, 404)
        other.refresh_from_db()
        self.assertEqual(other.status, Exercise.Status.PREPARING)

    # Before

    def test_before_it_starts_participants_and_roles(self):
        response = self.client.get(self.url())
        self.assertShows(response, "Avant de commencer")
        self.assertShows(response, "Rôles proposés")
        self.assertShows(response, "Démarrer l'exercice")
        response = self.client.post(self.url("continuity_exercise_prepare"), {
            "title": "Exercice de décembre", "participants": "Alice, décide",
            "planned_for": "", "revision": self.exercise.revision})
        self.assertRedirects(response, self.url())
        self.exercise.refresh_from_db()
        self.assertEqual((self.exercise.title, self.exercise.participants),
                         ("Exercice de décembre", "Alice, décide"))
        response = self.client.post(self.url("continuity_exercise_prepare"), {
            "participants": "x" * 2001, "revision": self.exercise.revision})
        self.assertShows(response, "2000", status_code=422)
        self.exercise.refresh_from_db()
        self.assertEqual(self.exercise.participants, "Alice, décide")

    # During

    def test_start_then_the_stimuli_due_now_are_highlighted(self):
        response = self.client.post(self.url("continuity_exercise_start"))
        self.assertRedirects(response, self.url())
        self.exercise.refresh_from_db()
        self.assertEqual(self.exercise.status, Exercise.Status.RUNNING)
        # Ten minutes in: the stimuli of minutes 0 and 8 are due, not the one of minute 15.
        Exercise.objects.filter(pk=self.exercise.pk).update(
            started_at=timezone.now() - datetime.timedelta(minutes=10, seconds=5))
        response = self.client.get(self.url())
        self.assertShows(response, "Temps écoulé : 10 min sur 45")
        self.assertShows(response, "2 stimuli à diffuser maintenant")
        self.assertShows(response, "À diffuser maintenant", count=2)
        self.assertContains(response, 'id="stimulus-nouveau-rib" class="card overdue"')
        self.assertContains(response, 'id="stimulus-president" class="card"')
        self.assertContains(response, "Diffuser</button>", count=5)

    def test_release_with_a_plain_form_then_a_second_time(self):
        self.run_it(started_minutes_ago=1)
        url = self.url("continuity_inject_release", "nouveau-rib")
        response = self.client.post(url)
        self.assertRedirects(response, self.url() + "#stimulus-nouveau-rib")
        self.client.post(url)
        self.assertEqual(self.exercise.events.filter(inject="nouveau-rib").count(), 1)
        response = self.client.get(self.url())
        self.assertContains(response, "Diffuser</button>", count=4)
        self.assertShows(response, "Diffusé à")
        self.assertEqual(self.client.post(self.url("continuity_inject_release", "inconnu"))
                         .status_code, 404)

    def test_release_with_htmx_returns_the_fragment_only(self):
        self.run_it(started_minutes_ago=1)
        response = self.client.post(self.url("continuity_inject_release", "nouveau-rib"),
                                    headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="deroule"'), page[:80])
        self.assertNotIn("<html", page)
        self.assertNotIn("Noter au journal", page)
        self.assertIn("Stimulus diffusé.", page)
        self.assertIn("Diffusé à", page)
        self.assertIn('hx-post="', page)
        self.assertIn('name="csrfmiddlewaretoken"', page)
        response = self.client.post(self.url("continuity_inject_release", "nouveau-rib"),
                                    headers={"HX-Request": "true"})
        self.assertIn("Déjà diffusé.", response.content.decode())
        self.assertEqual(self.exercise.events.count(), 1)

    def test_the_timer_mode_refreshes_the_fragment_every_30_seconds(self):
        self.run_it()
        page = self.client.get(self.url()).content.decode()
        self.assertNotIn('hx-trigger="every 30s"', page)
        self.assertIn(self.url() + "?minuteur=1", page)
        page = self.client.get(self.url() + "?minuteur=1").content.decode()
        self.assertIn(f'hx-get="{self.url()}?minuteur=1" hx-trigger="every 30s"', page)
        self.assertIn("Arrêter le minuteur", page)
        fragment = self.client.get(self.url() + "?minuteur=1",
                                   headers={"HX-Request": "true"}).content.decode()
        self.assertTrue(fragment.lstrip().startswith('<div id="deroule" hx-get='))
        self.assertNotIn("<html", fragment)
        # Released from the timer mode, the fragment keeps refreshing.
        fragment = self.client.post(
            self.url("continuity_inject_release", "nouveau-rib") + "?minuteur=1",
            headers={"HX-Request": "true"}).content.decode()
        self.assertIn('hx-trigger="every 30s"', fragment)

    def test_htmx_release_once_finished_reloads_the_page(self):
        self.run_it()
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="", revision=None)
        response = self.client.post(self.url("continuity_inject_release", "relance"),
                                    headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["HX-Refresh"], "true")
        self.assertFalse(self.exercise.events.exists())

    def test_note_a_decision_and_bad_notes(self):
        self.run_it(started_minutes_ago=5)
        response = self.client.post(self.url("continuity_exercise_note"), {
            "kind": "decision", "text": "On appelle la banque.", "at": ""})
        self.assertRedirects(response, self.url() + "#journal")
        event = self.exercise.events.get()
        self.assertEqual((event.kind, event.author), ("decision", self.alice))
        self.assertShows(self.client.get(self.url()), "On appelle la banque.")
        for data, message in [
                ({"kind": "decision", "text": ""}, "Écrivez ce qui a été décidé ou observé."),
                ({"kind": "stimulus", "text": "Un stimulus"}, "Choisissez : décision ou "
                                                               "observation."),
                ({"kind": "observation", "text": "Avant", "at": "2020-01-01T10:00"},
                 "Ce moment est avant le début de l&#x27;exercice"),
                ({"kind": "observation", "text": "Date", "at": "hier soir"},
                 "Indiquez une date et une heure")]:
            with self.subTest(message):
                response = self.client.post(self.url("continuity_exercise_note"), data)
                self.assertShows(response, message, status_code=422)
        self.assertEqual(self.exercise.events.count(), 1)

    # After

    def test_finish_with_the_debrief_and_findings(self):
        self.run_it(started_minutes_ago=40)
        response = self.client.get(self.url("continuity_exercise_finish"))
        for question in scenario("faux-rib").debrief:
            self.assertShows(response, escape(question.text))
        response = self.client.post(self.url("continuity_exercise_finish"), {
            "q_regle": "Non.", "q_banque": "Oui, affiché.",
            "findings": "Écrire la règle du contre-appel\nDouble authentification",
            "revision": self.exercise.revision})
        self.assertRedirects(response, self.url())
        self.exercise.refresh_from_db()
        self.assertEqual(self.exercise.status, Exercise.Status.DONE)
        self.assertEqual(self.exercise.debrief, {"regle": "Non.", "banque": "Oui, affiché."})
        self.assertEqual(Action.objects.filter(source="continuite").count(), 2)
        page = self.client.get(self.url())
        self.assertShows(page, "Oui, affiché.")
        self.assertShows(page, "Écrire la règle du contre-appel")
        self.assertContains(page, self.url("continuity_exercise_report_pdf"))
        self.assertContains(page, self.org_url("continuity_care"))
        self.assertNotContains(page, "Diffuser</button>")

    def test_finish_with_bad_input_is_422_and_writes_nothing(self):
        self.run_it()
        response = self.client.post(self.url("continuity_exercise_finish"), {
            "findings": "x" * 5001, "q_regle": "Non.", "revision": self.exercise.revision})
        self.assertShows(response, "5000", status_code=422)
        self.assertContains(response, 'id="id_findings_error"', status_code=422)
        self.exercise.refresh_from_db()
        self.assertEqual((self.exercise.status, self.exercise.debrief),
                         (Exercise.Status.RUNNING, {}))
        self.assertFalse(Action.objects.filter(source="continuite").exists())

    def test_finishing_one_not_started_sends_back_to_its_page(self):
        response = self.client.get(self.url("continuity_exercise_finish"))
        self.assertRedirects(response, self.url())

    # Query counts

    def test_the_exercise_page_costs_the_same_for_5_or_60_events(self):
        self.run_it(started_minutes_ago=30)

        def make_row(i):
            ExerciseEvent.objects.create(organisation=self.org, exercise=self.exercise,
                                         kind="observation", author=self.rita,
                                         at=self.exercise.started_at, text=f"Note {i}")

        self.assertQueriesConstant(self.url(), make_row)

    def test_the_finished_exercise_page_costs_the_same_for_5_or_60_events(self):
        self.run_it(started_minutes_ago=30)
        services.exercise_finish(acting_user=self.alice, exercise=self.exercise, debrief={},
                                 findings="Une mesure", revision=None)

        def make_row(i):
            ExerciseEvent.objects.create(organisation=self.org, exercise=self.exercise,
                                         kind="decision", author=self.alice,
                                         at=self.exercise.started_at, text=f"Décision {i}")

        self.assertQueriesConstant(self.url(), make_row)

    def test_the_list_costs_the_same_for_5_or_60_exercises(self):
        def make_row(i):
            Exercise.objects.create(organisation=self.org, scenario="vol-portable",
                                    title=f"Exercice {i}", facilitator=self.rita)

        self.assertQueriesConstant(self.org_url("continuity_exercises"), make_row)
        response = self.client.get(self.org_url("continuity_exercises"))
        self.assertShows(response, "Page 1 sur 2")
        self.assertShows(response, "Ordinateur portable volé avec une carte CPS")

    def test_the_continuity_home_links_to_the_exercises(self):
        response = self.client.get(self.org_url("continuity_home"))
        self.assertContains(response, self.org_url("continuity_exercises"))
        self.assertContains(response, self.org_url("continuity_scenarios"))


MONDAY = datetime.date(2026, 3, 2)  # digests go out on Mondays at 7:00


def morning(day):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 7, 0))


class ExerciseReminderTestCase(SMTPTestMixin, BaseTestCase):
    """The yearly exercise reminder, through core.reminders and a real SMTP server."""

    def setUp(self):
        super().setUp()
        # Alpha exists since 34 days on the first Monday; Bravo is brand new.
        Organisation.objects.filter(pk=self.org.pk).update(
            created_at=morning(MONDAY) - datetime.timedelta(days=34))
        Organisation.objects.filter(pk=self.other_org.pk).update(
            created_at=morning(MONDAY) - datetime.timedelta(days=10))

    def run_at(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            reminders.collect(now)
            reminders.send_urgent(now)
            reminders.send_digests(now)

    def mentions(self, to=None):
        return [message for message in self.smtp.messages
                if "Un exercice de crise par an" in body_text(message)
                and (to is None or message["To"] == to)]

    def finish_one(self, ended_at):
        Exercise.objects.create(organisation=self.org, scenario="faux-rib", title="Fait",
                                status=Exercise.Status.DONE, started_at=ended_at,
                                ended_at=ended_at)

    def test_an_organisation_without_exercise_is_reminded_in_the_digest(self):
        self.run_at(morning(MONDAY))
        [message] = self.mentions()
        self.assertEqual(message["To"], "alice@alpha.example", "the responsables only")
        text = body_text(message)
        self.assertIn("Aucun exercice de crise n'a été terminé depuis un an.", text)
        self.assertIn("http://127.0.0.1:8000/o/alpha/continuite/exercices/scenarios/", text)
        reminder = Reminder.objects.get(key=f"continuity.exercise:{self.org.pk}")
        self.assertFalse(reminder.urgent)
        self.assertEqual(reminder.state, Reminder.State.IN_DIGEST)
        self.assertEqual(reminder.occurrence, "2026-02-26")  # created + 30 days

    def test_once_then_again_a_month_later_while_none_is_finished(self):
        self.run_at(morning(MONDAY))
        self.run_at(morning(MONDAY + datetime.timedelta(days=7)))
        self.assertEqual(len(self.mentions()), 1)
        self.run_at(morning(MONDAY + datetime.timedelta(days=28)))
        self.assertEqual(len(self.mentions("alice@alpha.example")), 2)
        # Bravo is 38 days old by then: its responsable's turn.
        self.assertEqual(len(self.mentions("oscar@bravo.example")), 1)
        self.assertEqual(sorted(Reminder.objects.filter(
            key=f"continuity.exercise:{self.org.pk}").values_list("occurrence", flat=True)),
            ["2026-02-26", "2026-03-28"])

    def test_an_exercise_finished_this_year_stops_it(self):
        self.finish_one(morning(MONDAY) - datetime.timedelta(days=60))
        self.run_at(morning(MONDAY))
        self.assertEqual(self.mentions(), [])

    def test_a_year_after_the_last_exercise_it_comes_back(self):
        self.finish_one(morning(MONDAY) - datetime.timedelta(days=367))
        now = morning(MONDAY)
        dues = [d for d in services.due(now) if d.organisation_id == self.org.pk]
        self.assertEqual([d.occurrence for d in dues], [MONDAY - datetime.timedelta(days=2)])

    def test_a_new_organisation_waits_30_days(self):
        self.run_at(morning(MONDAY))
        self.assertFalse(Reminder.objects.filter(
            key=f"continuity.exercise:{self.other_org.pk}").exists())
        self.assertEqual(self.mentions("oscar@bravo.example"), [])

    def test_one_query_whatever_the_number_of_organisations(self):
        with self.assertNumQueries(1):
            list(services.due(morning(MONDAY)))
