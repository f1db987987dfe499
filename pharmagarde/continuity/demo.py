"""Demonstration continuity of the officine, written through the app's own services (audit
entries, plan revisions and action plan follow as they would for a person):

- the plan prefilled with the officine's activities, three of them tied to the inventory's
  devices and software, one added by hand with its durations still to fix, the crisis cell
  described, the plan reviewed last month; the kit printed after that review, then one
  activity changed, so the plan says the kit is to print again;
- two successful restore tests of the inventory's « Base du LGO », two months ago in
  95 minutes then last week in 60, both for the dispensing, so the trend shows the time
  coming back within its maximum outage (DMIA, one hour);
- a finished exercise « rançongiciel à l'ouverture » three weeks ago: four stimuli
  released, two decisions, one observation, the debrief, and two findings that are now
  actions of the plan.

Each part is made once (the organisation's plan, restore tests, exercises): a second run
adds nothing.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from pharmagarde.core.registry import DemoData
from pharmagarde.inventory.models import Backup, Device, Software

from . import exercise_services, plan_services, restore_services
from .models import ContinuityPlan, CriticalActivity, Exercise, ExerciseEvent, RestoreTest

SCENARIO = "rancongiciel-ouverture"
DISPENSING = "dispensation"
# The inventory demo's names (inventory/demo.py).
BACKUP, COUNTER, LGO, ROUTER = "Base du LGO", "Comptoir 1", "LGO", "Box de l'opérateur"


def load(demo: DemoData) -> None:
    organisation = demo.organisations.get("officine")
    if organisation is None:
        return
    user = demo.responsables[organisation.kind]
    now = timezone.now()
    _plan(demo, organisation, user, now)
    _restore_tests(demo, organisation, user, now)
    _exercise(demo, organisation, user, now)


def _save(user, activity, *, devices=(), software=(), **values):
    for name, value in values.items():
        setattr(activity, name, value)
    plan_services.activity_save(acting_user=user, activity=activity, devices=devices,
                                software=software, revision=activity.revision)


def _plan(demo, organisation, user, now):
    if ContinuityPlan.objects.filter(organisation=organisation).exists():
        return
    plan, _created = plan_services.plan_prefill(organisation=organisation, acting_user=user)
    activities = {a.key: a for a in CriticalActivity.objects.filter(organisation=organisation)}
    devices = {d.name: d for d in Device.objects.filter(organisation=organisation)}
    software = {s.name: s for s in Software.objects.filter(organisation=organisation)}
    counter = [devices[name] for name in (COUNTER, ROUTER) if name in devices]
    lgo = [software[LGO]] if LGO in software else []
    if DISPENSING in activities:
        _save(user, activities[DISPENSING], devices=counter, software=lgo,
              max_data_loss_hours=12,
              dependencies="Lecteurs de cartes Vitale et CPS, imprimante du comptoir, "
                           "prestataire informatique (astreinte 7 j/7).")
    if "dossier-pharmaceutique" in activities:
        _save(user, activities["dossier-pharmaceutique"], devices=counter[:1], software=lgo,
              dependencies="Cartes CPS des pharmaciens, accès Internet.")
    if "facturation-sesam-vitale" in activities:
        _save(user, activities["facturation-sesam-vitale"], software=lgo,
              dependencies="Lecteur de cartes Vitale, accès Internet, feuilles de soins "
                           "papier (Cerfa) en réserve.")
    added = CriticalActivity(
        organisation=organisation, position=200, name="Portage de médicaments à domicile",
        description="Livrer chaque semaine leurs traitements à une douzaine de patients "
                    "âgés qui ne peuvent pas se déplacer.",
        impact=CriticalActivity.Impact.HIGH,
        dependencies="Liste des patients et de leurs adresses, véhicule de l'officine.")
    plan_services.activity_save(acting_user=user, activity=added)
    plan_services.crisis_cell_save(
        acting_user=user, plan=plan,
        crisis_cell="Décide : la titulaire, ou l'adjoint présent.\n"
                    "Appelle le prestataire informatique et l'assureur : la titulaire.\n"
                    "Accueille les patients et tient la main courante : la préparatrice "
                    "la plus ancienne.\n"
                    "Si l'officine est inaccessible : on se retrouve au bureau de "
                    "l'arrière-boutique de la parapharmacie voisine.")
    plan_services.plan_review(acting_user=user, plan=plan, now=now - timedelta(days=40))
    plan.refresh_from_db()
    plan_services.kit_printed(acting_user=user, organisation=organisation,
                              revision=plan.revision, now=now - timedelta(days=39))
    # Changed after the kit was printed: the plan says « le plan a changé depuis ».
    if "commandes-grossiste" in activities:
        _save(user, CriticalActivity.objects.get(pk=activities["commandes-grossiste"].pk),
              dependencies="Site du grossiste-répartiteur, téléphone de son agence, accès "
                           "Internet.")
    demo.count("activités critiques",
               CriticalActivity.objects.filter(organisation=organisation).count())


def _restore_tests(demo, organisation, user, now):
    backup = Backup.objects.filter(organisation=organisation, what=BACKUP).first()
    if backup is None or RestoreTest.objects.filter(organisation=organisation).exists():
        return
    dispensing = CriticalActivity.objects.filter(organisation=organisation,
                                                 key=DISPENSING).first()
    today = timezone.localdate(now)
    for days, minutes, notes in [
            (61, 95, "Mot de passe du NAS retrouvé au bout d'une demi-heure dans le classeur "
                     "du prestataire : à ranger dans le kit."),
            (7, 60, "Restauration sur le poste du bureau, vérifiée sur trois ordonnances de "
                    "la veille.")]:
        restore_services.restore_log(
            acting_user=user, organisation=organisation, backup=backup, activity=dispensing,
            tested_on=today - timedelta(days=days), what="Base du LGO de la veille",
            duration_minutes=minutes, result=RestoreTest.Result.SUCCESS,
            performed_by="Informatique du Marché", notes=notes)
    demo.count("tests de restauration", 2)


DEBRIEF = {
    "reflexes": "Le câble réseau a été débranché en deux minutes ; personne ne savait s'il "
                "fallait éteindre le poste.",
    "numeros": "Le numéro du prestataire était dans le téléphone de la titulaire seulement ; "
               "celui de l'assureur, introuvable.",
    "acces-distance": "Le prestataire a un accès permanent, avec le même mot de passe depuis "
                      "l'installation.",
}
FINDINGS = ("Changer le mot de passe de l'accès à distance du prestataire et ne l'ouvrir "
            "qu'à sa demande\n"
            "Imprimer les numéros d'urgence (prestataire, assureur) et les ranger avec le kit "
            "du mode dégradé")


def _exercise(demo, organisation, user, now):
    if Exercise.objects.filter(organisation=organisation).exists():
        return
    day = timezone.localdate(now) - timedelta(days=21)
    start = timezone.make_aware(datetime.combine(day, time(8, 15)))
    exercise = exercise_services.exercise_create(
        acting_user=user, organisation=organisation, scenario=SCENARIO, planned_for=start,
        participants="La titulaire, responsable, décide\nL'adjoint, équipe\n"
                     "La préparatrice la plus ancienne, anime et observe")
    exercise_services.exercise_start(acting_user=user, exercise=exercise, now=start)
    for inject, minute in [("ecran-rancon", 0), ("collegue-allume", 8), ("prestataire", 15),
                           ("ouverture", 26)]:
        exercise_services.inject_release(acting_user=user, exercise=exercise, inject_id=inject,
                                         now=start + timedelta(minutes=minute))
    for kind, minute, text in [
            (ExerciseEvent.Kind.DECISION, 3, "Débrancher le câble réseau des postes sans les "
                                             "éteindre."),
            (ExerciseEvent.Kind.OBSERVATION, 12, "Le numéro du prestataire a été cherché "
                                                 "dix minutes."),
            (ExerciseEvent.Kind.DECISION, 24, "Ouvrir à 9 h en mode dégradé avec le registre "
                                              "de dispensation papier.")]:
        at = start + timedelta(minutes=minute)
        exercise_services.event_note(acting_user=user, exercise=exercise, kind=kind, text=text,
                                     at=at, now=at)
    exercise_services.exercise_finish(acting_user=user, exercise=exercise, debrief=DEBRIEF,
                                      findings=FINDINGS, revision=exercise.revision,
                                      now=start + timedelta(minutes=45))
    demo.count("exercices de crise", 1)
