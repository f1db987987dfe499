"""The packs' pages: home (the regimes that apply, each with its latest packs), asking for
a pack, its page and polled state, every pack (paginated), the downloads (attachment,
audited) and the preview. Readers: responsable, référent, DPO, auditeur; the
collaborateur 403; the auditor reads but cannot ask (403 on POST); an outsider 404; the
anonymous visitor goes to sign-in; a federation gets 404."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from pharmagarde.core.models import AuditEntry, Membership, Role
from pharmagarde.core.packs import regimes_for
from pharmagarde.reports.models import Pack
from tests.base import BaseTestCase, make_organisation


class PackViewsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pack = cls.make_pack(status=Pack.Status.DONE)
        cls.other_pack = Pack.objects.create(organisation=cls.other_org, regime="general",
                                             as_of=timezone.localdate(),
                                             status=Pack.Status.DONE)

    @classmethod
    def make_pack(cls, regime="general", status=Pack.Status.DONE, **fields):
        pack = Pack.objects.create(organisation=cls.org, regime=regime, status=status,
                                   as_of=timezone.localdate(), requested_by=cls.alice,
                                   **fields)
        if status == Pack.Status.DONE:
            for field, content in (("pdf", b"%PDF-1.7 x"), ("docx", b"PK docx"),
                                   ("xlsx", b"PK xlsx")):
                getattr(pack, field).save(f"dossier.{field}", ContentFile(content),
                                          save=False)
            pack.pages = 3
            pack.summary = {"fresh": 1, "stale": 2, "missing": 0, "to_fix": 2}
            pack.save()
        return pack

    def read_urls(self):
        return [self.org_url("reports_home"), self.org_url("reports_pack_list"),
                self.org_url("reports_pack", self.pack.pk),
                self.org_url("reports_pack_state", self.pack.pk),
                self.org_url("reports_pack_download", self.pack.pk, "pdf"),
                self.org_url("reports_preview", "general")]

    def test_readers_see_every_page(self):
        for user in (self.alice, self.rita, self.dora, self.aude):
            self.client.force_login(user)
            for url in self.read_urls():
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_collaborateur_is_refused(self):
        self.client.force_login(self.colin)
        for url in [*self.read_urls(), self.org_url("reports_pack_request")]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_the_outsider_gets_404_and_the_anonymous_visitor_signs_in(self):
        self.client.force_login(self.oscar)
        for url in self.read_urls():
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        for url in self.read_urls():
            with self.subTest(url):
                self.assertRedirects(self.client.get(url), f"/comptes/login/?next={url}",
                                     fetch_redirect_response=False)

    def test_another_organisations_pack_is_404(self):
        self.client.force_login(self.alice)
        for name in ("reports_pack", "reports_pack_state"):
            self.assertEqual(self.client.get(self.org_url(name, self.other_pack.pk))
                             .status_code, 404)
        self.assertEqual(self.client.get(self.org_url(
            "reports_pack_download", self.other_pack.pk, "pdf")).status_code, 404)

    def test_a_federation_analyst_gets_404(self):
        federation = make_organisation("Fédération", "federation", kind="federation",
                                       siret="")
        Membership.objects.create(organisation=federation, user=self.alice,
                                  role=Role.RESPONSABLE)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/o/federation/dossiers/").status_code, 404)

    def test_home_lists_the_regimes_that_apply_with_a_button_for_requesters(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_home"))
        self.assertShows(response, "Démarche qualité à l&#x27;officine (DQO)")
        self.assertNotContains(response, "ISO 15189")
        self.assertShows(response, "Générer<span", count=len(regimes_for(self.org)))
        self.assertShows(response, "3 pages, 2 preuves à corriger")
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("reports_home"))
        self.assertNotContains(response, "Générer")
        self.assertNotContains(response, "Approuver le plan")

    def test_home_and_list_cost_the_same_queries_whatever_the_number_of_packs(self):
        self.client.force_login(self.rita)
        regimes = ["general", "cnil", "dqo"]
        for url in (self.org_url("reports_home"), self.org_url("reports_pack_list")):
            with self.subTest(url):
                self.assertQueriesConstant(url, lambda i: Pack.objects.create(
                    organisation=self.org, regime=regimes[i % 3], as_of=timezone.localdate(),
                    status=Pack.Status.FAILED, requested_by=self.alice))

    def test_home_shows_the_latest_three_packs_of_each_regime(self):
        for _index in range(5):
            self.make_pack("cnil", status=Pack.Status.FAILED)
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_home"))
        self.assertShows(response, "échec", count=3)

    def test_the_list_is_paginated(self):
        for _index in range(30):
            self.make_pack("cnil", status=Pack.Status.FAILED)
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_pack_list"))
        self.assertShows(response, "Page 1 sur 2")
        self.assertEqual(self.client.get(self.org_url("reports_pack_list") + "?page=x")
                         .status_code, 200)

    def test_asking_for_a_pack_queues_it_and_leads_to_its_page(self):
        self.client.force_login(self.dora)
        from unittest import mock

        with mock.patch("pharmagarde.reports.services.enqueue") as enqueue, \
                self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.org_url("reports_pack_request"),
                                        {"regime": "cnil"})
        pack = Pack.objects.get(regime="cnil")
        self.assertRedirects(response, self.org_url("reports_pack", pack.pk),
                             fetch_redirect_response=False)
        enqueue.assert_called_once_with(pack.pk)
        self.assertEqual(pack.requested_by, self.dora)

    def test_asking_is_post_only_refused_to_the_auditor_and_checks_the_regime(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("reports_pack_request")).status_code,
                         405)
        response = self.client.post(self.org_url("reports_pack_request"),
                                    {"regime": "cofrac"}, follow=True)
        self.assertShows(response, "Ce référentiel ne s&#x27;applique pas à votre structure.")
        response = self.client.post(self.org_url("reports_pack_request"), {})
        self.assertEqual(response.status_code, 302)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(self.org_url("reports_pack_request"),
                                          {"regime": "general"}).status_code, 403)
        self.assertEqual(Pack.objects.filter(organisation=self.org).count(), 1)

    def test_the_pack_page_polls_while_running_then_offers_the_files(self):
        running = self.make_pack(status=Pack.Status.RUNNING, progress=40,
                                 step="Sections : Plan d'action")
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_pack", running.pk))
        self.assertShows(response, 'hx-trigger="every 2s"')
        self.assertShows(response, '<progress max="100" value="40"')
        self.assertShows(response, "Sections : Plan d&#x27;action")
        self.assertShows(response, 'aria-live="polite"')
        state = self.client.get(self.org_url("reports_pack_state", self.pack.pk))
        self.assertNotContains(state, "hx-trigger")
        self.assertShows(state, "Télécharger le PDF")
        self.assertShows(state, "Télécharger le document Word (modifiable)")

    def test_a_pack_queued_a_few_minutes_says_the_worker_seems_not_started(self):
        queued = self.make_pack(status=Pack.Status.QUEUED)
        self.client.force_login(self.alice)
        url = self.org_url("reports_pack_state", queued.pk)
        response = self.client.get(url)
        self.assertShows(response, 'hx-trigger="every 2s"')
        self.assertNotContains(response, "pharmagarde worker")
        Pack.objects.filter(pk=queued.pk).update(
            requested_at=timezone.now() - datetime.timedelta(minutes=5))
        response = self.client.get(url)
        self.assertShows(response, "Le service de tâches ne semble pas démarré "
                                   "(pharmagarde worker)")
        self.assertShows(response, 'hx-trigger="every 2s"')  # it may still start

    def test_a_stalled_pack_stops_polling_and_offers_to_retry_without_a_write(self):
        queued = self.make_pack(status=Pack.Status.QUEUED)
        running = self.make_pack(regime="cnil", status=Pack.Status.RUNNING,
                                 started_at=timezone.now() - datetime.timedelta(minutes=45))
        Pack.objects.filter(pk=queued.pk).update(
            requested_at=timezone.now() - datetime.timedelta(hours=2))
        self.client.force_login(self.alice)
        for pack in (queued, running):
            with self.subTest(pack.status):
                response = self.client.get(self.org_url("reports_pack", pack.pk))
                self.assertShows(response, "La préparation du dossier semble arrêtée.")
                self.assertNotContains(response, "hx-trigger")
                self.assertShows(response, "Réessayer")
                pack.refresh_from_db()
                self.assertIn(pack.status, {Pack.Status.QUEUED, Pack.Status.RUNNING})
        self.assertShows(self.client.get(self.org_url("reports_pack", queued.pk)),
                         "vérifiez que « pharmagarde worker » tourne")
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(self.org_url("reports_pack_request"),
                                        {"regime": "general"})
        queued.refresh_from_db()
        self.assertEqual(queued.status, Pack.Status.FAILED)
        self.assertNotEqual(response.url, self.org_url("reports_pack", queued.pk))

    def test_a_failed_pack_shows_its_message_and_retry(self):
        failed = self.make_pack(status=Pack.Status.FAILED, error="Pango manque.")
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_pack", failed.pk))
        self.assertShows(response, "Pango manque.")
        self.assertShows(response, "Réessayer")
        self.client.force_login(self.aude)
        self.assertNotContains(self.client.get(self.org_url("reports_pack", failed.pk)),
                               "Réessayer")

    def test_a_download_is_an_attachment_audited_with_its_format(self):
        self.client.force_login(self.aude)
        for file_format in ("pdf", "docx", "xlsx"):
            response = self.client.get(self.org_url("reports_pack_download", self.pack.pk,
                                                    file_format))
            self.assertEqual(response.status_code, 200)
            self.assertIn("attachment", response["Content-Disposition"])
            self.assertIn(f".{file_format}", response["Content-Disposition"])
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            b"".join(response.streaming_content)
        self.assertEqual(sorted(e.details["format"] for e in AuditEntry.objects.filter(
            action="pack.downloaded")), ["docx", "pdf", "xlsx"])

    def test_a_bad_format_or_a_pack_not_ready_is_404(self):
        running = self.make_pack(status=Pack.Status.RUNNING)
        self.client.force_login(self.alice)
        for url in (self.org_url("reports_pack_download", self.pack.pk, "exe"),
                    self.org_url("reports_pack_download", self.pack.pk, "pages"),
                    self.org_url("reports_pack_download", running.pk, "pdf"),
                    self.org_url("reports_preview", "cofrac"),
                    self.org_url("reports_preview", "nope")):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="pack.downloaded").exists())

    def test_the_preview_shows_the_same_content_as_the_pdf(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("reports_preview", "general"))
        self.assertShows(response, "Aperçu — État de la sécurité")
        self.assertShows(response, "Les preuves et leur fraîcheur")
        self.assertShows(response, "Approbation du plan par la direction")
        self.assertShows(response, "absente")
