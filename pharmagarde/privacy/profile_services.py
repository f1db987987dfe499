"""The organisation's data-protection profile: who the controller is, how people reach them,
the facts the notices and the impact-assessment helper read."""

from django.db import transaction

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision

from .models import PrivacyProfile

FIELDS = ("controller", "contact", "dpo", "turnover_over_threshold", "video_surveillance",
          "phishing_tests")


class ProfileConflict(RevisionConflict):
    """Someone else saved the profile since the form was shown."""


def profile_of(organisation) -> PrivacyProfile:
    profile, _created = PrivacyProfile.objects.get_or_create(organisation=organisation)
    return profile


def profile_save(*, acting_user, profile: PrivacyProfile, values: dict, revision: int | None,
                 request=None) -> list[str]:
    """Write the profile if it is still at `revision`; returns the labels of what changed."""
    changed = {name: values[name] for name in FIELDS
               if name in values and getattr(profile, name) != values[name]}
    if not changed:
        return []
    with transaction.atomic():
        claim_revision(PrivacyProfile.objects.filter(organisation=profile.organisation),
                       profile.pk, revision, conflict=ProfileConflict, **changed)
        labels = [str(PrivacyProfile._meta.get_field(name).verbose_name) for name in changed]
        audit.record("privacy.profile_saved", actor=acting_user,
                     organisation=profile.organisation, obj=profile, request=request,
                     details={"champs": ", ".join(labels)})
    return labels
