from django import forms
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Person
from pharmagarde.lib.uploads import ACCEPT_ATTRIBUTE

from . import selectors
from .models import Action

# What a person edits on an action that comes from the diagnostic: its title, description
# and effort follow the referential at each synchronisation.
DIAGNOSTIC_LOCKED = ("title", "description", "effort")


def person_label(person):
    name = f"{person.first_name} {person.last_name}".strip()
    return f"{name} ({person.job})" if person.job else name


class OwnerField(forms.ModelChoiceField):
    """A person of the organisation; the menu lists current staff first, departed after."""

    def label_from_instance(self, obj):
        return person_label(obj)


def grouped_people(organisation, empty_label):
    current, departed = selectors.people_choices(organisation)
    choices = [("", empty_label)]
    if current:
        choices.append((_("Équipe actuelle"), [(p.pk, person_label(p))
                                                for p in current]))
    if departed:
        choices.append((_("Personnes parties"), [(p.pk, person_label(p))
                                                  for p in departed]))
    return choices


class ActionForm(forms.ModelForm):
    owner = OwnerField(label=_("Responsable de l'action"), queryset=Person.objects.none(),
                       required=False,
                       help_text=_("La personne qui s'en occupe. Ajoutez-la d'abord dans "
                                   "« Personnel » si elle n'y est pas."))
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100,
                                  initial=0, help_text=_("De 0 à 100."))
    question_ids = forms.MultipleChoiceField(
        label=_("Questions du diagnostic que cette action règle"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Facultatif. Une fois l'action terminée, la meilleure réponse à ces "
                    "questions vous sera proposée au prochain diagnostic."))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "status", "effort", "progress",
                  "question_ids", "notes"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "due_date": _("La date à laquelle l'action doit être faite (jj/mm/aaaa)."),
            "notes": _("Ce qui a été fait, ce qui reste, à qui s'adresser."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        owner = self.fields["owner"]
        # Only this organisation's people: another organisation's id is "not a valid choice".
        owner.queryset = Person.objects.filter(organisation=organisation)
        owner.widget.choices = grouped_people(organisation, _("— Personne pour l'instant —"))
        self.fields["title"].widget.attrs["maxlength"] = 200
        if self.instance.pk:
            self.fields["revision"].initial = self.instance.revision
            self.fields["revision"].required = True
        if self.instance.source == Action.Source.DIAGNOSTIC:
            for name in DIAGNOSTIC_LOCKED:
                self.fields[name].disabled = True
            del self.fields["question_ids"]
        else:
            self.fields["question_ids"].choices = selectors.manual_question_choices(
                organisation)
            if not self.fields["question_ids"].choices:
                del self.fields["question_ids"]
        self.fields["status"].help_text = _(
            "« Terminée » met l'avancement à 100 %.")

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_question_ids(self):
        # Keep the links to questions that are not in the current questionnaire any more.
        kept = [qid for qid in (self.instance.question_ids or [])
                if qid not in dict(self._flat_question_choices())]
        return sorted(set(kept) | set(self.cleaned_data["question_ids"]))

    def question_groups(self):
        """[(theme title, [(id, text, checked)])] for the template's fieldsets."""
        if "question_ids" not in self.fields:
            return []
        selected = {str(v) for v in (self["question_ids"].value() or [])}
        return [(theme, [(qid, text, qid in selected) for qid, text in options])
                for theme, options in self.fields["question_ids"].choices]

    def _flat_question_choices(self):
        for _theme, options in self.fields["question_ids"].choices:
            yield from options


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Déplacer vers"), choices=Action.Status.choices)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Statut"), required=False)
    owner = forms.ChoiceField(label=_("Responsable"), required=False)
    effort = forms.ChoiceField(label=_("Effort"), required=False,
                               choices=[("", _("Tous"))] + Action.Effort.choices)
    source = forms.ChoiceField(label=_("Origine"), required=False,
                               choices=[("", _("Toutes"))] + Action.Source.choices)
    overdue = forms.BooleanField(label=_("En retard uniquement"), required=False)
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=[
        ("priority", _("Priorité")), ("due", _("Échéance")), ("status", _("Statut")),
        ("title", _("Intitulé"))])

    def __init__(self, *args, organisation, with_status=True, with_menus=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Tous")), ("open", _("À faire ou en cours"))] \
            + Action.Status.choices
        if with_menus:
            people = grouped_people(organisation, _("Tous"))
            people.insert(1, ("none", _("Sans responsable")))
            self.fields["owner"].choices = people
        else:
            # Exports show no menu: any id is accepted, and only ever matches actions of
            # this organisation (the query starts from it).
            self.fields["owner"] = forms.RegexField(regex=r"^(none|\d{1,10})$", required=False)
        if not with_status:
            del self.fields["status"]
            del self.fields["sort"]

    @property
    def filters(self):
        """The valid filters (an invalid one is ignored rather than failing the page)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Joindre une preuve"), required=False,
                           widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                           help_text=_("PDF, photo, document Word ou Excel, tableur, texte. "
                                       "Une capture d'écran ou une attestation suffit."))
