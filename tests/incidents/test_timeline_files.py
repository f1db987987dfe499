"""Files attached to an incident's timeline: checked as every evidence file, stored with
their entry or not at all, downloaded by the people who see the incident."""

import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pharmagarde.incidents.models import TimelineEntry, TimelineFile
from tests.base import BaseTestCase
from tests.incidents.test_incident_views import declare
from tests.sample_files import EXECUTABLE_STUB, real_pdf

PDF = real_pdf()


class TimelineFileTestCase(BaseTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp(prefix="pharmagarde-incident-")
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.incident = declare(self.org, self.colin, kind="rancongiciel")
        self.url = self.org_url("incident_note_add", self.incident.pk)

    def post(self, name, content, user=None):
        self.client.force_login(user or self.colin)
        return self.client.post(self.url, {"text": "Photo du message de rançon.",
                                           "file": SimpleUploadedFile(name, content)})

    def test_a_real_file_is_kept_with_its_entry_and_downloaded(self):
        response = self.post("rançon.pdf", PDF)
        self.assertRedirects(response, self.org_url("incident_detail", self.incident.pk)
                             + "#fil", fetch_redirect_response=False)
        attached = TimelineFile.objects.get()
        self.assertEqual((attached.entry.incident, attached.original_name, attached.size),
                         (self.incident, "rançon.pdf", len(PDF)))
        download = self.client.get(self.org_url("incident_file_download", attached.pk))
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertEqual(download["Content-Security-Policy"], "default-src 'none'; sandbox")

    def test_a_disguised_program_is_refused_and_nothing_is_written(self):
        response = self.post("capture.pdf", EXECUTABLE_STUB)
        self.assertEqual(response.status_code, 422)
        self.assertFalse(TimelineFile.objects.exists())
        self.assertFalse(TimelineEntry.objects.filter(kind="note").exists())
        self.assertEqual([p for p in Path(self.media).rglob("*") if p.is_file()], [])

    def test_only_those_who_see_the_incident_download(self):
        self.post("rançon.pdf", PDF)
        url = self.org_url("incident_file_download", TimelineFile.objects.get().pk)
        other = declare(self.org, self.alice)
        self.client.force_login(self.alice)
        self.client.post(self.org_url("incident_note_add", other.pk),
                         {"text": "Journal", "file": SimpleUploadedFile("journal.pdf", PDF)})
        foreign = self.org_url("incident_file_download",
                               TimelineFile.objects.get(entry__incident=other).pk)
        self.client.force_login(self.colin)  # declared the first, not the second
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(foreign).status_code, 404)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
