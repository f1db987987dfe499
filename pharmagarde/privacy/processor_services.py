"""Processors and their contracts (art. 28 GDPR): adding, changing (with history), reviewing
and removing one; what is wrong with each (findings); the plan's actions those findings
become; the reminders of the reviews due.

Every write hands the plan its new list (plan_source.plan_sync), in the same transaction.
The clause checklist and the remote-access conditions are JSON dicts {id: True | False |
None} over contracts.CLAUSES and contracts.REMOTE_CONDITIONS; the software and accounts
linked are the organisation's own inventory items, refused otherwise.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import FilteredRelation, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pharmagarde.actions.sources import PlanItem
from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict
from pharmagarde.core.reminders import Due
from pharmagarde.core.versioning import save_with_history
from pharmagarde.inventory.models import Account, Software

from .contracts import REMOTE_CONDITIONS, applicable_clauses, checklist
from .models import PrivacyVersion, Processor
from .roles import WRITE_ROLES

# Fields of the processor the forms write (the JSON checklists and the inventory links
# are handled apart: their history is worded per clause and per item).
FIELDS = ("name", "service", "description", "contact", "health_data", "hds_certified",
          "outside_eea", "contract_signed_on", "contract_reference", "remote_access",
          "review_every_months", "reviewed_on", "notes")
SOON = datetime.timedelta(days=30)


class ProcessorConflict(RevisionConflict):
    """Someone else saved this processor since the form was shown."""


@dataclass(frozen=True)
class Finding:
    """Something to fix about one processor: `key` is stable (the plan's action key)."""

    key: str
    text: str
    detail: str = ""


# ------------------------------------------------------------------------------ writes

def _check_inventory(organisation, software: Iterable[Software],
                     accounts: Iterable[Account]) -> tuple[list, list]:
    software, accounts = list(software), list(accounts)
    if any(item.organisation_id != organisation.pk for item in [*software, *accounts]):
        raise ValidationError(_("Choisissez des logiciels et des comptes de votre propre "
                                "inventaire."))
    return software, accounts


def _answers_label(value) -> str:
    return {True: _("Oui"), False: _("Non")}.get(value, _("Pas vérifié"))


def _checklist_changes(prefix: str, items, before: dict, after: dict) -> dict:
    """{"Clause : <label>": [before, after]} for each item whose answer changed."""
    before, after = checklist(before, items), checklist(after, items)
    return {f"{prefix} : {item.label}": [_answers_label(before[item.id]),
                                        _answers_label(after[item.id])]
            for item in items if before[item.id] != after[item.id]}


def _names(items) -> str:
    return ", ".join(sorted(str(item) for item in items))


def processor_create(*, acting_user, organisation, values: dict, clauses: dict,
                     remote_conditions: dict, software=(), accounts=(),
                     request=None) -> Processor:
    """Add a processor (the form's `values` over FIELDS) with its checklists and links."""
    software, accounts = _check_inventory(organisation, software, accounts)
    with transaction.atomic():
        processor = Processor.objects.create(
            organisation=organisation, **{name: values[name] for name in FIELDS},
            clauses=clauses, remote_conditions=remote_conditions)
        processor.software.set(software)
        processor.accounts.set(accounts)
        audit.record("privacy.processor_created", actor=acting_user,
                     organisation=organisation, obj=processor, request=request,
                     details={"nom": processor.name, "service": processor.service})
        _plan_sync(organisation, acting_user)
    return processor


def processor_update(*, acting_user, processor: Processor, values: dict, clauses: dict,
                     remote_conditions: dict, software, accounts, revision: int | None,
                     request=None) -> dict:
    """Change a processor if it is still at `revision` (else ProcessorConflict), keeping the
    previous values in a PrivacyVersion, clause by clause and with the inventory links.
    Returns the diff {label: [before, after]}; nothing is written when it is empty."""
    organisation = processor.organisation
    software, accounts = _check_inventory(organisation, software, accounts)
    with transaction.atomic():
        before_software = list(processor.software.all())
        before_accounts = list(processor.accounts.all())
        extra = {
            **_checklist_changes(_("Clause"), applicable_clauses(health_data=True),
                                 processor.clauses, clauses),
            **_checklist_changes(_("Accès à distance"), REMOTE_CONDITIONS,
                                 processor.remote_conditions, remote_conditions),
            str(Processor._meta.get_field("software").verbose_name):
                [_names(before_software), _names(software)],
            str(Processor._meta.get_field("accounts").verbose_name):
                [_names(before_accounts), _names(accounts)],
        }
        diff = save_with_history(processor, version_model=PrivacyVersion,
                                 acting_user=acting_user,
                                 values={name: values[name] for name in FIELDS},
                                 revision=revision, conflict=ProcessorConflict,
                                 extra_changes=extra)
        if not diff:
            return {}
        # The revision was claimed above: these writes are covered by its check.
        Processor.objects.filter(pk=processor.pk).update(
            clauses=clauses, remote_conditions=remote_conditions)
        processor.clauses, processor.remote_conditions = clauses, remote_conditions
        processor.software.set(software)
        processor.accounts.set(accounts)
        audit.record("privacy.processor_updated", actor=acting_user,
                     organisation=organisation, obj=processor, request=request,
                     details={"champs": ", ".join(diff)})
        _plan_sync(organisation, acting_user)
    return diff


def processor_review(*, acting_user, processor: Processor, reviewed_on: datetime.date,
                     request=None) -> None:
    """Note that the contract was reviewed on `reviewed_on`: the next review is counted
    from then. Kept in the history (no revision check: only this date changes)."""
    with transaction.atomic():
        diff = save_with_history(processor, version_model=PrivacyVersion,
                                 acting_user=acting_user, values={"reviewed_on": reviewed_on},
                                 revision=None, conflict=ProcessorConflict,
                                 reason=_("Revue du contrat"))
        audit.record("privacy.processor_reviewed", actor=acting_user,
                     organisation=processor.organisation, obj=processor, request=request,
                     details={"nom": processor.name, "revu le": reviewed_on.isoformat()})
        if diff:
            _plan_sync(processor.organisation, acting_user)


def processor_delete(*, acting_user, processor: Processor, request=None) -> None:
    organisation = processor.organisation
    with transaction.atomic():
        audit.record("privacy.processor_deleted", actor=acting_user,
                     organisation=organisation, obj=processor, request=request,
                     details={"nom": processor.name})
        processor.delete()
        _plan_sync(organisation, acting_user)


def _plan_sync(organisation, acting_user):
    from .plan_source import plan_sync

    plan_sync(organisation=organisation, acting_user=acting_user)


# ---------------------------------------------------------------------------- findings

def _fr_date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def findings(processor: Processor, today: datetime.date) -> list[Finding]:
    """What is missing or unsafe about `processor` on `today`. Reads processor.accounts
    (prefetch it for a list: accounts_with_mfa below)."""
    found = []
    clauses = applicable_clauses(health_data=processor.health_data)
    answers = checklist(processor.clauses, clauses)
    missing = [clause for clause in clauses if answers[clause.id] is not True]
    if missing:
        found.append(Finding(
            "clauses",
            ngettext("%(count)s clause manquante ou non vérifiée dans le contrat",
                     "%(count)s clauses manquantes ou non vérifiées dans le contrat",
                     len(missing)) % {"count": len(missing)},
            " ; ".join(str(clause.label) for clause in missing)))
    if processor.contract_signed_on is None:
        found.append(Finding("contrat", _("Pas de date de contrat"),
                             _("Notez la date à laquelle le contrat a été signé, ou "
                               "demandez-en un au prestataire.")))
    due_on = processor.review_due_on
    if due_on is not None and due_on < today:
        found.append(Finding("revue", _("Revue du contrat en retard"),
                             _("Elle était à faire avant le %(date)s.")
                             % {"date": _fr_date(due_on)}))
    if processor.health_data and processor.hds_certified is not True:
        found.append(Finding(
            "hds", _("Données de santé sans certification HDS"),
            _("Le prestataire n'est pas certifié hébergeur de données de santé.")
            if processor.hds_certified is False else
            _("La certification HDS du prestataire n'a pas été vérifiée.")))
    if processor.remote_access:
        conditions = checklist(processor.remote_conditions, REMOTE_CONDITIONS)
        unmet = [condition for condition in REMOTE_CONDITIONS
                 if conditions[condition.id] is not True]
        if unmet:
            found.append(Finding(
                "acces-distance",
                _("Accès à distance : condition(s) non remplie(s) ou non vérifiée(s)"),
                " ; ".join(str(condition.label) for condition in unmet)))
    weak = [account for account in processor.accounts.all() if account.mfa is False
            or (account.system == Account.System.ACCES_DISTANCE and account.mfa is not True)]
    if weak:
        found.append(Finding("mfa", _("Compte sans double authentification"),
                             ", ".join(str(account) for account in weak)))
    return found


def accounts_with_mfa() -> Prefetch:
    """The prefetch `findings` needs for a list of processors: one query."""
    return Prefetch("accounts", queryset=Account.objects.only("pk", "login", "system", "mfa"))


# ---------------------------------------------------------------------- the action plan

# What each finding becomes in the plan: (title, why, how, effort, priority, criticality).
PLAN_TEXTS = {
    "clauses": (
        gettext_lazy("Compléter le contrat de « %(name)s » avec les clauses de protection "
                     "des données"),
        gettext_lazy("Le RGPD (art. 28) impose un contrat écrit qui fixe ce que le "
                     "prestataire peut faire de vos données. Sans ces clauses, c'est vous, "
                     "responsable du traitement, qui en répondez."),
        gettext_lazy("Relisez le contrat ou ses conditions générales. Pour chaque clause "
                     "absente, envoyez au prestataire la clause type proposée par "
                     "Pharmagarde (page « Clauses types ») et demandez un avenant. Cochez "
                     "ensuite les clauses dans la fiche du sous-traitant."),
        "moyen", 300, "majeure"),
    "contrat": (
        gettext_lazy("Retrouver ou signer le contrat de « %(name)s »"),
        gettext_lazy("Un sous-traitant doit être lié par un contrat écrit (RGPD, art. 28) ; "
                     "sans date, on ne peut pas non plus savoir quand le revoir."),
        gettext_lazy("Cherchez le contrat signé (ou les conditions acceptées en ligne) et "
                     "notez sa date dans la fiche. S'il n'y en a pas, demandez-en un au "
                     "prestataire avec les clauses types."),
        "faible", 320, "majeure"),
    "revue": (
        gettext_lazy("Revoir le contrat de « %(name)s »"),
        gettext_lazy("Un prestataire change : nouveaux sous-traitants, hébergeur, "
                     "conditions. Une revue régulière évite de découvrir un problème le "
                     "jour d'un incident."),
        gettext_lazy("Relisez le contrat et la fiche du sous-traitant, demandez au "
                     "prestataire ce qui a changé, puis cliquez sur « Contrat revu » dans "
                     "la fiche."),
        "faible", 400, "normale"),
    "hds": (
        gettext_lazy("Vérifier que « %(name)s » est certifié hébergeur de données de "
                     "santé (HDS)"),
        gettext_lazy("Héberger des données de santé pour un tiers exige la certification "
                     "HDS (Code de la santé publique, art. L. 1111-8)."),
        gettext_lazy("Demandez au prestataire son certificat HDS (ou celui de son "
                     "hébergeur) et vérifiez qu'il couvre le service que vous utilisez. "
                     "S'il n'est pas certifié, prévoyez un changement de prestataire."),
        "moyen", 200, "critique"),
    "acces-distance": (
        gettext_lazy("Encadrer l'accès à distance de « %(name)s »"),
        gettext_lazy("Un accès à distance mal protégé est une porte d'entrée courante des "
                     "rançongiciels dans les pharmacies."),
        gettext_lazy("Demandez au prestataire comment il se connecte, et exigez chaque "
                     "condition manquante : compte nominatif, double authentification, "
                     "accès ouvert seulement pour l'intervention, journal des connexions. "
                     "Cochez-les ensuite dans la fiche du sous-traitant."),
        "moyen", 150, "critique"),
    "mfa": (
        gettext_lazy("Activer la double authentification sur les comptes de « %(name)s »"),
        gettext_lazy("Un mot de passe volé suffit à entrer sur un compte sans double "
                     "authentification."),
        gettext_lazy("Activez la double authentification sur chaque compte cité (avec le "
                     "prestataire si besoin), puis notez-le dans l'inventaire."),
        "faible", 160, "majeure"),
}


def items(organisation) -> list[PlanItem]:
    """One action per finding of each processor of `organisation`: two queries."""
    today = timezone.localdate()
    processors = (Processor.objects.filter(organisation=organisation)
                  .prefetch_related(accounts_with_mfa()).order_by("name", "pk"))
    found = []
    # The plan stores its texts as given: always in French, whoever triggers the sync.
    with translation.override("fr"):
        for processor in processors:
            for finding in findings(processor, today):
                title, why, how, effort, priority, criticality = PLAN_TEXTS[finding.key]
                found.append(PlanItem(
                    key=f"sous-traitant:{processor.pk}:{finding.key}",
                    title=str(title) % {"name": processor.name},
                    description=f"{finding.text}. {finding.detail}".strip(),
                    why=str(why), how=str(how), effort=effort, priority=priority,
                    criticality=criticality, references=("RGPD, art. 28",),
                    data={"origine": f"Sous-traitant {processor.name}",
                          "sous-traitant": processor.pk}))
    return found


def finding_counts(processors: Iterable[Processor], today: datetime.date) -> dict[int, int]:
    """{processor id: number of findings}; the processors' accounts prefetched."""
    return {processor.pk: len(findings(processor, today)) for processor in processors}


# ---------------------------------------------------------------------------- reminders

day_lazy = lazy(_fr_date, str)

SUBJECTS = {
    "soon": gettext_lazy("Contrat à revoir : « {name} », avant le {due}"),
    "late": gettext_lazy("Revue du contrat en retard : « {name} »"),
}
TEXTS = {
    "soon": gettext_lazy(
        "La revue du contrat du sous-traitant « {name} » est à faire avant le {due}.\n\n"
        "Relisez le contrat et sa fiche dans Pharmagarde : les clauses de protection des "
        "données, l'hébergement des données de santé, l'accès à distance. Demandez au "
        "prestataire ce qui a changé, puis cliquez sur « Contrat revu »."),
    "late": gettext_lazy(
        "La revue du contrat du sous-traitant « {name} » était à faire avant le {due}.\n\n"
        "Un contrat qu'on ne relit pas peut ne plus correspondre au service rendu "
        "(nouvel hébergeur, nouveaux sous-traitants). Faites la revue au plus vite, puis "
        "cliquez sur « Contrat revu » dans sa fiche."),
}


def _reminder_rows(now):
    """The processors whose review may be due within 30 days, with the user ids of their
    organisation's responsables and DPO, one row each (one query)."""
    today = timezone.localdate(now)
    return (
        Processor.objects.annotate(start=Coalesce("reviewed_on", "contract_signed_on"))
        # A review is due at least `start` months later: never before `start` itself.
        .filter(start__lte=today + SOON)
        .annotate(reminded=FilteredRelation(
            "organisation__memberships",
            condition=Q(organisation__memberships__role__in=WRITE_ROLES)))
        .order_by("pk", "reminded__user_id")
        .values_list("pk", "organisation_id", "organisation__slug", "name", "reviewed_on",
                     "contract_signed_on", "review_every_months", "reminded__user_id")
    )


def due(now: datetime.datetime) -> Iterator[Due]:
    """One Due per processor whose review is near: 30 days before, then once when it is
    overdue (urgent). One query, whatever the number of processors."""
    today = timezone.localdate(now)
    for pk, group in groupby(_reminder_rows(now).iterator(chunk_size=2000),
                             key=lambda row: row[0]):
        rows = list(group)
        _pk, organisation_id, slug, name, reviewed_on, signed_on, every, _user = rows[0]
        due_on = Processor(reviewed_on=reviewed_on, contract_signed_on=signed_on,
                           review_every_months=every).review_due_on
        if today < due_on - SOON:
            continue
        kind, occurrence = ("soon", due_on - SOON) if today < due_on else ("late", due_on)
        words = {"name": name, "due": day_lazy(due_on)}
        yield Due(
            key=f"privacy.processor:{pk}",
            occurrence=occurrence,
            organisation_id=organisation_id,
            subject=format_lazy(SUBJECTS[kind], **words),
            text=format_lazy(TEXTS[kind], **words),
            link=reverse_lazy("privacy_processor", args=[slug, pk]),
            users=tuple(row[-1] for row in rows if row[-1] is not None),
            urgent=kind == "late",
        )

