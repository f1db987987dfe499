"""The diagnostic as a source of the action plan: one action per measure with a gap.

The plan knows nothing of assessments: `plan_sync_from_assessment` turns an assessment's
gaps into plan items and hands them to actions.services.plan_reconcile; SOURCE words, for
the plan's pages and exports, what an action settles here (the diagnostic's questions).
Declared in apps.py (`plan_sources=`).

An action of the diagnostic keeps in its source_data the questions it closes, the level
recommended (basic or advanced), the assessment and its referential version (whose
question texts it shows). A hand-made action may close questions too
(Action.closes_at("diagnostic")): once it is finished, the next assessment proposes the
best answer to them (services._carry_over_answers).
"""

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pharmagarde.actions.models import Action
from pharmagarde.actions.services import plan_reconcile
from pharmagarde.actions.sources import (
    ClosedItem,
    Closes,
    GroupedChoices,
    PlanItem,
    ReconcileResult,
    Source,
)
from pharmagarde.core.models import Organisation

from .models import Assessment
from .referential import ReferentialError, get_referential, latest_version

CRITICALITY_ORDER = ["critique", "majeure", "normale"]

# How each kind of reference reads on the action's page. Stored as given (the content's
# language, like the measure's text): the same gaps must give the same action.
REFERENCE_FORMATS = {
    "anssi": "ANSSI, mesure {}",
    "nis2": "NIS2, art. 21(2)({})",
    "rgpd": "RGPD, {}",
    "cnil": "CNIL : {}",
    "iso15189": "ISO 15189, {}",
    "care": "CaRE : {}",
    "autre": "{}",
}
# CaRE binds health establishments only (a PUI is part of one); for every other kind it is
# cited as good practice, and the reference says so.
CARE_AS_GOOD_PRACTICE = ("CaRE (bonne pratique, obligatoire pour les seuls établissements de "
                         "santé) : {}")
CARE_BINDING_KINDS = {"pui"}


def _referential(version):
    try:
        return get_referential(version)
    except (ReferentialError, OSError):
        return None


def reference_lines(questions, organisation_kind: str) -> tuple[str, ...]:
    """The references of these questions, each once, in order, as they read for an
    organisation of this kind."""
    formats = dict(REFERENCE_FORMATS)
    if organisation_kind not in CARE_BINDING_KINDS:
        formats["care"] = CARE_AS_GOOD_PRACTICE
    lines = []
    for question in questions:
        for kind, values in question.references.items():
            for value in values:
                lines.append(formats.get(kind, "{}").format(value))
    return tuple(dict.fromkeys(lines))


def measure_item(assessment: Assessment, gaps: Sequence) -> PlanItem:
    """The plan item of one measure, for the gaps (questions) it closes."""
    measure = gaps[0].measure
    level = "advanced" if all(gap.level == "advanced" for gap in gaps) else "basic"
    return PlanItem(
        key=measure.id,
        title=measure.title,
        description=measure.advanced if level == "advanced" else measure.basic,
        why=measure.why,
        how=measure.how,
        effort=measure.effort,
        priority=measure.priority,
        criticality=min((gap.question.criticality for gap in gaps),
                        key=CRITICALITY_ORDER.index),
        references=reference_lines((gap.question for gap in gaps),
                                   assessment.organisation_kind),
        data={"question_ids": sorted(gap.question.id for gap in gaps), "level": level,
              "assessment": assessment.pk, "version": assessment.referential_version},
    )


def plan_items(assessment: Assessment) -> list[PlanItem]:
    """One item per measure with at least one gap in the assessment's answers so far."""
    groups = {}
    for gap in assessment.result().gaps:
        groups.setdefault(gap.measure.id, []).append(gap)
    return [measure_item(assessment, gaps) for gaps in groups.values()]


def plan_sync_from_assessment(*, acting_user, assessment: Assessment,
                              request=None) -> ReconcileResult:
    """Make the diagnostic's actions match the assessment's gaps (plan_reconcile's rules).

    A finished action whose gap is still there in an assessment started after it was
    finished reopens, saying which assessment shows it.
    """
    return plan_reconcile(
        acting_user=acting_user, organisation=assessment.organisation, source=SOURCE.name,
        items=plan_items(assessment), as_of=assessment.started_at, obj=assessment,
        request=request,
        reopen_note=_("Rouverte : le diagnostic du %(date)s montre que la mesure n'est pas "
                      "en place.") % {"date": date_format(assessment.started_at, "d/m/Y")})


class DiagnosticSource(Source):
    name = "diagnostic"
    label = gettext_lazy("Diagnostic")
    resolved_label = gettext_lazy("Résolue par le diagnostic")
    origin_note = gettext_lazy("Vient du diagnostic.")
    deleted_message = gettext_lazy(
        "« %(title)s » est supprimée du plan. Si le diagnostic montre toujours ce manque, "
        "elle reviendra à sa prochaine mise à jour.")
    detail_template = "diagnostic/_plan_action.html"
    picker_label = gettext_lazy("Questions du diagnostic que cette action règle")
    picker_help = gettext_lazy(
        "Facultatif. Une fois l'action terminée, la meilleure réponse à ces questions vous "
        "sera proposée au prochain diagnostic.")
    picker_summary = gettext_lazy("Choisir les questions")

    def question_ids(self, action: Action) -> list[str]:
        """The questions an action closes: its own (an action of the diagnostic) or those
        a person linked it to (a hand-made action)."""
        if action.source == self.name:
            return list((action.source_data or {}).get("question_ids", []))
        return action.closes_at(self.name)

    def describe(self, actions: Sequence[Action]) -> dict[int, Closes]:
        """The questions each action closes, with their text from the assessment's
        referential (the latest for a hand-made action); a question no longer in it is
        named by its id and flagged missing. No query: referentials are cached files."""
        described = {}
        for action in actions:
            question_ids = self.question_ids(action)
            if not question_ids:
                continue
            version = (action.source_data or {}).get("version") \
                if action.source == self.name else None
            referential = _referential(version or latest_version())
            questions = referential.questions if referential is not None else {}
            items = tuple(
                ClosedItem(questions[qid].text) if qid in questions else ClosedItem(
                    _("Question « %(id)s » (retirée du questionnaire)") % {"id": qid},
                    missing=True)
                for qid in question_ids)
            described[action.pk] = Closes(
                heading=_("Questions du diagnostic que cette action règle"),
                summary=ngettext("Règle %(n)s question du diagnostic",
                                 "Règle %(n)s questions du diagnostic", len(items))
                % {"n": len(items)},
                items=items,
                done_note=_("Au prochain diagnostic, la réponse améliorée vous sera "
                            "proposée."))
        return described

    def manual_choices(self, organisation: Organisation) -> GroupedChoices:
        """The latest referential's questions that apply to this organisation, by theme."""
        referential = _referential(latest_version())
        if referential is None:
            return []
        # An unscored question has no better answer for an action to bring.
        return [(theme.title, [(q.id, q.text) for q in theme.questions if q.scored])
                for theme in referential.themes_for(organisation.kind, organisation.size_band)]


SOURCE = DiagnosticSource()
