from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from pharmagarde.lib.identifiers import normalise

from .audit import ACTION_LABELS
from .models import Organisation, Person, Role

ORGANISATION_FIELDS = ["name", "kind", "siret", "finess", "address", "postal_code", "city",
                       "region", "size_band", "require_mfa_for_all"]


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People paste "732 829 320 00074": room for the separators, removed in clean_*.
        for name in ("siret", "finess"):
            field = self.fields[name]
            field.max_length = 20
            field.widget.attrs["maxlength"] = 20
            field.validators = [v for v in field.validators
                                if not isinstance(v, MaxLengthValidator)]

    def clean_siret(self):
        return normalise(self.cleaned_data["siret"])

    def clean_finess(self):
        return normalise(self.cleaned_data["finess"])

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if code and not (len(code) == 5 and code.isdigit()):
            raise forms.ValidationError(_("Le code postal compte 5 chiffres."))
        return code


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices,
                             initial=Role.COLLABORATEUR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "job", "arrival_date", "departure_date",
                  "user"]
        widgets = {
            "arrival_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "departure_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only accounts that are members of this organisation can be linked.
        self.fields["user"].queryset = get_user_model().objects.filter(
            memberships__organisation=organisation
        ).order_by("email")
        self.fields["user"].label_from_instance = lambda user: user.email
        self.fields["user"].required = False
        self.instance.organisation = organisation


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Événement"), required=False)
    actor = forms.CharField(label=_("Auteur (e-mail)"), required=False, max_length=254)
    start = forms.DateField(label=_("Du"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The known actions, not a DISTINCT over the log: that would scan every entry.
        labels = sorted(ACTION_LABELS.items(), key=lambda item: str(item[1]))
        self.fields["action"].choices = [("", _("Toutes"))] + labels

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        if data.get("actor"):
            queryset = queryset.filter(actor_label__icontains=data["actor"])
        if data.get("start"):
            queryset = queryset.filter(created_at__date__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(created_at__date__lte=data["end"])
        return queryset
