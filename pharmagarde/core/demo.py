"""Demonstration data: four structures, their staff and one account per role.

Loading is idempotent (rows are looked up before they are created), so `pharmagarde up`
can run at every start. The accounts live in DEMO_DOMAIN, and only those accounts get
their MFA code shown by `pharmagarde demo --code`.

Secrets are per installation, never in the source: the shared password is drawn at the
first load and kept in the data directory (mode 0600); each account that needs MFA gets its
own random TOTP secret, kept (as allauth keeps it) in its authenticator.
"""

import os
import secrets
import string
import time
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from . import audit, services
from .models import (
    ROLES_REQUIRING_MFA,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Region,
    Role,
    SizeBand,
)
from .registry import DemoData, hooks

DEMO_DOMAIN = "demo.pharmagarde.fr"


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    first_name: str
    last_name: str

    @property
    def email(self):
        return f"{self.local_part}@{DEMO_DOMAIN}"


def _account(local_part, first_name, last_name):
    return DemoAccount(local_part, first_name, last_name)


CLAIRE = _account("claire.martin", "Claire", "Martin")
THOMAS = _account("thomas.bernard", "Thomas", "Bernard")
SOPHIE = _account("sophie.petit", "Sophie", "Petit")
NICOLAS = _account("nicolas.moreau", "Nicolas", "Moreau")
MARC = _account("marc.lefevre", "Marc", "Lefèvre")
INES = _account("ines.garnier", "Inès", "Garnier")
HELENE = _account("helene.roux", "Hélène", "Roux")
KARIM = _account("karim.benali", "Karim", "Benali")
FRANCOIS = _account("francois.girard", "François", "Girard")
NADIA = _account("nadia.chevalier", "Nadia", "Chevalier")
PAUL = _account("paul.fontaine", "Paul", "Fontaine")
JULIE = _account("julie.mercier", "Julie", "Mercier")
ALEXANDRE = _account("alexandre.blanc", "Alexandre", "Blanc")
LUCAS = _account("lucas.dubois", "Lucas", "Dubois")
EMILIE = _account("emilie.laurent", "Émilie", "Laurent")
YANN = _account("yann.legall", "Yann", "Le Gall")
CELINE = _account("celine.morel", "Céline", "Morel")
OLIVIER = _account("olivier.faure", "Olivier", "Faure")
SANDRINE = _account("sandrine.guerin", "Sandrine", "Guérin")
BRUNO = _account("bruno.perrin", "Bruno", "Perrin")
# The IT provider who looks after three of the structures: « Toutes mes structures ».
PRESTATAIRE = _account("prestataire", "Gaëlle", "Prestataire")

# The identifiers are fictitious but pass their check digit (Luhn), like real ones.
# The first member listed is the responsable who creates the structure.
ORGANISATIONS = [
    {
        "fields": {
            "name": "Pharmacie du Marché", "kind": OrganisationKind.OFFICINE,
            "siret": "81234567800013", "finess": "350001236",
            "address": "12 place des Lices", "postal_code": "35000", "city": "Rennes",
            "region": Region.BRE, "size_band": SizeBand.MICRO,
        },
        # Every role, so that each screen can be seen as each kind of user.
        "members": [(CLAIRE, Role.RESPONSABLE), (THOMAS, Role.REFERENT),
                    (SOPHIE, Role.COLLABORATEUR), (NICOLAS, Role.COLLABORATEUR),
                    (MARC, Role.DPO), (INES, Role.AUDITEUR), (PRESTATAIRE, Role.REFERENT)],
    },
    {
        "fields": {
            "name": "Laboratoire BioSanté Rennes", "kind": OrganisationKind.LBM,
            "siret": "82345678900010", "finess": "350104568",
            "address": "4 rue de Brest", "postal_code": "35000", "city": "Rennes",
            "region": Region.BRE, "size_band": SizeBand.SMALL,
        },
        # Marc is the DPO of both structures: he sees the organisation switcher.
        "members": [(HELENE, Role.RESPONSABLE), (KARIM, Role.REFERENT), (MARC, Role.DPO),
                    (LUCAS, Role.COLLABORATEUR), (EMILIE, Role.AUDITEUR),
                    (PRESTATAIRE, Role.REFERENT)],
    },
    {
        "fields": {
            "name": "PUI du Centre hospitalier de Vitré", "kind": OrganisationKind.PUI,
            "siret": "26350012300017", "finess": "350107892",
            "address": "30 route de Rennes", "postal_code": "35500", "city": "Vitré",
            "region": Region.BRE, "size_band": SizeBand.MEDIUM,
        },
        "members": [(FRANCOIS, Role.RESPONSABLE), (YANN, Role.REFERENT),
                    (NADIA, Role.COLLABORATEUR), (CELINE, Role.DPO), (OLIVIER, Role.AUDITEUR),
                    (PRESTATAIRE, Role.REFERENT)],
    },
    {
        "fields": {
            "name": "Répartition Ouest Santé", "kind": OrganisationKind.DISTRIBUTION,
            "siret": "83456789000027",
            "address": "8 boulevard de la Prairie au Duc", "postal_code": "44200",
            "city": "Nantes", "region": Region.PDL, "size_band": SizeBand.MEDIUM,
        },
        "members": [(PAUL, Role.RESPONSABLE), (JULIE, Role.REFERENT),
                    (ALEXANDRE, Role.COLLABORATEUR), (SANDRINE, Role.DPO),
                    (BRUNO, Role.AUDITEUR)],
    },
]


def _officine_staff(today):
    """The eight people of the officine; four of them have a login."""
    return [
        (CLAIRE, "Pharmacienne titulaire", date(2012, 9, 1), None),
        (THOMAS, "Pharmacien adjoint", date(2016, 3, 14), None),
        (SOPHIE, "Préparatrice", date(2018, 1, 8), None),
        # Left six weeks ago, account still active: what the inventory must catch.
        (NICOLAS, "Pharmacien adjoint", date(2019, 5, 2), today - timedelta(days=42)),
        (_account("", "Camille", "Laurent"), "Préparatrice", date(2014, 6, 2), None),
        (_account("", "Julien", "Robert"), "Préparateur", date(2021, 9, 1), None),
        (_account("", "Emma", "Richard"), "Rayonniste", date(2022, 4, 19), None),
        (_account("", "Léa", "Durand"), "Apprentie préparatrice", date(2024, 9, 2), None),
    ]


def is_demo_email(email):
    return (email or "").strip().lower().endswith("@" + DEMO_DOMAIN)


def password_path():
    return settings.DATA_DIR / "demo_password"


def _new_password():
    """16 characters of four kinds (CNIL 2022), about 42 bits drawn at random."""
    digits = "".join(secrets.choice(string.digits) for _ in range(4))
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))
    return f"Demo-{digits}-{letters}"


def demo_password(*, create=False):
    """The installation's demo password, or None if it has not been drawn yet."""
    path = password_path()
    if path.is_file():
        return path.read_text().strip() or None
    if not create:
        return None
    password = _new_password()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def demo_users():
    return get_user_model().objects.filter(email__iendswith="@" + DEMO_DOMAIN)


def _get_or_create_user(account, password_hash):
    User = get_user_model()
    user = User.objects.filter(email__iexact=account.email).first()
    created = user is None
    if created:
        user = User.objects.create(
            username=account.email, email=account.email, password=password_hash,
            first_name=account.first_name, last_name=account.last_name,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=account.email, defaults={"verified": True, "primary": True}
    )
    return user, created


def _ensure_totp(user):
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def _load_organisation(spec, password_hash, counts):
    fields = spec["fields"]
    members = spec["members"]
    users = {}
    for account, role in members:
        users[account], created = _get_or_create_user(account, password_hash)
        counts["comptes"] += created
        if role in ROLES_REQUIRING_MFA:
            _ensure_totp(users[account])
    responsable = users[members[0][0]]
    organisation = Organisation.objects.filter(name=fields["name"],
                                               siret=fields["siret"]).first()
    if organisation is None:
        organisation = services.organisation_create(acting_user=responsable, **fields)
        counts["structures"] += 1
    for account, role in members:
        _, created = Membership.objects.get_or_create(
            organisation=organisation, user=users[account], defaults={"role": role}
        )
        counts["rôles"] += created
    return organisation, users


def _load_staff(organisation, users, counts):
    acting_user = next(iter(users.values()))
    for account, job, arrival, departure in _officine_staff(timezone.localdate()):
        exists = Person.objects.filter(organisation=organisation, first_name=account.first_name,
                                       last_name=account.last_name).exists()
        if exists:
            continue
        person = Person(
            organisation=organisation, first_name=account.first_name,
            last_name=account.last_name, job=job, arrival_date=arrival,
            departure_date=departure, email=account.email if account.local_part else "",
            user=users.get(account),
        )
        person.full_clean()
        services.person_save(acting_user=acting_user, person=person)
        counts["personnes"] += 1


def load():
    """Create what is missing; returns the counts of rows created (all 0 the second time)."""
    # A new password drawn while accounts exist (its file was lost): they all take it.
    drawn = not password_path().is_file()
    password = demo_password(create=True)
    validate_password(password)
    counts = {"structures": 0, "comptes": 0, "rôles": 0, "personnes": 0}
    # One hash for all: the accounts share the password anyway, and Argon2 is slow on purpose.
    password_hash = make_password(password)
    with transaction.atomic():
        if drawn:
            demo_users().update(password=password_hash)
        demo = DemoData(organisations={}, responsables={}, counts=counts)
        for index, spec in enumerate(ORGANISATIONS):
            organisation, users = _load_organisation(spec, password_hash, counts)
            demo.organisations[organisation.kind] = organisation
            demo.responsables[organisation.kind] = users[spec["members"][0][0]]
            if index == 0:
                officine = organisation
                _load_staff(organisation, users, counts)
        # Then each app's own demo, in INSTALLED_APPS order (the diagnostic fills the plan
        # before the plan schedules it).
        for load_app_demo in hooks("demo"):
            load_app_demo(demo)
        if any(counts.values()):
            audit.record("demo.loaded", actor_label="pharmagarde demo", organisation=officine,
                         obj=officine, details=counts)
    return counts


class NotADemoAccount(Exception):
    pass


class NoAuthenticator(Exception):
    """A demo account whose roles do not require MFA, so it has no TOTP secret."""


def totp_secret(user):
    authenticator = Authenticator.objects.filter(user=user,
                                                 type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def current_code(email, now=None):
    """The 6-digit code a demo account's authenticator app would show right now."""
    if not is_demo_email(email):
        raise NotADemoAccount(email)
    user = demo_users().filter(email__iexact=email.strip()).first()
    if user is None:
        raise NotADemoAccount(email)
    secret = totp_secret(user)
    if secret is None:
        raise NoAuthenticator(email)
    counter = int(now if now is not None else time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def accounts_summary():
    """(structure, role label, email, TOTP secret or None) for every demo membership."""
    order = {spec["fields"]["name"]: index for index, spec in enumerate(ORGANISATIONS)}
    memberships = sorted(
        Membership.objects.filter(user__in=demo_users()).select_related("organisation", "user"),
        key=lambda m: (order.get(m.organisation.name, len(order)), m.organisation.name, m.id),
    )
    secrets_by_user = {}
    rows = []
    for membership in memberships:
        user = membership.user
        if user.pk not in secrets_by_user:
            secrets_by_user[user.pk] = totp_secret(user)
        rows.append((membership.organisation.name, membership.get_role_display(),
                     user.email, secrets_by_user[user.pk]))
    return rows


def banner(prog="pharmagarde"):
    """The demo accounts, as `up` and `demo` print them: who, where, password, MFA."""
    rows = accounts_summary()
    if not rows:
        return ""
    password = demo_password()
    rule = "=" * 78
    lines = [
        rule,
        " COMPTES DE DÉMONSTRATION — fictifs, à ne jamais utiliser en production",
        rule,
        f" Mot de passe commun : {password}" if password else
        f" Mot de passe perdu : relancez « {prog} demo » pour en tirer un nouveau.",
        "",
    ]
    current = None
    for organisation, role, email, _secret in rows:
        if organisation != current:
            lines.append(f" {organisation}")
            current = organisation
        lines.append(f"   {email:<40} {role.split(' (')[0]}")
    with_mfa = {email: secret for _, _, email, secret in rows if secret}
    if with_mfa:
        example = next(iter(with_mfa))
        lines += [
            "",
            " Double authentification (responsables et référents) : le code à 6 chiffres",
            f" s'obtient avec « {prog} demo --code {example} »,",
            " ou en ajoutant le secret ci-dessous dans une application d'authentification :",
        ]
        lines += [f"   {email:<40} {secret}" for email, secret in with_mfa.items()]
    lines.append(rule)
    return "\n".join(lines) + "\n"
