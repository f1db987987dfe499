from django import forms
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import Person
from pharmagarde.lib.uploads import ACCEPT_ATTRIBUTE

from . import selectors, sources
from .models import Action

# What a person cannot edit on an action from a source: the source rewrites its title,
# description and effort at each reconciliation (services.SOURCE_OWNED).
SOURCE_LOCKED = ("title", "description", "effort")
PICKER_PREFIX = "closes_"


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


class PickerBoundField(forms.BoundField):
    @property
    def groups(self):
        """[(group title, [(key, text, checked)])] for the template's fieldsets."""
        selected = {str(v) for v in (self.value() or [])}
        return [(title, [(key, text, key in selected) for key, text in options])
                for title, options in self.field.choices]


class PickerField(forms.MultipleChoiceField):
    """What a hand-made action settles at one source: checkboxes in groups (_field.html).

    Keys the source no longer offers (a question removed from the questionnaire) are kept:
    the person did not untick them.
    """

    picker = True
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, source, current=(), **kwargs):
        super().__init__(required=False, initial=list(current), **kwargs)
        self.source_name, self.summary = source.name, source.picker_summary
        offered = {key for _title, options in self.choices for key, _text in options}
        self.kept = [key for key in current if key not in offered]

    def get_bound_field(self, form, field_name):
        return PickerBoundField(form, self, field_name)

    def clean(self, value):
        return sorted(set(self.kept) | set(super().clean(value)))

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return set(initial or []) != set(self.kept) | {str(value) for value in data or []}


class ActionForm(forms.ModelForm):
    owner = OwnerField(label=_("Responsable de l'action"), queryset=Person.objects.none(),
                       required=False,
                       help_text=_("La personne qui s'en occupe. Ajoutez-la d'abord dans "
                                   "« Personnel » si elle n'y est pas."))
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100,
                                  initial=0, help_text=_("De 0 à 100."))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "status", "effort", "progress",
                  "notes"]
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
        if self.instance.is_manual:
            self._add_pickers(organisation)
        else:
            for name in SOURCE_LOCKED:
                self.fields[name].disabled = True
        self.fields["status"].help_text = _(
            "« Terminée » met l'avancement à 100 %.")

    def _add_pickers(self, organisation):
        """One picker per source that offers one, between progress and notes (as before)."""
        names = []
        for source, choices in sources.pickers(organisation):
            name = PICKER_PREFIX + source.name
            self.fields[name] = PickerField(source=source,
                                            current=self.instance.closes_at(source.name),
                                            choices=choices, label=source.picker_label,
                                            help_text=source.picker_help)
            names.append(name)
        order = list(self.fields)
        notes = order.index("notes")
        self.order_fields([*order[:notes], *names, *order[notes:]])

    def picker_names(self):
        return [name for name, field in self.fields.items() if getattr(field, "picker", False)]

    def current_value(self, instance, name):
        """The value a field shows for `instance` (a picker reads the action's links)."""
        field = self.fields[name]
        if getattr(field, "picker", False):
            return instance.closes_at(field.source_name)
        return getattr(instance, name)

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def _post_clean(self):
        super()._post_clean()
        if not self.instance.is_manual:
            return
        # New dicts: the conflict page builds this form on a copy of the saved action. A
        # source that offers no picker today (its questionnaire unreadable) keeps its links.
        data = dict(self.instance.source_data or {})
        closes = dict(data.pop("closes", {}))
        for name in self.picker_names():
            if name in self.cleaned_data:
                closes[self.fields[name].source_name] = self.cleaned_data[name]
        closes = {source: keys for source, keys in closes.items() if keys}
        self.instance.source_data = {**data, "closes": closes} if closes else data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Déplacer vers"), choices=Action.Status.choices)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Statut"), required=False)
    owner = forms.ChoiceField(label=_("Responsable"), required=False)
    effort = forms.ChoiceField(label=_("Effort"), required=False,
                               choices=[("", _("Tous"))] + Action.Effort.choices)
    source = forms.ChoiceField(label=_("Origine"), required=False)
    overdue = forms.BooleanField(label=_("En retard uniquement"), required=False)
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=[
        ("priority", _("Priorité")), ("due", _("Échéance")), ("status", _("Statut")),
        ("title", _("Intitulé"))])

    def __init__(self, *args, organisation, with_status=True, with_menus=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Tous")), ("open", _("À faire ou en cours"))] \
            + Action.Status.choices
        self.fields["source"].choices = [("", _("Toutes")), *sources.choices()]
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
