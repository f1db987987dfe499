"""Adding, editing, deleting an action and changing its status (board)."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.formats import percent
from pharmagarde.core.htmx import is_htmx

from .. import services
from ..access import get_action_or_404
from ..forms import ActionForm, EvidenceForm, StatusForm, person_label
from ..models import Action
from ..sources import with_closes
from .common import redirect_back
from .plan import board_context


def done_message(action):
    """Bravo, and what each source the action settles something at will do next."""
    message = _("« %(title)s » est terminée. Bravo !") % {"title": action.title}
    notes = [closes.done_note for closes in with_closes([action])[0].closes if closes.done_note]
    return " ".join([message, *dict.fromkeys(notes)])


def render_edit(request, action, form, *, evidence_form=None, conflict=None):
    # What the action settles, worded by each source; the action's own source shows its
    # recommendation in its own card (source_template).
    with_closes([action])
    return render(request, "actions/action_form.html", {
        "action": action, "form": form, "conflict": conflict,
        "evidence_form": evidence_form or EvidenceForm(),
        "evidence": list(action.evidence.select_related("uploaded_by")),
        "closes": action.closes,
        "own_closes": action.closes_by_source.get(action.source),
        "source_template": action.plan_source.detail_template,
        "can_write": request.membership.can_write,
    })


@org_view(write=True)
def action_new(request):
    form = ActionForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        action = services.action_save(acting_user=request.user, action=form.instance,
                                      changed=form.changed_data, request=request)
        messages.success(request, _("« %(title)s » est ajoutée au plan.") % {"title": action})
        if action.status == Action.Status.DONE:
            messages.success(request, done_message(action))
        return redirect("action_list", org_slug=request.organisation.slug)
    return render(request, "actions/action_form.html", {"form": form, "can_write": True})


def display(field, value):
    """A field's value as the form would show it to a person."""
    if value in (None, "", []):
        return "—"
    if field == "owner":
        return person_label(value)
    if field == "due_date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if field == "status":
        return Action.Status(value).label
    if field == "effort":
        return Action.Effort(value).label
    if field == "progress":
        return percent(value)
    if isinstance(value, list):  # a picker: the keys at its source
        return ", ".join(value)
    return str(value)


def conflict_rows(form, current):
    """(label, the saved value, the value this person typed) for each field that differs."""
    rows = []
    for name, field in form.fields.items():
        if name == "revision" or field.disabled or name not in form.cleaned_data:
            continue
        theirs, yours = form.current_value(current, name), form.cleaned_data[name]
        if theirs != yours:
            rows.append((field.label, display(name, theirs), display(name, yours)))
    return rows


@org_view
def action_edit(request, action_id):
    action = get_action_or_404(request, action_id)
    form = ActionForm(request.POST or None, instance=action, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        changed = [name for name in form.changed_data if name != "revision"]
        try:
            services.action_save(acting_user=request.user, action=form.instance,
                                 changed=changed, revision=form.cleaned_data["revision"],
                                 request=request)
        except services.ActionConflict as conflict:
            current = conflict.current
            rows = conflict_rows(form, current)
            # Shown again with this person's values and the saved revision: saving again,
            # after reading, is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["revision"] = current.revision
            form = ActionForm(data, instance=copy.copy(current),
                              organisation=request.organisation)
            return render_edit(request, current, form, conflict={"action": current,
                                                                 "rows": rows})
        if action.status == Action.Status.DONE and "status" in changed:
            messages.success(request, done_message(action))
        else:
            messages.success(request, _("« %(title)s » est enregistrée.") % {"title": action})
        return redirect("action_list", org_slug=request.organisation.slug)
    return render_edit(request, action, form)


@org_view(write=True)
@require_POST
def action_delete(request, action_id):
    action = get_action_or_404(request, action_id)
    services.action_delete(acting_user=request.user, action=action, request=request)
    # The source says whether the action may come back (the diagnostic's next update).
    messages.success(request, action.plan_source.deleted_message % {"title": action})
    return redirect("action_list", org_slug=request.organisation.slug)


@org_view(write=True)
@require_POST
def action_status(request, action_id):
    """Move an action to another status: a small form on each board card (htmx swaps the
    board; without JavaScript the page reloads with a message)."""
    action = get_action_or_404(request, action_id)
    form = StatusForm(request.POST)
    level, message = messages.SUCCESS, ""
    if not form.is_valid():
        level = messages.ERROR
        message = _("Le statut n'a pas changé : choisissez-en un dans la liste et "
                    "réessayez.")
    elif form.cleaned_data["status"] != action.status:
        action.status = form.cleaned_data["status"]
        try:
            services.action_save(acting_user=request.user, action=action, changed=["status"],
                                 revision=form.cleaned_data["revision"], request=request)
        except services.ActionConflict as conflict:
            level = messages.ERROR
            message = _("Quelqu'un d'autre a modifié « %(title)s » entre-temps ; son statut est "
                        "maintenant « %(status)s ». Vérifiez puis recommencez.") % {
                "title": conflict.current.title,
                "status": conflict.current.get_status_display()}
        else:
            message = done_message(action) if action.status == Action.Status.DONE else _(
                "« %(title)s » est maintenant « %(status)s ».") % {
                "title": action.title, "status": action.get_status_display()}
    if is_htmx(request):
        context = board_context(request, announce=message)
        context["announce_error"] = level == messages.ERROR
        return render(request, "actions/action_board.html#board", context)
    if message:
        messages.add_message(request, level, message)
    return redirect_back(request, "action_board")
