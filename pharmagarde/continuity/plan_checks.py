"""What the continuity plan still lacks, in plain French, each with the page that fixes it.

`plan_activities(organisation)` reads the activities with what the checks need (whether
each names a device or a software of the inventory) in one query; `plan_checks(...)` then
costs no query at all, whatever the number of activities.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pharmagarde.core.models import Organisation

from .models import ContinuityPlan, CriticalActivity
from .plan_services import MAX_ACTIVITIES, REVIEW_EVERY


@dataclass(frozen=True)
class Check:
    text: str
    url: str
    action: str  # the link's words: what to do


def plan_activities(organisation: Organisation) -> QuerySet:
    """The plan's activities in order, each with `names_inventory` (a device or a software
    of the inventory is linked). One query; at most MAX_ACTIVITIES rows."""
    devices = CriticalActivity.devices.through.objects.filter(criticalactivity_id=OuterRef("pk"))
    software = CriticalActivity.software.through.objects.filter(
        criticalactivity_id=OuterRef("pk"))
    return (CriticalActivity.objects.filter(organisation=organisation)
            .annotate(has_devices=Exists(devices), has_software=Exists(software))
            [:MAX_ACTIVITIES])


def _day(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


def activity_checks(activity: CriticalActivity, edit_url: str) -> list[Check]:
    name = activity.name
    found = []
    if activity.max_outage_hours is None:
        found.append(Check(
            _("« %(name)s » : la durée d'interruption maximale admissible (DMIA) n'est pas "
              "fixée.") % {"name": name},
            edit_url + "#id_max_outage_hours", _("Fixer la DMIA")))
    if activity.max_data_loss_hours is None:
        found.append(Check(
            _("« %(name)s » : la perte de données maximale admissible (PDMA) n'est pas "
              "fixée.") % {"name": name},
            edit_url + "#id_max_data_loss_hours", _("Fixer la PDMA")))
    if not activity.degraded_procedure.strip():
        found.append(Check(
            _("« %(name)s » : aucune procédure du mode dégradé ; que fait l'équipe sans "
              "l'informatique ?") % {"name": name},
            edit_url + "#id_degraded_procedure", _("Écrire la procédure")))
    if not activity.return_to_normal.strip():
        found.append(Check(
            _("« %(name)s » : le retour à la normale n'est pas décrit (redémarrer, "
              "vérifier, ressaisir les registres papier).") % {"name": name},
            edit_url + "#id_return_to_normal", _("Décrire le retour à la normale")))
    names_inventory = getattr(activity, "has_devices", False) or \
        getattr(activity, "has_software", False)
    if not names_inventory and not activity.dependencies.strip():
        found.append(Check(
            _("« %(name)s » : aucune dépendance n'est nommée (appareils, logiciels, "
              "prestataires, accès Internet…).") % {"name": name},
            edit_url + "#dependances", _("Nommer les dépendances")))
    return found


def plan_checks(plan: ContinuityPlan | None, activities, *, organisation: Organisation,
                now: datetime.datetime) -> list[Check]:
    """Every line of what is missing, the plan's own first, then each activity's in the
    plan's order. No query: `activities` come from plan_activities."""
    slug = organisation.slug
    plan_url = reverse("continuity_plan", args=[slug])
    kit_url = reverse("continuity_kit", args=[slug])
    found = []
    activities = list(activities)
    if not activities:
        found.append(Check(_("Le plan ne compte aucune activité critique."),
                           reverse("continuity_activity_add", args=[slug]),
                           _("Ajouter une activité")))
    if plan is None or not plan.crisis_cell.strip():
        found.append(Check(
            _("La cellule de crise n'est pas décrite : qui décide, qui appelle qui, où se "
              "retrouver si les locaux sont inaccessibles."),
            reverse("continuity_crisis_cell", args=[slug]), _("Décrire la cellule de crise")))
    if plan is None or plan.reviewed_at is None:
        found.append(Check(_("Le plan n'a jamais été revu avec l'équipe."),
                           plan_url + "#revue", _("Le revoir")))
    elif plan.reviewed_at < now - REVIEW_EVERY:
        found.append(Check(
            _("Le plan a été revu pour la dernière fois le %(date)s, il y a plus d'un an.")
            % {"date": _day(plan.reviewed_at)}, plan_url + "#revue", _("Le revoir")))
    if plan is None or plan.kit_printed_at is None:
        found.append(Check(_("Le kit du mode dégradé n'a jamais été imprimé."),
                           kit_url, _("Imprimer le kit")))
    elif plan.kit_outdated:
        found.append(Check(
            _("Le kit imprimé le %(date)s ne correspond plus au plan, qui a changé depuis.")
            % {"date": _day(plan.kit_printed_at)}, kit_url,
            _("Imprimer le nouveau kit et jeter l'ancien")))
    for activity in activities:
        edit_url = reverse("continuity_activity_edit", args=[slug, activity.pk])
        found.extend(activity_checks(activity, edit_url))
    return found
