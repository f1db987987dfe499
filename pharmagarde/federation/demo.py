"""Demonstration federation: « Groupement Pharmavie Ouest », a groupement of officines (and
a few laboratories) in the west, with a responsable demo login printed with the others.

Thirty small member organisations, each created by its own account (independent units, as
in real life), with a finished diagnostic of varied scores, and the demo officine
« Pharmacie du Marché » as a member too: the dashboard shows real tables, with the
laboratories' cells hidden (fewer than 11), and the officine's « Mes fédérations » shows
its place. The members' accounts are outside the demo domain (no password, not printed):
nobody signs in as them.

Rows are written directly (not through the diagnostic's services, which would answer
every question of thirty assessments): a few seconds at most. Idempotent.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from pharmagarde.core.demo import DemoAccount, _load_organisation
from pharmagarde.core.models import Membership, Organisation, OrganisationKind, Region, Role
from pharmagarde.core.registry import DemoData
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.diagnostic.referential import latest_version

from . import snapshots
from .models import FederationMember

ANNE = DemoAccount("anne.lemoine", "Anne", "Lemoine")
FEDERATION = {
    "fields": {"name": "Groupement Pharmavie Ouest", "kind": OrganisationKind.FEDERATION,
               "siret": "84567890100016", "address": "2 quai Duguay-Trouin",
               "postal_code": "35000", "city": "Rennes", "region": Region.BRE},
    "members": [(ANNE, Role.RESPONSABLE)],
}
MEMBER_DOMAIN = "membres.demo-pharmavie.example"
MEMBERS = 30
THEMES = ("gouvernance", "sauvegardes", "comptes", "postes", "reseau", "messagerie",
          "mises-a-jour", "prestataires")
JOINED = timedelta(days=90)


def _draw(*parts) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest(), 16)


def _siret(number: int) -> str:
    """A fictitious SIRET that passes the Luhn check, one per member."""
    from pharmagarde.lib.identifiers import luhn_valid

    stem = f"7{number:012d}"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def _member(number: int, federation: Organisation, version: str, counts: DemoData) -> None:
    slug = f"pharmavie-membre-{number:02d}"
    if Organisation.objects.filter(slug=slug).exists():
        return
    User = get_user_model()
    email = f"titulaire{number:02d}@{MEMBER_DOMAIN}"
    owner = User(username=email, email=email)
    owner.set_unusable_password()
    owner.save()
    kind = OrganisationKind.LBM if number % 10 == 3 else OrganisationKind.OFFICINE
    region = (Region.BRE, Region.PDL, Region.NOR)[number % 3]
    organisation = Organisation.objects.create(
        slug=slug, name=f"Pharmacie Pharmavie n° {number:02d}", kind=kind, region=region,
        siret=_siret(number), created_by=owner)
    Membership.objects.create(organisation=organisation, user=owner, role=Role.RESPONSABLE)
    score = 25 + _draw("score", number) % 70
    themes = {theme: float(max(0, min(100, score + _draw(theme, number) % 61 - 30)))
              for theme in THEMES}
    finished = timezone.now() - JOINED
    Assessment.objects.create(
        organisation=organisation, referential_version=version, organisation_kind=kind,
        size_band=organisation.size_band, status=Assessment.Status.COMPLETED,
        completed_at=finished, score=float(score), theme_scores=themes)
    FederationMember.objects.create(
        organisation=federation, member=organisation, status=FederationMember.Status.MEMBER,
        answered_at=finished, answered_by=owner, kind=kind, region=region,
        size_band=organisation.size_band)
    counts.count("membres de fédération")


def load(demo: DemoData) -> None:
    officine = demo.organisations["officine"]
    # The demo accounts share one password: the officine's responsable already has it.
    password_hash = demo.responsables["officine"].password
    federation, users = _load_organisation(FEDERATION, password_hash, demo.counts)
    demo.organisations[OrganisationKind.FEDERATION] = federation
    demo.responsables[OrganisationKind.FEDERATION] = users[ANNE]
    version = latest_version()
    for number in range(1, MEMBERS + 1):
        _member(number, federation, version, demo)
    joined = timezone.now() - JOINED
    _row, created = FederationMember.objects.get_or_create(
        organisation=federation, member=officine,
        defaults={"status": FederationMember.Status.MEMBER, "answered_at": joined,
                  "answered_by": demo.responsables["officine"], "kind": officine.kind,
                  "region": officine.region, "size_band": officine.size_band})
    demo.count("membres de fédération", int(created))
    snapshots.snapshot(federation)
