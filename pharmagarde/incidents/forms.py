"""The incidents' forms: French messages next to the field, times in the local zone."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Incident

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the browser's datetime-local input (local time)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
        kwargs.setdefault("error_messages", {
            "invalid": _("Indiquez une date et une heure, par exemple 01/12/2026 08:30.")})
        super().__init__(**kwargs)


def not_in_future(value: datetime.datetime | None):
    if value and value > timezone.now() + datetime.timedelta(minutes=5):
        raise forms.ValidationError(_("Ce moment est dans le futur : vérifiez la date et "
                                      "l'heure."))


class KindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Que se passe-t-il ?"), choices=Incident.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": _("Choisissez ce qui ressemble le "
                                                           "plus à la situation.")})


class DeclareForm(forms.Form):
    kind = forms.ChoiceField(choices=Incident.Kind.choices, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Ce que vous voyez"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("En quelques mots : le message affiché, les postes ou comptes touchés, "
                    "ce que vous avez déjà fait."),
        error_messages={"required": _("Décrivez en quelques mots ce que vous voyez.")})
    personal_data = forms.ChoiceField(
        label=_("Des données de patients ou de salariés peuvent-elles être touchées ?"),
        choices=Incident.PersonalData.choices, initial=Incident.PersonalData.UNKNOWN,
        widget=forms.RadioSelect)
    noticed_at = LocalDateTimeField(
        label=_("Constaté le"), validators=[not_in_future],
        help_text=_("Quand la structure s'en est rendu compte : les délais légaux partent "
                    "de ce moment."))
    started_at = LocalDateTimeField(label=_("Début, si vous le savez"), required=False,
                                    validators=[not_in_future])

    def clean(self):
        data = super().clean()
        started, noticed = data.get("started_at"), data.get("noticed_at")
        if started and noticed and started > noticed:
            self.add_error("started_at", _("Le début ne peut pas suivre le moment où "
                                           "l'incident a été constaté."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Ajouter au fil"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Écrivez ce qui s'est passé.")})
    at = LocalDateTimeField(label=_("Quand"), required=False, validators=[not_in_future],
                            help_text=_("Laissez vide pour maintenant."))
    file = forms.FileField(label=_("Pièce jointe"), required=False,
                           help_text=_("Photo du message de rançon, capture d'écran, journal… "
                                       "(PDF, image, texte ou document bureautique)."))


class IncidentForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = ["kind", "description", "severity", "status", "personal_data",
                  "noticed_at", "started_at", "people_involved", "processors",
                  "processors_told_at"]
        field_classes = {"noticed_at": LocalDateTimeField, "started_at": LocalDateTimeField,
                         "processors_told_at": LocalDateTimeField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "people_involved": forms.Textarea(attrs={"rows": 2}),
                   "processors": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Closing goes through its own form, with the review.
        self.fields["status"].choices = [c for c in Incident.Status.choices
                                         if c[0] != Incident.Status.CLOSED]
        self.fields["revision"].initial = self.instance.revision
        for name in ("noticed_at", "started_at", "processors_told_at"):
            self.fields[name].validators.append(not_in_future)


class CloseForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    lessons = forms.CharField(
        label=_("Retour d'expérience"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce qui a manqué, ce qu'il faut changer : une mesure par ligne. Chaque "
                    "ligne devient une action du plan."))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Pourquoi rouvrir ?"), max_length=300,
                             error_messages={"required": _("Dites pourquoi : la raison est "
                                                           "gardée avec le dossier.")})


DATA_TYPES = [
    ("identite", _("Identité (nom, prénom, date de naissance)")),
    ("coordonnees", _("Coordonnées (adresse, téléphone, e-mail)")),
    ("sante", _("Données de santé (ordonnances, traitements, résultats)")),
    ("nir", _("Numéro de sécurité sociale (NIR)")),
    ("mutuelle", _("Mutuelle et tiers payant")),
    ("bancaire", _("Données bancaires")),
    ("connexion", _("Identifiants et mots de passe")),
    ("rh", _("Données de salariés (paie, contrat)")),
    ("autre", _("Autres")),
]


class BreachForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    data_types = forms.MultipleChoiceField(label=_("Types de données"), choices=DATA_TYPES,
                                           required=False,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        from .models import Breach

        model = Breach
        fields = ["aware_at", "facts", "origin", "cause", "confidentiality", "integrity",
                  "availability", "people_categories", "people_count", "records_count",
                  "data_types", "health_data", "nir", "media", "consequences",
                  "measures_taken", "measures_planned", "contact"]
        field_classes = {"aware_at": LocalDateTimeField}
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in (
            "facts", "consequences", "measures_taken", "measures_planned")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        self.fields["aware_at"].validators.append(not_in_future)

    def clean(self):
        data = super().clean()
        types = set(data.get("data_types") or ())
        # The two flags the register and the risk helper weigh most follow the list.
        data["health_data"] = data.get("health_data") or "sante" in types
        data["nir"] = data.get("nir") or "nir" in types
        if not any(data.get(name) for name in ("confidentiality", "integrity",
                                                "availability")):
            self.add_error("confidentiality", _("Cochez au moins une conséquence : "
                                                "confidentialité, intégrité ou "
                                                "disponibilité."))
        return data


class ObligationForm(forms.Form):
    """A legal step of an incident (clocks.py): done when, with which receipt, or why it
    does not apply. The reason of the delay shows once the deadline has passed, and is
    required when the time given is after it (services.obligation_record says so too)."""

    done_at = LocalDateTimeField(
        label=_("Fait le"), required=False, validators=[not_in_future],
        help_text=_("Le moment de l'envoi du formulaire, de l'appel ou du dépôt de plainte."))
    reference = forms.CharField(
        label=_("Numéro de dossier ou de récépissé"), max_length=100, required=False,
        help_text=_("Celui que le portail ou le service vous a donné, s'il y en a un."))
    delay_reason = forms.CharField(
        label=_("Raison du retard"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Fait après l'échéance : indiquez la raison du "
                                      "retard, elle accompagne la déclaration.")})
    not_applicable = forms.CharField(
        label=_("Ou bien : ne s'applique pas, parce que"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Laissez vide si la démarche est faite. Par exemple : l'incident n'est "
                    "pas important au sens de NIS 2."))

    def __init__(self, *args, deadline=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        given = self._given_done_at()
        self.late = bool(deadline and given and given > deadline)
        if self.late:
            self.fields["delay_reason"].required = True
        elif not (deadline and now and now > deadline) and not self.initial.get(
                "delay_reason"):
            del self.fields["delay_reason"]
        if "delay_reason" in self.fields:
            self.fields["delay_reason"].help_text = _(
                "L'échéance était le %(due)s. Si la démarche a été faite après, dites "
                "pourquoi : la raison accompagne la déclaration.") % {
                "due": timezone.localtime(deadline).strftime("%d/%m/%Y à %H:%M")}

    def _given_done_at(self):
        if not self.is_bound:
            return self.initial.get("done_at")
        field = self.fields["done_at"]
        try:
            return field.clean(field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("done_at")))
        except forms.ValidationError:
            return None


class ResponseProfileForm(forms.ModelForm):
    """What decides which deadlines apply (clocks.py), beside the organisation's kind."""

    cert_sante = forms.TypedChoiceField(
        label=_("Signalement à CERT Santé"), required=False, widget=forms.RadioSelect,
        choices=[("", _("Selon le type de la structure")), ("oui", _("Oui, obligatoire")),
                 ("non", _("Non, pas concernée"))],
        coerce=lambda value: value == "oui", empty_value=None,
        help_text=_("Obligatoire pour les laboratoires de biologie médicale et les "
                    "établissements de santé (Code de la santé publique, art. L.1111-8-2)."))

    class Meta:
        from .models import ResponseProfile

        model = ResponseProfile
        fields = ["nis2_entity", "cyber_insured", "insurer", "cert_sante"]

    def __init__(self, *args, organisation_kind: str = "", **kwargs):
        from .clocks import CERT_SANTE_KINDS

        super().__init__(*args, **kwargs)
        self.initial["cert_sante"] = {True: "oui", False: "non"}.get(
            self.instance.cert_sante, "")
        default = (_("oui pour ce type de structure") if organisation_kind in CERT_SANTE_KINDS
                   else _("non pour ce type de structure"))
        choices = list(self.fields["cert_sante"].choices)
        choices[0] = ("", f"{choices[0][1]} ({default})")
        self.fields["cert_sante"].choices = choices


class ContactForm(forms.ModelForm):
    """An emergency contact: a name, and a phone, an e-mail or a site to reach it."""

    website = forms.URLField(
        label=_("Site Internet"), required=False, max_length=200, assume_scheme="https",
        error_messages={"invalid": _("Indiquez l'adresse d'un site, par exemple "
                                     "https://www.exemple.fr.")})

    class Meta:
        from .models import EmergencyContact

        model = EmergencyContact
        fields = ["kind", "name", "phone", "email", "website", "notes"]
        error_messages = {
            "kind": {"required": _("Choisissez de qui il s'agit.")},
            "name": {"required": _("Indiquez un nom : la personne, la société ou le "
                                   "service.")},
            "email": {"invalid": _("Indiquez une adresse e-mail valide, par exemple "
                                   "contact@exemple.fr.")},
        }

    def clean_phone(self):
        from .contacts import PHONE, digits

        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and (not PHONE.match(phone) or len(digits(phone)) < 2):
            raise forms.ValidationError(_("Un numéro de téléphone ne contient que des "
                                          "chiffres, des espaces, des points ou des "
                                          "tirets, et le signe + au début, par exemple "
                                          "01 23 45 67 89."))
        return phone

    def clean(self):
        data = super().clean()
        ways = ("phone", "email", "website")
        # A way mistyped has its own message; none given at all gets this one.
        if not any(data.get(name) or self.has_error(name) for name in ways):
            self.add_error("phone", _("Indiquez au moins un moyen de le joindre : un "
                                      "téléphone, une adresse e-mail ou un site."))
        return data
