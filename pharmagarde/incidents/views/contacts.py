"""The organisation's emergency contacts: the list (prefilled with the public ones on the
first visit, contacts.py), adding, changing, removing, and the list on one page to print.

Every member reads them: they are the numbers to call at 1 am. Those who handle incidents
(roles.REGISTER_ROLES, the auditor excepted: read only) keep them up to date."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view

from .. import services
from ..access import get_emergencycontact_or_404
from ..contacts import (
    missing_slots,
    offered_again,
    organisation_contacts,
    public_contact,
)
from ..forms import ContactForm
from ..models import EmergencyContact
from ..roles import REGISTER_ROLES


def can_edit(request) -> bool:
    return request.membership.can_write and request.membership.role in REGISTER_ROLES


@org_view
def incident_contacts(request):
    """The list, the slots still to fill and the public contacts removed. One query for
    the contacts once prefilled, whatever their number (at most contacts.MAX_CONTACTS)."""
    contacts = organisation_contacts(request.organisation)
    return render(request, "incidents/contact_list.html", {
        "contacts": contacts, "slots": missing_slots(contacts),
        "offered": offered_again(request.organisation.kind, contacts),
        "can_edit": can_edit(request)})


@org_view
def incident_contacts_print(request):
    contacts = organisation_contacts(request.organisation)
    return render(request, "incidents/contact_print.html", {
        "contacts": contacts, "slots": missing_slots(contacts),
        "now": timezone.localtime()})


@org_view(write=True, roles=REGISTER_ROLES)
def incident_contact_add(request):
    """A new contact; ?type= chooses its kind, ?modele= fills it with a public contact
    the structure removed."""
    initial = {}
    model = public_contact(request.organisation.kind, request.GET.get("modele", ""))
    if model is not None:
        initial = model.as_initial()
    elif request.GET.get("type") in EmergencyContact.Kind.values:
        initial = {"kind": request.GET["type"]}
    contact = EmergencyContact(organisation=request.organisation)
    return _edit(request, ContactForm(request.POST or None, instance=contact,
                                      initial=initial), created=True)


@org_view(write=True, roles=REGISTER_ROLES)
def incident_contact_edit(request, emergencycontact_id):
    contact = get_emergencycontact_or_404(request, emergencycontact_id)
    return _edit(request, ContactForm(request.POST or None, instance=contact),
                 created=False)


def _edit(request, form, *, created):
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.organisation = request.organisation
        try:
            services.contact_save(acting_user=request.user, contact=contact,
                                  request=request)
        except services.TooManyContacts as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Contact enregistré : %(name)s.") % {
                "name": contact.name})
            return redirect("incident_contacts", request.organisation.slug)
    return render(request, "incidents/contact_form.html",
                  {"form": form, "created": created, "contact": form.instance},
                  status=422 if form.errors else 200)


@org_view(write=True, roles=REGISTER_ROLES)
@require_POST
def incident_contact_delete(request, emergencycontact_id):
    contact = get_emergencycontact_or_404(request, emergencycontact_id)
    services.contact_delete(acting_user=request.user, contact=contact, request=request)
    messages.success(request, _("Contact retiré : %(name)s.") % {"name": contact.name})
    return redirect("incident_contacts", request.organisation.slug)


urlpatterns = [
    path("contacts/", incident_contacts, name="incident_contacts"),
    path("contacts/ajouter/", incident_contact_add, name="incident_contact_add"),
    path("contacts/imprimer/", incident_contacts_print, name="incident_contacts_print"),
    path("contacts/<int:emergencycontact_id>/", incident_contact_edit,
         name="incident_contact_edit"),
    path("contacts/<int:emergencycontact_id>/supprimer/", incident_contact_delete,
         name="incident_contact_delete"),
]
