"""Answering an assessment: list, start, theme pages with autosave, evidence, completion.

Every page works as plain HTML forms; htmx only enhances them. An answer saved through
htmx (HX-Request) gets a small response: the "Enregistré" status of the question, and
out-of-band updates of its revision, the progress, the themes' steps and the conditional
questions that appeared or disappeared. The user's other inputs are never overwritten,
except on an error or a conflict, where the question itself is shown again (422, 409).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pharmagarde.core.access import org_view
from pharmagarde.core.files import check_upload, download_response
from pharmagarde.core.htmx import is_htmx
from pharmagarde.core.i18n import translated
from pharmagarde.lib.uploads import (
    ACCEPT_ATTRIBUTE,
    UploadError,
    display_name,
    human_size,
    storage_name,
)

from .. import services
from ..access import get_assessment_or_404, get_evidence_or_404
from ..forms import DONT_KNOW, AnswerForm
from ..models import Assessment, Evidence
from ..scoring import MATURITY_LEVELS, question_ratio, score_assessment, visible_questions

PAGE_SIZE = 20
LEVEL_LABELS = {level: label for _ceiling, level, label in MATURITY_LEVELS}
THEME_TEMPLATE = "diagnostic/assessment_theme.html"


def user_label(user):
    if user is None:
        return _("Quelqu'un")
    return user.get_full_name() or user.email or user.get_username()


# --- Reading an assessment ---------------------------------------------------------------

@dataclass
class Snapshot:
    """An assessment's answers, applicable themes, visible questions and result."""

    assessment: Assessment
    answers: dict
    themes: list
    visible: set
    result: object

    @classmethod
    def load(cls, assessment):
        answers = {a.question_id: a for a in assessment.answers.select_related("answered_by")}
        values = {qid: a.value for qid, a in answers.items()}
        themes = assessment.themes()
        visible = set()
        for theme in themes:
            visible_questions(theme.questions, values, visible)
        return cls(assessment, answers, themes, visible, score_assessment(themes, values))

    def theme(self, theme_id):
        theme = next((t for t in self.themes if t.id == theme_id), None)
        if theme is None:
            raise Http404(_("Ce thème ne fait pas partie de ce diagnostic."))
        return theme

    def question(self, question_id):
        for theme in self.themes:
            for question in theme.questions:
                if question.id == question_id:
                    return theme, question
        raise Http404(_("Cette question ne fait pas partie de ce diagnostic."))

    def is_answered(self, question):
        """Answered and confirmed: an answer carried over from the last assessment
        (proposed) still waits for the user's confirmation."""
        answer = self.answers.get(question.id)
        return answer is not None and not answer.proposed and \
            question_ratio(question, answer.value) is not None

    def confirmed_count(self, questions=None):
        questions = questions if questions is not None else [
            q for theme in self.themes for q in theme.questions]
        return sum(1 for q in questions if q.id in self.visible and self.is_answered(q))

    def missing(self):
        """[(theme, [questions])] shown but without an answer, in order."""
        result = []
        for theme in self.themes:
            questions = [q for q in theme.questions
                         if q.id in self.visible and not self.is_answered(q)]
            if questions:
                result.append((theme, questions))
        return result

    def first_theme_to_answer(self):
        missing = self.missing()
        return missing[0][0] if missing else self.themes[-1]


@dataclass
class QuestionState:
    """One question as shown on the theme page, with its answer or the user's input."""

    question: object
    visible: bool = True
    answer: object = None
    selected: tuple = ()
    comment: str = ""
    revision: int = 0
    evidence: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    conflict: dict | None = None
    upload_error: str = ""
    evidence_message: str = ""
    saved: bool = False
    missing: bool = False
    dont_know_value: str = DONT_KNOW

    @property
    def id(self):
        return self.question.id

    @property
    def multiple(self):
        return self.question.kind == "multiple"

    @property
    def dont_know(self):
        return DONT_KNOW in self.selected

    @property
    def proposed(self):
        return self.answer is not None and self.answer.proposed

    @property
    def answered(self):
        return self.answer is not None and question_ratio(
            self.question, self.answer.value) is not None

    @property
    def answer_labels(self):
        if self.answer is None:
            return []
        if self.answer.dont_know:
            return [_("Je ne sais pas")]
        return [c.label for c in self.question.choices if c.id in self.answer.choice_ids]

    @property
    def answered_by_label(self):
        return user_label(self.answer.answered_by) if self.answer else ""

    @property
    def can_add_evidence(self):
        return len(self.evidence) < settings.MAX_EVIDENCE_FILES


def answer_state(snapshot, question, evidence=(), **extra):
    answer = snapshot.answers.get(question.id)
    selected = ()
    if answer is not None:
        selected = (DONT_KNOW,) if answer.dont_know else tuple(answer.choice_ids)
    return QuestionState(
        question=question, visible=question.id in snapshot.visible, answer=answer,
        selected=selected, comment=answer.comment if answer else "",
        revision=answer.revision if answer else 0, evidence=list(evidence), **extra)


def evidence_by_answer(snapshot, questions):
    ids = [snapshot.answers[q.id].pk for q in questions if q.id in snapshot.answers]
    grouped = {}
    if ids:
        for evidence in Evidence.objects.filter(
                organisation=snapshot.assessment.organisation_id,
                answer_id__in=ids).order_by("uploaded_at", "id"):
            grouped.setdefault(evidence.answer_id, []).append(evidence)
    return grouped


def question_states(snapshot, questions, overrides=None, missing=False):
    overrides = overrides or {}
    evidence = evidence_by_answer(snapshot, questions)
    states = []
    for question in questions:
        answer = snapshot.answers.get(question.id)
        state = answer_state(snapshot, question, evidence.get(answer.pk if answer else None, ()))
        state.missing = missing and state.visible and not state.answered
        for name, value in overrides.get(question.id, {}).items():
            setattr(state, name, value)
        states.append(state)
    return states


def theme_url(assessment, theme_id, query=""):
    url = reverse("assessment_theme", args=[assessment.organisation.slug, assessment.pk,
                                            theme_id])
    return url + query


def steps(snapshot, current_id):
    result = []
    for index, theme_result in enumerate(snapshot.result.themes, start=1):
        theme = theme_result.theme
        confirmed = snapshot.confirmed_count(theme.questions)
        if confirmed >= theme_result.visible:
            state = "done"
        elif theme_result.answered:
            state = "partial"
        else:
            state = "todo"
        result.append({"number": index, "theme": theme, "state": state,
                       "answered": confirmed, "visible": theme_result.visible,
                       "url": theme_url(snapshot.assessment, theme.id),
                       "current": theme.id == current_id})
    return result


def can_edit(request, assessment):
    return request.membership.can_write and \
        assessment.status == Assessment.Status.IN_PROGRESS


def common_context(request, snapshot, theme_id):
    return {"assessment": snapshot.assessment, "result": snapshot.result,
            "confirmed": snapshot.confirmed_count(),
            "steps": steps(snapshot, theme_id),
            "editable": can_edit(request, snapshot.assessment),
            "accept": ACCEPT_ATTRIBUTE,
            "max_upload": translated(human_size(settings.MAX_UPLOAD_BYTES)),
            "max_files": settings.MAX_EVIDENCE_FILES}


def render_theme(request, snapshot, theme_id, *, overrides=None, show_missing=False,
                 status=200):
    theme = snapshot.theme(theme_id)
    index = snapshot.themes.index(theme)
    context = common_context(request, snapshot, theme.id)
    context.update({
        "theme": theme, "number": index + 1, "theme_count": len(snapshot.themes),
        "previous": snapshot.themes[index - 1] if index else None,
        "next": snapshot.themes[index + 1] if index + 1 < len(snapshot.themes) else None,
        "questions": question_states(snapshot, theme.questions, overrides, show_missing),
        "missing": snapshot.missing() if show_missing else [],
        "slug": request.organisation.slug,
    })
    return render(request, THEME_TEMPLATE, context, status=status)


def render_question(request, snapshot, state, status):
    """The question's fragment, in place of the one on the page (htmx)."""
    context = common_context(request, snapshot, state.question.theme_id)
    context["q"] = state
    response = render(request, THEME_TEMPLATE + "#question", context, status=status)
    response["HX-Retarget"] = f"#q-{state.id}"
    response["HX-Reswap"] = "outerHTML"
    return response


# --- Pages -------------------------------------------------------------------------------

@org_view
def assessment_list(request):
    assessments = request.organisation.assessments.select_related("started_by")
    current = assessments.filter(status=Assessment.Status.IN_PROGRESS).first()
    completed = assessments.completed().latest_first()
    page = Paginator(completed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(a, LEVEL_LABELS.get(a.level, "")) for a in page.object_list]
    snapshot = Snapshot.load(current) if current else None
    return render(request, "diagnostic/assessment_list.html", {
        "current": current, "progress": snapshot.result if snapshot else None,
        "confirmed": snapshot.confirmed_count() if snapshot else 0,
        "page": page, "rows": rows,
    })


@org_view
@require_POST
def assessment_start(request):
    current = request.organisation.assessments.filter(
        status=Assessment.Status.IN_PROGRESS).first()
    if current is not None:
        messages.info(request, _("Un diagnostic est déjà en cours : reprenez-le là où vous "
                                 "l'avez laissé."))
        return redirect("assessment_detail", org_slug=request.organisation.slug,
                        assessment_id=current.pk)
    assessment = services.assessment_start(acting_user=request.user,
                                           organisation=request.organisation, request=request)
    themes = assessment.themes()
    if not themes:
        messages.error(request, _("Aucune question ne s'applique à votre type de structure : "
                                  "vérifiez la fiche de la structure."))
        return redirect("assessment_list", org_slug=request.organisation.slug)
    messages.success(request, _("Diagnostic commencé. Chaque réponse est enregistrée tout de "
                                "suite : vous pouvez vous arrêter et reprendre plus tard."))
    return redirect(theme_url(assessment, themes[0].id))


@org_view
@require_safe
def assessment_detail(request, assessment_id):
    assessment = get_assessment_or_404(request, assessment_id)
    if assessment.status == Assessment.Status.COMPLETED:
        return redirect("assessment_results", org_slug=request.organisation.slug,
                        assessment_id=assessment.pk)
    snapshot = Snapshot.load(assessment)
    if not snapshot.themes:
        raise Http404(_("Aucune question ne s'applique à votre type de structure."))
    return redirect(theme_url(assessment, snapshot.first_theme_to_answer().id))


@org_view
@require_safe
def assessment_theme(request, assessment_id, theme_id):
    assessment = get_assessment_or_404(request, assessment_id)
    snapshot = Snapshot.load(assessment)
    saved = request.GET.get("enregistre", "")
    overrides = {saved: {"saved": True}} if saved else None
    return render_theme(request, snapshot, theme_id, overrides=overrides,
                        show_missing="manquantes" in request.GET)


# --- Saving an answer --------------------------------------------------------------------

def posted_revision(form, state):
    value = form.data.get("revision", "")
    return int(value) if value.isdigit() else state.revision


def answer_invalid(request, snapshot, question, form, messages_):
    """The question again, with the user's input and the messages next to it."""
    overrides = {"selected": tuple(form.data.getlist("choices")),
                 "comment": form.data.get("comment", ""), "errors": messages_}
    if is_htmx(request):
        state = question_states(snapshot, [question])[0]
        overrides["revision"] = posted_revision(form, state)
        for name, value in overrides.items():
            setattr(state, name, value)
        return render_question(request, snapshot, state, status=422)
    state = answer_state(snapshot, question)
    overrides["revision"] = posted_revision(form, state)
    return render_theme(request, snapshot, question.theme_id,
                        overrides={question.id: overrides})


def answer_conflict(request, assessment, question, form, current):
    """Someone saved in between: show their answer, and what the user tried to save."""
    yours = [c.label for c in question.choices if c.id in form.cleaned_data["choice_ids"]]
    if form.cleaned_data["dont_know"]:
        yours = [_("Je ne sais pas")]
    conflict = {"who": user_label(current.answered_by),
                "when": time_format(timezone.localtime(current.updated_at), "H:i"),
                "yours": yours, "your_comment": form.cleaned_data["comment"]}
    snapshot = Snapshot.load(assessment)
    if is_htmx(request):
        state = question_states(snapshot, [question])[0]
        state.conflict = conflict
        return render_question(request, snapshot, state, status=409)
    return render_theme(request, snapshot, question.theme_id,
                        overrides={question.id: {"conflict": conflict}})


def answer_saved(request, before, question, answer):
    """htmx: the status text, plus out-of-band updates of what the answer changed."""
    snapshot = Snapshot.load(before.assessment)
    theme = snapshot.theme(question.theme_id)
    changed = [q for q in theme.questions
               if (q.id in before.visible) != (q.id in snapshot.visible)]
    new_answer = question.id not in before.answers
    states = question_states(snapshot, [question, *changed])
    context = common_context(request, snapshot, theme.id)
    context.update({
        "q": states[0], "slots": states[1:], "new_answer": new_answer,
        "time": time_format(timezone.localtime(answer.updated_at), "H:i"),
        "appeared": sum(1 for s in states[1:] if s.visible),
        "disappeared": sum(1 for s in states[1:] if not s.visible),
    })
    return render(request, "diagnostic/_answer_saved.html", context)


@org_view(write=True)
@require_POST
def answer_save(request, assessment_id, question_id):
    assessment = get_assessment_or_404(request, assessment_id)
    before = Snapshot.load(assessment)
    _theme, question = before.question(question_id)
    form = AnswerForm(request.POST, question=question)
    if not form.is_valid():
        return answer_invalid(request, before, question, form, form.errors_list())
    data = form.cleaned_data
    try:
        answer = services.answer_save(
            acting_user=request.user, assessment=assessment, question_id=question.id,
            choice_ids=data["choice_ids"], dont_know=data["dont_know"],
            comment=data["comment"], revision=data["revision"], request=request)
    except services.AnswerConflict as conflict:
        return answer_conflict(request, assessment, question, form, conflict.current)
    except ValidationError as error:
        return answer_invalid(request, before, question, form, error.messages)
    if is_htmx(request):
        return answer_saved(request, before, question, answer)
    return redirect(theme_url(assessment, question.theme_id,
                              f"?enregistre={question.id}#q-{question.id}"))


# --- Evidence ----------------------------------------------------------------------------

def evidence_response(request, assessment, question, *, error="", message="", status=200):
    """The evidence block (htmx), or back to the question (plain form)."""
    snapshot = Snapshot.load(assessment)
    if is_htmx(request):
        state = question_states(snapshot, [question])[0]
        state.upload_error, state.evidence_message = error, message
        context = common_context(request, snapshot, question.theme_id)
        context["q"] = state
        return render(request, THEME_TEMPLATE + "#evidence", context, status=status)
    if error:
        return render_theme(request, snapshot, question.theme_id,
                            overrides={question.id: {"upload_error": error}})
    messages.success(request, message)
    return redirect(theme_url(assessment, question.theme_id, f"#q-{question.id}"))


def read_upload(request):
    """The uploaded file, or None; a broken multipart body is refused, never a 500."""
    try:
        return request.FILES.get("file"), ""
    except MultiPartParserError:
        return None, _("L'envoi du fichier n'a pas abouti (données incomplètes). Réessayez ; "
                       "si cela se reproduit, enregistrez le fichier à nouveau puis joignez-le.")


@org_view(write=True)
@require_POST
def evidence_upload(request, assessment_id, question_id):
    assessment = get_assessment_or_404(request, assessment_id)
    uploaded, error = read_upload(request)
    _theme, question = Snapshot.load(assessment).question(question_id)
    answer = assessment.answers.filter(question_id=question.id).first()
    if not error and answer is None:
        error = _("Répondez d'abord à la question, puis joignez la preuve.")
    if error:
        return evidence_response(request, assessment, question, error=error, status=422)
    try:
        content_type = check_upload(request, uploaded)
        name = display_name(uploaded.name)
        services.evidence_add(acting_user=request.user, answer=answer, uploaded_file=uploaded,
                              content_type=content_type, stored_name=storage_name(name),
                              original_name=name, request=request)
    except UploadError as upload_error:
        return evidence_response(request, assessment, question,
                                 error=translated(upload_error.args[0]), status=422)
    except ValidationError as invalid:
        return evidence_response(request, assessment, question,
                                 error=" ".join(invalid.messages), status=422)
    return evidence_response(request, assessment, question,
                             message=_("« %(name)s » est jointe à la réponse.") % {"name": name})


@org_view
@require_safe
def evidence_download(request, evidence_id):
    evidence = get_evidence_or_404(request, evidence_id)
    return download_response(evidence)


@org_view(write=True)
@require_POST
def evidence_delete(request, evidence_id):
    evidence = get_evidence_or_404(request, evidence_id)
    assessment = evidence.answer.assessment
    _theme, question = Snapshot.load(assessment).question(evidence.answer.question_id)
    try:
        services.evidence_remove(acting_user=request.user, evidence=evidence, request=request)
    except ValidationError as invalid:
        return evidence_response(request, assessment, question,
                                 error=" ".join(invalid.messages), status=422)
    return evidence_response(request, assessment, question, message=_(
        "« %(name)s » est retirée de la réponse.") % {"name": evidence.original_name})


# --- Completing --------------------------------------------------------------------------

@org_view(write=True)
@require_POST
def assessment_complete(request, assessment_id):
    assessment = get_assessment_or_404(request, assessment_id)
    results = reverse("assessment_results", args=[request.organisation.slug, assessment.pk])
    if assessment.status == Assessment.Status.COMPLETED:
        messages.info(request, _("Ce diagnostic est déjà terminé."))
        return redirect(results)
    try:
        services.assessment_complete(acting_user=request.user, assessment=assessment,
                                     request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        theme = Snapshot.load(assessment).first_theme_to_answer()
        return redirect(theme_url(assessment, theme.id, "?manquantes=1#manquantes"))
    messages.success(request, _("Diagnostic terminé. Voici vos résultats et les mesures à "
                                "mettre en place en priorité."))
    return redirect(results)
