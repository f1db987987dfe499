"""A federation, its responsable and analysts, and member organisations with a finished
diagnostic, for the federation tests."""

from datetime import timedelta

from django.utils import timezone

from pharmagarde.core.models import Membership, Organisation, Role
from pharmagarde.core.selectors import period_start
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.federation.models import FederationMember
from tests.base import make_user, valid_siret

LONG_AGO = timedelta(days=60)


def make_federation(name="Groupement Test", slug="groupement", *, responsable_email=None):
    federation = Organisation.objects.create(name=name, slug=slug, kind="federation",
                                             siret=valid_siret(900000 + len(slug)))
    people = {}
    for role in (Role.RESPONSABLE, Role.REFERENT, Role.COLLABORATEUR, Role.DPO,
                 Role.AUDITEUR):
        user = make_user(f"{role}@{slug}.example", with_mfa=True)
        Membership.objects.create(organisation=federation, user=user, role=role)
        people[role] = user
    return federation, people


def make_member_org(number, *, kind="officine", region="BRE", size_band="1-9", score=None,
                    themes=None, federation=None, joined=None, creator=None):
    """An organisation created by its own account (an independent unit), with a diagnostic
    finished long ago, member of `federation` since `joined` (long ago by default)."""
    owner = creator or make_user(f"owner{number}@m{number}.example")
    organisation = Organisation.objects.create(
        name=f"Membre {number:03d}", slug=f"membre-{number}", kind=kind, region=region,
        size_band=size_band, siret=valid_siret(number), created_by=owner)
    Membership.objects.get_or_create(organisation=organisation, user=owner,
                                     defaults={"role": Role.RESPONSABLE})
    if score is not None:
        completed = timezone.now() - LONG_AGO
        Assessment.objects.create(
            organisation=organisation, referential_version="2026.1",
            organisation_kind=kind, size_band=size_band, status=Assessment.Status.COMPLETED,
            completed_at=completed, score=score, theme_scores=themes or {})
    if federation is not None:
        FederationMember.objects.create(
            organisation=federation, member=organisation, status=FederationMember.Status.MEMBER,
            answered_at=joined or timezone.now() - LONG_AGO, kind=kind, region=region,
            size_band=size_band)
    return organisation


def current_start():
    return period_start(timezone.now())


def published_keys(distributions: dict) -> tuple[list[set], set]:
    """The published distribution tables as smallcells keys: ([each table's keys], the
    hidden ones but the row totals, which the federation knows from its member list), rows
    keyed (dimension, category) as aggregates.count_tables keys them,
    for tests.lib.test_smallcells_tables.jointly_determined."""
    from pharmagarde.lib.smallcells import TOTAL

    tables, hidden = [], set()
    for dimension, table in distributions.items():
        cells = {}
        for row in table["rows"]:
            key = (dimension, tuple(row["merged"]) if row.get("merged") else row["key"])
            for col, cell in enumerate(row["cells"]):
                cells[(key, col)] = cell
            cells[(key, TOTAL)] = row["total"]
        for col, cell in enumerate(table["totals"]):
            cells[(TOTAL, col)] = cell
        cells[(TOTAL, TOTAL)] = table["grand"]
        tables.append(set(cells))
        # A row's total is known to the federation (its member list), hidden or not: the
        # check is that nothing else follows, even from it.
        # In one column, an inner cell is its row's total.
        one_column = len(table["totals"]) == 1
        hidden |= {key for key, cell in cells.items() if cell["value"] is None
                   and not (key[0] != TOTAL and (key[1] == TOTAL or one_column))}
    return tables, hidden
