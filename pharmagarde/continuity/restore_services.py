"""Restore tests of the inventory's backups: logging a test and its evidence files, the
reminders of the tests due, and the plan's actions for the backups whose test failed.

A successful (or partial) test moves the inventory's Backup.last_restore_test forward
through the inventory's own service (inventory.services.item_save): the backup's history
shows the change and its findings are recomputed (« restauration non testée » goes away).
The continuity app imports the inventory, never the reverse.
"""

import datetime
from collections.abc import Iterator
from itertools import groupby

from django.db import transaction
from django.db.models import FilteredRelation, OuterRef, Q, Subquery
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.sources import PlanItem
from pharmagarde.core import audit
from pharmagarde.core.files import attach_file
from pharmagarde.core.reminders import HORIZON, Due
from pharmagarde.inventory.kinds import KINDS_BY_MODEL, form_for
from pharmagarde.inventory.models import Backup
from pharmagarde.inventory.rules import fr_date

from .models import RestoreEvidence, RestoreTest
from .restore_status import add_months, is_failed

# Who is reminded of a test due: those who look after the organisation's security.
REMINDED_ROLES = frozenset({"responsable", "referent"})
BEFORE = datetime.timedelta(days=7)
# Once late, a reminder every 31 days: each one means « late by more than a month », urgent.
LATE_EVERY = datetime.timedelta(days=31)
DONE_RESULTS = (RestoreTest.Result.SUCCESS, RestoreTest.Result.PARTIAL)


def restore_log(*, acting_user, organisation, backup, activity, tested_on: datetime.date,
                what: str, duration_minutes: int, result: str, performed_by: str = "",
                notes: str = "", request=None) -> RestoreTest:
    """Log a restore test of `backup` (an inventory Backup of `organisation`). When it
    succeeded, even in part, and is newer than the backup's last test, the backup's date
    moves forward through the inventory's service (history and findings). Then the plan
    gets, or loses, its action « refaire fonctionner la sauvegarde »."""
    from .plan_source import plan_sync

    for obj in (backup, activity):
        if obj is not None and obj.organisation_id != organisation.pk:
            raise ValueError("La sauvegarde et l'activité doivent être de la structure.")
    if result not in RestoreTest.Result.values:
        raise ValueError(f"Résultat inconnu : {result!r}")
    with transaction.atomic():
        test = RestoreTest.objects.create(
            organisation=organisation, backup=backup, activity=activity, tested_on=tested_on,
            what=what, duration_minutes=duration_minutes, result=result,
            performed_by=performed_by, notes=notes, recorded_by=acting_user)
        audit.record("continuity.restore_logged", actor=acting_user, organisation=organisation,
                     obj=test, request=request,
                     details={"sauvegarde": str(backup) if backup else "",
                              "date": tested_on.isoformat(), "durée (minutes)": duration_minutes,
                              "résultat": result})
        if backup is not None and result in DONE_RESULTS:
            _move_last_test(acting_user=acting_user, organisation=organisation, backup=backup,
                            tested_on=tested_on, request=request)
        plan_sync(organisation=organisation, acting_user=acting_user)
    return test


def _move_last_test(*, acting_user, organisation, backup, tested_on, request):
    """Backup.last_restore_test = tested_on, if newer, through inventory.services."""
    from pharmagarde.inventory.services import item_save

    current = Backup.objects.select_for_update().get(pk=backup.pk, organisation=organisation)
    if current.last_restore_test is not None and current.last_restore_test >= tested_on:
        return
    form_class = form_for(KINDS_BY_MODEL["backup"], organisation,
                          fields=("last_restore_test",))
    form = form_class(data={"last_restore_test": tested_on.isoformat()}, instance=current)
    if not form.is_valid():  # a date the form refuses: never the case of a valid date
        raise ValueError(form.errors.as_text())
    item_save(acting_user=acting_user, organisation=organisation, form=form,
              revision=current.revision, request=request)
    backup.last_restore_test, backup.revision = current.last_restore_test, current.revision


def evidence_add(*, acting_user, test: RestoreTest, uploaded, content_type: str,
                 stored_name: str, original_name: str, request=None) -> RestoreEvidence:
    """Attach a file already checked by lib.uploads (core.files.check_upload) to a test:
    the row, the file and the audit entry together or not at all (ValidationError when
    the test has as many files as allowed)."""
    return attach_file(
        RestoreEvidence(organisation_id=test.organisation_id, test=test,
                        original_name=original_name[:200], content_type=content_type),
        uploaded, attached_to=test, siblings=test.evidence.all(), stored_name=stored_name,
        action="continuity.restore_evidence_added", acting_user=acting_user, request=request,
        details={"test": str(test), "taille": uploaded.size})


# ---------------------------------------------------------------------------- reminders

def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


day_lazy = lazy(_day, str)

SUBJECTS = {
    "soon": _("Test de restauration à prévoir : « {what} », avant le {due}"),
    "due": _("Test de restauration à faire : « {what} »"),
    "late": _("Test de restauration en retard : « {what} »"),
    "never": _("Sauvegarde jamais testée : « {what} »"),
}
TEXTS = {
    "soon": _("Le prochain test de restauration de la sauvegarde « {what} » est à faire "
              "avant le {due} (dernier test le {last}).\n\nFixez dès maintenant une date "
              "avec la personne qui s'occupe de vos sauvegardes : restaurer un jeu de "
              "données réel sur un autre poste, vérifier qu'il est lisible et complet, "
              "noter combien de temps cela a pris."),
    "due": _("Le test de restauration de la sauvegarde « {what} » est à faire : il était "
             "prévu pour le {due} (dernier test le {last}).\n\nUne fois fait, notez-le "
             "dans Pharmagarde avec sa durée et son résultat."),
    "late": _("Le test de restauration de la sauvegarde « {what} » a plus d'un mois de "
              "retard : il était prévu pour le {due} (dernier test le {last}).\n\nUne "
              "sauvegarde qu'on n'a pas restaurée depuis longtemps peut ne plus "
              "fonctionner sans que personne ne le sache. Faites le test au plus vite, "
              "puis notez-le dans Pharmagarde."),
    "never": _("La sauvegarde « {what} » vient d'être inscrite et n'a jamais été "
               "restaurée.\n\nTant qu'on ne l'a pas essayée, on ne sait pas si elle "
               "fonctionne : faites un premier test de restauration, puis notez-le dans "
               "Pharmagarde avec sa durée et son résultat."),
}


def latest_occurrence(due_date: datetime.date, today: datetime.date):
    """(date, kind) of the latest reminder reached by `today`, or None: a week before, on
    the day, then every 31 days while late."""
    if today < due_date - BEFORE:
        return None
    if today < due_date:
        return due_date - BEFORE, "soon"
    late = (today - due_date) // LATE_EVERY
    return due_date + LATE_EVERY * late, "late" if late else "due"


def _rows(now):
    """The backups whose test may be due: a last test old enough (at least a month, the
    shortest period, less a week) or none and added lately, with the user ids of their
    organisation's responsables and référents, one row each (one query)."""
    today = timezone.localdate(now)
    return (
        Backup.objects.filter(Q(last_restore_test__lte=add_months(today + BEFORE, -1))
                              | Q(last_restore_test__isnull=True,
                                  created_at__gte=now - HORIZON))
        .annotate(reminded=FilteredRelation(
            "organisation__memberships",
            condition=Q(organisation__memberships__role__in=REMINDED_ROLES)))
        .order_by("pk", "reminded__user_id")
        .values_list("pk", "organisation_id", "organisation__slug", "what",
                     "last_restore_test", "test_every_months", "created_at",
                     "reminded__user_id")
    )


def due(now: datetime.datetime) -> Iterator[Due]:
    """One Due per backup whose restore test is due: a week before, on the day, then
    monthly and urgent once more than a month late; a backup never tested, once when it
    is added. One query, whatever the number of backups."""
    today = timezone.localdate(now)
    for pk, group in groupby(_rows(now).iterator(chunk_size=2000), key=lambda row: row[0]):
        rows = list(group)
        _pk, organisation_id, slug, what, last, every, created_at, _user = rows[0]
        users = tuple(row[-1] for row in rows if row[-1] is not None)
        if last is None:
            occurrence, kind, due_date = timezone.localdate(created_at), "never", today
        else:
            due_date = add_months(last, every or 3)
            reached = latest_occurrence(due_date, today)
            if reached is None:
                continue
            occurrence, kind = reached
        words = {"what": what, "due": day_lazy(due_date),
                 "last": day_lazy(last) if last else ""}
        yield Due(
            key=f"continuity.restore:{pk}",
            occurrence=occurrence,
            organisation_id=organisation_id,
            subject=format_lazy(SUBJECTS[kind], **words),
            text=format_lazy(TEXTS[kind], **words),
            link=reverse_lazy("continuity_backup", args=[slug, pk]),
            users=users,
            urgent=kind == "late",
        )


# ------------------------------------------------------------------------ the action plan

def items(organisation) -> list[PlanItem]:
    """One action per backup whose latest test failed (no success since): one query."""
    latest = RestoreTest.objects.filter(backup=OuterRef("pk")).order_by("-tested_on", "-id")
    rows = (Backup.objects.filter(organisation=organisation)
            .annotate(latest_result=Subquery(latest.values("result")[:1]),
                      latest_on=Subquery(latest.values("tested_on")[:1]))
            .filter(latest_result=RestoreTest.Result.FAILURE)
            .order_by("what", "pk")
            .values_list("pk", "what", "last_restore_test", "latest_result", "latest_on"))
    found = []
    for pk, what, last, result, tested_on in rows:
        if not is_failed(result, tested_on, last):
            continue
        found.append(PlanItem(
            key=f"restauration:{pk}",
            title=f"Refaire fonctionner la sauvegarde « {what} » et la tester de nouveau",
            description="Le dernier test de restauration de cette sauvegarde a échoué : "
                        "tant qu'elle n'est pas réparée, elle ne permettrait pas de repartir "
                        "après une panne ou un rançongiciel.",
            why="Une sauvegarde qui ne se restaure pas ne protège de rien ; on le découvre "
                "d'habitude le jour où on en a besoin.",
            how="Montrez le résultat du test à la personne qui s'occupe de vos sauvegardes, "
                "faites corriger la cause (copie incomplète, support abîmé, mot de passe "
                "perdu…), puis refaites un test et notez-le dans Pharmagarde : l'action se "
                "règle d'elle-même quand le test réussit.",
            effort="moyen", priority=105, criticality="critique",
            references=("ANSSI, mesure 37",),
            data={"origine": f"Test de restauration du {fr_date(tested_on)} en échec",
                  "sauvegarde": pk},
        ))
    return found
