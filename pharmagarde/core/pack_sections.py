"""Core's part of the audit packs: who the organisation is and who has access to it.

Two sections, in every regime: the identity (name, kind, SIRET / FINESS, address, people
on the staff list) and the members with their roles and whether each has a second factor
(TOTP or security key; recovery codes alone do not count), with how many of those who
must have one do not. Three queries, whatever the number of members.
"""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import ROLES_REQUIRING_MFA, Membership, Role
from .packs import (
    CARE,
    CNIL,
    COFRAC,
    DQO,
    GENERAL,
    NIS2,
    Evidence,
    Facts,
    PackRequest,
    Paragraph,
    Section,
    Table,
)

SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
EVERY_REGIME = frozenset({GENERAL, CNIL, DQO, COFRAC, CARE, NIS2})
REFERENCES = {
    "core.members": ("ISO 15189:2022 § 7.6.2", "NIS 2, art. 21(2)(i)",
                     "NIS 2, art. 21(2)(j)", "RGPD, art. 32"),
}


def identity(pack: PackRequest) -> Section:
    organisation = pack.organisation
    today = pack.today
    people = organisation.people.filter(Q(departure_date=None) | Q(departure_date__gt=today))
    address = ", ".join(part for part in (organisation.address,
                                          f"{organisation.postal_code} {organisation.city}"
                                          .strip()) if part)
    items = [(_("Nom"), organisation.name),
             (_("Type de structure"), str(organisation.get_kind_display())),
             (_("SIRET"), organisation.siret or _("non renseigné")),
             (_("Numéro FINESS"), organisation.finess or _("non renseigné")),
             (_("Adresse"), address or _("non renseignée")),
             (_("Effectif déclaré"), str(organisation.get_size_band_display())),
             (_("Personnes dans la liste du personnel"), str(people.count()))]
    return Section(key="core.identity", title=_("La structure"), order=1,
                   blocks=[Facts(tuple(items))])


def members(pack: PackRequest) -> Section:
    organisation = pack.organisation
    has_factor = Authenticator.objects.filter(user=OuterRef("user_id"),
                                              type__in=SECOND_FACTORS)
    rows = list(Membership.objects.filter(organisation=organisation)
                .annotate(has_mfa=Exists(has_factor))
                .values_list("user__email", "role", "has_mfa", "created_at")
                .order_by("role", "user__email"))
    required = [row for row in rows
                if row[1] in ROLES_REQUIRING_MFA or organisation.require_mfa_for_all]
    missing = sum(1 for row in required if not row[2])
    labels = dict(Role.choices)
    table = Table(
        columns=(_("Compte"), _("Rôle"), _("Double authentification"), _("Membre depuis")),
        rows=tuple((email, str(labels.get(role, role)),
                    _("activée") if has_mfa else _("non activée"),
                    timezone.localdate(created_at))
                   for email, role, has_mfa, created_at in rows),
        caption=_("Les comptes qui ont accès à la structure dans Pharmagarde"),
        sheet=_("Membres"), empty=_("Aucun membre."))
    facts = Facts(((_("Membres"), str(len(rows))),
                   (_("Membres qui doivent utiliser la double authentification"),
                    str(len(required))),
                   (_("Parmi eux, sans double authentification active"), str(missing))))
    blocks = [facts, table]
    if missing:
        blocks.insert(0, Paragraph(
            ngettext("%(count)d membre qui doit utiliser la double authentification ne l'a "
                     "pas encore activée.",
                     "%(count)d membres qui doivent utiliser la double authentification ne "
                     "l'ont pas encore activée.", missing) % {"count": missing}))
    # The state of access is the state today: it is fresh when every member who must have
    # a second factor has one, and counts as missing otherwise.
    evidence = [Evidence(_("Double authentification des rôles sensibles"),
                         pack.today if not missing else None, max_age_months=None,
                         detail=_("%(missing)d sur %(required)d sans double authentification")
                         % {"missing": missing, "required": len(required)})]
    return Section(key="core.members", title=_("Membres et accès"), order=2, blocks=blocks,
                   evidence=evidence, references=REFERENCES["core.members"])


BUILDERS = {"core.identity": (identity, EVERY_REGIME), "core.members": (members, EVERY_REGIME)}


def sections(pack: PackRequest) -> list[Section]:
    return [build(pack) for build, regimes in BUILDERS.values() if pack.regime in regimes]
