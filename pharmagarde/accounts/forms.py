"""allauth's forms with plainer French labels, second-factor checks that count wrong codes
(settings ACCOUNT_FORMS and MFA_FORMS), and the mail preferences of the account page."""

from allauth.account import forms as account_forms
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from allauth.mfa.webauthn.forms import AddWebAuthnForm as BaseAddWebAuthnForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.models import UserPreferences

from . import second_factor

EMAIL_LABEL = _("Adresse e-mail")


def _relabel(form, field, label, help_text=None):
    if field in form.fields:
        form.fields[field].label = label
        if help_text is not None:
            form.fields[field].help_text = help_text


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, "login", EMAIL_LABEL)


class SignupForm(account_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, "email", EMAIL_LABEL)
        _relabel(self, "password2", _("Le même mot de passe, pour vérifier"))


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, "email", EMAIL_LABEL)


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, "email", _("Nouvelle adresse e-mail"))


class AddWebAuthnForm(BaseAddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(self, "name", _("Nom de la clé"),
                 _("Pour la reconnaître plus tard, par exemple « Clé USB bleue » ou "
                   "« Téléphone de Marie »."))
        _relabel(self, "passwordless", _("S'en servir aussi pour se connecter sans mot de passe"),
                 _("La clé remplacera alors le mot de passe : elle vous demandera votre "
                   "empreinte ou son code à chaque connexion."))


class _CountedCodeMixin:
    """A wrong code or recovery code counts as a failed sign-in (accounts/second_factor.py)."""

    reauthentication = False

    def clean_code(self):
        second_factor.check(self.user)
        try:
            return super().clean_code()
        except ValidationError:
            second_factor.record_failure(self.user, method="code",
                                         reauthentication=self.reauthentication)
            raise


class AuthenticateForm(_CountedCodeMixin, mfa_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_CountedCodeMixin, mfa_forms.ReauthenticateForm):
    reauthentication = True


class _CountedWebAuthnMixin:
    """A security key's answer that does not verify counts as a failed sign-in. For a
    passwordless sign-in the account comes from the attacker's own payload: only the
    client address is counted then, so that nobody can lock someone else out."""

    def clean_credential(self):
        user = getattr(self, "user", None)
        second_factor.check(user)
        try:
            try:
                return super().clean_credential()
            except (KeyError, TypeError, ValueError) as error:
                # fido2 raises KeyError on an answer missing a field (allauth catches only
                # the other two): a forged answer is a wrong one, not a server error.
                raise get_mfa_adapter().validation_error("incorrect_code") from error
        except ValidationError:
            second_factor.record_failure(user, method="webauthn",
                                         reauthentication=self.reauthenticated)
            raise


class AuthenticateWebAuthnForm(_CountedWebAuthnMixin, webauthn_forms.AuthenticateWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(_CountedWebAuthnMixin,
                                 webauthn_forms.ReauthenticateWebAuthnForm):
    pass


class LoginWebAuthnForm(_CountedWebAuthnMixin, webauthn_forms.LoginWebAuthnForm):
    pass


class PreferencesForm(forms.ModelForm):
    """What the account page lets a user choose about the mail they receive."""

    class Meta:
        model = UserPreferences
        fields = ["digest", "language"]
