"""allauth's forms with plainer French labels (settings ACCOUNT_FORMS and MFA_FORMS)."""

from allauth.account import forms as account_forms
from allauth.mfa.webauthn.forms import AddWebAuthnForm as BaseAddWebAuthnForm
from django.utils.translation import gettext_lazy as _

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
