"""Evidence files, wherever they are attached (answers, actions, later incidents…).

The upload is cut short once it passes MAX_UPLOAD_BYTES (SizeLimitUploadHandler), then its
content is checked by lib.uploads (check_upload). This module stores it under its random name
together with its row and audit entry (all or nothing), at most MAX_EVIDENCE_FILES to one
answer, action…, serves it back safely, and deletes it only once the deletion of its row is
committed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.lib.uploads import check_file

from . import audit


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes MAX_UPLOAD_BYTES and flags the request."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.request.upload_too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def check_upload(request, uploaded) -> str:
    """The content type of the request's uploaded file, or lib.uploads.UploadError."""
    return check_file(uploaded, max_bytes=settings.MAX_UPLOAD_BYTES,
                      cut_short=getattr(request, "upload_too_large", False))


def attach_file(evidence, uploaded_file, *, attached_to: models.Model,
                siblings: models.QuerySet, stored_name, action, acting_user, details,
                request=None):
    """Save `evidence` (an unsaved EvidenceFile) with its file and its audit entry.

    `attached_to` is the answer, action… the file goes to, and `siblings` the files it
    already has: a ValidationError says when there is no room left.
    """
    with transaction.atomic():
        # Two uploads at once must not both find the last free place.
        type(attached_to)._default_manager.select_for_update().filter(pk=attached_to.pk).first()
        limit = settings.MAX_EVIDENCE_FILES
        if siblings.count() >= limit:
            raise ValidationError(ngettext(
                "Il y a déjà %(count)d fichier joint, le maximum. Retirez-le avant d'en "
                "joindre un autre.",
                "Il y a déjà %(count)d fichiers joints, le maximum. Retirez-en un avant d'en "
                "joindre un autre.", limit) % {"count": limit})
        evidence.size = uploaded_file.size
        evidence.uploaded_by = acting_user
        evidence.file.save(stored_name, uploaded_file, save=False)
        try:
            evidence.save()
            audit.record(action, actor=acting_user, organisation=evidence.organisation,
                         obj=evidence, request=request, details=details)
        except Exception:
            # The row is not there: neither must the file be.
            evidence.file.storage.delete(evidence.file.name)
            raise
    return evidence


def detach_file(evidence, *, action: str, acting_user, details=None, request=None) -> None:
    """Delete `evidence` (an EvidenceFile) with its audit entry; its file goes once the
    transaction commits, so that a rollback never leaves a row without its file."""
    with transaction.atomic():
        audit.record(action, actor=acting_user, organisation=evidence.organisation,
                     obj=evidence, request=request, details=details or {})
        field_file = evidence.file
        evidence.delete()
        delete_files_on_commit([field_file])


def delete_files_on_commit(field_files):
    """Remove stored files once the rows that named them are gone for good."""
    for field_file in field_files:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def download_response(evidence):
    """The file as an attachment that no browser will run or render inline."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("Ce fichier n'est plus disponible.")) from error
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
