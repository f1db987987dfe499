"""Writes that matter for organisations, memberships, invitations and people.

Each function takes keyword-only arguments and the `acting_user`, runs in one transaction,
and writes its audit entry in the same transaction.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import audit
from .mail import email_on_commit
from .models import Invitation, Membership, Organisation, Person, Role


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "structure"
    slug, counter = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def organisation_create(*, acting_user: User, request: HttpRequest | None = None,
                        **fields) -> Organisation:
    """Create an organisation; its creator becomes its first responsable."""
    with transaction.atomic():
        organisation = Organisation(slug=unique_slug(fields["name"]), created_by=acting_user,
                                    **fields)
        organisation.full_clean()
        organisation.save()
        Membership.objects.create(
            organisation=organisation, user=acting_user, role=Role.RESPONSABLE
        )
        audit.record("organisation.created", actor=acting_user, organisation=organisation,
                     obj=organisation, request=request)
    return organisation


def organisation_update(*, acting_user: User, organisation: Organisation,
                        changed: Iterable[str], request: HttpRequest | None = None) -> Organisation:
    """Save an organisation edited through a validated form; `changed` names the fields."""
    with transaction.atomic():
        organisation.save()
        audit.record("organisation.updated", actor=acting_user, organisation=organisation,
                     obj=organisation, request=request, details={"champs": sorted(changed)})
    return organisation


def _responsable_count(organisation):
    return organisation.memberships.filter(role=Role.RESPONSABLE).count()


def _lock_memberships(organisation):
    # Lock the organisation's memberships so that two responsables demoting each other at
    # the same time cannot leave the organisation with none.
    return list(Membership.objects.select_for_update().filter(organisation=organisation))


def membership_change_role(*, acting_user: User, membership: Membership, role: str,
                           request: HttpRequest | None = None) -> Membership:
    organisation = membership.organisation
    with transaction.atomic():
        _lock_memberships(organisation)
        membership.refresh_from_db()
        previous = membership.role
        if previous == role:
            return membership
        if previous == Role.RESPONSABLE and _responsable_count(organisation) == 1:
            raise ValidationError(
                _("La structure doit garder au moins un responsable : nommez-en un autre "
                  "avant de changer ce rôle.")
            )
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record("member.role_changed", actor=acting_user, organisation=organisation,
                     obj=membership, request=request,
                     details={"avant": previous, "après": role,
                              "membre": membership.user.email})
    return membership


def membership_remove(*, acting_user: User, membership: Membership,
                      request: HttpRequest | None = None) -> None:
    organisation = membership.organisation
    with transaction.atomic():
        _lock_memberships(organisation)
        membership.refresh_from_db()
        if membership.role == Role.RESPONSABLE and _responsable_count(organisation) == 1:
            raise ValidationError(
                _("Vous êtes le dernier responsable : nommez un autre responsable avant de "
                  "quitter la structure.")
            )
        email = membership.user.email
        audit.record("member.removed", actor=acting_user, organisation=organisation,
                     obj=membership, request=request,
                     details={"membre": email, "rôle": membership.role})
        membership.delete()


def invitation_create(*, acting_user: User, organisation: Organisation, email: str,
                      role: str, request: HttpRequest | None = None) -> tuple[Invitation, str]:
    """Create an invitation and mail its single-use link. Returns (invitation, token)."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Cette personne est déjà membre de la structure.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        Invitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role,
            token_hash=Invitation.hash_token(token), invited_by=acting_user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
        )
        audit.record("invitation.sent", actor=acting_user, organisation=organisation,
                     obj=invitation, request=request, details={"rôle": role})
        _send_invitation_mail(invitation, token, acting_user)
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def _send_invitation_mail(invitation, token, acting_user):
    """Queued in the invitation's transaction, sent by the worker after commit. The link
    holds the raw token: it waits encrypted in the outgoing mail (core/mail.py), and the
    task table only sees the mail's id."""
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "inviter": acting_user,
        "validity_days": settings.INVITATION_VALIDITY_DAYS,
    }
    email_on_commit(
        to=[invitation.email],
        subject=_("Invitation à rejoindre %(org)s sur Pharmagarde")
        % {"org": invitation.organisation.name},
        template="core/mail/invitation.txt", context=context,
    )


def invitation_revoke(*, acting_user: User, invitation: Invitation,
                      request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record("invitation.revoked", actor=acting_user,
                     organisation=invitation.organisation, obj=invitation, request=request)
        invitation.delete()


class InvitationError(Exception):
    """The link cannot be used; the message says why, in French."""


def find_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=Invitation.hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError(_("Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été "
                                "copié en entier, ou demandez une nouvelle invitation."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("Ce lien d'invitation a déjà été utilisé. Connectez-vous, "
                                "ou demandez une nouvelle invitation."))
    if invitation.is_expired:
        raise InvitationError(_("Ce lien d'invitation a expiré. Demandez au responsable de "
                                "la structure de vous en envoyer un nouveau."))
    return invitation


def invitation_accept(*, acting_user: User, token: str,
                      request: HttpRequest | None = None) -> Membership:
    """Turn an invitation into a membership, once: the update only matches an unused row."""
    with transaction.atomic():
        invitation = find_invitation(token)
        if invitation.email.lower() != acting_user.email.lower():
            # The link alone is not enough: a forwarded or leaked mail gives no access.
            raise InvitationError(
                _("Cette invitation est adressée à %(email)s. Connectez-vous avec ce compte, "
                  "ou demandez une invitation à votre adresse.") % {"email": invitation.email}
            )
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=acting_user
        )
        if not claimed:
            raise InvitationError(_("Ce lien d'invitation a déjà été utilisé."))
        membership, created = Membership.objects.get_or_create(
            organisation=invitation.organisation, user=acting_user,
            defaults={"role": invitation.role},
        )
        audit.record("invitation.accepted", actor=acting_user,
                     organisation=invitation.organisation, obj=membership, request=request,
                     details={"rôle": membership.role, "nouveau_membre": created})
    return membership


PERSON_FIELDS = ["first_name", "last_name", "email", "job", "arrival_date", "departure_date",
                 "user"]


def person_save(*, acting_user: User, person: Person, request: HttpRequest | None = None) -> Person:
    """Create or update a person validated by a form."""
    created = person.pk is None
    with transaction.atomic():
        person.save()
        audit.record("person.created" if created else "person.updated", actor=acting_user,
                     organisation=person.organisation, obj=person, request=request)
    return person


def person_delete(*, acting_user: User, person: Person, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record("person.deleted", actor=acting_user, organisation=person.organisation,
                     obj=person, request=request)
        person.delete()
