"""Who must use two-factor authentication, and who has it."""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from pharmagarde.core.models import ROLES_REQUIRING_MFA, Membership

# Recovery codes only help someone who already has a real second factor: they don't count.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def _memberships_requiring_mfa():
    return Membership.objects.filter(
        Q(role__in=ROLES_REQUIRING_MFA) | Q(organisation__require_mfa_for_all=True)
    )


def mfa_missing(user):
    """True if one of the user's roles requires MFA and they have no second factor.

    One query, whatever the number of memberships: this runs on every request.
    """
    needs = _memberships_requiring_mfa().filter(user=OuterRef("pk"))
    has = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS)
    return get_user_model().objects.filter(pk=user.pk).filter(
        Exists(needs), ~Exists(has)
    ).exists()


def memberships_requiring_mfa(user):
    """The memberships that explain why MFA is required, for the explanation page."""
    return _memberships_requiring_mfa().filter(user=user).select_related("organisation")


def has_second_factor(user):
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def dashboard_todo(request):
    """The dashboard's first item while the user has no second factor (the same rule as
    everywhere: recovery codes alone do not count)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if has_second_factor(request.user):
        return []
    return [(_("Activez la double authentification sur votre compte."), reverse("mfa_index"))]
