"""Demonstration inventory of the officine: a few accounts, devices, a Wi-Fi, a backup and
the CPS cards, chosen so that the findings show what the rules catch (the adjoint who left
six weeks ago still has his Windows session; the old back-office PC runs Windows 10; the
backup has no offline copy), next to items that are fine. The restore test written here is
overdue; the continuity demo then logs two restore tests of this backup, which bring it up
to date through the inventory's own service."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pharmagarde.core.models import Person
from pharmagarde.core.registry import DemoData

from .models import Account, Backup, CpsCard, Device, Software, WifiNetwork
from .services import findings_recompute


def load(demo: DemoData) -> None:
    organisation = demo.organisations["officine"]
    if Device.objects.filter(organisation=organisation).exists():
        return
    today = timezone.localdate()
    people = {p.last_name: p for p in Person.objects.filter(organisation=organisation)}
    staff = sorted(people.values(), key=lambda p: (p.departure_date is None, p.last_name))
    departed = next((p for p in staff if p.departure_date), None)
    present = [p for p in staff if not p.departure_date]
    with transaction.atomic():
        for index, person in enumerate(present[:4]):
            Account.objects.create(organisation=organisation, system=Account.System.WINDOWS,
                                   login=f"{person.first_name[0]}{person.last_name}".lower(),
                                   holder=person, mfa=None, last_used=today - timedelta(days=1),
                                   is_admin=index == 0)
        if departed:
            Account.objects.create(organisation=organisation, system=Account.System.WINDOWS,
                                   login=f"{departed.first_name[0]}{departed.last_name}".lower(),
                                   holder=departed, last_used=departed.departure_date)
        Account.objects.create(organisation=organisation, system=Account.System.WINDOWS,
                               login="Administrateur", holder_kind=Account.Holder.SHARED,
                               is_admin=True, mfa=False, password_never_expires=True,
                               password_last_set=today - timedelta(days=5 * 365))
        Account.objects.create(organisation=organisation, system=Account.System.BANQUE,
                               system_name="Banque de l'officine", login="pharmacie-compta",
                               holder=present[0] if present else None, mfa=True)
        comptoir = Device.objects.create(
            organisation=organisation, name="Comptoir 1", kind=Device.Kind.WORKSTATION,
            os_name="Windows 11 Pro", os_version="25H2", last_update=today - timedelta(days=3),
            antivirus=True, location="Comptoir", ip_address="192.168.1.21")
        Device.objects.create(
            organisation=organisation, name="Poste du bureau", kind=Device.Kind.WORKSTATION,
            os_name="Windows 10 Professionnel", os_version="22H2",
            last_update=today - timedelta(days=75), antivirus=True, location="Bureau",
            ip_address="192.168.1.30",
            open_ports=[{"port": 3389, "protocol": "tcp", "service": "ms-wbt-server",
                         "product": "", "version": ""}])
        Device.objects.create(
            organisation=organisation, name="Portable de la titulaire", kind=Device.Kind.LAPTOP,
            os_name="Windows 11 Pro", os_version="25H2", last_update=today - timedelta(days=6),
            disk_encrypted=False, owner=present[0] if present else None)
        Device.objects.create(organisation=organisation, name="Box de l'opérateur",
                              kind=Device.Kind.ROUTER, ip_address="192.168.1.1")
        software = Software.objects.create(organisation=organisation, name="LGO",
                                           vendor="Éditeur du LGO", version="2026.3")
        software.devices.add(comptoir)
        WifiNetwork.objects.create(organisation=organisation, ssid="Pharmacie-Equipe",
                                   security=WifiNetwork.Security.WPA2)
        WifiNetwork.objects.create(organisation=organisation, ssid="Pharmacie-Clients",
                                   security=WifiNetwork.Security.OPEN, is_guest=True,
                                   separated=False)
        Backup.objects.create(organisation=organisation, what="Base du LGO",
                              where="NAS dans le bureau", frequency="Chaque nuit",
                              offline_copy=False, encrypted=True,
                              last_restore_test=today - timedelta(days=500))
        for person in present[:2]:
            CpsCard.objects.create(organisation=organisation, holder=person, kept_secure=True)
        findings_recompute(organisation=organisation, acting_user=demo.responsables["officine"])
    demo.count("éléments d'inventaire", Device.objects.filter(organisation=organisation).count())
