"""The inventory's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import (
    Account,
    Backup,
    ColumnMapping,
    CpsCard,
    Device,
    Finding,
    ImportBatch,
    ItemChange,
    RemovableMedium,
    Software,
    WifiNetwork,
)


def get_item_or_404(request: HttpRequest, kind, pk):
    queryset = kind.model.objects.all()
    related = [f.name for f in kind.model._meta.fields
               if f.many_to_one and f.name != "organisation"]
    if related:
        queryset = queryset.select_related(*related)
    return get_owned_or_404(request, queryset, pk)


def get_finding_or_404(request: HttpRequest, pk) -> Finding:
    return get_owned_or_404(request, Finding.objects.select_related("accepted_owner"), pk)


def get_importbatch_or_404(request: HttpRequest, pk) -> ImportBatch:
    return get_owned_or_404(request, ImportBatch.objects.all(), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the inventory's tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    from pharmagarde.core.models import Person

    person = Person.objects.create(organisation=organisation, first_name="Parcours",
                                   last_name="Inventaire")
    Account.objects.create(organisation=organisation, login="parcours", holder=person)
    device = Device.objects.create(organisation=organisation, name="Poste du parcours")
    Software.objects.create(organisation=organisation, name="Logiciel du parcours").devices.add(
        device)
    WifiNetwork.objects.create(organisation=organisation, ssid="parcours")
    RemovableMedium.objects.create(organisation=organisation, label="Clé du parcours")
    CpsCard.objects.create(organisation=organisation, holder=person)
    Backup.objects.create(organisation=organisation, what="Sauvegarde du parcours")
    ImportBatch.objects.create(organisation=organisation, source=ImportBatch.Source.NMAP,
                               filename="parcours.xml")
    ColumnMapping.objects.create(organisation=organisation, target="appareils")
    ItemChange.objects.create(organisation=organisation, item_type="device", item_id=device.pk,
                              item_label=str(device), action=ItemChange.Action.CREATED)
    from .services import findings_recompute

    findings_recompute(organisation=organisation)
