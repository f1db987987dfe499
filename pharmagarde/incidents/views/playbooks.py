"""The reflex sheets: for each kind of incident, the immediate reflexes that apply to the
organisation's kind, as one page to print and pin beside the workstations, with the
numbers of the contacts its steps call. Every member reads them: they are for everyone."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from pharmagarde.core.access import org_view

from ..contacts import called, organisation_contacts
from ..models import EmergencyContact, Incident
from ..playbooks import playbooks


@org_view
def incident_playbooks(request):
    """The sheets of every kind of incident, in the order of the declaration's first
    screen. No query beyond the organisation's: the playbooks are files."""
    books = playbooks()
    organisation_kind = request.organisation.kind
    sheets = [{"kind": kind, "label": label, "playbook": books[kind],
               "steps": books[kind].steps_for(organisation_kind)}
              for kind, label in Incident.Kind.choices if kind in books]
    return render(request, "incidents/playbook_list.html", {"sheets": sheets})


@org_view
def incident_playbook_print(request, kind):
    book = playbooks().get(kind)
    if book is None or kind not in Incident.Kind.values:
        raise Http404
    steps = book.steps_for(request.organisation.kind)
    kinds = list(dict.fromkeys(call for step in steps for call in step.call))
    contacts = organisation_contacts(request.organisation)
    return render(request, "incidents/playbook_print.html", {
        "playbook": book, "kind": kind,
        "steps": [{"step": step,
                   "calls": [EmergencyContact.Kind(call).label for call in step.call]}
                  for step in steps],
        "called": called(contacts, kinds), "now": timezone.localtime()})


urlpatterns = [
    path("reflexes/", incident_playbooks, name="incident_playbooks"),
    path("reflexes/<slug:kind>/imprimer/", incident_playbook_print,
         name="incident_playbook_print"),
]
