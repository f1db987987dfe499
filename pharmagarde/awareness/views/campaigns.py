"""Phishing campaigns: the list, a draft's form, one campaign's page (its progress polled
every 5 s while it sends), the launch (how many people, when the last message leaves),
pause, resume and stop, and the printable notice that tells the staff about the exercises.

The responsable and the référent write (MANAGE_ROLES); the DPO and the auditor read."""

import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.models import Person
from pharmagarde.incidents.forms import LocalDateTimeField

from .. import campaign_content, campaign_services, sending, template_services
from ..access import get_campaign_or_404
from ..campaign_services import CampaignError
from ..models import Campaign, Recipient, SendingProfile, StaffGroup
from ..roles import MANAGE_ROLES, READ_ROLES

PAGE_SIZE = 30
WEEKDAYS = [(0, gettext_lazy("Lundi")), (1, gettext_lazy("Mardi")),
            (2, gettext_lazy("Mercredi")), (3, gettext_lazy("Jeudi")),
            (4, gettext_lazy("Vendredi")), (5, gettext_lazy("Samedi")),
            (6, gettext_lazy("Dimanche"))]
D = Recipient.Delivery
# The counts of a campaign's rows, by where their message is: one aggregate.
COUNTS = {"total": Count("recipients"),
          "sent": Count("recipients", filter=Q(recipients__delivery=D.SENT)),
          "queued": Count("recipients", filter=Q(recipients__delivery__in=[D.QUEUED,
                                                                          D.CLAIMED])),
          "failed": Count("recipients", filter=Q(recipients__delivery=D.FAILED)),
          "cancelled": Count("recipients", filter=Q(recipients__delivery=D.CANCELLED))}


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la campagne"), max_length=150,
                           help_text=gettext_lazy("Pour vous : l'équipe ne le voit pas."),
                           error_messages={"required": gettext_lazy("Donnez un nom à la "
                                                                    "campagne.")})
    template = forms.ChoiceField(label=gettext_lazy("Faux message envoyé"),
                                 error_messages={"required": gettext_lazy("Choisissez le "
                                                                          "modèle."),
                                                 "invalid_choice": gettext_lazy(
                                                     "Choisissez un modèle de la liste.")})
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Profil d'envoi"), queryset=SendingProfile.objects.none(),
        error_messages={"required": gettext_lazy("Choisissez le profil d'envoi."),
                        "invalid_choice": gettext_lazy("Choisissez un profil de la liste.")})
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Personnes visées"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des personnes de la "
                                                       "liste.")})
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groupes visés"), queryset=StaffGroup.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Choisissez des groupes de la "
                                                       "liste.")})
    jobs = forms.MultipleChoiceField(
        label=gettext_lazy("Fonctions visées"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Toutes les personnes de la liste du personnel qui ont cette "
                               "fonction."),
        error_messages={"invalid_choice": gettext_lazy("Choisissez des fonctions de la "
                                                       "liste.")})
    fake_form = forms.BooleanField(
        label=gettext_lazy("Après le clic, montrer un faux formulaire de connexion"),
        required=False,
        help_text=gettext_lazy("Rien de ce qui y est tapé n'est envoyé ni gardé : seul le fait "
                               "d'avoir validé est compté."))
    start_at = LocalDateTimeField(label=gettext_lazy("Début des envois"), required=False,
                                  help_text=gettext_lazy("Vide : dès le lancement."))
    send_by = LocalDateTimeField(label=gettext_lazy("Tout envoyer avant le"), required=False,
                                 help_text=gettext_lazy("Vide : sans date limite."))
    window_start = forms.TimeField(
        label=gettext_lazy("Envois à partir de"), initial=datetime.time(9),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": gettext_lazy("Indiquez une heure, par exemple 09:00."),
                        "invalid": gettext_lazy("Indiquez une heure, par exemple 09:00.")})
    window_end = forms.TimeField(
        label=gettext_lazy("Envois jusqu'à"), initial=datetime.time(17),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": gettext_lazy("Indiquez une heure, par exemple 17:00."),
                        "invalid": gettext_lazy("Indiquez une heure, par exemple 17:00.")})
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Jours d'envoi"), choices=WEEKDAYS, coerce=int,
        initial=[0, 1, 2, 3, 4], widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Cochez au moins un jour d'envoi.")})
    spread = forms.BooleanField(label=gettext_lazy("Espacer les envois au hasard"),
                                required=False, initial=True,
                                help_text=gettext_lazy("Les collègues ne reçoivent pas le "
                                                       "message tous à la même minute."))
    enrol = forms.BooleanField(label=gettext_lazy("Inscrire au module de formation ceux qui "
                                                  "cliquent"), required=False, initial=True)
    named = forms.BooleanField(
        label=gettext_lazy("Résultats nominatifs"), required=False,
        help_text=gettext_lazy("Par défaut, les résultats sont anonymes, par groupes d'au "
                               "moins 5 personnes. Des résultats par personne demandent une "
                               "raison et l'information préalable du personnel."))
    named_reason = forms.CharField(
        label=gettext_lazy("Raison des résultats nominatifs"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}))
    informed = forms.BooleanField(
        label=gettext_lazy("Le personnel a été informé à l'avance (Code du travail, "
                           "art. L. 1222-4)"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.choice = None
        self.fields["template"].choices = [("", _("Choisissez…")),
                                           *template_services.choices_for(organisation)]
        self.fields["profile"].queryset = SendingProfile.objects.filter(
            organisation=organisation)
        self.fields["people"].queryset = Person.objects.filter(
            organisation=organisation).exclude(email="").order_by("last_name", "first_name")
        self.fields["people"].label_from_instance = (
            lambda person: f"{person.first_name} {person.last_name}")
        self.fields["groups"].queryset = StaffGroup.objects.filter(organisation=organisation)
        jobs = (Person.objects.filter(organisation=organisation).exclude(job="")
                .values_list("job", flat=True).distinct().order_by("job"))
        self.fields["jobs"].choices = [(job, job) for job in jobs]

    def clean(self):
        data = super().clean()
        if not (data.get("people") or data.get("groups") or data.get("jobs")) \
                and not self.has_error("people"):
            self.add_error("people", _("Choisissez au moins une personne, un groupe ou une "
                                       "fonction."))
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and start >= end:
            self.add_error("window_end", _("L'heure de fin doit suivre l'heure de début."))
        send_by = data.get("send_by")
        if send_by and send_by <= max(data.get("start_at") or timezone.now(), timezone.now()):
            self.add_error("send_by", _("La date limite doit être après le début des envois."))
        if data.get("named"):
            if not (data.get("named_reason") or "").strip():
                self.add_error("named_reason", _("Écrivez pourquoi des résultats nominatifs "
                                                 "sont nécessaires."))
            if not data.get("informed"):
                self.add_error("informed", _("Des résultats nominatifs demandent que le "
                                             "personnel en ait été informé à l'avance."))
        if data.get("template"):
            self.choice = template_services.resolve(data["template"], self.organisation)
            if self.choice is None:
                self.add_error("template", _("Choisissez un modèle de la liste."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        choice = self.choice
        return {**{name: data[name] for name in (
                    "name", "profile", "jobs", "fake_form", "start_at", "send_by",
                    "window_start", "window_end", "spread", "enrol", "named")},
                "template_key": choice.shared.key if choice.shared else "",
                "custom_template": choice.custom, "weekdays": sorted(data["weekdays"]),
                "named_reason": data["named_reason"] if data["named"] else ""}

    @staticmethod
    def initial_of(campaign: Campaign) -> dict:
        return {"name": campaign.name, "template": campaign_content.choice_value(campaign),
                "profile": campaign.profile_id, "people": list(campaign.people.all()),
                "groups": list(campaign.groups.all()), "jobs": campaign.jobs,
                "fake_form": campaign.fake_form,
                "start_at": campaign.start_at and timezone.localtime(campaign.start_at),
                "send_by": campaign.send_by and timezone.localtime(campaign.send_by),
                "window_start": campaign.window_start, "window_end": campaign.window_end,
                "weekdays": campaign.weekdays, "spread": campaign.spread,
                "enrol": campaign.enrol, "named": campaign.named,
                "named_reason": campaign.named_reason, "informed": campaign.named,
                "revision": campaign.revision}


@org_view(roles=READ_ROLES)
def awareness_campaigns(request):
    """The campaigns with their status and counts: three queries, whatever their number."""
    campaigns = (Campaign.objects.filter(organisation=request.organisation)
                 .annotate(**COUNTS).order_by("-created_at", "-id"))
    return render(request, "awareness/campaign_list.html", {
        "page": Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_edit": request.membership.role in MANAGE_ROLES})


def _form_page(request, campaign):
    initial = CampaignForm.initial_of(campaign) if campaign else {}
    form = CampaignForm(request.POST if request.method == "POST" else None,
                        organisation=request.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_content.campaign_save(
                acting_user=request.user, organisation=request.organisation,
                values=form.values(), people=list(data["people"]),
                groups=list(data["groups"]), campaign=campaign,
                revision=data.get("revision"), request=request)
        except campaign_content.CampaignConflict:
            form.add_error(None, _("Quelqu'un d'autre a modifié ou lancé cette campagne "
                                   "entre-temps. Rechargez la page pour voir sa version."))
        else:
            messages.success(request, _("Campagne enregistrée. Vérifiez-la, puis lancez-la."))
            return redirect("awareness_campaign", request.organisation.slug, campaign.pk)
    return render(request, "awareness/campaign_form.html", {"form": form,
                                                            "campaign": campaign})


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_campaign_new(request):
    return _form_page(request, None)


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_campaign_edit(request, campaign_id):
    campaign = get_campaign_or_404(request, campaign_id)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, _("Une campagne lancée ne se modifie plus."))
        return redirect("awareness_campaign", request.organisation.slug, campaign.pk)
    return _form_page(request, campaign)


def _counts(campaign: Campaign) -> dict:
    return Campaign.objects.filter(pk=campaign.pk).aggregate(**COUNTS)


def _template_name(campaign: Campaign, organisation) -> str:
    choice = template_services.resolve(campaign_content.choice_value(campaign), organisation)
    return choice.name if choice else ""


@org_view(roles=READ_ROLES)
def awareness_campaign(request, campaign_id):
    campaign = get_campaign_or_404(request, campaign_id)
    content = campaign.content
    if campaign.status == Campaign.Status.DRAFT:
        try:
            content = campaign_content.content_for(campaign, request.organisation)
        except CampaignError:
            content = {}
    return render(request, "awareness/campaign_detail.html", {
        "campaign": campaign, "counts": _counts(campaign), "content": content,
        "template_name": _template_name(campaign, request.organisation),
        # The library's HTML is validated at load, a custom template's cleaned by nh3.
        "preview": mark_safe(  # noqa: S308
            template_services.preview_html(content.get("html", ""))),
        "weekdays": [label for day, label in WEEKDAYS if day in (campaign.weekdays or [])],
        "problems": campaign_content.launch_problems(campaign)
        if campaign.status == Campaign.Status.DRAFT else [],
        "can_edit": request.membership.role in MANAGE_ROLES})


@org_view(roles=READ_ROLES)
def awareness_campaign_progress(request, campaign_id):
    """The progress fragment the campaign's page polls while it sends."""
    campaign = get_campaign_or_404(request, campaign_id)
    return render(request, "awareness/campaign_progress.html",
                  {"campaign": campaign, "counts": _counts(campaign)})


def _last_send(campaign: Campaign, count: int) -> datetime.datetime | None:
    """When the last message would leave if launched now (no random spacing)."""
    if not count or campaign.profile is None:
        return None
    now = timezone.now()
    slots = sending.schedule(count, start=max(campaign.start_at or now, now),
                             rate_per_minute=campaign.profile.rate_per_minute,
                             window=sending.window_of(campaign), spread=False)
    return slots[-1]


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_campaign_launch(request, campaign_id):
    """GET: the confirmation (how many people, when the last message leaves). POST: the
    launch."""
    campaign = get_campaign_or_404(request, campaign_id)
    if request.method == "POST":
        try:
            count = campaign_content.campaign_start(
                acting_user=request.user, campaign=campaign,
                organisation=request.organisation, request=request)
        except (CampaignError, sending.ScheduleTooLong) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Campagne lancée : %(n)s personne(s) recevront le "
                                        "message.") % {"n": count})
            return redirect("awareness_campaign", request.organisation.slug, campaign.pk)
    people = campaign_services.targets(campaign)
    last = _last_send(campaign, len(people))
    return render(request, "awareness/campaign_launch.html", {
        "campaign": campaign, "count": len(people), "last": last,
        "too_late": bool(last and campaign.send_by and last > campaign.send_by),
        "problems": campaign_content.launch_problems(campaign)})


def _transition(request, campaign_id, action, done: str):
    campaign = get_campaign_or_404(request, campaign_id)
    try:
        action(acting_user=request.user, campaign=campaign, request=request)
    except CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("awareness_campaign", request.organisation.slug, campaign.pk)


@org_view(roles=MANAGE_ROLES, write=True)
@require_POST
def awareness_campaign_pause(request, campaign_id):
    return _transition(request, campaign_id, campaign_services.campaign_pause,
                       _("Campagne en pause : plus aucun message ne part."))


@org_view(roles=MANAGE_ROLES, write=True)
@require_POST
def awareness_campaign_resume(request, campaign_id):
    return _transition(request, campaign_id, campaign_services.campaign_resume,
                       _("Campagne reprise : les envois restants sont décalés de la durée "
                         "de la pause."))


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_campaign_stop(request, campaign_id):
    """GET: the confirmation (stopping cancels for good). POST: the stop."""
    if request.method == "POST":
        return _transition(request, campaign_id, campaign_services.campaign_stop,
                           _("Campagne arrêtée : les messages pas encore partis sont "
                             "annulés."))
    campaign = get_campaign_or_404(request, campaign_id)
    return render(request, "awareness/campaign_stop.html",
                  {"campaign": campaign, "counts": _counts(campaign)})


@org_view(roles=READ_ROLES)
def awareness_staff_notice(request):
    """The printable notice that tells the staff about the exercises, before any of them."""
    return render(request, "awareness/campaign_staff_notice.html")


urlpatterns = [
    path("campagnes/", awareness_campaigns, name="awareness_campaigns"),
    path("campagnes/nouvelle/", awareness_campaign_new, name="awareness_campaign_new"),
    path("campagnes/information-du-personnel/", awareness_staff_notice,
         name="awareness_staff_notice"),
    path("campagnes/<int:campaign_id>/", awareness_campaign, name="awareness_campaign"),
    path("campagnes/<int:campaign_id>/modifier/", awareness_campaign_edit,
         name="awareness_campaign_edit"),
    path("campagnes/<int:campaign_id>/avancement/", awareness_campaign_progress,
         name="awareness_campaign_progress"),
    path("campagnes/<int:campaign_id>/lancer/", awareness_campaign_launch,
         name="awareness_campaign_launch"),
    path("campagnes/<int:campaign_id>/pause/", awareness_campaign_pause,
         name="awareness_campaign_pause"),
    path("campagnes/<int:campaign_id>/reprendre/", awareness_campaign_resume,
         name="awareness_campaign_resume"),
    path("campagnes/<int:campaign_id>/arreter/", awareness_campaign_stop,
         name="awareness_campaign_stop"),
]
