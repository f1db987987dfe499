"""Writes about a user's own account: the mail preferences (language, weekly digest).

Keyword-only arguments, one transaction, the audit entry in it (core/services.py's rules).
"""

from django.db import transaction

from pharmagarde.core import audit
from pharmagarde.core.models import UserPreferences


def _locked_preferences(user) -> UserPreferences:
    preferences, _created = (UserPreferences.objects.select_for_update()
                             .get_or_create(user=user))
    return preferences


def preferences_update(*, acting_user, language: str, digest: bool,
                       request=None) -> UserPreferences:
    """Save the account page's choices; nothing is written when nothing changes."""
    with transaction.atomic():
        preferences = _locked_preferences(acting_user)
        before = {"langue": preferences.language, "résumé": preferences.digest}
        after = {"langue": language, "résumé": digest}
        if before == after:
            return preferences
        preferences.language, preferences.digest = language, digest
        preferences.save(update_fields=["language", "digest", "updated_at"])
        audit.record("account.preferences_changed", actor=acting_user, request=request,
                     details={"avant": before, "après": after})
    return preferences


def digest_unsubscribe(*, user, request=None) -> bool:
    """Turn the weekly digest off from the signed link of a digest (no sign-in needed);
    False if it was off already."""
    with transaction.atomic():
        preferences = _locked_preferences(user)
        if not preferences.digest:
            return False
        preferences.digest = False
        preferences.save(update_fields=["digest", "updated_at"])
        audit.record("account.digest_unsubscribed", actor=user, request=request)
    return True


def language_remember(*, user, language: str) -> None:
    """The footer's language switcher also sets the language of the user's mail. Not
    audited: it changes nothing but wording."""
    with transaction.atomic():
        preferences = _locked_preferences(user)
        if preferences.language != language:
            preferences.language = language
            preferences.save(update_fields=["language", "updated_at"])
