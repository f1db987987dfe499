"""Writes of the cross-server part (signing.py): a member's export of its signed
aggregate, a federation's adding of a structure of another server by its public key, and
the import of a signed aggregate. Each audited in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.models import Organisation, OrganisationKind

from . import signing
from . import values as federation_values
from .models import Contribution, FederationMember, SigningKey

# A file made on a server whose clock is a little ahead is not « in the future ».
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _refused(error: signing.AggregateRefused) -> ValidationError:
    return ValidationError(str(error), code="refused")


def signing_key_find(*, organisation: Organisation):
    """The organisation's signing key, or None when it has none yet (nothing made)."""
    return SigningKey.objects.filter(organisation=organisation).first()


def signing_key_get(*, organisation: Organisation, acting_user, request=None):
    """The organisation's signing key, made (and audited) on first use."""
    def audited(key):
        audit.record("federation.key_created", actor=acting_user, organisation=organisation,
                     request=request,
                     details={"fingerprint": signing.fingerprint(key.public_key)})

    return signing.signing_key(organisation, on_create=audited)


def signing_key_replace(*, organisation: Organisation, acting_user, request=None):
    """A new key; files signed by the old one are refused from now on, and each federation
    must add the structure again with the new public key (docs/federation-remote.md)."""
    with transaction.atomic():
        old, key = signing.replace_key(organisation)
        audit.record("federation.key_replaced", actor=acting_user, organisation=organisation,
                     request=request, details={
                         "old_fingerprint": signing.fingerprint(old.public_key) if old else "",
                         "fingerprint": signing.fingerprint(key.public_key)})
    return key


def aggregate_preview(*, organisation: Organisation,
                      moment: datetime.datetime | None = None) -> dict:
    """{metric key: value} the export would carry now: what the page shows."""
    moment = moment or timezone.now()
    return federation_values.collect({organisation.pk}, moment)[organisation.pk]


def aggregate_export(*, organisation: Organisation, acting_user, federation: str,
                     request=None, moment: datetime.datetime | None = None) -> bytes:
    """The signed file of the organisation's values for the federation identified by
    `federation` (signing.federation_identifier on the federation's server)."""
    if organisation.kind == OrganisationKind.FEDERATION:
        raise ValidationError(_("Une fédération n'exporte pas d'agrégats."))
    identifier = signing.normalise_identifier(federation)
    if not signing.IDENTIFIER_PATTERN.fullmatch(identifier):
        raise ValidationError(_("L'identifiant de la fédération a la forme PGF-XXXX-XXXX-"
                                "XXXX-XXXX : recopiez celui qu'elle vous a donné."),
                              code="identifier")
    moment = moment or timezone.now()
    found = aggregate_preview(organisation=organisation, moment=moment)
    with transaction.atomic():
        key = signing_key_get(organisation=organisation, acting_user=acting_user,
                              request=request)
        document = signing.build_document(organisation, identifier, moment, found)
        data = signing.sign(key, document)
        audit.record("federation.exported", actor=acting_user, organisation=organisation,
                     request=request, details={"federation": identifier,
                                               "as_of": document["as_of"],
                                               "values": len(found)})
    return data


def remote_member_add(*, federation: Organisation, acting_user, public_key: str, label: str,
                      request=None) -> FederationMember:
    """A structure of another server, known by its public key; it counts once its first
    signed aggregate is imported."""
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError(_("Seule une fédération ajoute des structures."))
    try:
        raw = signing.raw_public_key(public_key)
    except signing.AggregateRefused as error:
        raise _refused(error) from None
    key = signing.to_base64(raw)
    fingerprint = signing.fingerprint(key)
    with transaction.atomic():
        earlier = FederationMember.objects.select_for_update().filter(
            organisation=federation, key_fingerprint=fingerprint).first()
        if earlier is not None and earlier.status == FederationMember.Status.LEFT:
            # Removed, now added again: its row (one per key) comes back.
            earlier.status, earlier.label, earlier.left_at = (
                FederationMember.Status.MEMBER, label.strip(), None)
            earlier.answered_by, earlier.answered_at = acting_user, timezone.now()
            earlier.save(update_fields=["status", "label", "left_at", "answered_by",
                                        "answered_at"])
            audit.record("federation.remote_added", actor=acting_user,
                         organisation=federation, obj=earlier, request=request,
                         details={"fingerprint": fingerprint, "réadmise": True})
            return earlier
    if earlier is not None:
        raise ValidationError(_("Cette clé est déjà celle d'une structure de la fédération."),
                              code="duplicate")
    try:
        with transaction.atomic():
            member = FederationMember.objects.create(
                organisation=federation, member=None, status=FederationMember.Status.MEMBER,
                label=label.strip(), public_key=key, key_fingerprint=fingerprint,
                invited_by=acting_user, answered_by=acting_user, answered_at=timezone.now())
            audit.record("federation.remote_added", actor=acting_user,
                         organisation=federation, obj=member, request=request,
                         details={"fingerprint": fingerprint})
    except IntegrityError:
        raise ValidationError(_("Cette clé est déjà celle d'une structure de la "
                                "fédération."), code="duplicate") from None
    return member


def _sender(federation: Organisation, wrapper: dict) -> FederationMember:
    """The remote member whose stored key is the one the file names, locked."""
    try:
        fingerprint = signing.fingerprint(wrapper["public_key"])
    except signing.AggregateRefused:
        fingerprint = ""
    member = (FederationMember.objects.select_for_update()
              .filter(organisation=federation, member__isnull=True, key_fingerprint=fingerprint,
                      status=FederationMember.Status.MEMBER).first()) if fingerprint else None
    if member is None:
        raise ValidationError(_("Ce fichier est signé par une clé que la fédération ne connaît "
                                "pas. Ajoutez d'abord la structure avec sa clé publique "
                                "(« Ajouter une structure d'un autre serveur »), puis "
                                "importez à nouveau le fichier."), code="unknown_key")
    return member


def _check_dates(member: FederationMember, as_of: datetime.datetime) -> None:
    if as_of > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("Ce fichier est daté du %(date)s, dans le futur : vérifiez "
                                "l'horloge du serveur de la structure.")
                              % {"date": date_format(timezone.localtime(as_of),
                                                     "DATETIME_FORMAT")}, code="future")
    latest = member.contributions.order_by("-as_of").values_list("as_of", flat=True).first()
    if latest is not None and as_of <= latest:
        words = {"file": date_format(timezone.localtime(as_of), "DATETIME_FORMAT"),
                 "latest": date_format(timezone.localtime(latest), "DATETIME_FORMAT")}
        if as_of == latest:
            message = _("Ce fichier, daté du %(file)s, a déjà été importé.") % words
        else:
            message = _("Ce fichier est daté du %(file)s, plus ancien que le dernier importé "
                        "pour cette structure (%(latest)s) : il n'est pas accepté. Demandez "
                        "un export récent.") % words
        raise ValidationError(message, code="stale")


def aggregate_import(*, federation: Organisation, acting_user, data: bytes,
                     request=None) -> Contribution:
    """Store one remote member's signed aggregate, all or nothing: the file well formed,
    signed by the stored key of a remote member of this federation, for this federation,
    newer than the last one imported from that member and not in the future, with only
    known metrics and valid values (signing.check_document)."""
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError(_("Seule une fédération importe des agrégats."))
    try:
        wrapper = signing.read_wrapper(data)
    except signing.AggregateRefused as error:
        raise _refused(error) from None
    with transaction.atomic():
        member = _sender(federation, wrapper)
        try:
            document = signing.verify(wrapper, member.public_key)
        except signing.AggregateRefused as error:
            raise _refused(error) from None
        if document["federation"] not in signing.federation_identifiers(federation):
            raise ValidationError(_("Ce fichier a été préparé pour une autre fédération "
                                    "(identifiant %(identifier)s). Donnez à la structure "
                                    "l'identifiant de votre fédération, affiché sur cette "
                                    "page.") % {"identifier": document["federation"]},
                                  code="federation")
        as_of = signing.parse_as_of(document["as_of"])
        _check_dates(member, as_of)
        contribution = Contribution.objects.create(
            organisation=federation, federation_member=member, as_of=as_of,
            values=document["values"], document=wrapper["document"], imported_by=acting_user)
        member.kind, member.region = document["kind"], document["region"]
        member.size_band = document["size_band"]
        member.save(update_fields=["kind", "region", "size_band"])
        audit.record("federation.imported", actor=acting_user, organisation=federation,
                     obj=member, request=request,
                     details={"as_of": document["as_of"], "values": len(document["values"]),
                              "fingerprint": member.key_fingerprint})
    return contribution
