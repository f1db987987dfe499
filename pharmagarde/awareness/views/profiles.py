"""Sending profiles: the list with the outcome of each one's last test, a new profile (from
a provider's preset: ?fournisseur=<key>), editing one (its password never shown back), and
testing one (a message to oneself).

The responsable and the référent write (MANAGE_ROLES); the DPO and the auditor read."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view

from .. import profile_services as services
from ..access import get_sendingprofile_or_404
from ..models import SendingProfile
from ..roles import MANAGE_ROLES, READ_ROLES

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class ProfileForm(forms.ModelForm):
    password = forms.CharField(
        label=gettext_lazy("Mot de passe"), required=False, max_length=500, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SendingProfile
        fields = services.FIELDS
        help_texts = {
            "name": gettext_lazy("Pour vous y retrouver, par exemple : Messagerie Microsoft "
                                 "365 de la pharmacie."),
            "host": gettext_lazy("Le nom du serveur d'envoi donné par votre fournisseur de "
                                 "messagerie, par exemple smtp.office365.com."),
            "username": gettext_lazy("Souvent l'adresse e-mail du compte qui envoie. Laissez "
                                     "vide pour un relais local sans identification."),
            "from_address": gettext_lazy("L'adresse du compte qui envoie : les réponses "
                                         "techniques (adresse inconnue…) y arrivent. "
                                         "L'expéditeur affiché dans le faux message est "
                                         "celui du modèle."),
            "rate_per_minute": gettext_lazy("0 : sans limite (relais local seulement). Au-delà "
                                            "de la limite de votre fournisseur, il bloque le "
                                            "compte : restez prudent."),
        }
        error_messages = {
            "name": {"required": gettext_lazy("Donnez un nom à ce profil.")},
            "host": {"required": gettext_lazy("Indiquez le serveur SMTP.")},
            "port": {"required": gettext_lazy("Indiquez le port, par exemple 587."),
                     "invalid": gettext_lazy("Le port est un nombre, par exemple 587.")},
            "from_address": {"required": gettext_lazy("Indiquez l'adresse d'envoi."),
                             "invalid": gettext_lazy("Cette adresse e-mail n'est pas valide, "
                                                     "par exemple campagnes@pharmacie.fr.")},
            "rate_per_minute": {"invalid": gettext_lazy("Indiquez un nombre de messages, par "
                                                        "exemple 20.")},
        }

    def __init__(self, *args, has_password=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = (
            _("Laissez vide pour garder le mot de passe actuel.") if has_password
            else _("Le mot de passe du compte, ou un mot de passe d'application. Il est "
                   "chiffré et n'est plus jamais affiché."))

    def clean_port(self):
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("Un port va de 1 à 65535 : 587, 465 ou 25 le plus "
                                          "souvent."))
        return port

    def clean_rate_per_minute(self):
        rate = self.cleaned_data["rate_per_minute"]
        if rate > 1000:
            raise forms.ValidationError(_("1 000 messages par minute au plus."))
        return rate

    def clean(self):
        data = super().clean()
        host = (data.get("host") or "").strip().lower()
        if (data.get("security") == SendingProfile.Security.NONE and data.get("username")
                and host not in LOCAL_HOSTS):
            self.add_error("security", _("Sans chiffrement, le mot de passe passerait en clair "
                                         "sur Internet : choisissez STARTTLS ou TLS."))
        return data


def _preset_initial(request, initial: dict) -> tuple[dict, services.Preset | None]:
    preset = services.PRESETS_BY_KEY.get(request.GET.get("fournisseur", ""))
    if preset:
        initial = {**initial, "host": preset.host, "port": preset.port,
                   "security": preset.security, "rate_per_minute": preset.rate_per_minute}
    return initial, preset


def _form_page(request, form, profile, preset):
    return render(request, "awareness/profile_form.html", {
        "form": form, "profile": profile, "presets": services.PRESETS, "preset": preset})


def _save(request, form, profile):
    data = form.cleaned_data
    try:
        return services.profile_save(
            acting_user=request.user, organisation=request.organisation, values=data,
            password=data["password"], profile=profile, revision=data.get("revision"),
            request=request)
    except services.ProfileConflict:
        form.add_error(None, _("Quelqu'un d'autre a modifié ce profil entre-temps. Rechargez "
                               "la page pour voir sa version, puis refaites vos changements."))
        return None


@org_view(roles=READ_ROLES)
def awareness_profiles(request):
    """The profiles of the organisation (a handful): one query."""
    return render(request, "awareness/profile_list.html", {
        "profiles": list(SendingProfile.objects.filter(organisation=request.organisation)),
        "can_edit": request.membership.role in MANAGE_ROLES})


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_profile_new(request):
    initial, preset = _preset_initial(request, {"rate_per_minute": 20})
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile = _save(request, form, None)
        messages.success(request, _("Profil d'envoi enregistré. Testez-le maintenant : une "
                                    "campagne ne part que par un profil testé avec succès."))
        return redirect("awareness_profile_edit", request.organisation.slug, profile.pk)
    return _form_page(request, form, None, preset)


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_profile_edit(request, sendingprofile_id):
    profile = get_sendingprofile_or_404(request, sendingprofile_id)
    initial, preset = _preset_initial(
        request, {**{name: getattr(profile, name) for name in services.FIELDS},
                  "revision": profile.revision})
    form = ProfileForm(request.POST or None, initial=initial,
                       has_password=bool(profile.password))
    if request.method == "POST" and form.is_valid() and _save(request, form, profile):
        messages.success(request, _("Profil d'envoi enregistré."))
        return redirect("awareness_profile_edit", request.organisation.slug, profile.pk)
    return _form_page(request, form, profile, preset)


@org_view(roles=MANAGE_ROLES, write=True)
@require_POST
def awareness_profile_test(request, sendingprofile_id):
    profile = get_sendingprofile_or_404(request, sendingprofile_id)
    if not request.user.email:
        messages.error(request, _("Votre compte n'a pas d'adresse e-mail où envoyer le test."))
    else:
        ok, text = services.profile_test(acting_user=request.user, profile=profile,
                                         to_address=request.user.email, request=request)
        (messages.success if ok else messages.error)(request, text)
    return redirect("awareness_profile_edit", request.organisation.slug, profile.pk)


urlpatterns = [
    path("profils/", awareness_profiles, name="awareness_profiles"),
    path("profils/nouveau/", awareness_profile_new, name="awareness_profile_new"),
    path("profils/<int:sendingprofile_id>/", awareness_profile_edit,
         name="awareness_profile_edit"),
    path("profils/<int:sendingprofile_id>/tester/", awareness_profile_test,
         name="awareness_profile_test"),
]
