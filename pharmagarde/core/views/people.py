from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..access import get_person_or_404, org_view
from ..forms import PersonForm

PAGE_SIZE = 50


@org_view
def person_list(request):
    people = request.organisation.people.select_related("user")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        people = people.filter(Q(last_name__icontains=query) | Q(first_name__icontains=query)
                               | Q(email__icontains=query) | Q(job__icontains=query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/person_list.html", {"page": page, "query": query})


@org_view
def person_new(request):
    form = PersonForm(request.POST or None, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        person = services.person_save(acting_user=request.user, person=form.instance,
                                      request=request)
        messages.success(request, _("%(name)s est ajouté(e) au personnel.") % {"name": person})
        return redirect("person_list", org_slug=request.organisation.slug)
    return render(request, "core/person_form.html", {"form": form})


@org_view
def person_edit(request, person_id):
    person = get_person_or_404(request, person_id)
    form = PersonForm(request.POST or None, instance=person, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.person_save(acting_user=request.user, person=form.instance, request=request)
        messages.success(request, _("La fiche de %(name)s est enregistrée.") % {"name": person})
        return redirect("person_list", org_slug=request.organisation.slug)
    return render(request, "core/person_form.html", {"form": form, "person": person})


@org_view(write=True)
@require_POST
def person_delete(request, person_id):
    person = get_person_or_404(request, person_id)
    services.person_delete(acting_user=request.user, person=person, request=request)
    messages.success(request, _("%(name)s est retiré(e) du personnel.") % {"name": person})
    return redirect("person_list", org_slug=request.organisation.slug)
