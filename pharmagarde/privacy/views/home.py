"""The data-protection overview (the register, the processors, the requests, the impact
assessments and the notices) and the profile: who the controller is, how people reach them."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import org_view

from .. import profile_services
from ..models import KNOWN, PrivacyProfile
from ..roles import NOTICE_ROLES, READ_ROLES, WRITE_ROLES

UNKNOWN = [("", gettext_lazy("Je ne sais pas"))]


def _known(value):
    return {"True": True, "False": False}.get(value)


class ProfileForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PrivacyProfile
        fields = list(profile_services.FIELDS)
        widgets = {"contact": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        for name in ("turnover_over_threshold", "video_surveillance", "phishing_tests"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label, help_text=self.fields[name].help_text,
                choices=[(str(value), label) for value, label in KNOWN] + UNKNOWN,
                coerce=_known, empty_value=None, required=False, widget=forms.RadioSelect,
                initial=str(getattr(self.instance, name)) if getattr(self.instance, name)
                is not None else "")


@org_view(roles=NOTICE_ROLES)
def privacy_home(request):
    organisation = request.organisation
    role = request.membership.role
    context = {"reads_register": role in READ_ROLES, "can_edit": role in WRITE_ROLES}
    if context["reads_register"]:
        from .. import home_summary

        context.update(home_summary.summary(organisation))
    return render(request, "privacy/home.html", context)


@org_view(roles=WRITE_ROLES, write=True)
def privacy_profile(request):
    profile = profile_services.profile_of(request.organisation)
    form = ProfileForm(request.POST or None, instance=PrivacyProfile.objects.get(pk=profile.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            profile_services.profile_save(
                acting_user=request.user, profile=profile,
                values={name: form.cleaned_data[name] for name in profile_services.FIELDS},
                revision=form.cleaned_data["revision"], request=request)
        except profile_services.ProfileConflict as error:
            conflict = error.current
        else:
            messages.success(request, _("Profil enregistré."))
            return redirect("privacy_home", request.organisation.slug)
    return render(request, "privacy/profile_form.html", {"form": form, "conflict": conflict},
                  status=409 if conflict else 422 if form.errors else 200)


urlpatterns = [
    path("", privacy_home, name="privacy_home"),
    path("profil/", privacy_profile, name="privacy_profile"),
]
