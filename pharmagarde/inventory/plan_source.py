"""The inventory's findings as a source of the action plan: one action per rule that has
open findings, listing the items concerned. When no item breaks the rule any more (after an
edit or an import), the plan's reconciliation resolves the action (actions/services.py).
Declared in apps.py (`plan_sources=`)."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pharmagarde.actions.services import plan_reconcile
from pharmagarde.actions.sources import ClosedItem, Closes, PlanItem, Source

from .models import Finding
from .rules import CRITICAL, HIGH, RULES

CRITICALITY = {CRITICAL: "critique", HIGH: "majeure"}
SHOWN_SUBJECTS = 20
KEPT_SUBJECTS = 200


class InventorySource(Source):
    name = "inventaire"
    label = _("Inventaire")
    resolved_label = _("Plus constaté dans l'inventaire")
    origin_note = _("Vient d'un constat de l'inventaire : le texte suit le constat.")

    def describe(self, actions: Sequence) -> dict:
        described = {}
        for action in actions:
            if action.source != self.name:
                continue
            data = action.source_data or {}
            subjects = data.get("subjects", [])
            count = data.get("count", len(subjects))
            described[action.pk] = Closes(
                heading=str(_("Éléments concernés dans l'inventaire")),
                summary=ngettext("Concerne %(n)d élément de l'inventaire",
                                 "Concerne %(n)d éléments de l'inventaire",
                                 count) % {"n": count},
                items=tuple(ClosedItem(text) for text in subjects[:SHOWN_SUBJECTS]),
                done_note=str(_("Le constat disparaîtra quand l'inventaire ne le montrera "
                                "plus.")),
            )
        return described


SOURCE = InventorySource()


def plan_items(organisation) -> list[PlanItem]:
    findings = {}
    # Three columns, not model instances: an inventory of 100,000 accounts may have as many
    # open findings.
    for rule, label, detail in (Finding.objects.filter(organisation=organisation,
                                                       status=Finding.Status.OPEN)
                                .order_by("subject_label", "pk")
                                .values_list("rule", "subject_label", "detail")):
        findings.setdefault(rule, []).append(f"{label} — {detail}" if detail else label)
    items = []
    for rank, rule in enumerate(RULES, start=1):
        found = findings.get(rule.id)
        if not found:
            continue
        subjects = found
        listed = "\n".join(f"- {s}" for s in subjects[:SHOWN_SUBJECTS])
        more = len(subjects) - SHOWN_SUBJECTS
        if more > 0:
            listed += f"\n… et {more} autre(s)."
        items.append(PlanItem(
            key=rule.id, title=rule.title, description=rule.remediation,
            why=rule.explanation, how=f"Éléments concernés :\n{listed}", effort=rule.effort,
            priority=100 * rule.severity + rank,
            criticality=CRITICALITY.get(rule.severity, "normale"),
            references=tuple(f"ANSSI, mesure {n}" for n in rule.anssi),
            # The first items only: an action stays small whatever the inventory's size.
            data={"rule": rule.id, "subjects": subjects[:KEPT_SUBJECTS],
                  "count": len(subjects), "questions": list(rule.questions)},
        ))
    return items


def plan_sync(*, organisation, acting_user=None):
    return plan_reconcile(acting_user=acting_user, organisation=organisation,
                          source=SOURCE.name, items=plan_items(organisation))
