"""Continuity's part of the audit packs: the plan, the degraded-mode kit, the backups, the
restore tests and the crisis exercises.

Evidence and how long it stays fresh: the plan's last review (12 months), the kit printed
(12 months, and said out of date when the plan changed since), a backup with an offline or
immutable copy and one with separate credentials (their record's last update, 12 months),
the last restore test that brought data back (12 months: « a restore test older than 12
months is stale »; a test typed in the inventory counts too), the last exercise finished
(12 months). Each section costs at most three queries, whatever the number of rows.
"""


from django.db.models import F, Max
from django.utils.translation import gettext as _

from pharmagarde.core.packs import (
    CARE,
    CNIL,
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Paragraph,
    Section,
    Table,
    day_text,
    local_day,
)
from pharmagarde.inventory.models import Backup
from pharmagarde.lib.dates import add_months

from . import restore_status
from .models import ContinuityPlan, CriticalActivity, Exercise, RestoreTest

PLAN, KITS, BACKUPS, RESTORES, EXERCISES = (
    "continuity.plan", "continuity.kits", "continuity.backups", "continuity.restore_tests",
    "continuity.exercises")
REFERENCES = {
    PLAN: ("NIS 2, art. 21(2)(c)", "ISO 15189:2022 § 7.6.4",
           "CaRE D2 — analyse d'impact sur l'activité"),
    KITS: ("ISO 15189:2022 § 7.6.4", "CaRE D2 — mode dégradé"),
    BACKUPS: ("NIS 2, art. 21(2)(c)", "CaRE D2 — règle 3-2-1",
              "CaRE D2 — authentification des sauvegardes",
              "CaRE D2 — supervision des sauvegardes"),
    RESTORES: ("CaRE D2 — test de restauration", "ISO 15189:2022 § 7.8",
               "Guide d'hygiène ANSSI, mesure 37 (renforcé)"),
    EXERCISES: ("CaRE D2 — plan de continuité exercé", "ISO 15189:2022 § 7.8",
                "CaRE — exercice de crise annuel"),
}
WORKED = (RestoreTest.Result.SUCCESS, RestoreTest.Result.PARTIAL)


def _yes(value) -> str:
    return {True: _("oui"), False: _("non"), None: _("inconnu")}[value]


def _plan_of(pack: PackRequest) -> ContinuityPlan | None:
    return ContinuityPlan.objects.filter(organisation=pack.organisation).first()


def plan(pack: PackRequest) -> Section:
    found = _plan_of(pack)
    activities = list(CriticalActivity.objects.filter(organisation=pack.organisation)
                      .order_by("position", "id"))
    blocks = []
    if found is None:
        blocks.append(Paragraph(_("Aucun plan de continuité n'a été préparé. Ouvrez « "
                                  "Continuité » dans Pharmagarde : le plan est prérempli "
                                  "avec les activités critiques de votre type de "
                                  "structure.")))
    else:
        blocks.append(Facts(((_("Dernière revue du plan"), day_text(found.reviewed_at)),
                             (_("Activités critiques"), str(len(activities))),
                             (_("Cellule de crise décrite"),
                              _yes(bool(found.crisis_cell.strip()))))))
    blocks.append(Table(
        columns=(_("Activité critique"), _("Impact si elle s'arrête"),
                 _("Arrêt maximal (heures)"), _("Perte de données maximale (heures)"),
                 _("Mode dégradé écrit")),
        rows=tuple((activity.name, str(activity.get_impact_display()),
                    activity.max_outage_hours, activity.max_data_loss_hours,
                    _yes(bool(activity.degraded_procedure.strip())))
                   for activity in activities),
        caption=_("Les activités critiques et leurs durées maximales (analyse d'impact)"),
        sheet=_("Activités critiques"), empty=_("Aucune activité critique décrite.")))
    return Section(key=PLAN, title=_("Plan de continuité d'activité"), order=50,
                   blocks=blocks, references=REFERENCES[PLAN],
                   evidence=[Evidence(_("Revue du plan de continuité"),
                                      local_day(found.reviewed_at) if found else None)])


def kits(pack: PackRequest) -> Section:
    found = _plan_of(pack)
    printed = found.kit_printed_at if found else None
    if printed is None:
        text = _("Le kit du mode dégradé (procédures et formulaires papier) n'a jamais été "
                 "imprimé depuis Pharmagarde.")
    elif found.kit_outdated:
        text = _("Le kit imprimé le %(date)s ne tient pas compte des dernières modifications "
                 "du plan : réimprimez-le.") % {"date": day_text(printed)}
    else:
        text = _("Le kit imprimé le %(date)s correspond au plan actuel.") % {
            "date": day_text(printed)}
    return Section(key=KITS, title=_("Kit du mode dégradé"), order=51,
                   blocks=[Paragraph(text)], references=REFERENCES[KITS],
                   evidence=[Evidence(_("Kit du mode dégradé imprimé"), local_day(printed),
                                      failed=_("le plan a changé depuis l'impression : à "
                                               "réimprimer")
                                      if printed and found.kit_outdated else "")])


def backups(pack: PackRequest) -> Section:
    found = list(Backup.objects.filter(organisation=pack.organisation).order_by("what", "id"))
    states = restore_status.statuses(found, pack.today)
    rows = []
    for status in states:
        backup = status.backup
        checks = status.checks
        rows.append((backup.what, backup.where, backup.frequency,
                     f"{status.checks_met} / {len(checks)}", _yes(backup.offline_copy),
                     _yes(backup.offsite), _yes(backup.encrypted),
                     _yes(backup.separate_credentials),
                     backup.errors_at_last_check, str(status.label)))
    offline = [backup for backup in found if backup.offline_copy]
    separate = [backup for backup in found if backup.separate_credentials]
    monitored = [backup for backup in found if backup.errors_at_last_check is not None]

    def latest(items):
        return local_day(max(item.updated_at for item in items)) if items else None

    table = Table(
        columns=(_("Sauvegarde"), _("Où"), _("Fréquence"), _("Règle 3-2-1-1-0"),
                 _("Hors ligne ou immuable"), _("Hors des locaux"), _("Chiffrée"),
                 _("Identifiants séparés (double authentification)"),
                 _("Erreurs à la dernière vérification"), _("Test de restauration")),
        rows=tuple(rows), caption=_("Les sauvegardes de l'inventaire"), sheet=_("Sauvegardes"),
        empty=_("Aucune sauvegarde dans l'inventaire : ajoutez-les dans l'inventaire."))
    facts = Facts(((_("Sauvegardes"), str(len(found))),
                   (_("Avec une copie hors ligne ou immuable"), str(len(offline))),
                   (_("Avec des identifiants séparés"), str(len(separate))),
                   (_("Dont la dernière vérification est connue"), str(len(monitored)))))
    return Section(
        key=BACKUPS, title=_("Sauvegardes"), order=52, blocks=[facts, table],
        references=REFERENCES[BACKUPS],
        evidence=[Evidence(_("Copie hors ligne ou immuable"), latest(offline),
                           key="hors-ligne"),
                  Evidence(_("Identifiants séparés pour les sauvegardes"), latest(separate),
                           key="identifiants"),
                  Evidence(_("Suivi des erreurs de sauvegarde"), latest(monitored),
                           key="supervision")])


def restore_tests(pack: PackRequest) -> Section:
    organisation, today = pack.organisation, pack.today
    tests = list(RestoreTest.objects.filter(organisation=organisation,
                                            tested_on__gt=add_months(today, -12),
                                            tested_on__lte=today)
                 .select_related("backup").order_by("-tested_on", "-id"))
    logged = (RestoreTest.objects.filter(organisation=organisation, result__in=WORKED,
                                         tested_on__lte=today)
              .aggregate(last=Max("tested_on"))["last"])
    typed = (Backup.objects.filter(organisation=organisation, last_restore_test__lte=today)
             .aggregate(last=Max("last_restore_test"))["last"])
    last = max((day for day in (logged, typed) if day), default=None)
    if last is None:
        text = _("Aucun test de restauration n'est enregistré.")
    elif add_months(last, 12) < today:
        text = _("Le dernier test de restauration date du %(date)s, il y a plus de douze "
                 "mois : cette preuve est ancienne.") % {"date": day_text(last)}
    else:
        text = _("Le dernier test de restauration date du %(date)s : moins de douze mois, "
                 "cette preuve est à jour.") % {"date": day_text(last)}
    table = Table(
        columns=(_("Date"), _("Ce qui a été restauré"), _("Sauvegarde"), _("Durée"),
                 _("Résultat"), _("Fait par")),
        rows=tuple((test.tested_on, test.what, str(test.backup) if test.backup else "",
                    restore_status.duration_label(test.duration_minutes),
                    str(test.get_result_display()), test.performed_by) for test in tests),
        caption=_("Les tests de restauration des douze derniers mois"),
        sheet=_("Tests de restauration"),
        empty=_("Aucun test de restauration ces douze derniers mois."))
    return Section(key=RESTORES, title=_("Tests de restauration"), order=53,
                   blocks=[Paragraph(text), table], references=REFERENCES[RESTORES],
                   evidence=[Evidence(_("Dernier test de restauration réussi"), last)])


def exercises(pack: PackRequest) -> Section:
    today = pack.today
    found = list(Exercise.objects.filter(organisation=pack.organisation)
                 .exclude(status=Exercise.Status.PREPARING)
             # Unfinished ones last, on SQLite as on PostgreSQL (NULL first when descending).
             .order_by(F("ended_at").desc(nulls_last=True), "-id")[:20])
    done = [exercise for exercise in found if exercise.status == Exercise.Status.DONE
            and exercise.ended_at and local_day(exercise.ended_at) <= today]
    last = local_day(done[0].ended_at) if done else None
    table = Table(
        columns=(_("Exercice"), _("Commencé le"), _("Terminé le"), _("État"),
                 _("Mesures à améliorer")),
        rows=tuple((exercise.title, local_day(exercise.started_at), local_day(exercise.ended_at),
                    str(exercise.get_status_display()),
                    len([line for line in exercise.findings.splitlines() if line.strip()]))
                   for exercise in found),
        caption=_("Les exercices de crise (les vingt derniers)"), sheet=_("Exercices"),
        empty=_("Aucun exercice de crise n'a été mené."))
    return Section(key=EXERCISES, title=_("Exercices de crise"), order=54,
                   blocks=[Facts(((_("Dernier exercice terminé"), day_text(last)),)), table],
                   references=REFERENCES[EXERCISES],
                   evidence=[Evidence(_("Dernier exercice de crise"), last)])


EVERY = frozenset({GENERAL, DQO, COFRAC, CARE, NIS2})
BUILDERS = {PLAN: (plan, EVERY), KITS: (kits, frozenset({GENERAL, DQO, COFRAC, CARE})),
            BACKUPS: (backups, EVERY | {CNIL}), RESTORES: (restore_tests, EVERY),
            EXERCISES: (exercises, frozenset({GENERAL, COFRAC, CARE, NIS2}))}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
