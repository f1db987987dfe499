"""Assigning a module, or preparing a campaign, in several organisations at once (the pages
across one's organisations, views/bulk.py).

The caller gives the organisations where the user's own membership allows it
(core.access.memberships_allowing with roles.MANAGE_ROLES and write=True); `refusals`
words what is refused for every other id asked for. Each organisation is one transaction
through the existing services (training_services.assign, campaign_content.campaign_save),
audited in that organisation by them: one that fails leaves nothing there, and the others
go on. Nothing here reads or writes an organisation that was not handed in.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core.models import AuditEntry, Membership, Organisation, Person

from . import campaign_content, library, modules, training_services
from .models import Assignment, Campaign, SendingProfile

# The campaign's sending days and hours, as the form proposes them.
WORKING_DAYS = [0, 1, 2, 3, 4]
WINDOW = (datetime.time(9), datetime.time(17))


@dataclass
class Outcome:
    """What happens (preview) or happened (result) in one organisation asked for.

    `done`: something is (or would be) created there; `count`: how many assignments, or
    1 for a campaign; `people`: how many people are reached; `reason`: why nothing is, in
    French; `url`: where to see it; `note`: what is left to do there; `already`: nothing
    was made because the same draft was prepared before (`url` leads to it)."""

    organisation_id: int
    name: str = ""  # empty for an organisation the user is not a member of
    done: bool = False
    count: int = 0
    people: int = 0
    reason: str = ""
    url: str = ""
    note: str = ""
    already: bool = False


def refusals(memberships: Sequence[Membership], allowed: Sequence[Membership],
             ids: Iterable[int], *, refused_text: str) -> list[Outcome]:
    """One Outcome for each id asked for outside `allowed`: an organisation where the
    user's role does not allow it (named, `refused_text` saying why), or one they are not
    a member of (not named: we do not even confirm it exists)."""
    allowed_ids = {m.organisation_id for m in allowed}
    mine = {m.organisation_id: m for m in memberships}
    found = []
    for organisation_id in dict.fromkeys(ids):
        if organisation_id in allowed_ids:
            continue
        membership = mine.get(organisation_id)
        if membership is None:
            found.append(Outcome(organisation_id, reason=_(
                "Vous n'êtes pas membre de cette structure : rien n'y a été fait.")))
        else:
            found.append(Outcome(organisation_id, membership.organisation.name,
                                 reason=refused_text))
    return found


def jobs(organisations: Sequence[Organisation]) -> list[str]:
    """The jobs of the staff of these organisations, each once (one query)."""
    return list(Person.objects.filter(organisation__in=list(organisations)).exclude(job="")
                .order_by("job").values_list("job", flat=True).distinct())


def _staff(organisations: Sequence[Organisation], *, job: str, today: datetime.date):
    people = training_services._present(Person.objects.filter(organisation__in=list(
        organisations)), today)
    return people.filter(job=job) if job else people


def _nobody(job: str) -> str:
    if job:
        return _("Personne de l'équipe n'a la fonction « %(job)s ».") % {"job": job}
    return _("Personne dans la liste du personnel : ajoutez l'équipe dans « Personnel ».")


# ---------------------------------------------------------------------- assigning a module

def assign_preview(*, organisations: Sequence[Organisation], module: str, job: str,
                   today: datetime.date | None = None) -> list[Outcome]:
    """How many people each organisation has to reach, and how many of them do not have
    the module open yet: one query, whatever the number of organisations."""
    modules.module(module)
    today = today or timezone.localdate()
    already = Assignment.objects.filter(person=OuterRef("pk"), module=module,
                                        completed_at=None)
    counts = {row["organisation_id"]: row for row in
              _staff(organisations, job=job, today=today)
              .annotate(has_it=Exists(already)).values("organisation_id").order_by()
              .annotate(people=Count("pk"), new=Count("pk", filter=Q(has_it=False)))}
    found = []
    for organisation in organisations:
        row = counts.get(organisation.pk, {"people": 0, "new": 0})
        outcome = Outcome(organisation.pk, organisation.name, done=bool(row["new"]),
                          count=row["new"], people=row["people"])
        if not row["people"]:
            outcome.reason = _nobody(job)
        elif not row["new"]:
            outcome.reason = _("Tout le monde a déjà ce module à faire.")
        found.append(outcome)
    return found


def bulk_assign(*, acting_user, organisations: Sequence[Organisation], module: str,
                due_on: datetime.date, job: str = "", request=None) -> list[Outcome]:
    """Assign `module` to the staff still there (of `job` when given) of each organisation,
    due on `due_on`: one transaction per organisation, through training_services.assign
    (which skips those who have it open already, and writes the audit entry there)."""
    modules.module(module)
    today = timezone.localdate()
    found = []
    for organisation in organisations:
        outcome = Outcome(organisation.pk, organisation.name,
                          url=reverse("awareness_training", args=[organisation.slug]))
        try:
            with transaction.atomic():
                people = list(_staff([organisation], job=job, today=today))
                outcome.people = len(people)
                outcome.count = training_services.assign(
                    acting_user=acting_user, organisation=organisation, people=people,
                    module=module, due_on=due_on, request=request)
        except DatabaseError:
            outcome.count = 0
            outcome.reason = _("Une erreur a empêché l'assignation : rien n'a été fait dans "
                               "cette structure. Réessayez.")
            found.append(outcome)
            continue
        outcome.done = bool(outcome.count)
        if not outcome.people:
            outcome.reason = _nobody(job)
        elif not outcome.count:
            outcome.reason = _("Tout le monde avait déjà ce module à faire : rien de nouveau.")
        found.append(outcome)
    return found


# ------------------------------------------------------------------- preparing a campaign

def _template_for(organisation: Organisation, key: str) -> library.Template | None:
    return next((item for item in library.for_kind(organisation.kind) if item.key == key),
                None)


def _tested_profiles(organisations: Sequence[Organisation]) -> set[int]:
    return set(SendingProfile.objects.filter(organisation__in=list(organisations),
                                             test_ok=True)
               .values_list("organisation_id", flat=True))


def _profile_note(organisation: Organisation, tested: set[int]) -> str:
    if organisation.pk in tested:
        return _("Avant de la lancer : choisissez son profil d'envoi (testé avec succès) et "
                 "vérifiez-la.")
    return _("Avant de la lancer : créez un profil d'envoi pour cette structure et testez-le, "
             "puis choisissez-le dans la campagne.")


def campaign_preview(*, organisations: Sequence[Organisation], template_key: str,
                     today: datetime.date | None = None) -> list[Outcome]:
    """For each organisation: whether the template suits its kind, how many people with
    an address it would reach, and whether it has a tested sending profile. Two
    queries, whatever the number of organisations."""
    today = today or timezone.localdate()
    counts = dict(_staff(organisations, job="", today=today).exclude(email="")
                  .values("organisation_id").order_by().annotate(n=Count("pk"))
                  .values_list("organisation_id", "n"))
    tested = _tested_profiles(organisations)
    found = []
    for organisation in organisations:
        people = counts.get(organisation.pk, 0)
        outcome = Outcome(organisation.pk, organisation.name, people=people,
                          note=_profile_note(organisation, tested))
        if _template_for(organisation, template_key) is None:
            outcome.reason = _("Ce modèle ne convient pas à ce type de structure.")
        elif not people:
            outcome.reason = _no_address()
        else:
            outcome.done, outcome.count = True, 1
        found.append(outcome)
    return found


def _no_address() -> str:
    return _("Personne de l'équipe n'a d'adresse e-mail : ajoutez-les dans « Personnel ».")


def campaign_values(template: library.Template, *, name: str) -> dict:
    """What campaign_content.campaign_save writes for a draft made from `template`: the
    form's defaults, no sending profile yet (each organisation chooses its own)."""
    return {"name": name, "template_key": template.key, "custom_template": None,
            "profile": None, "jobs": [], "fake_form": False, "start_at": None,
            "send_by": None, "window_start": WINDOW[0], "window_end": WINDOW[1],
            "weekdays": WORKING_DAYS, "spread": True, "enrol": True, "named": False,
            "named_reason": ""}


def _prepared_draft(organisation: Organisation, *, acting_user, template_key: str,
                    name: str) -> Campaign | None:
    """The draft of the same library template and name that `acting_user` created in
    `organisation` (its « awareness.campaign_created » entry names them), if any: the
    same confirmation sent twice."""
    created = AuditEntry.objects.filter(
        organisation_id=organisation.pk, action="awareness.campaign_created",
        actor=acting_user, object_type="campaign",
        object_id=Cast(OuterRef("pk"), output_field=CharField()))
    return (Campaign.objects.filter(organisation=organisation, status=Campaign.Status.DRAFT,
                                    template_key=template_key, custom_template=None,
                                    name=name)
            .filter(Exists(created)).order_by("-pk").first())


def bulk_campaign(*, acting_user, organisations: Sequence[Organisation], template_key: str,
                  name: str, request=None) -> list[Outcome]:
    """A draft campaign from the library's `template_key` in each organisation, aimed at
    its staff still there who have an address: one transaction per organisation, through
    campaign_content.campaign_save (audited there). Nothing is sent: each draft needs its
    organisation's own tested sending profile before it is launched.

    Where the user already has a draft of that template and name (the same confirmation
    sent twice, even at the same moment: the organisation's row is locked before looking),
    nothing more is made and the outcome says « déjà préparé », with its link."""
    library.template(template_key)  # KeyError on an unknown key: the caller chose from the list
    today = timezone.localdate()
    tested = _tested_profiles(organisations)
    found = []
    for organisation in organisations:
        outcome = Outcome(organisation.pk, organisation.name,
                          note=_profile_note(organisation, tested))
        template = _template_for(organisation, template_key)
        if template is None:
            outcome.reason = _("Ce modèle ne convient pas à ce type de structure : rien n'a "
                               "été préparé.")
            found.append(outcome)
            continue
        existing = None
        try:
            with transaction.atomic():
                Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
                existing = _prepared_draft(organisation, acting_user=acting_user,
                                           template_key=template_key, name=name)
                people = [] if existing else list(
                    _staff([organisation], job="", today=today).exclude(email=""))
                if people:
                    campaign = campaign_content.campaign_save(
                        acting_user=acting_user, organisation=organisation,
                        values=campaign_values(template, name=name), people=people,
                        groups=[], request=request)
        except DatabaseError:
            outcome.reason = _("Une erreur a empêché de préparer la campagne : rien n'a été "
                               "fait dans cette structure. Réessayez.")
            found.append(outcome)
            continue
        if existing is not None:
            outcome.already = True
            outcome.reason = _("Ce brouillon existe déjà dans cette structure : rien de plus "
                               "n'a été fait.")
            outcome.url = reverse("awareness_campaign", args=[organisation.slug, existing.pk])
            found.append(outcome)
            continue
        outcome.people = len(people)
        if not people:
            outcome.reason = _no_address()
        else:
            outcome.done, outcome.count = True, 1
            outcome.url = reverse("awareness_campaign", args=[organisation.slug, campaign.pk])
        found.append(outcome)
    return found


def summary(outcomes: Sequence[Outcome], *, campaigns: bool = False) -> str:
    """« 12 formations assignées dans 2 structures. », « 1 campagne préparée. 2 étaient
    déjà préparées. »"""
    places = sum(1 for outcome in outcomes if outcome.done)
    if campaigns:
        text = ngettext("%(n)d campagne préparée.", "%(n)d campagnes préparées.", places) % {
            "n": places}
        already = sum(1 for outcome in outcomes if outcome.already)
        if already:
            text += " " + ngettext("%(n)d était déjà préparée.",
                                   "%(n)d étaient déjà préparées.", already) % {"n": already}
        return text
    total = sum(outcome.count for outcome in outcomes if outcome.done)
    return (ngettext("%(count)d formation assignée", "%(count)d formations assignées", total)
            % {"count": total} + " " +
            ngettext("dans %(n)d structure.", "dans %(n)d structures.", places) % {"n": places})
