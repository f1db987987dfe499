"""Impact assessments (AIPD): the screening of a processing, creating an assessment
(prefilled from its processing), writing each part with its history, the measures,
finishing and validating; and the plan's actions for the planned measures.

The parts are JSON fields (Dpia.context, .principles, .risks). Their history is kept text
by text (« Risques — Menaces »…), not as one unreadable value: the revision is claimed by
core.versioning with those labels as `extra_changes`, then the JSON is written in the same
transaction.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.actions.sources import PlanItem
from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict
from pharmagarde.core.versioning import save_with_history

from . import dpia as method
from .models import Dpia, DpiaMeasure, PrivacyProfile, PrivacyVersion, Processing


class DpiaConflict(RevisionConflict):
    """Someone else saved this impact assessment since the form was shown."""


def _sync(organisation, acting_user) -> None:
    from .plan_source import plan_sync

    plan_sync(organisation=organisation, acting_user=acting_user)


# --------------------------------------------------------------------------- screening

def officine_over_threshold(organisation) -> bool:
    """An officine whose profile says its turnover is above 2.6 M€ HT (one query)."""
    return organisation.kind == "officine" and PrivacyProfile.objects.filter(
        organisation=organisation, turnover_over_threshold=True).exists()


def screening_save(*, acting_user, processing: Processing, answers: Mapping[str, bool],
                   request=None) -> dict:
    """Store the helper's answers on the processing with what they conclude, the reasons,
    the date and who (kept in the processing's history). Returns the stored conclusion."""
    organisation = processing.organisation
    result = method.screening(answers, health_data=processing.health_data,
                              officine_over_threshold=officine_over_threshold(organisation))
    stored = {
        "answers": {criterion.id: bool(answers.get(criterion.id))
                    for criterion in method.CRITERIA},
        "verdict": result.verdict, "label": result.label, "summary": result.summary,
        "explanation": result.explanation,
        "met": list(result.met), "officine_rule": result.officine_rule,
        "reasons": list(result.reasons), "at": timezone.now().isoformat(),
        "on": timezone.localdate().strftime("%d/%m/%Y"),
        "by": acting_user.email, "by_id": acting_user.pk,
    }
    with transaction.atomic():
        # No revision check: the helper writes only its own field; a form of the
        # processing opened meanwhile then conflicts, as it should.
        save_with_history(processing, version_model=PrivacyVersion, acting_user=acting_user,
                          values={"dpia_screening": stored}, revision=None,
                          conflict=DpiaConflict)
        audit.record("privacy.screening_saved", actor=acting_user, organisation=organisation,
                     obj=processing, request=request,
                     details={"conclusion": result.verdict, "critères": len(result.met),
                              "référentiel officine": result.officine_rule})
    return stored


# ------------------------------------------------------------------------------ create

def _lines(values) -> str:
    """One line per value that says something (None, "" and [] say nothing)."""
    return "\n".join(str(value) for value in values if value and str(value).strip())


def prefill(processing: Processing, organisation) -> dict:
    """The context and the principles as far as the register says them (five queries)."""
    profile = PrivacyProfile.objects.filter(organisation=organisation).first()
    processors = [processor.name for processor in processing.processors.all()]
    retentions = [
        _("%(data)s : %(duration)s") % {"data": r.data, "duration": r.duration}
        + (f" ({r.reference})" if r.reference else "")
        for r in processing.retentions.all()]
    flags = [label for flag, label in ((processing.health_data, _("Données de santé.")),
                                       (processing.nir, _("Numéro de sécurité sociale "
                                                          "(NIR).")))
             if flag]
    basis = _lines([processing.get_legal_basis_display(), processing.legal_basis_detail,
                    processing.get_special_basis_display()])
    context = {
        "overview": _lines([
            processing.name,
            processing.purpose and _("Finalité : %(x)s") % {"x": processing.purpose},
            profile and profile.controller
            and _("Responsable du traitement : %(x)s") % {"x": profile.controller},
            processors and _("Sous-traitants : %(x)s") % {"x": ", ".join(processors)}]),
        "data": _lines([*processing.data_lines(), *flags,
                        retentions and _("Conservation :"), *retentions]),
        "lifecycle": _lines([
            processing.people and _("Personnes concernées : %(x)s") % {
                "x": ", ".join(processing.people_lines())},
            processing.recipients and _("Destinataires : %(x)s") % {
                "x": processing.recipients},
            processing.transfers and processing.get_transfers_display()]),
        "supports": _lines([
            *(_("Logiciel : %(x)s") % {"x": item} for item in processing.software.all()),
            *(_("Appareil : %(x)s") % {"x": item} for item in processing.devices.all())]),
    }
    principles = {
        "finalites": processing.purpose,
        "base-legale": basis,
        "conservation": _lines(retentions),
        "sous-traitants": _lines(processors),
        "transferts": _lines([processing.get_transfers_display(),
                              processing.transfer_details]),
    }
    return {"context": {key: value for key, value in context.items() if value},
            "principles": {key: value for key, value in principles.items() if value}}


def dpia_create(*, acting_user, organisation, title: str, processing: Processing | None = None,
                request=None) -> Dpia:
    """A new assessment, in draft; prefilled from `processing` (of `organisation`)."""
    if processing is not None and processing.organisation_id != organisation.pk:
        raise ValueError("Le traitement doit être de la structure.")
    filled = prefill(processing, organisation) if processing is not None else {}
    with transaction.atomic():
        dpia = Dpia.objects.create(organisation=organisation, processing=processing,
                                   title=title, context=filled.get("context", {}),
                                   principles=filled.get("principles", {}))
        audit.record("privacy.dpia_created", actor=acting_user, organisation=organisation,
                     obj=dpia, request=request,
                     details={"traitement": str(processing) if processing else ""})
    return dpia


# ------------------------------------------------------------------------------ update

def _text_changes(prefix: str, before: Mapping, after: Mapping, texts) -> dict:
    return {f"{prefix} — {text.label}": [str(before.get(text.id, "")),
                                         str(after.get(text.id, ""))]
            for text in texts}


def _level(values: Mapping, name: str) -> str:
    level = method.level_of(values, name)
    return f"{level} — {method.LEVELS[level]}" if level else ""


def _risk_changes(before: Mapping, after: Mapping) -> dict:
    changes = {}
    for risk in method.RISKS:
        old, new = before.get(risk.id) or {}, after.get(risk.id) or {}
        changes.update(_text_changes(str(risk.title), old, new, method.RISK_TEXTS))
        for name, label in (("severity", _("gravité")), ("likelihood", _("vraisemblance"))):
            changes[f"{risk.title} — {label}"] = [_level(old, name), _level(new, name)]
    return changes


def _part_changes(part: str, dpia: Dpia, new: Mapping) -> dict:
    if part == "contexte":
        return _text_changes(str(method.PARTS_BY_SLUG[part].title), dpia.context, new,
                             method.CONTEXT)
    if part == "principes":
        return _text_changes(str(method.PARTS_BY_SLUG[part].title), dpia.principles, new,
                             method.PRINCIPLES)
    return _risk_changes(dpia.risks, new)


PART_FIELDS = {"contexte": "context", "principes": "principles", "risques": "risks"}


def _after_validation(dpia: Dpia) -> dict:
    """A validated assessment that changes goes back to « à valider »."""
    if dpia.status != Dpia.Status.VALIDATED:
        return {}
    return {"status": Dpia.Status.DONE, "validated_on": None, "validated_by": None}


def dpia_update(*, acting_user, dpia: Dpia, part: str, values: Mapping,
                revision: int | None, request=None) -> list[str]:
    """Write one part if the assessment is still at `revision` (DpiaConflict otherwise).

    `values`: for « contexte », the title and the CONTEXT texts; for « principes », the
    PRINCIPLES texts; for « risques », {risk id: {texts, "severity", "likelihood"}}; for
    « validation », dpo_opinion and people_opinion. Returns the labels that changed."""
    if part not in method.PARTS_BY_SLUG:
        raise ValueError(f"Partie inconnue : {part!r}")
    field = PART_FIELDS.get(part)
    scalars = {}
    if part == "contexte":
        scalars["title"] = values["title"]
        new = {text.id: values.get(text.id, "") for text in method.CONTEXT}
    elif part == "principes":
        new = {principle.id: values.get(principle.id, "") for principle in method.PRINCIPLES}
    elif part == "risques":
        new = {risk.id: dict(values.get(risk.id) or {}) for risk in method.RISKS}
    else:
        scalars = {"dpo_opinion": values["dpo_opinion"],
                   "people_opinion": values["people_opinion"]}
    with transaction.atomic():
        extra = _part_changes(part, dpia, new) if field else {}
        if any(before != after for before, after in extra.values()) or any(
                getattr(dpia, name) != value for name, value in scalars.items()):
            scalars.update(_after_validation(dpia))
        diff = save_with_history(dpia, version_model=PrivacyVersion, acting_user=acting_user,
                                 values=scalars, revision=revision, conflict=DpiaConflict,
                                 extra_changes=extra)
        if not diff:
            return []
        if field:
            setattr(dpia, field, new)
            Dpia.objects.filter(pk=dpia.pk).update(**{field: new})
        audit.record("privacy.dpia_updated", actor=acting_user,
                     organisation=dpia.organisation, obj=dpia, request=request,
                     details={"partie": part, "champs": ", ".join(diff)})
        _sync(dpia.organisation, acting_user)
    return list(diff)


# ---------------------------------------------------------------------------- measures

def measure_add(*, acting_user, dpia: Dpia, text: str, state: str, risks: list[str],
                request=None) -> DpiaMeasure:
    """A measure reducing some of the three risks; a planned one, once the assessment is
    no longer a draft, becomes an action of the plan."""
    if state not in DpiaMeasure.State.values or not set(risks) <= set(method.RISKS_BY_ID):
        raise ValueError(f"Mesure invalide : {state!r}, {risks!r}")
    with transaction.atomic():
        measure = DpiaMeasure.objects.create(
            organisation=dpia.organisation, dpia=dpia, text=text, state=state,
            risks=[risk.id for risk in method.RISKS if risk.id in risks])
        audit.record("privacy.dpia_measure_added", actor=acting_user,
                     organisation=dpia.organisation, obj=dpia, request=request,
                     details={"mesure": text, "état": state, "risques": measure.risks})
        _sync(dpia.organisation, acting_user)
    return measure


def measure_set_state(*, acting_user, measure: DpiaMeasure, state: str,
                      request=None) -> DpiaMeasure:
    """A planned measure put in place becomes « existante » (its action leaves the plan),
    or the reverse."""
    if state not in DpiaMeasure.State.values:
        raise ValueError(f"État inconnu : {state!r}")
    if measure.state == state:
        return measure
    dpia = measure.dpia
    with transaction.atomic():
        before, measure.state = measure.state, state
        measure.save(update_fields=["state"])
        audit.record("privacy.dpia_measure_updated", actor=acting_user,
                     organisation=dpia.organisation, obj=dpia, request=request,
                     details={"mesure": measure.text, "état": [before, state]})
        _sync(dpia.organisation, acting_user)
    return measure


def measure_delete(*, acting_user, measure: DpiaMeasure, request=None) -> None:
    dpia = measure.dpia
    with transaction.atomic():
        audit.record("privacy.dpia_measure_deleted", actor=acting_user,
                     organisation=dpia.organisation, obj=dpia, request=request,
                     details={"mesure": measure.text, "état": measure.state})
        measure.delete()
        _sync(dpia.organisation, acting_user)


# ------------------------------------------------------------------ finish and validate

def validation_problems(dpia: Dpia) -> list[str]:
    """Why `dpia` cannot be validated yet, in French (empty: it can). One query."""
    unassessed = [str(risk.title) for risk in method.RISKS
                  if None in (method.level_of(dpia.risks.get(risk.id) or {}, "severity"),
                              method.level_of(dpia.risks.get(risk.id) or {}, "likelihood"))]
    problems = []
    if unassessed:
        problems.append(_("Évaluez la gravité et la vraisemblance de chaque risque : "
                          "%(risks)s.") % {"risks": ", ".join(f"« {r} »" for r in unassessed)})
    planned = dpia.measures.filter(state=DpiaMeasure.State.PLANNED).values_list("risks",
                                                                                flat=True)
    for risk in method.unmitigated_high_risks(dpia.risks, planned):
        problems.append(_("Le risque « %(risk)s » reste élevé (gravité et vraisemblance "
                          "importantes ou maximales) : prévoyez au moins une mesure qui le "
                          "réduit avant de valider.") % {"risk": risk.title})
    return problems


def _status_change(*, acting_user, dpia: Dpia, values: dict, revision: int | None,
                   audit_code: str, request) -> Dpia:
    with transaction.atomic():
        diff = save_with_history(dpia, version_model=PrivacyVersion, acting_user=acting_user,
                                 values=values, revision=revision, conflict=DpiaConflict)
        if diff:
            audit.record(audit_code, actor=acting_user, organisation=dpia.organisation,
                         obj=dpia, request=request, details={"état": dpia.status})
            _sync(dpia.organisation, acting_user)
    return dpia


def dpia_finish(*, acting_user, dpia: Dpia, revision: int | None, request=None) -> Dpia:
    """The draft is written: it waits for validation, and its planned measures go to
    the action plan."""
    if dpia.status != Dpia.Status.DRAFT:
        return dpia
    return _status_change(acting_user=acting_user, dpia=dpia,
                          values={"status": Dpia.Status.DONE}, revision=revision,
                          audit_code="privacy.dpia_finished", request=request)


def dpia_validate(*, acting_user, dpia: Dpia, revision: int | None, request=None) -> Dpia:
    """Validated today by `acting_user` (a WRITE_ROLES member, said by the view). Refused
    with ValidationError while validation_problems() says why."""
    if dpia.status == Dpia.Status.VALIDATED:
        return dpia
    problems = validation_problems(dpia)
    if problems:
        raise ValidationError(problems)
    return _status_change(
        acting_user=acting_user, dpia=dpia, revision=revision,
        values={"status": Dpia.Status.VALIDATED, "validated_on": timezone.localdate(),
                "validated_by": acting_user},
        audit_code="privacy.dpia_validated", request=request)


# ------------------------------------------------------------------------ the action plan

def items(organisation) -> list[PlanItem]:
    """One action per planned measure of an assessment that is not a draft (one query)."""
    measures = (DpiaMeasure.objects.filter(organisation=organisation,
                                           state=DpiaMeasure.State.PLANNED)
                .exclude(dpia__status=Dpia.Status.DRAFT)
                .select_related("dpia").order_by("dpia_id", "id"))
    found = []
    for measure in measures:
        risks = ", ".join(str(method.RISKS_BY_ID[risk_id].title).lower()
                          for risk_id in measure.risks if risk_id in method.RISKS_BY_ID)
        found.append(PlanItem(
            key=f"aipd:{measure.dpia_id}:{measure.pk}",
            title=measure.text,
            description=f"Mesure prévue par l'analyse d'impact « {measure.dpia.title} »"
                        + (f" pour réduire les risques suivants : {risks}." if risks
                           else "."),
            why="L'analyse d'impact a retenu cette mesure pour que le traitement présente "
                "un risque acceptable pour les personnes dont il utilise les données.",
            how="Mettez la mesure en place, puis, dans l'analyse d'impact, notez-la comme "
                "existante : l'action se règle d'elle-même.",
            effort="moyen", priority=300, criticality="majeure",
            references=("RGPD, art. 35",),
            data={"origine": f"Analyse d'impact « {measure.dpia.title} »",
                  "aipd": measure.dpia_id},
        ))
    return found
