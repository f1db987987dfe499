"""Writes of the diagnostic: start, answer, attach evidence, complete."""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.actions.selectors import finished_actions_settling
from pharmagarde.core import audit, registry
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.core.files import attach_file, detach_file
from pharmagarde.core.models import Organisation

from . import plan_source, selectors
from .models import Answer, Assessment, Evidence
from .referential import latest_version
from .scoring import visible_questions


class AnswerConflict(RevisionConflict):
    """Someone else saved this answer since the form was shown; carries their answer."""

    def __init__(self, current):
        super().__init__(current, _("Quelqu'un d'autre vient de modifier cette réponse."))


def assessment_start(*, acting_user: User, organisation: Organisation,
                     request: HttpRequest | None = None) -> Assessment:
    """Start a new assessment on the latest referential, pre-filled from the last one.

    Answers carried over are marked `proposed` (to be confirmed); the questions that a
    finished action closed are proposed with their best answer. Only one assessment is in
    progress at a time: when one already is, it is returned instead.
    """
    with transaction.atomic():
        # Two clicks on "Commencer" at once must not start two assessments.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        current = organisation.assessments.filter(status=Assessment.Status.IN_PROGRESS).first()
        if current is not None:
            return current
        assessment = Assessment.objects.create(
            organisation=organisation, referential_version=latest_version(),
            organisation_kind=organisation.kind, size_band=organisation.size_band,
            started_by=acting_user,
        )
        _carry_over_answers(assessment, acting_user)
        audit.record("assessment.started", actor=acting_user, organisation=organisation,
                     obj=assessment, request=request,
                     details={"version": assessment.referential_version})
    return assessment


def _carry_over_answers(assessment, acting_user):
    previous = selectors.latest_completed(assessment.organisation, before=assessment)
    questions = assessment.referential.questions
    proposals = {}
    if previous is not None:
        for answer in previous.answers.all():
            question = questions.get(answer.question_id)
            proposal = question and _still_valid(question, answer.choice_ids, answer.dont_know)
            if proposal:
                proposals[answer.question_id] = proposal
    for action in finished_actions_settling(assessment.organisation, plan_source.SOURCE.name):
        for question_id in plan_source.SOURCE.question_ids(action):
            if question_id in questions and questions[question_id].scored:
                proposals[question_id] = (questions[question_id].best_choice_ids(), False)
    # Other apps' facts last: what the inventory shows today beats last year's answer.
    comments = {}
    for app_proposals in registry.hooks("answer_proposals"):
        for question_id, (choice_ids, reason) in app_proposals(assessment.organisation).items():
            question = questions.get(question_id)
            proposal = question and _still_valid(question, choice_ids, False)
            if proposal:
                proposals[question_id] = proposal
                comments[question_id] = reason[:2000]
    Answer.objects.bulk_create([
        Answer(organisation=assessment.organisation, assessment=assessment, question_id=qid,
               choice_ids=choices, dont_know=dont_know, proposed=True, answered_by=acting_user,
               comment=comments.get(qid, ""))
        for qid, (choices, dont_know) in proposals.items()
    ])


def _still_valid(question, choice_ids, dont_know):
    """A previous answer as the question of the new version can take it, or None.

    Ids are stable across versions, but a version may drop a choice (« Pas de Wi-Fi »
    became a gate of its own in 2026.2), stop offering « Je ne sais pas », or turn a single
    choice into a checklist: the choices that no longer exist are left out, and an answer
    with nothing left is not proposed at all."""
    if dont_know:
        return ([], True) if question.dont_know else None
    known = {choice.id for choice in question.choices}
    kept = [choice_id for choice_id in choice_ids if choice_id in known]
    if not kept or (question.kind == "single" and len(kept) > 1):
        return None
    return kept, False


def _clean_choices(question, choice_ids, dont_know):
    if dont_know:
        if not question.dont_know:
            raise ValidationError(_("« Je ne sais pas » n'est pas proposé pour cette question."))
        return []
    known = {c.id for c in question.choices}
    choice_ids = list(dict.fromkeys(choice_ids))  # no duplicates, order kept
    if not choice_ids:
        raise ValidationError(_("Choisissez une réponse."))
    if set(choice_ids) - known:
        raise ValidationError(_("Cette réponse ne fait pas partie des choix proposés."))
    if question.kind == "single" and len(choice_ids) > 1:
        raise ValidationError(_("Une seule réponse est possible pour cette question."))
    return choice_ids


def answer_save(*, acting_user: User, assessment: Assessment, question_id: str,
                choice_ids: Iterable[str] = (), dont_know: bool = False, comment: str = "",
                revision: int | None = None, request: HttpRequest | None = None) -> Answer:
    """Save one answer (autosave). `revision` is the one the form showed; None skips the
    check. Raises AnswerConflict when another person saved in between."""
    questions = {q.id: q for theme in assessment.themes() for q in theme.questions}
    question = questions.get(question_id)
    if question is None:
        raise ValidationError(_("Cette question ne fait pas partie de ce diagnostic."))
    if assessment.status == Assessment.Status.COMPLETED:
        raise ValidationError(_("Ce diagnostic est terminé : commencez-en un nouveau pour "
                                "changer vos réponses."))
    choice_ids = _clean_choices(question, choice_ids, dont_know)
    with transaction.atomic():
        answer = _write_answer(assessment, question_id, choice_ids, dont_know, comment,
                               revision, acting_user)
        audit.record("assessment.answered", actor=acting_user,
                     organisation=assessment.organisation, obj=assessment, request=request,
                     details={"question": question_id, "réponse": choice_ids or "je ne sais pas"})
        plan_source.plan_sync_from_assessment(acting_user=acting_user,
                                              assessment=assessment)
    return answer


def _write_answer(assessment, question_id, choice_ids, dont_know, comment, revision, user):
    fields = {"choice_ids": choice_ids, "dont_know": dont_know, "comment": comment[:2000],
              "proposed": False, "answered_by": user, "updated_at": timezone.now()}
    answer = Answer.objects.filter(assessment=assessment, question_id=question_id).first()
    if answer is None:
        try:
            with transaction.atomic():
                return Answer.objects.create(organisation=assessment.organisation,
                                             assessment=assessment, question_id=question_id,
                                             **fields)
        except IntegrityError:
            # Someone answered the same question first (PostgreSQL, read committed).
            raise AnswerConflict(Answer.objects.get(assessment=assessment,
                                                    question_id=question_id)) from None
    claim_revision(Answer.objects.all(), answer.pk, revision, conflict=AnswerConflict, **fields)
    answer.refresh_from_db()
    return answer


def assessment_complete(*, acting_user: User, assessment: Assessment,
                        request: HttpRequest | None = None) -> Assessment:
    answers = list(assessment.answers.all())
    result = assessment.result(answers)
    shown = set()  # shared across themes: a condition may point to another theme
    values = assessment.answer_values(answers)
    for theme in assessment.themes():
        visible_questions(theme.questions, values, shown)
    to_confirm = [a for a in answers if a.proposed and a.question_id in shown]
    if to_confirm:
        raise ValidationError(ngettext(
            "%(n)d réponse reprise du diagnostic précédent reste à confirmer : vérifiez-la, "
            "puis « Enregistrer ».",
            "%(n)d réponses reprises du diagnostic précédent restent à confirmer : "
            "vérifiez-les, puis « Enregistrer ».", len(to_confirm)) % {"n": len(to_confirm)})
    if not result.complete:
        raise ValidationError(
            _("Il reste %(n)d question(s) sans réponse. Répondez « Je ne sais pas » si vous "
              "ne savez pas : c'est une réponse utile.") % {"n": result.visible - result.answered})
    with transaction.atomic():
        assessment.status = Assessment.Status.COMPLETED
        assessment.completed_at = timezone.now()
        assessment.score = result.score
        assessment.level = result.level
        assessment.theme_scores = {t.theme.id: t.score for t in result.themes}
        assessment.save()
        audit.record("assessment.completed", actor=acting_user,
                     organisation=assessment.organisation, obj=assessment, request=request,
                     details={"score": result.score, "niveau": result.level})
    return result


def _refuse_if_completed(assessment):
    if assessment.status == Assessment.Status.COMPLETED:
        raise ValidationError(_("Ce diagnostic est terminé : ses preuves ne peuvent plus être "
                                "modifiées."))


def evidence_add(*, acting_user: User, answer: Answer, uploaded_file: UploadedFile,
                 content_type: str, stored_name: str, original_name: str,
                 request: HttpRequest | None = None) -> Evidence:
    """Attach a file already checked by lib.uploads to an answer, under a random name."""
    _refuse_if_completed(answer.assessment)
    evidence = Evidence(organisation=answer.organisation, answer=answer,
                        original_name=original_name[:200], content_type=content_type)
    return attach_file(evidence, uploaded_file, attached_to=answer,
                       siblings=answer.evidence.all(), stored_name=stored_name,
                       action="assessment.evidence_added", acting_user=acting_user,
                       request=request,
                       details={"question": answer.question_id, "taille": uploaded_file.size})


def evidence_remove(*, acting_user: User, evidence: Evidence,
                    request: HttpRequest | None = None) -> None:
    _refuse_if_completed(evidence.answer.assessment)
    detach_file(evidence, action="assessment.evidence_removed", acting_user=acting_user,
                request=request)
