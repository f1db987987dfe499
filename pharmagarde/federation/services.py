"""Joining a federation and leaving it.

A federation's responsable invites a structure by the e-mail of its responsable
(`member_invite`): a FederationMember row « invitée », whose single-use link waits
encrypted in the outgoing mail (core/mail.py) and is kept here only as a hash. The person
the link is addressed to, signed in, picks one of the organisations where they are
responsable and accepts (`invitation_accept`) or declines (`invitation_decline`). The
member's responsable may leave at any time (`member_leave`), the federation may remove a
member (`member_remove`). One row per (federation, organisation): an organisation that
comes back takes over its old row's place.

A member who joined counts in the dashboards only from the next period that begins after
it joined (snapshots.py): joining, leaving and joining again moves nothing within a period.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.mail import email_on_commit
from pharmagarde.core.models import Membership, Organisation, OrganisationKind, Role

from .models import FederationMember

INVITATION_VALIDITY = timedelta(days=30)
Status = FederationMember.Status


class InvitationError(Exception):
    """The link cannot be used; the message says why, in French."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("federation_invitation", args=[token])


def _check_federation(federation: Organisation) -> None:
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError(_("Seule une fédération peut inviter des structures."))


def _send_invitation(member: FederationMember, token: str, acting_user: User) -> None:
    """Queued in the caller's transaction, sent by the worker after commit; the task table
    sees only the mail's id."""
    email_on_commit(
        to=[member.invited_email],
        subject=_("La fédération %(federation)s invite votre structure")
        % {"federation": member.organisation.name},
        template="federation/mail/invitation.txt",
        context={"member": member, "url": invitation_url(token), "inviter": acting_user,
                 "validity_days": INVITATION_VALIDITY.days},
    )


def _new_token(member: FederationMember) -> str:
    token = secrets.token_urlsafe(32)
    member.token_hash = hash_token(token)
    member.expires_at = timezone.now() + INVITATION_VALIDITY
    return token


def member_invite(*, acting_user: User, federation: Organisation, email: str,
                  request: HttpRequest | None = None) -> tuple[FederationMember, str]:
    """Invite the structure whose responsable has `email`. Returns (row, token)."""
    _check_federation(federation)
    email = email.strip().lower()
    pending = FederationMember.objects.filter(organisation=federation, status=Status.INVITED,
                                              invited_email__iexact=email)
    if pending.exists():
        raise ValidationError({"email": _(
            "Une invitation attend déjà la réponse de cette adresse : renvoyez-la depuis la "
            "liste des invitations.")})
    with transaction.atomic():
        member = FederationMember(organisation=federation, invited_email=email,
                                  invited_by=acting_user, status=Status.INVITED)
        token = _new_token(member)
        member.save()
        audit.record("federation.invited", actor=acting_user, organisation=federation,
                     obj=member, request=request, details={"adresse": email})
        _send_invitation(member, token, acting_user)
    return member, token


def invitation_resend(*, acting_user: User, member: FederationMember,
                      request: HttpRequest | None = None) -> str:
    """A new link (the old one stops working) and 30 more days."""
    with transaction.atomic():
        member = FederationMember.objects.select_for_update().get(pk=member.pk)
        if member.status != Status.INVITED:
            raise ValidationError(_("Cette invitation a déjà reçu une réponse."))
        token = _new_token(member)
        member.save(update_fields=["token_hash", "expires_at"])
        audit.record("federation.invitation_resent", actor=acting_user,
                     organisation=member.organisation, obj=member, request=request,
                     details={"adresse": member.invited_email})
        _send_invitation(member, token, acting_user)
    return token


def invitation_cancel(*, acting_user: User, member: FederationMember,
                      request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        deleted, _rows = FederationMember.objects.filter(
            pk=member.pk, status=Status.INVITED).delete()
        if not deleted:
            raise ValidationError(_("Cette invitation a déjà reçu une réponse."))
        audit.record("federation.invitation_cancelled", actor=acting_user,
                     organisation=member.organisation, obj=member, request=request,
                     details={"adresse": member.invited_email})


def find_invitation(token: str) -> FederationMember:
    """The pending invitation of this link, or InvitationError saying why not."""
    member = (FederationMember.objects.select_related("organisation")
              .filter(token_hash=hash_token(token)).first() if token else None)
    if member is None:
        raise InvitationError(_("Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été "
                                "copié en entier, ou demandez une nouvelle invitation à la "
                                "fédération."))
    if member.status != Status.INVITED:
        raise InvitationError(_("Ce lien d'invitation a déjà été utilisé."))
    if member.expires_at is None or member.expires_at <= timezone.now():
        raise InvitationError(_("Ce lien d'invitation a expiré. Demandez à la fédération de "
                                "vous en envoyer un nouveau."))
    return member


def _claimed(member: FederationMember, acting_user: User) -> FederationMember:
    """`member`'s invitation, locked, still waiting, addressed to `acting_user` (a
    forwarded mail gives nothing)."""
    if member.invited_email.lower() != (acting_user.email or "").lower():
        raise InvitationError(
            _("Cette invitation est adressée à %(email)s. Connectez-vous avec ce compte.")
            % {"email": member.invited_email})
    member = FederationMember.objects.select_for_update().select_related(
        "organisation").filter(pk=member.pk).first()
    if member is None:
        # Cancelled, or closed when the structure joined through another invitation.
        raise InvitationError(_("Cette invitation n'est plus valable : elle a été annulée, "
                                "ou la structure a déjà rejoint la fédération."))
    if member.status != Status.INVITED:
        raise InvitationError(_("Ce lien d'invitation a déjà été utilisé."))
    if member.expires_at is None or member.expires_at <= timezone.now():
        raise InvitationError(_("Ce lien d'invitation a expiré. Demandez à la fédération de "
                                "vous en envoyer un nouveau."))
    return member


def _claim(token: str | None, invitation: FederationMember | None,
           acting_user: User) -> FederationMember:
    """The invitation of the link's `token`, or `invitation` itself when it is answered
    from « Mes fédérations » (the same checks but the token's)."""
    if invitation is None:
        invitation = find_invitation(token or "")
    return _claimed(invitation, acting_user)


def invitation_accept(*, acting_user: User, organisation: Organisation,
                      token: str | None = None, invitation: FederationMember | None = None,
                      request: HttpRequest | None = None) -> FederationMember:
    """`organisation` joins the federation of the invitation (its link's `token`, or the
    `invitation` row answered from « Mes fédérations »); its responsable decides."""
    if organisation.kind == OrganisationKind.FEDERATION:
        raise InvitationError(_("Une fédération ne peut pas être membre d'une fédération."))
    if not Membership.objects.filter(user=acting_user, organisation=organisation,
                                     role=Role.RESPONSABLE).exists():
        raise InvitationError(_("Seul un responsable de la structure peut accepter."))
    already = _("Cette structure est déjà membre de la fédération.")
    with transaction.atomic():
        # Two responsables accepting two invitations for the same structure at once: the
        # structure's row is locked first, so the second waits and then finds it a member.
        list(Organisation.objects.select_for_update().filter(pk=organisation.pk))
        member = _claim(token, invitation, acting_user)
        earlier = FederationMember.objects.select_for_update().filter(
            organisation=member.organisation, member=organisation).first()
        if earlier is not None and earlier.status == Status.MEMBER:
            raise InvitationError(already)
        if earlier is not None:
            # One row per organisation: the new answer replaces the one of its past visit.
            earlier.delete()
        now = timezone.now()
        member.member, member.status, member.label = organisation, Status.MEMBER, ""
        member.answered_by, member.answered_at, member.left_at = acting_user, now, None
        member.kind, member.region = organisation.kind, organisation.region
        member.size_band = organisation.size_band
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            # The lock above makes this rare (SQLite takes it as a no-op): the unique
            # constraint still settles it, with the same answer.
            raise InvitationError(already) from None
        details = {"structure": organisation.name, "fédération": member.organisation.name}
        for where in (member.organisation, organisation):
            audit.record("federation.joined", actor=acting_user, organisation=where,
                         obj=member, request=request, details=details)
        _close_answered(member, acting_user, request)
    return member


def _close_answered(joined: FederationMember, acting_user: User,
                    request: HttpRequest | None) -> None:
    """The federation's other invitations that waited for a responsable of the structure
    that just joined, and that they can no longer accept for any structure (every one
    where they are responsable is now a member): cancelled, audited. An invitation to a
    responsable of another structure not yet a member stays."""
    federation = joined.organisation
    emails = (Membership.objects.filter(organisation=joined.member, role=Role.RESPONSABLE)
              .annotate(address=Lower("user__email")).values("address"))
    waiting = list(FederationMember.objects.select_for_update()
                   .annotate(address=Lower("invited_email"))
                   .filter(organisation=federation, status=Status.INVITED,
                           address__in=emails))
    if not waiting:
        return
    members = FederationMember.objects.filter(organisation=federation, status=Status.MEMBER,
                                              member__isnull=False).values("member")
    for invitation in waiting:
        elsewhere = (Membership.objects.filter(role=Role.RESPONSABLE,
                                               user__email__iexact=invitation.invited_email)
                     .exclude(organisation__kind=OrganisationKind.FEDERATION)
                     .exclude(organisation__in=members))
        if elsewhere.exists():
            continue
        invitation.delete()
        audit.record("federation.invitation_cancelled", actor=acting_user,
                     organisation=federation, obj=invitation, request=request,
                     details={"adresse": invitation.invited_email,
                              "raison": "structure déjà membre"})


def invitation_decline(*, acting_user: User, token: str | None = None,
                       invitation: FederationMember | None = None,
                       request: HttpRequest | None = None) -> FederationMember:
    with transaction.atomic():
        member = _claim(token, invitation, acting_user)
        member.status = Status.DECLINED
        member.answered_by, member.answered_at = acting_user, timezone.now()
        member.save(update_fields=["status", "answered_by", "answered_at"])
        audit.record("federation.declined", actor=acting_user,
                     organisation=member.organisation, obj=member, request=request,
                     details={"adresse": member.invited_email})
    return member


def _end(member: FederationMember, code: str, acting_user: User,
         request: HttpRequest | None) -> FederationMember:
    with transaction.atomic():
        # of=("self",): the member is a nullable key (an outer join), which PostgreSQL
        # cannot lock.
        member = FederationMember.objects.select_for_update(of=("self",)).select_related(
            "organisation", "member").get(pk=member.pk)
        if member.status != Status.MEMBER:
            raise ValidationError(_("Cette structure n'est plus membre de la fédération."))
        member.status, member.left_at = Status.LEFT, timezone.now()
        member.save(update_fields=["status", "left_at"])
        details = {"structure": str(member), "fédération": member.organisation.name}
        places = [member.organisation] + ([member.member] if member.member else [])
        for where in places:
            audit.record(code, actor=acting_user, organisation=where, obj=member,
                         request=request, details=details)
    return member


def member_leave(*, acting_user: User, member: FederationMember,
                 request: HttpRequest | None = None) -> FederationMember:
    """The member organisation leaves (its responsable, from « Mes fédérations »)."""
    return _end(member, "federation.left", acting_user, request)


def member_remove(*, acting_user: User, member: FederationMember,
                  request: HttpRequest | None = None) -> FederationMember:
    """The federation removes a member (its responsable, from « Structures membres »)."""
    return _end(member, "federation.removed", acting_user, request)
