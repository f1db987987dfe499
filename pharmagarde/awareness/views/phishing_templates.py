"""Phishing templates: the library's (for the organisation's kind) and the organisation's
own, one library template with its preview and clues, writing a custom one, and a test
send to oneself through a chosen profile.

The responsable and the référent write (MANAGE_ROLES); the DPO and the auditor read."""

import smtplib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pharmagarde.core import audit, crypto
from pharmagarde.core.access import org_view
from pharmagarde.core.models import Person

from .. import library, modules, sending
from .. import profile_services as profiles
from .. import template_services as services
from ..access import get_customtemplate_or_404
from ..campaign_content import content_of
from ..models import CustomTemplate, SendingProfile
from ..roles import MANAGE_ROLES, READ_ROLES

SUBJECT_VARIABLES = {"prenom", "nom", "structure"}
HTML_VARIABLES = set(library.PLACEHOLDERS)
TEXT_VARIABLES = {"prenom", "nom", "structure", "lien"}


class CustomTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom du modèle"), max_length=150,
                           error_messages={"required": gettext_lazy("Donnez un nom au "
                                                                    "modèle.")})
    sender_name = forms.CharField(
        label=gettext_lazy("Nom de l'expéditeur affiché"), max_length=150,
        help_text=gettext_lazy("Par exemple : Service facturation."),
        error_messages={"required": gettext_lazy("Indiquez le nom affiché.")})
    sender_address = forms.EmailField(
        label=gettext_lazy("Adresse de l'expéditeur affichée"),
        help_text=gettext_lazy("Une adresse imitée mais inoffensive, par exemple "
                               "facturation@grossiste-exemple.example."),
        error_messages={"required": gettext_lazy("Indiquez l'adresse affichée."),
                        "invalid": gettext_lazy("Cette adresse e-mail n'est pas valide.")})
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=200,
                              help_text=gettext_lazy("Variables : {{prenom}}, {{nom}}, "
                                                     "{{structure}}."),
                              error_messages={"required": gettext_lazy("Indiquez l'objet.")})
    html = forms.CharField(
        label=gettext_lazy("Message (HTML)"), max_length=50000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Balises courantes seulement : les scripts, styles et "
                               "formulaires sont retirés, chaque lien mène au lien suivi "
                               "{{lien}}, la seule image est {{pixel}}. Variables : "
                               "{{prenom}}, {{nom}}, {{structure}}, {{lien}}, {{pixel}}."),
        error_messages={"required": gettext_lazy("Écrivez le message."),
                        "max_length": gettext_lazy("50 000 caractères au plus.")})
    text = forms.CharField(
        label=gettext_lazy("Message (texte seul)"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Pour les messageries qui n'affichent pas le HTML. Laissez "
                               "vide : il est tiré du message HTML."))
    clues = forms.CharField(
        label=gettext_lazy("Indices"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Un indice par ligne : type | extrait | explication. Par "
                               "exemple : Urgence | sous 24 heures | Un vrai fournisseur ne "
                               "menace pas de couper le compte du jour au lendemain. Types : "
                               "expediteur, lien, urgence, ton, piece-jointe, demande, "
                               "orthographe, contexte."))
    difficulty = forms.TypedChoiceField(
        label=gettext_lazy("Difficulté"), coerce=int, initial=2,
        choices=list(library.DIFFICULTIES.items()))
    module = forms.ChoiceField(label=gettext_lazy("Module de formation proposé après un clic"))
    form_title = forms.CharField(
        label=gettext_lazy("Titre du faux formulaire de connexion"), max_length=100,
        required=False,
        help_text=gettext_lazy("Si la campagne propose un faux formulaire. Rien de ce qui y "
                               "est tapé n'est envoyé ni gardé."))
    form_fields = forms.CharField(
        label=gettext_lazy("Champs du faux formulaire"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Un par ligne, quatre au plus, par exemple : Identifiant, "
                               "Mot de passe."))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(item.key, item.title) for item in modules.modules()]

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        services.check_placeholders(subject, SUBJECT_VARIABLES, _("Objet"))
        return subject

    def clean_html(self):
        html = services.clean_html(self.cleaned_data["html"])
        services.check_placeholders(html, HTML_VARIABLES, _("Message"))
        if 'href="{{lien}}"' not in html:
            raise ValidationError(_("Il faut au moins un lien, qui deviendra le lien suivi : "
                                    "<a href=\"{{lien}}\">Voir le document</a>."))
        return html

    def clean_text(self):
        text = self.cleaned_data["text"]
        services.check_placeholders(text, TEXT_VARIABLES, _("Texte"))
        if text.strip() and "{{lien}}" not in text:
            raise ValidationError(_("Le texte seul doit contenir le lien suivi {{lien}}."))
        return text

    def clean_clues(self):
        return services.parse_clues(self.cleaned_data["clues"])

    def clean_form_fields(self):
        fields = [line.strip()[:60] for line in self.cleaned_data["form_fields"].splitlines()
                  if line.strip()]
        if len(fields) > 4:
            raise ValidationError(_("Quatre champs au plus."))
        return fields

    def clean(self):
        data = super().clean()
        if all(name in data for name in ("clues", "subject", "html", "sender_name",
                                         "sender_address")):
            try:
                services.check_clues(data["clues"], subject=data["subject"], html=data["html"],
                                     sender=f"{data['sender_name']} {data['sender_address']}")
            except ValidationError as error:
                self.add_error("clues", error)
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        fake_form = {"titre": data["form_title"], "champs": data["form_fields"]} \
            if data["form_title"] or data["form_fields"] else {}
        return {**{name: data[name] for name in services.FIELDS if name != "fake_form"},
                "fake_form": fake_form}

    @staticmethod
    def initial_of(template: CustomTemplate) -> dict:
        stored = template.fake_form or {}
        return {**{name: getattr(template, name) for name in services.FIELDS},
                "clues": services.clues_text(template.clues), "revision": template.revision,
                "form_title": stored.get("titre", ""),
                "form_fields": "\n".join(stored.get("champs", []))}


class TestSendForm(forms.Form):
    template = forms.CharField(widget=forms.HiddenInput)
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Profil d'envoi"), queryset=SendingProfile.objects.none(),
        error_messages={"required": gettext_lazy("Choisissez un profil d'envoi."),
                        "invalid_choice": gettext_lazy("Choisissez un profil de la liste.")})

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = SendingProfile.objects.filter(
            organisation=organisation)


def _test_form(request, value: str):
    if request.membership.role not in MANAGE_ROLES:
        return None
    return TestSendForm(organisation=request.organisation, initial={"template": value})


@org_view(roles=READ_ROLES)
def awareness_templates(request):
    """The library for the organisation's kind, then its own templates: one query."""
    return render(request, "awareness/template_list.html", {
        "shared": library.for_kind(request.organisation.kind),
        "own": list(CustomTemplate.objects.filter(organisation=request.organisation)
                    .only("pk", "name", "subject", "difficulty", "module")),
        "difficulties": library.DIFFICULTIES,
        "can_edit": request.membership.role in MANAGE_ROLES})


@org_view(roles=READ_ROLES)
def awareness_template(request, key):
    try:
        item = library.template(key)
    except KeyError:
        raise Http404("Modèle inconnu.") from None
    return render(request, "awareness/template_detail.html", {
        "item": item, "suits": item.applies(request.organisation.kind),
        # Cleaned by nh3 (template_services.preview_html), example values escaped.
        "preview": mark_safe(services.preview_html(item.html)),  # noqa: S308
        "module": _module_title(item.module),
        "test_form": _test_form(request, services.LIBRARY_PREFIX + item.key)})


def _module_title(key: str) -> str:
    try:
        return modules.module(key).title
    except KeyError:
        return key


def _custom_page(request, form, template):
    context = {"form": form, "template": template}
    if template is not None:
        context.update(
            # Cleaned by nh3 when saved (template_services.clean_html).
            preview=mark_safe(services.preview_html(template.html)),  # noqa: S308
            module=_module_title(template.module),
            test_form=_test_form(request, f"{services.CUSTOM_PREFIX}{template.pk}"))
    return render(request, "awareness/template_form.html", context)


def _save(request, form, template):
    try:
        return services.template_save(
            acting_user=request.user, organisation=request.organisation, values=form.values(),
            template=template, revision=form.cleaned_data.get("revision"), request=request)
    except services.TemplateConflict:
        form.add_error(None, _("Quelqu'un d'autre a modifié ce modèle entre-temps. Rechargez "
                               "la page pour voir sa version, puis refaites vos changements."))
        return None


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_customtemplate_new(request):
    form = CustomTemplateForm(request.POST or None, initial={"module": "hameconnage"})
    if request.method == "POST" and form.is_valid():
        template = _save(request, form, None)
        messages.success(request, _("Modèle enregistré. Vérifiez l'aperçu, puis envoyez-vous "
                                    "un test."))
        return redirect("awareness_customtemplate_edit", request.organisation.slug,
                        template.pk)
    return _custom_page(request, form, None)


@org_view(roles=MANAGE_ROLES, write=True)
def awareness_customtemplate_edit(request, customtemplate_id):
    template = get_customtemplate_or_404(request, customtemplate_id)
    form = CustomTemplateForm(request.POST or None,
                              initial=CustomTemplateForm.initial_of(template))
    if request.method == "POST" and form.is_valid() and _save(request, form, template):
        messages.success(request, _("Modèle enregistré."))
        return redirect("awareness_customtemplate_edit", request.organisation.slug,
                        template.pk)
    return _custom_page(request, form, template)


def _test_values(request) -> dict:
    person = Person.objects.filter(organisation=request.organisation,
                                   user=request.user).first()
    return {"prenom": person.first_name if person else request.user.email,
            "nom": person.last_name if person else "",
            "structure": request.organisation.name,
            # Harmless in a test: the link leads to the platform's home, nothing counted.
            "lien": f"{settings.SITE_URL}/", "pixel": ""}


@org_view(roles=MANAGE_ROLES, write=True)
@require_POST
def awareness_template_test(request):
    """Send the template to oneself, as the staff would get it, marked as a test."""
    form = TestSendForm(request.POST, organisation=request.organisation)
    choice = services.resolve(request.POST.get("template", ""), request.organisation)
    if choice is None:
        raise Http404("Modèle inconnu.")
    back = (redirect("awareness_template", request.organisation.slug, choice.shared.key)
            if choice.shared else redirect("awareness_customtemplate_edit",
                                           request.organisation.slug, choice.custom.pk))
    if not form.is_valid():
        messages.error(request, _("Choisissez le profil d'envoi du test."))
        return back
    profile = form.cleaned_data["profile"]
    content = content_of(choice, fake_form=False)
    values = _test_values(request)
    message = profiles.test_message(
        profile, request.user.email,
        subject=_("[TEST] %(subject)s") % {
            "subject": sending.fill(content["subject"], values, html=False)},
        body=sending.fill(content["text"], values, html=False),
        sender=f"{content['sender_name']} <{content['sender_address']}>")
    message.add_alternative(sending.fill(services.without_pixel(content["html"]), values,
                                         html=True), subtype="html")
    try:
        profiles.send_test(profile, message)
    except (smtplib.SMTPException, OSError, crypto.InvalidToken) as error:
        messages.error(request, profiles.explain(error))
        return back
    audit.record("awareness.test_sent", actor=request.user, organisation=request.organisation,
                 obj=profile, request=request, details={"modele": choice.name})
    messages.success(request, _("Message de test envoyé à %(address)s.") % {
        "address": request.user.email})
    return back


urlpatterns = [
    path("modeles/", awareness_templates, name="awareness_templates"),
    path("modeles/tester/", awareness_template_test, name="awareness_template_test"),
    path("modeles/nouveau/", awareness_customtemplate_new,
         name="awareness_customtemplate_new"),
    path("modeles/perso/<int:customtemplate_id>/", awareness_customtemplate_edit,
         name="awareness_customtemplate_edit"),
    path("modeles/<slug:key>/", awareness_template, name="awareness_template"),
]
