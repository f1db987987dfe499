"""What a campaign sends, and the writes of a draft: saving it, and starting it.

`content_for` builds the `content` dict that campaign_services.campaign_launch copies onto
the campaign: from the library template or the custom one, with each clue's location, the
module, the fake sign-in form (when the campaign asks for one) and the lesson lines.

`campaign_start` is what the launch button does: the checks a page makes before the
launch (a profile tested with success), the launch itself, and the privacy profile told
that the staff take phishing tests (its staff notice then says so), in one transaction."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.privacy.models import PrivacyProfile
from pharmagarde.privacy.profile_services import profile_of

from . import campaign_services
from .campaign_services import CampaignError
from .models import Campaign
from .template_services import (
    CUSTOM_PREFIX,
    LIBRARY_PREFIX,
    Choice,
    clue_location,
    resolve,
    visible_text,
)

DEFAULT_MODULE = "hameconnage"
# The fake sign-in page of a custom template, or of a library one without its own.
DEFAULT_FORM_FIELDS = (gettext_lazy("Adresse e-mail"), gettext_lazy("Mot de passe"))
# The lesson of a custom template (the model keeps none of its own).
DEFAULT_LESSON = (
    gettext_lazy("Avant de cliquer, regardez l'adresse réelle de l'expéditeur, pas seulement "
                 "son nom."),
    gettext_lazy("Un message qui presse ou menace cherche à vous faire agir sans réfléchir."),
    gettext_lazy("Dans le doute, joignez l'expéditeur par un moyen que vous connaissez déjà."),
    gettext_lazy("Transférez le message suspect à la personne chargée de la sécurité, sans "
                 "l'ouvrir davantage."),
)
# The fields a draft's form writes (M2M apart).
FIELDS = ("name", "template_key", "custom_template", "profile", "jobs", "fake_form",
          "start_at", "send_by", "window_start", "window_end", "weekdays", "spread",
          "enrol", "named", "named_reason")


class CampaignConflict(RevisionConflict):
    """Someone else saved the draft since the form was shown."""


def choice_value(campaign: Campaign) -> str:
    """The template choice of a campaign, as template_services.resolve reads it."""
    if campaign.template_key:
        return LIBRARY_PREFIX + campaign.template_key
    if campaign.custom_template_id:
        return f"{CUSTOM_PREFIX}{campaign.custom_template_id}"
    return ""


def content_of(choice: Choice, *, fake_form: bool) -> dict:
    """The content of a template: see the module's docstring."""
    if choice.shared is not None:
        item = choice.shared
        form = None
        if fake_form:
            form = {"title": item.form.title, "fields": list(item.form.fields)} if item.form \
                else {"title": _("Connexion"), "fields": [str(f) for f in DEFAULT_FORM_FIELDS]}
        return {
            "subject": item.subject, "sender_name": item.sender_name,
            "sender_address": item.sender_address, "html": item.html, "text": item.text,
            "clues": [{"type": clue.type, "excerpt": clue.excerpt,
                       "explanation": clue.explanation, "location": clue.location}
                      for clue in item.clues],
            "module": item.module, "form": form, "lesson": list(item.lesson)}
    custom = choice.custom
    body = visible_text(custom.html)
    sender = f"{custom.sender_name} {custom.sender_address}"
    form = None
    if fake_form:
        stored = custom.fake_form or {}
        form = {"title": stored.get("titre") or _("Connexion"),
                "fields": list(stored.get("champs") or [str(f) for f in DEFAULT_FORM_FIELDS])}
    return {
        "subject": custom.subject, "sender_name": custom.sender_name,
        "sender_address": custom.sender_address, "html": custom.html, "text": custom.text,
        "clues": [{"type": clue["type"], "excerpt": clue["extrait"],
                   "explanation": clue["explication"],
                   "location": clue_location(clue["extrait"], subject=custom.subject,
                                             sender=sender, body=body) or "corps"}
                  for clue in custom.clues],
        "module": custom.module or DEFAULT_MODULE, "form": form,
        "lesson": [str(line) for line in DEFAULT_LESSON]}


def content_for(campaign: Campaign, organisation) -> dict:
    """The content the campaign will send (CampaignError when its template is gone)."""
    choice = resolve(choice_value(campaign), organisation)
    if choice is None:
        raise CampaignError(_("Le modèle de cette campagne n'existe plus ou ne convient pas à "
                              "votre structure : choisissez-en un autre."))
    return content_of(choice, fake_form=campaign.fake_form)


def campaign_save(*, acting_user, organisation, values: dict, people, groups,
                  campaign: Campaign | None = None, revision: int | None = None,
                  request=None) -> Campaign:
    """Create a draft or update one (if still at `revision`). `values` holds FIELDS;
    `people` and `groups` the organisation's Person and StaffGroup rows it targets."""
    for obj in [*people, *groups, values.get("profile"), values.get("custom_template")]:
        if obj is not None and obj.organisation_id != organisation.pk:
            raise ValueError("Tout ce que vise la campagne doit être de la structure.")
    fields = {name: values[name] for name in FIELDS}
    # The form refuses the named mode without the box « le personnel a été informé »:
    # the first time it is ticked is kept as the proof.
    earlier = campaign.named_informed_at if campaign is not None else None
    fields["named_informed_at"] = (earlier or timezone.now()) if fields["named"] else None
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign.objects.create(
                organisation=organisation, number=campaign_services.next_number(organisation),
                **fields)
            action = "awareness.campaign_created"
        else:
            if campaign.status != Campaign.Status.DRAFT:
                raise CampaignError(_("Une campagne lancée ne se modifie plus."))
            claim_revision(Campaign.objects.filter(status=Campaign.Status.DRAFT),
                           campaign.pk, revision, conflict=CampaignConflict,
                           current=Campaign.objects.all(), **fields)
            campaign.refresh_from_db()
            action = "awareness.campaign_updated"
        campaign.people.set(people)
        campaign.groups.set(groups)
        audit.record(action, actor=acting_user, organisation=organisation, obj=campaign,
                     request=request, details={"nom": campaign.name,
                                               "nominatif": "oui" if campaign.named else "non"})
    return campaign


def launch_problems(campaign: Campaign) -> list[str]:
    """Why the campaign cannot be launched now, in French (empty: it can)."""
    problems = []
    if campaign.status != Campaign.Status.DRAFT:
        problems.append(_("Cette campagne est déjà lancée."))
    profile = campaign.profile
    if profile is None:
        problems.append(_("Choisissez le profil d'envoi de la campagne."))
    elif profile.test_ok is None:
        problems.append(_("Le profil d'envoi « %(name)s » n'a pas encore été testé : testez-le "
                          "d'abord.") % {"name": profile.name})
    elif not profile.test_ok:
        problems.append(_("Le dernier test du profil d'envoi « %(name)s » a échoué : "
                          "corrigez-le et testez-le à nouveau.") % {"name": profile.name})
    if not choice_value(campaign):
        problems.append(_("Choisissez le modèle de message."))
    if campaign.named and not campaign.named_reason.strip():
        problems.append(_("Des résultats nominatifs demandent une raison écrite."))
    return problems


def campaign_start(*, acting_user, campaign: Campaign, organisation,
                   now: datetime.datetime | None = None, request=None) -> int:
    """Launch a draft after launch_problems' checks; the number of people reached. The
    privacy profile then says that the staff take phishing tests."""
    problems = launch_problems(campaign)
    if problems:
        raise CampaignError(problems[0])
    content = content_for(campaign, organisation)
    with transaction.atomic():
        count = campaign_services.campaign_launch(acting_user=acting_user, campaign=campaign,
                                                  content=content, now=now, request=request)
        PrivacyProfile.objects.filter(pk=profile_of(organisation).pk).update(
            phishing_tests=True)
    return count
