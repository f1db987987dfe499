"""The inventory's pages: an overview, one list per kind (search, filters, sort, pages, bulk
removal), the item's form and history, the findings and the risks accepted."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.actions.models import Action
from pharmagarde.core import audit
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import csv_response
from pharmagarde.core.htmx import is_htmx
from pharmagarde.core.models import Person

from . import importers, plan_source, services, tables
from .access import get_finding_or_404, get_importbatch_or_404, get_item_or_404
from .kinds import KINDS, KINDS_BY_SLUG, form_for
from .models import Finding, ImportBatch, ItemChange
from .parsers.errors import ImportFileError
from .rules import RULES_BY_ID, SEVERITY_LABELS

PAGE_SIZE = 50
MAX_REVIEW = 500


def _kind(slug):
    kind = KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404
    return kind


@org_view
def inventory_home(request):
    organisation = request.organisation
    counts = [(kind, kind.model.objects.filter(organisation=organisation).count())
              for kind in KINDS]
    findings = list(Finding.objects.filter(organisation=organisation,
                                           status=Finding.Status.OPEN)[:10])
    open_count = Finding.objects.filter(organisation=organisation,
                                        status=Finding.Status.OPEN).count()
    return render(request, "inventory/home.html", {
        "counts": counts, "findings": _with_rules(findings), "open_count": open_count})


def _with_rules(findings):
    for finding in findings:
        finding.rule_obj = RULES_BY_ID.get(finding.rule)
        finding.severity_label = SEVERITY_LABELS.get(finding.severity, "")
    return findings


def _filter_value(kind, name, raw):
    field = kind.field(name)
    if field.get_internal_type() == "BooleanField":
        return {"true": True, "false": False, "inconnu": None}.get(raw, ...)
    return raw if raw in {value for value, _label in field.choices} else ...


def _filtered_items(request, kind):
    """The kind's items as the list shows them: searched, filtered, sorted. Returns the
    queryset, the search, the active filters and the sort."""
    items = kind.model.objects.filter(organisation=request.organisation)
    related = [name for name in kind.columns if kind.field(name).many_to_one]
    if related:
        items = items.select_related(*related)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        condition = Q()
        for name in kind.search:
            condition |= Q(**{f"{name}__icontains": query})
        items = items.filter(condition)
    active = {}
    for name in kind.filters:
        raw = request.GET.get(name, "")
        value = _filter_value(kind, name, raw) if raw else ...
        if value is not ...:
            items = items.filter(**({f"{name}__isnull": True} if value is None
                                    else {name: value}))
            active[name] = raw
    sort = request.GET.get("tri", "")
    if sort.removeprefix("-") in kind.columns and not kind.field(
            sort.removeprefix("-")).many_to_many:
        items = items.order_by(sort, "pk")
    return items, query, active, sort


@org_view
def item_list(request, kind):
    kind = _kind(kind)
    items, query, active, sort = _filtered_items(request, kind)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = QueryDict(mutable=True)
    for key in ("q", "tri", *kind.filters):
        if request.GET.get(key):
            keep[key] = request.GET[key]
    return render(request, "inventory/list.html", {
        "kind": kind, "page": page, "query": query, "sort": sort,
        "rows": [(item, [_cell(item, name) for name in kind.columns]) for item in page],
        "headers": [(name, kind.field(name).verbose_name) for name in kind.columns],
        "filters": [_filter_choices(kind, name, active.get(name, "")) for name in kind.filters],
        "querystring": keep.urlencode(), "filtered": bool(query or active),
    })


@org_view
def item_export(request, kind):
    """The list as it is filtered, every field of the form, as French Excel opens it."""
    kind = _kind(kind)
    items, _query, active, _sort = _filtered_items(request, kind)
    many = [name for name in kind.fields if kind.field(name).many_to_many]
    related = [name for name in kind.fields if kind.field(name).many_to_one]
    items = items.select_related(*related).prefetch_related(*many)
    audit.record("inventory.exported", request=request, organisation=request.organisation,
                 details={"type": str(kind.label), "filtres": len(active)})
    header = [str(capfirst(kind.field(name).verbose_name)) for name in kind.fields]
    rows = (list(services.display_values(kind, item).values())
            for item in items.iterator(chunk_size=2000))
    return csv_response(header, rows, stem=f"inventaire-{kind.slug}")


def _filter_choices(kind, name, current):
    field = kind.field(name)
    if field.get_internal_type() == "BooleanField":
        choices = [("true", _("Oui")), ("false", _("Non"))]
        if field.null:
            choices.append(("inconnu", _("Je ne sais pas")))
    else:
        choices = [(value, label) for value, label in field.choices]
    return {"name": name, "label": field.verbose_name, "choices": choices, "current": current}


def _cell(item, name):
    field = item._meta.get_field(name)
    value = getattr(item, name)
    if field.choices:
        return getattr(item, f"get_{name}_display")()
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    if value is None or value == "":
        return "?" if field.get_internal_type() == "BooleanField" else "—"
    return value


@org_view(write=True)
def item_add(request, kind):
    kind = _kind(kind)
    form = form_for(kind, request.organisation)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.item_save(acting_user=request.user, organisation=request.organisation,
                                  form=form, request=request)
        messages.success(request, _("« %(item)s » est ajouté à l'inventaire.") % {"item": item})
        return redirect("inventory_list", org_slug=request.organisation.slug, kind=kind.slug)
    return render(request, "inventory/form.html", {"kind": kind, "form": form})


@org_view
def item_edit(request, kind, **ids):
    kind = _kind(kind)
    item = get_item_or_404(request, kind, ids[kind.param])
    form = form_for(kind, request.organisation)(request.POST or None, instance=item)
    conflict = None
    if request.method == "POST" and form.is_valid():
        revision = _revision(request.POST.get("revision"))
        try:
            services.item_save(acting_user=request.user, organisation=request.organisation,
                               form=form, revision=revision, request=request)
        except services.ItemConflict as error:
            conflict = error.current
            messages.error(request, _("Quelqu'un d'autre vient de modifier cet élément : "
                                      "voici sa version. Refaites vos changements si "
                                      "besoin."))
            form = form_for(kind, request.organisation)(instance=conflict)
            item = conflict
        else:
            messages.success(request, _("« %(item)s » est enregistré.") % {"item": item})
            return redirect("inventory_list", org_slug=request.organisation.slug,
                            kind=kind.slug)
    return render(request, "inventory/form.html", {
        "kind": kind, "form": form, "item": item, "conflict": conflict,
        "findings": _with_rules(list(Finding.objects.filter(
            organisation=request.organisation, subject=f"{item._meta.model_name}:{item.pk}",
            status=Finding.Status.OPEN)))})


@org_view
def item_row(request, kind, **ids):
    """One row of a list, edited in place with htmx: GET gives its form, POST saves it and
    gives the row back (or the form with its errors). Without JavaScript the list links to
    the full form instead, so this address only answers htmx."""
    kind = _kind(kind)
    item = get_item_or_404(request, kind, ids[kind.param])
    if not is_htmx(request):
        return redirect(kind.url_name, org_slug=request.organisation.slug,
                        **{kind.param: item.pk})
    if request.method == "GET" and request.GET.get("annuler"):
        return render(request, "inventory/_row.html", _row_context(kind, item))
    if not request.membership.can_write:
        raise PermissionDenied
    form_class = form_for(kind, request.organisation, kind.inline_fields)
    form = form_class(request.POST or None, instance=item)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.item_save(acting_user=request.user,
                                   organisation=request.organisation, form=form,
                                   revision=_revision(request.POST.get("revision")),
                                   request=request)
            except services.ItemConflict as error:
                form = form_class(instance=error.current)
                item, status = error.current, 409
                form.conflict = True
            else:
                item.refresh_from_db()
                return render(request, "inventory/_row.html",
                              {**_row_context(kind, item), "saved": True})
        else:
            status = 422
    return render(request, "inventory/_row_form.html",
                  {"kind": kind, "item": item, "form": form}, status=status)


def _row_context(kind, item):
    return {"kind": kind, "item": item, "cells": [_cell(item, name) for name in kind.columns]}


def _revision(raw):
    return int(raw) if raw and raw.isdigit() else None


@org_view
def item_history(request, kind, **ids):
    kind = _kind(kind)
    item = get_item_or_404(request, kind, ids[kind.param])
    changes = ItemChange.objects.filter(
        organisation=request.organisation, item_type=item._meta.model_name,
        item_id=item.pk).select_related("actor")
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inventory/history.html", {"kind": kind, "item": item, "page": page})


@org_view(write=True)
@require_POST
def item_delete(request, kind, **ids):
    kind = _kind(kind)
    item = get_item_or_404(request, kind, ids[kind.param])
    label = str(item)
    services.items_delete(acting_user=request.user, organisation=request.organisation,
                          items=[item], request=request)
    messages.success(request, _("« %(item)s » est retiré de l'inventaire.") % {"item": label})
    return redirect("inventory_list", org_slug=request.organisation.slug, kind=kind.slug)


@org_view(write=True)
@require_POST
def item_bulk(request, kind):
    kind = _kind(kind)
    ids = [raw for raw in request.POST.getlist("selection") if raw.isdigit()][:1000]
    if request.POST.get("action") != "supprimer" or not ids:
        messages.error(request, _("Cochez au moins un élément, puis choisissez l'action."))
        return redirect("inventory_list", org_slug=request.organisation.slug, kind=kind.slug)
    items = kind.model.objects.filter(organisation=request.organisation, pk__in=ids)
    count = services.items_delete(acting_user=request.user, organisation=request.organisation,
                                  items=items, request=request)
    messages.success(request, _("%(count)d élément(s) retiré(s) de l'inventaire.")
                     % {"count": count})
    return redirect("inventory_list", org_slug=request.organisation.slug, kind=kind.slug)


STATUS_FILTERS = {"ouverts": Finding.Status.OPEN, "acceptes": Finding.Status.ACCEPTED,
                  "resolus": Finding.Status.RESOLVED}


@org_view
def finding_list(request):
    status = request.GET.get("statut", "ouverts")
    if status not in STATUS_FILTERS:
        status = "ouverts"
    findings = Finding.objects.filter(organisation=request.organisation,
                                      status=STATUS_FILTERS[status]).select_related(
        "accepted_owner")
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_rules(page.object_list)
    # Each open finding's action in the plan (one per rule), for a direct link.
    actions = dict(Action.objects.filter(organisation=request.organisation,
                                         source=plan_source.SOURCE.name)
                   .values_list("source_key", "pk"))
    for finding in page.object_list:
        finding.action_id = actions.get(finding.rule) if finding.status == Finding.Status.OPEN \
            else None
    return render(request, "inventory/findings.html", {
        "page": page, "status": status, "querystring": f"statut={status}",
        "statuses": [("ouverts", _("Ouverts")), ("acceptes", _("Risques acceptés")),
                     ("resolus", _("Résolus"))]})


class AcceptForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Pourquoi ce risque est-il accepté ?"),
                             max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=gettext_lazy("Qui en répond ?"),
                                   queryset=Person.objects.none(),
                                   empty_label=gettext_lazy("— choisissez une personne —"))
    until = forms.DateField(label=gettext_lazy("Jusqu'à quand ?"),
                            help_text=gettext_lazy("Le constat revient à cette date. Un an "
                                                   "au plus."),
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone who has left cannot answer for a risk.
        self.fields["owner"].queryset = Person.objects.filter(
            organisation=organisation).exclude(departure_date__lte=timezone.localdate())

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise forms.ValidationError(_("Choisissez une date à venir."))
        if until > today.replace(year=today.year + 1):
            raise forms.ValidationError(_("Un an au plus : un risque accepté se revoit au "
                                          "moins chaque année."))
        return until


@org_view(write=True)
def finding_accept(request, finding_id):
    finding = get_finding_or_404(request, finding_id)
    _with_rules([finding])
    form = AcceptForm(request.POST or None, organisation=request.organisation)
    if finding.status != Finding.Status.OPEN:
        messages.error(request, _("Seul un constat ouvert peut être accepté comme risque."))
        return redirect("inventory_findings", org_slug=request.organisation.slug)
    if request.method == "POST" and form.is_valid():
        services.finding_accept(acting_user=request.user, finding=finding,
                                reason=form.cleaned_data["reason"],
                                owner=form.cleaned_data["owner"],
                                until=form.cleaned_data["until"], request=request)
        messages.success(request, _("Le risque est accepté jusqu'au %(date)s.")
                         % {"date": form.cleaned_data["until"].strftime("%d/%m/%Y")})
        return redirect("inventory_findings", org_slug=request.organisation.slug)
    return render(request, "inventory/finding_accept.html", {"finding": finding, "form": form})


@org_view(write=True)
@require_POST
def finding_reopen(request, finding_id):
    finding = get_finding_or_404(request, finding_id)
    if finding.status == Finding.Status.ACCEPTED:
        services.finding_reopen(acting_user=request.user, finding=finding, request=request)
        messages.success(request, _("Le constat est rouvert."))
    return redirect("inventory_findings", org_slug=request.organisation.slug)


class ImportForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Type de fichier"), widget=forms.RadioSelect,
                               choices=ImportBatch.Source.choices)
    target = forms.ChoiceField(
        label=gettext_lazy("Pour un tableau : que contient-il ?"), required=False,
        choices=[("", gettext_lazy("— choisissez —")), *tables.TARGET_LABELS.items()])
    file = forms.FileField(label=gettext_lazy("Fichier"),
                           help_text=gettext_lazy("CSV ou Excel pour un tableau ou un export "
                                                  "Active Directory, XML (nmap -oX) pour un "
                                                  "scan ; 50 Mo au plus."))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 50 Mo : découpez-le ou "
                                          "filtrez l'export."))
        return file

    def clean(self):
        data = super().clean()
        if data.get("source") == ImportBatch.Source.TABLE and not data.get("target"):
            self.add_error("target", _("Dites ce que contient le tableau : personnel, comptes "
                                       "ou appareils."))
        return data


MAX_IMPORT_BYTES = 50 * 1024 * 1024


@org_view(write=True)
def import_start(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    prepared = None
    if request.method == "POST" and form.is_valid():
        upload, source = form.cleaned_data["file"], form.cleaned_data["source"]
        if source == ImportBatch.Source.TABLE:
            try:
                batch = tables.read_upload(acting_user=request.user,
                                           organisation=request.organisation,
                                           target=form.cleaned_data["target"], file=upload,
                                           filename=upload.name)
            except ImportFileError as error:
                prepared = importers.Prepared(errors=[(error.line, error.message)])
            else:
                return redirect("inventory_import_columns", org_slug=request.organisation.slug,
                                importbatch_id=batch.pk)
        else:
            prepare = (importers.prepare_ad if source == ImportBatch.Source.AD
                       else importers.prepare_nmap)
            prepared = prepare(acting_user=request.user, organisation=request.organisation,
                               file=upload, filename=upload.name)
            if prepared.batch is not None:
                return redirect("inventory_import_preview",
                                org_slug=request.organisation.slug,
                                importbatch_id=prepared.batch.pk)
    return render(request, "inventory/import.html", {"form": form, "prepared": prepared},
                  status=422 if prepared else 200)


@org_view(write=True)
def import_preview(request, importbatch_id):
    batch = get_importbatch_or_404(request, importbatch_id)
    if batch.source == ImportBatch.Source.TABLE and batch.summary.get("stage") != "preview":
        return redirect("inventory_import_columns", org_slug=request.organisation.slug,
                        importbatch_id=batch.pk)
    if request.method == "POST":
        review = {key.removeprefix("titulaire-"): value for key, value in request.POST.items()
                  if key.startswith("titulaire-") and value.isdigit()}
        summary = importers.batch_apply(acting_user=request.user, batch=batch, request=request,
                                        review=review)
        messages.success(request, _("Import terminé : %(created)d ajouté(s), %(changed)d mis à "
                                    "jour.") % {"created": summary.get("created", 0),
                                               "changed": summary.get("changed", 0)})
        if batch.source == ImportBatch.Source.TABLE and batch.summary["target"] == "personnel":
            return redirect("person_list", org_slug=request.organisation.slug)
        slug = {ImportBatch.Source.AD: "comptes", ImportBatch.Source.NMAP: "appareils"}.get(
            batch.source, batch.summary.get("target", "appareils"))
        return redirect("inventory_list", org_slug=request.organisation.slug, kind=slug)
    page = Paginator(batch.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    fields = tables.TARGETS.get(batch.summary.get("target"), ())
    page.object_list = importers.preview_rows(batch, page.object_list)
    if batch.source == ImportBatch.Source.TABLE:
        page.object_list = [{**row, "cells": [row["values"].get(f.name) for f in fields]}
                            for row in page.object_list]
    # Every account to review, whatever page it is on: the choices go with the confirmation.
    review = importers.review_rows(batch, MAX_REVIEW) \
        if batch.source == ImportBatch.Source.AD and not batch.applied_at else []
    return render(request, "inventory/import_preview.html",
                  {"batch": batch, "page": page, "fields": fields, "review": review})


def _columns_form(batch, data=None):
    columns = batch.summary["columns"]
    choices = [("", _("— ne pas importer —")), *[(c, c) for c in columns]]
    guessed = tables.guess_mapping(batch.organisation, batch.summary["target"], columns)
    form = forms.Form(data)
    for field in tables.TARGETS[batch.summary["target"]]:
        form.fields[field.name] = forms.ChoiceField(
            label=field.label + (" *" if field.required else ""), choices=choices,
            required=False, initial=guessed.get(field.name, ""))
    return form


@org_view(write=True)
def import_columns(request, importbatch_id):
    batch = get_importbatch_or_404(request, importbatch_id)
    if batch.source != ImportBatch.Source.TABLE or batch.applied_at:
        return redirect("inventory_import_preview", org_slug=request.organisation.slug,
                        importbatch_id=batch.pk)
    form = _columns_form(batch, request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        mapping = dict(form.cleaned_data)  # "" for the fields left out
        errors = tables.check_rows(batch, mapping)
        if not errors:
            return redirect("inventory_import_preview", org_slug=request.organisation.slug,
                            importbatch_id=batch.pk)
    return render(request, "inventory/import_columns.html",
                  {"batch": batch, "form": form, "errors": errors,
                   "sample": batch.rows[:3] if batch.summary.get("stage") == "mapping" else []},
                  status=422 if errors else 200)


@org_view
def import_template(request, target):
    if target not in tables.TARGETS:
        raise Http404
    response = StreamingHttpResponse(tables.template_csv(target),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele-{target}.csv"'
    return response
