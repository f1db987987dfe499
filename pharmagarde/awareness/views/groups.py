"""Staff groups: the list with their sizes, a group made by hand (or a site), editing one,
and the import of the directory's groups from a CSV file (a preview of what changes, then
the confirmation).

The responsable and the référent write (MANAGE_ROLES); the DPO and the auditor read."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import org_view
from pharmagarde.core.models import Person

from .. import group_services as services
from ..access import get_staffgroup_or_404
from ..models import StaffGroup
from ..roles import MANAGE_ROLES, READ_ROLES

PAGE_SIZE = 50


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom du groupe"), max_length=150,
                           help_text=gettext_lazy("Par exemple : Comptoir, Préparatoire, "
                                                  "Site de Lyon."),
                           error_messages={"required": gettext_lazy("Donnez un nom au "
                                                                    "groupe.")})
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=StaffGroup.Kind.choices, widget=forms.RadioSelect,
        initial=StaffGroup.Kind.MANUAL,
        help_text=gettext_lazy("Un site regroupe les personnes d'un même lieu : les résultats "
                               "des campagnes se lisent aussi par site."),
        error_messages={"required": gettext_lazy("Choisissez le type du groupe.")})
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Membres"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des personnes de la "
                                                       "liste.")})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Person.objects.filter(
            organisation=organisation).order_by("last_name", "first_name", "pk")
        self.fields["members"].label_from_instance = lambda person: (
            f"{person.first_name} {person.last_name}"
            + (f" — {person.email}" if person.email else _(" — sans adresse e-mail")))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"), required=False,
        help_text=gettext_lazy("Deux colonnes : le groupe, puis l'adresse e-mail de la "
                               "personne (séparées par « ; » ou « , »). Un export Excel ou de "
                               "l'annuaire convient. 1 Mo au plus."))
    content = forms.CharField(widget=forms.HiddenInput, required=False)


@org_view(roles=READ_ROLES)
def awareness_groups(request):
    """The groups with their number of members: two queries, whatever their number."""
    groups = (StaffGroup.objects.filter(organisation=request.organisation)
              .annotate(size=Count("members")).order_by("kind", "name", "id"))
    return render(request, "awareness/group_list.html", {
        "page": Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_edit": request.membership.role in MANAGE_ROLES})


def _group_form(request, group):
    initial = {"name": group.name, "kind": group.kind,
               "members": list(group.members.all())} if group else {}
    form = GroupForm(request.POST or None, organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_save(acting_user=request.user, organisation=request.organisation,
                                name=data["name"], kind=data["kind"],
                                members=list(data["members"]), group=group, request=request)
        except services.GroupNameTaken as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("Groupe enregistré."))
            return redirect("awareness_groups", request.organisation.slug)
    return render(request, "awareness/group_form.html", {"form": form, "group": group})


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_group_new(request):
    return _group_form(request, None)


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_group_edit(request, staffgroup_id):
    return _group_form(request, get_staffgroup_or_404(request, staffgroup_id))


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_groups_import(request):
    """GET: the form. POST with a file: the preview (the file's text kept in the page).
    POST with « confirmer »: the import of that text, all or nothing."""
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" \
        else ImportForm()
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload is not None:
            if upload.size > services.MAX_BYTES:
                form.add_error("file", _("Le fichier dépasse 1 Mo : découpez-le."))
                text = ""
            else:
                text = services.decode(upload.read())
        else:
            text = form.cleaned_data["content"]
        if not text and not form.errors:
            form.add_error("file", _("Choisissez le fichier CSV à importer."))
        if text:
            plan = services.import_plan(text, request.organisation)
            if not plan.errors and "confirmer" in request.POST and upload is None:
                count = services.groups_import(acting_user=request.user,
                                               organisation=request.organisation, plan=plan,
                                               request=request)
                messages.success(request, _("%(n)s groupe(s) de l'annuaire importé(s).")
                                 % {"n": count})
                return redirect("awareness_groups", request.organisation.slug)
            form = ImportForm(initial={"content": text})
    return render(request, "awareness/group_import.html", {"form": form, "plan": plan})


urlpatterns = [
    path("groupes/", awareness_groups, name="awareness_groups"),
    path("groupes/nouveau/", awareness_group_new, name="awareness_group_new"),
    path("groupes/importer/", awareness_groups_import, name="awareness_groups_import"),
    path("groupes/<int:staffgroup_id>/", awareness_group_edit, name="awareness_group_edit"),
]
