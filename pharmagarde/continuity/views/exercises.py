"""Crisis exercises: the scenario library, preparing an exercise (participants and roles),
running it (the stimuli released live, the elapsed time, the log of decisions and
observations), its debrief and findings, the after-action report (page and PDF), and the
page on caring for the team after an incident or an exercise.

Releasing a stimulus works as a plain form (POST, then back to the page) and, with htmx,
answers the running exercise's fragment only (exercise_detail.html#run); the « minuteur »
mode refreshes that fragment every 30 seconds (hx-trigger="every 30s").
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from pharmagarde.core.access import org_view
from pharmagarde.core.htmx import is_htmx
from pharmagarde.incidents.forms import LocalDateTimeField

from .. import exercise_services as services
from ..access import get_exercise_or_404
from ..models import Exercise, ExerciseEvent
from ..scenarios import for_kind, scenario

PAGE_SIZE = 50
TIMER = "minuteur"


# Forms -------------------------------------------------------------------------------------

class ExerciseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200, required=False,
                            help_text=gettext_lazy("Laissez vide pour le titre du scénario."))
    planned_for = LocalDateTimeField(label=gettext_lazy("Prévu le"), required=False)
    participants = forms.CharField(
        label=gettext_lazy("Participants et rôles"), max_length=2000,
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Exercise._meta.get_field("participants").help_text)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("C'est"), widget=forms.RadioSelect,
        initial=ExerciseEvent.Kind.DECISION,
        choices=[(ExerciseEvent.Kind.DECISION, gettext_lazy("Une décision")),
                 (ExerciseEvent.Kind.OBSERVATION, gettext_lazy("Une observation"))],
        error_messages={"required": gettext_lazy("Choisissez : décision ou observation."),
                        "invalid_choice": gettext_lazy("Choisissez : décision ou "
                                                       "observation.")})
    text = forms.CharField(label=gettext_lazy("Ce qui a été décidé ou observé"),
                           max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": gettext_lazy(
                               "Écrivez ce qui a été décidé ou observé.")})
    at = LocalDateTimeField(label=gettext_lazy("À quelle heure"), required=False,
                            help_text=gettext_lazy("Laissez vide pour maintenant."))


class FinishForm(forms.Form):
    findings = forms.CharField(
        label=gettext_lazy("Ce qu'il faut améliorer"), max_length=5000,
        required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=Exercise._meta.get_field("findings").help_text)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [(f"q_{q.id}", q) for q in questions]
        for name, question in self.questions:
            self.fields[name] = forms.CharField(
                label=question.text, max_length=3000, required=False,
                widget=forms.Textarea(attrs={"rows": 3}))
        # The questions first, then the findings.
        self.order_fields([name for name, _q in self.questions])

    def question_fields(self):
        return [self[name] for name, _q in self.questions]

    def answers(self) -> dict:
        return {q.id: self.cleaned_data[name] for name, q in self.questions}


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


# The library -------------------------------------------------------------------------------

def _scenario_or_404(request, scenario_id):
    found = scenario(scenario_id)
    if found is None or not found.applies(request.organisation.kind):
        raise Http404
    return found


@org_view
def scenario_list(request):
    """The scenarios for the organisation's kind: files, no query of their own."""
    return render(request, "continuity/scenario_list.html",
                  {"scenarios": for_kind(request.organisation.kind)})


@org_view
def scenario_detail(request, scenario):
    return render(request, "continuity/scenario_detail.html",
                  {"scenario": _scenario_or_404(request, scenario)})


# Exercises ---------------------------------------------------------------------------------

@org_view
def exercise_list(request):
    """The organisation's exercises, newest first: three queries whatever their number."""
    exercises = (Exercise.objects.filter(organisation=request.organisation)
                 .select_related("facilitator").order_by("-created_at", "-id"))
    page = Paginator(exercises, PAGE_SIZE).get_page(request.GET.get("page"))
    for exercise in page:
        exercise.scenario_info = scenario(exercise.scenario)
    return render(request, "continuity/exercise_list.html", {"page": page})


@org_view(write=True)
def exercise_new(request):
    chosen = scenario(request.POST.get("scenario") or request.GET.get("scenario") or "")
    if chosen is None or not chosen.applies(request.organisation.kind):
        return render(request, "continuity/scenario_list.html",
                      {"scenarios": for_kind(request.organisation.kind), "choose": True,
                       "error": _("Choisissez un scénario de la bibliothèque.")},
                      status=422)
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exercise = services.exercise_create(
            acting_user=request.user, organisation=request.organisation,
            scenario=chosen.id, title=form.cleaned_data["title"],
            planned_for=form.cleaned_data["planned_for"],
            participants=form.cleaned_data["participants"], request=request)
        messages.success(request, _("Exercice préparé. Répartissez les rôles, puis "
                                    "démarrez-le le moment venu."))
        return redirect("continuity_exercise", request.organisation.slug, exercise.pk)
    return render(request, "continuity/exercise_form.html",
                  {"form": form, "scenario": chosen}, status=422 if form.errors else 200)


def _run_context(request, exercise, *, now):
    """The running exercise's fragment: the stimuli in order with their release, the
    elapsed time and the stimuli due now, the log. One query (the events)."""
    found = scenario(exercise.scenario)
    events = list(exercise.events.select_related("author"))
    released = {event.inject: event for event in events if event.inject}
    elapsed = None
    if exercise.started_at:
        end = exercise.ended_at or now
        elapsed = max(0, int((end - exercise.started_at).total_seconds() // 60))
    running = exercise.status == Exercise.Status.RUNNING
    rows = [{"inject": inject, "event": released.get(inject.id),
             "due": running and inject.id not in released and inject.minute <= elapsed}
            for inject in (found.injects if found else ())]
    timer = running and request.GET.get(TIMER) == "1"
    detail_url = reverse("continuity_exercise", args=[request.organisation.slug, exercise.pk])
    return {"exercise": exercise, "scenario": found, "events": events, "rows": rows,
            "elapsed": elapsed, "due_count": sum(1 for row in rows if row["due"]),
            "timer": timer, "timer_query": f"?{TIMER}=1" if timer else "",
            "detail_url": detail_url}


def _answers(exercise, found) -> list[tuple[str, str]]:
    """(question, answer) of the debrief; the stored answers when the scenario is gone."""
    if found is None:
        return list(exercise.debrief.items())
    return [(q.text, exercise.debrief.get(q.id, "")) for q in found.debrief]


def _detail(request, exercise, *, note_form=None, prepare_form=None, status=200):
    context = _run_context(request, exercise, now=timezone.now())
    if is_htmx(request) and request.method == "GET" and exercise.status == \
            Exercise.Status.RUNNING:
        return render(request, "continuity/exercise_detail.html#run", context)
    context.update(
        note_form=note_form or NoteForm(),
        prepare_form=prepare_form or ExerciseForm(initial={
            "title": exercise.title, "participants": exercise.participants,
            "planned_for": exercise.planned_for and timezone.localtime(exercise.planned_for),
            "revision": exercise.revision}),
        answers=_answers(exercise, context["scenario"]),
        findings=services.finding_lines(exercise.findings))
    return render(request, "continuity/exercise_detail.html", context, status=status)


@org_view
def exercise_detail(request, exercise_id):
    return _detail(request, get_exercise_or_404(request, exercise_id))


@org_view(write=True)
@require_POST
def exercise_prepare(request, exercise_id):
    exercise = get_exercise_or_404(request, exercise_id)
    form = ExerciseForm(request.POST)
    if form.is_valid():
        try:
            services.exercise_prepare(
                acting_user=request.user, exercise=exercise, title=form.cleaned_data["title"],
                planned_for=form.cleaned_data["planned_for"],
                participants=form.cleaned_data["participants"],
                revision=form.cleaned_data["revision"], request=request)
        except services.ExerciseConflict:
            form.add_error(None, _("Quelqu'un a modifié cet exercice entre-temps : "
                                   "rechargez la page avant d'enregistrer."))
            return _detail(request, exercise, prepare_form=form, status=409)
        except services.ExerciseStateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Participants et rôles enregistrés."))
        return redirect("continuity_exercise", request.organisation.slug, exercise.pk)
    return _detail(request, exercise, prepare_form=form, status=422)


@org_view(write=True)
@require_POST
def exercise_start(request, exercise_id):
    exercise = get_exercise_or_404(request, exercise_id)
    if services.exercise_start(acting_user=request.user, exercise=exercise, request=request):
        messages.success(request, _("C'est parti : lisez le contexte, puis diffusez chaque "
                                    "stimulus à sa minute."))
    return redirect("continuity_exercise", request.organisation.slug, exercise.pk)


@org_view(write=True)
@require_POST
def inject_release(request, exercise_id, inject):
    exercise = get_exercise_or_404(request, exercise_id)
    try:
        _event, created = services.inject_release(
            acting_user=request.user, exercise=exercise, inject_id=inject,
            now=timezone.now(), request=request)
    except KeyError:
        raise Http404 from None
    except services.ExerciseStateError as error:
        messages.error(request, str(error))
        if is_htmx(request):  # the page has changed stage: reload it whole
            return HttpResponse(status=204, headers={"HX-Refresh": "true"})
        return redirect("continuity_exercise", request.organisation.slug, exercise.pk)
    if is_htmx(request):
        context = _run_context(request, exercise, now=timezone.now())
        context["announce"] = _("Stimulus diffusé.") if created else _("Déjà diffusé.")
        return render(request, "continuity/exercise_detail.html#run", context)
    timer = f"?{TIMER}=1" if request.GET.get(TIMER) == "1" else ""
    return redirect(reverse("continuity_exercise", args=[request.organisation.slug,
                                                         exercise.pk])
                    + f"{timer}#stimulus-{inject}")


@org_view(write=True)
@require_POST
def exercise_note(request, exercise_id):
    exercise = get_exercise_or_404(request, exercise_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.event_note(acting_user=request.user, exercise=exercise,
                                kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                                at=form.cleaned_data["at"], request=request)
        except ValidationError as error:
            _add_errors(form, error)
        except services.ExerciseStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Noté au journal."))
            return redirect(reverse("continuity_exercise", args=[request.organisation.slug,
                                                                 exercise.pk]) + "#journal")
    return _detail(request, exercise, note_form=form, status=422)


@org_view(write=True)
def exercise_finish(request, exercise_id):
    exercise = get_exercise_or_404(request, exercise_id)
    if exercise.status == Exercise.Status.PREPARING:
        messages.error(request, _("L'exercice n'a pas encore commencé : démarrez-le "
                                  "d'abord."))
        return redirect("continuity_exercise", request.organisation.slug, exercise.pk)
    found = scenario(exercise.scenario)
    initial = {"findings": exercise.findings, "revision": exercise.revision,
               **{f"q_{qid}": answer for qid, answer in exercise.debrief.items()}}
    form = FinishForm(request.POST or None, initial=initial,
                      questions=found.debrief if found else ())
    conflict = False
    if request.method == "POST" and form.is_valid():
        finishing = exercise.status == Exercise.Status.RUNNING
        try:
            services.exercise_finish(acting_user=request.user, exercise=exercise,
                                     debrief=form.answers(),
                                     findings=form.cleaned_data["findings"],
                                     revision=form.cleaned_data["revision"], request=request)
        except services.ExerciseConflict:
            conflict = True
            form.add_error(None, _("Quelqu'un a modifié ce retour d'expérience entre-temps "
                                   ": rechargez la page avant d'enregistrer."))
        else:
            messages.success(request, _("Exercice terminé. Chaque mesure à prendre est au "
                                        "plan d'action.") if finishing else
                             _("Retour d'expérience enregistré ; le plan d'action suit."))
            return redirect("continuity_exercise", request.organisation.slug, exercise.pk)
    return render(request, "continuity/exercise_finish.html",
                  {"exercise": exercise, "scenario": found, "form": form},
                  status=409 if conflict else 422 if form.errors else 200)


# The report --------------------------------------------------------------------------------

def _report_context(request, exercise):
    context = _run_context(request, exercise, now=timezone.now())
    start = exercise.started_at
    timeline = [{"event": event,
                 "offset": int((event.at - start).total_seconds() // 60) if start else None}
                for event in context["events"]]
    return {**context, "timeline": timeline,
            "decisions": [e for e in context["events"]
                          if e.kind == ExerciseEvent.Kind.DECISION],
            "observations": [e for e in context["events"]
                             if e.kind == ExerciseEvent.Kind.OBSERVATION],
            "answers": _answers(exercise, context["scenario"]),
            "findings": services.finding_lines(exercise.findings),
            "released": sum(1 for row in context["rows"] if row["event"]),
            "now": timezone.now()}


@org_view
def exercise_report(request, exercise_id):
    exercise = get_exercise_or_404(request, exercise_id)
    return render(request, "continuity/exercise_report.html",
                  _report_context(request, exercise))


@org_view
@require_safe
def exercise_report_pdf(request, exercise_id):
    from pharmagarde.core import audit, documents

    exercise = get_exercise_or_404(request, exercise_id)
    return documents.pdf_response(
        request, "continuity/pdf/exercise_report.html", _report_context(request, exercise),
        stem=f"rapport-exercice-{exercise.pk}",
        audited=lambda: audit.record("continuity.report_downloaded", request=request,
                                     organisation=request.organisation, obj=exercise))


@org_view
def care(request):
    """After an incident or an exercise: caring for the team. Text only."""
    return render(request, "continuity/care.html")


urlpatterns = [
    path("exercices/", exercise_list, name="continuity_exercises"),
    path("exercices/scenarios/", scenario_list, name="continuity_scenarios"),
    path("exercices/scenarios/<slug:scenario>/", scenario_detail, name="continuity_scenario"),
    path("exercices/ajouter/", exercise_new, name="continuity_exercise_new"),
    path("exercices/<int:exercise_id>/", exercise_detail, name="continuity_exercise"),
    path("exercices/<int:exercise_id>/preparer/", exercise_prepare,
         name="continuity_exercise_prepare"),
    path("exercices/<int:exercise_id>/demarrer/", exercise_start,
         name="continuity_exercise_start"),
    path("exercices/<int:exercise_id>/stimuli/<slug:inject>/diffuser/", inject_release,
         name="continuity_inject_release"),
    path("exercices/<int:exercise_id>/journal/", exercise_note,
         name="continuity_exercise_note"),
    path("exercices/<int:exercise_id>/terminer/", exercise_finish,
         name="continuity_exercise_finish"),
    path("exercices/<int:exercise_id>/rapport/", exercise_report,
         name="continuity_exercise_report"),
    path("exercices/<int:exercise_id>/rapport.pdf", exercise_report_pdf,
         name="continuity_exercise_report_pdf"),
    path("apres-crise/", care, name="continuity_care"),
]
