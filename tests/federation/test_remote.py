"""Signed aggregates across servers, through the pages: a member's export, a federation's
adding of a remote structure and its import of the file, every refusal with its message
and nothing stored, and who may reach which page."""

import base64
import datetime
import html
import json
import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from pharmagarde.core import crypto
from pharmagarde.core.models import AuditEntry, Membership, Role
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.federation import remote_services, signing
from pharmagarde.federation.models import Contribution, FederationMember, SigningKey
from tests.base import BaseTestCase, make_organisation, make_user

DAY = datetime.timedelta(days=1)


def sign_raw(key: SigningKey, document: dict) -> bytes:
    """A file signed by `key` around any document, the gate bypassed: what an attacker
    holding the key could send."""
    raw = base64.b64decode(crypto.decrypt(key.private_key, purpose=signing.KEY_PURPOSE))
    body = json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()
    signature = Ed25519PrivateKey.from_private_bytes(raw).sign(body)
    return json.dumps({"document": body.decode(), "public_key": key.public_key,
                       "signature": base64.b64encode(signature).decode()}).encode()


class RemoteTestCase(BaseTestCase):
    def assertShows(self, response, text, **kwargs):
        """As BaseTestCase's, the page's entities read as characters (« d'une »)."""
        self.assertEqual(response.status_code, kwargs.pop("status_code", 200))
        page = html.unescape(response.content.decode())
        self.assertIn(text, page.replace("\u00a0", " ").replace("\u202f", " "))

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.org.region, cls.org.size_band = "BRE", "1-9"
        cls.org.save()
        Assessment.objects.create(
            organisation=cls.org, organisation_kind="officine", size_band="1-9",
            referential_version="2026.2", status=Assessment.Status.COMPLETED, score=68.0,
            completed_at=timezone.now() - 3 * DAY, theme_scores={"sauvegardes": 55.0})
        cls.federation = make_organisation("Groupement Ouest", "ouest", kind="federation",
                                           siret="")
        cls.fed_owner = make_user("resp@ouest.example", with_mfa=True)
        cls.fed_analyst = make_user("analyste@ouest.example", with_mfa=True)
        cls.fed_auditor = make_user("audit@ouest.example", with_mfa=True)
        for user, role in [(cls.fed_owner, Role.RESPONSABLE), (cls.fed_analyst, Role.REFERENT),
                           (cls.fed_auditor, Role.AUDITEUR)]:
            Membership.objects.create(organisation=cls.federation, user=user, role=role)
        cls.identifier = signing.federation_identifier(cls.federation)

    def share_url(self):
        return self.org_url("federation_share")

    def import_url(self):
        return self.org_url("federation_import", org=self.federation)

    def add_url(self):
        return self.org_url("federation_remote_add", org=self.federation)

    def export(self, *, moment=None, federation=None, org=None):
        return remote_services.aggregate_export(
            organisation=org or self.org, acting_user=self.alice,
            federation=federation or self.identifier, moment=moment)

    def add_remote(self, org=None):
        key = signing.signing_key(org or self.org)
        return remote_services.remote_member_add(federation=self.federation,
                                                 acting_user=self.fed_owner,
                                                 public_key=key.public_key,
                                                 label="Pharmacie de la Gare")

    def upload(self, data, name="agregats.json"):
        self.client.force_login(self.fed_owner)
        return self.client.post(self.import_url(), {
            "document": SimpleUploadedFile(name, data, "application/json")})


class RoundTripTests(RemoteTestCase):
    def test_a_member_exports_and_the_federation_imports(self):
        # The member's responsable reads its key and what will be shared, then downloads.
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.share_url()), "Créer la clé de signature")
        self.assertRedirects(self.client.post(self.org_url("federation_key_create")),
                             self.share_url())
        page = self.client.get(self.share_url())
        key = SigningKey.objects.get(organisation=self.org)
        self.assertShows(page, key.public_key)
        self.assertShows(page, signing.fingerprint_display(signing.fingerprint(key.public_key)))
        self.assertShows(page, "Score du diagnostic")
        response = self.client.post(self.share_url(), {"federation": self.identifier.lower()})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        data = response.content
        exported = AuditEntry.objects.get(action="federation.exported")
        self.assertEqual(exported.details["federation"], self.identifier)
        # The federation adds the structure by its public key, then imports the file.
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.add_url(), {"label": "Pharmacie de la Gare",
                                                     "public_key": key.public_key})
        self.assertRedirects(response, self.import_url())
        member = FederationMember.objects.get(organisation=self.federation)
        self.assertIsNone(member.member)
        self.assertEqual(member.status, FederationMember.Status.MEMBER)
        self.assertEqual(member.key_fingerprint, signing.fingerprint(key.public_key))
        self.assertTrue(AuditEntry.objects.filter(action="federation.remote_added").exists())
        response = self.upload(data)
        self.assertRedirects(response, self.import_url())
        contribution = Contribution.objects.get()
        self.assertEqual(contribution.federation_member, member)
        self.assertEqual(contribution.organisation, self.federation)
        self.assertEqual(contribution.values["diagnostic.score"], 68.0)
        self.assertEqual(contribution.values["diagnostic.theme.sauvegardes"], 55.0)
        member.refresh_from_db()
        self.assertEqual((member.kind, member.region, member.size_band),
                         ("officine", "BRE", "1-9"))
        self.assertTrue(AuditEntry.objects.filter(action="federation.imported",
                                                  organisation=self.federation).exists())
        self.assertShows(self.client.get(self.import_url()), "Pharmacie de la Gare")
        # A newer export is accepted too.
        newer = self.export(moment=timezone.now() + datetime.timedelta(minutes=1))
        self.assertRedirects(self.upload(newer), self.import_url())
        self.assertEqual(Contribution.objects.count(), 2)

    def test_the_private_key_is_never_shown_audited_or_logged(self):
        records = []
        handler = logging.Handler(level=logging.DEBUG)
        handler.emit = records.append
        root = logging.getLogger()
        root.addHandler(handler)
        level = root.level
        root.setLevel(logging.DEBUG)
        try:
            self.client.force_login(self.alice)
            data = self.client.post(self.share_url(), {"federation": self.identifier}).content
            page = self.client.get(self.share_url()).content.decode()
            self.add_remote()
            self.upload(data)
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
        key = SigningKey.objects.get(organisation=self.org)
        private = crypto.decrypt(key.private_key, purpose=signing.KEY_PURPOSE)
        self.assertEqual(Contribution.objects.count(), 1)
        for text in [page, data.decode(), *(str(record.getMessage()) for record in records),
                     *(json.dumps(entry.details) for entry in AuditEntry.objects.all())]:
            self.assertNotIn(private, text)
            self.assertNotIn(key.private_key, text)
        self.assertNotIn(private, key.private_key)


class ImportRefusalTests(RemoteTestCase):
    def setUp(self):
        self.member = self.add_remote()
        self.key = SigningKey.objects.get(organisation=self.org)

    def assertRefused(self, data, message):
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertTrue(form.errors.get("document"), form.errors)
        self.assertIn(message, " ".join(form.errors["document"]).replace("\u00a0", " "))
        self.assertShows(response, message)
        self.assertFalse(Contribution.objects.exclude(pk__in=self.kept).exists())
        self.member.refresh_from_db()
        self.assertEqual(self.member.kind, self.kept_kind)
        return response

    kept: tuple = ()
    kept_kind = ""

    def valid_document(self, **changes):
        document = json.loads(json.loads(self.export())["document"])
        document.update(changes)
        return document

    def test_a_tampered_document(self):
        wrapper = json.loads(self.export())
        wrapper["document"] = wrapper["document"].replace("68.0", "98.0")
        self.assertRefused(json.dumps(wrapper).encode(), "La signature ne correspond pas")

    def test_a_signature_from_another_key(self):
        other = signing.signing_key(self.other_org)
        data = json.loads(sign_raw(other, self.valid_document()))
        data["public_key"] = self.key.public_key
        self.assertRefused(json.dumps(data).encode(), "La signature ne correspond pas")

    def test_an_unknown_key(self):
        other = make_organisation("Pharmacie Charlie", "charlie", siret="")
        data = self.export(org=other)
        self.assertRefused(data, "Ajoutez d'abord la structure")

    def test_a_file_for_another_federation(self):
        data = self.export(federation="PGF-AAAA-BBBB-CCCC-DDDD")
        self.assertRefused(data, "préparé pour une autre fédération")

    def test_a_replay_of_the_same_file(self):
        data = self.export()
        self.assertRedirects(self.upload(data), self.import_url())
        self.kept = tuple(Contribution.objects.values_list("pk", flat=True))
        self.kept_kind = "officine"
        self.assertRefused(data, "a déjà été importé")

    def test_an_older_file(self):
        older = self.export(moment=timezone.now() - 2 * DAY)
        self.assertRedirects(self.upload(self.export()), self.import_url())
        self.kept = tuple(Contribution.objects.values_list("pk", flat=True))
        self.kept_kind = "officine"
        response = self.assertRefused(older, "plus ancien que le dernier importé")
        self.assertShows(response, "est daté du")

    def test_a_file_from_the_future(self):
        self.assertRefused(self.export(moment=timezone.now() + DAY), "dans le futur")

    def test_malformed_json(self):
        self.assertRefused(b'{"document": "', "pas un fichier JSON lisible")

    def test_bytes_that_are_not_utf8(self):
        self.assertRefused(b"\xff\xfe\x00{\x00", "pas un fichier texte en UTF-8")

    def test_a_huge_file(self):
        self.assertRefused(b" " * (300 * 1024) + self.export(), "trop gros")

    @override_settings(MAX_UPLOAD_BYTES=1024)
    def test_a_file_cut_short_by_the_upload_limit(self):
        self.assertRefused(b" " * 4096 + self.export(), "trop gros")

    def test_an_empty_file(self):
        self.assertRefused(b"", "Ce fichier est vide")

    def test_the_wrong_shape(self):
        self.assertRefused(b"[1, 2, 3]", "n'a pas la forme d'un export")
        self.assertRefused(json.dumps({"document": "{}", "signature": "", "public_key": "",
                                       "nom": "x"}).encode(), "n'a pas la forme d'un export")

    def test_extra_unknown_fields(self):
        data = sign_raw(self.key, self.valid_document(nom="Pharmacie Alpha"))
        self.assertRefused(data, "champs inconnus")

    def test_an_unknown_metric(self):
        document = self.valid_document()
        document["values"]["diagnostic.nom"] = 1
        self.assertRefused(sign_raw(self.key, document), "mesures inconnues")

    def test_a_value_out_of_range(self):
        document = self.valid_document()
        document["values"]["diagnostic.score"] = 180.0
        self.assertRefused(sign_raw(self.key, document), "ne sont pas des scores")

    def test_a_name_smuggled_in_a_value(self):
        document = self.valid_document()
        document["values"]["diagnostic.score"] = "Pharmacie Alpha"
        self.assertRefused(sign_raw(self.key, document), "ne sont pas des scores")
        document["values"]["diagnostic.score"] = 50
        document["values"]["awareness.phishing_click"] = [1, 2, "alice@alpha.example"]
        self.assertRefused(sign_raw(self.key, document), "ne sont pas des scores")

    def test_a_name_smuggled_in_the_kind(self):
        data = sign_raw(self.key, self.valid_document(region="Pharmacie Alpha"))
        self.assertRefused(data, "n'est pas une valeur connue")

    def test_a_list_or_a_number_in_the_kind_region_or_size_band(self):
        for field in ("kind", "region", "size_band"):
            for value in ([], ["53"], {"a": 1}, 53):
                data = sign_raw(self.key, self.valid_document(**{field: value}))
                self.assertRefused(data, "n'est pas une valeur connue")

    def test_a_date_beyond_what_a_clock_can_say(self):
        for as_of in ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
                      "1999-12-31T08:00:00+00:00", "2300-01-01T08:00:00+00:00"):
            data = sign_raw(self.key, self.valid_document(as_of=as_of))
            self.assertRefused(data, "date du fichier")

    def test_a_member_that_left_can_no_longer_send(self):
        FederationMember.objects.filter(pk=self.member.pk).update(
            status=FederationMember.Status.LEFT)
        self.assertRefused(self.export(), "Ajoutez d'abord la structure")

    def test_no_file(self):
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.import_url(), {})
        self.assertShows(response, "Choisissez le fichier")


class RemoteAddTests(RemoteTestCase):
    def test_a_bad_key_is_refused_next_to_its_field(self):
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.add_url(), {"label": "X", "public_key": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["public_key"])
        self.assertFalse(FederationMember.objects.exists())

    def test_the_same_key_twice_is_refused(self):
        self.add_remote()
        key = SigningKey.objects.get(organisation=self.org)
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.add_url(), {"label": "Encore",
                                                     "public_key": key.public_key})
        self.assertShows(response, "déjà celle d'une structure")
        self.assertEqual(FederationMember.objects.count(), 1)

    def test_a_removed_structure_can_be_added_again(self):
        member = self.add_remote()
        self.client.force_login(self.fed_owner)
        self.client.post(self.org_url("federation_member_remove", member.pk,
                                      org=self.federation))
        member.refresh_from_db()
        self.assertEqual(member.status, FederationMember.Status.LEFT)
        key = SigningKey.objects.get(organisation=self.org)
        response = self.client.post(self.add_url(), {"label": "La Gare, de retour",
                                                     "public_key": key.public_key})
        self.assertRedirects(response, self.import_url())
        member.refresh_from_db()
        self.assertEqual((member.status, member.label, member.left_at),
                         (FederationMember.Status.MEMBER, "La Gare, de retour", None))
        self.assertEqual(FederationMember.objects.count(), 1)
        self.assertEqual(AuditEntry.objects.filter(action="federation.remote_added").count(),
                         2)
        self.assertRedirects(self.upload(self.export()), self.import_url())

    def test_an_old_contribution_stops_counting(self):
        from pharmagarde.federation import snapshots

        member = self.add_remote()
        start = timezone.now()
        Contribution.objects.create(organisation=self.federation, federation_member=member,
                                    as_of=start - 420 * DAY, values={"diagnostic.score": 40.0},
                                    document="{}")
        FederationMember.objects.filter(pk=member.pk).update(answered_at=start - 500 * DAY)
        self.assertEqual(snapshots.units_of(self.federation.pk, start), [])
        Contribution.objects.create(organisation=self.federation, federation_member=member,
                                    as_of=start - 300 * DAY, values={"diagnostic.score": 60.0},
                                    document="{}")
        [unit] = snapshots.units_of(self.federation.pk, start)
        self.assertEqual(unit.values["diagnostic.score"], 60.0)

    def test_a_label_is_required(self):
        key = signing.signing_key(self.org)
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.add_url(), {"label": "", "public_key": key.public_key})
        self.assertShows(response, "Donnez un nom")
        self.assertFalse(FederationMember.objects.exists())

    def test_the_page_gives_the_identifier(self):
        self.client.force_login(self.fed_owner)
        self.assertShows(self.client.get(self.add_url()), self.identifier)


class ShareTests(RemoteTestCase):
    def test_a_bad_identifier_is_refused_next_to_its_field(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.share_url(), {"federation": "Groupement Ouest"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["federation"])
        self.assertFalse(AuditEntry.objects.filter(action="federation.exported").exists())
        response = self.client.post(self.share_url(), {"federation": ""})
        self.assertShows(response, "Indiquez l'identifiant")

    def test_an_organisation_without_values_sees_what_to_do(self):
        Assessment.objects.all().delete()
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.share_url()), "Restauration des sauvegardes")


class AccessTests(RemoteTestCase):
    def test_the_share_page_is_for_the_members_responsable(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.share_url()).status_code, 404)
        for user in (self.rita, self.colin, self.dora, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.share_url()).status_code, 403)
            self.assertEqual(self.client.post(self.share_url(), {
                "federation": self.identifier}).status_code, 403)
        self.assertFalse(SigningKey.objects.exists())
        self.client.logout()
        self.assertEqual(self.client.get(self.share_url()).status_code, 302)

    def test_a_federation_gets_404_on_the_share_page(self):
        self.client.force_login(self.fed_owner)
        url = self.org_url("federation_share", org=self.federation)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"federation": self.identifier}).status_code,
                         404)

    def test_an_officine_gets_404_on_the_federation_pages(self):
        self.client.force_login(self.alice)
        for name in ("federation_remote_add", "federation_import"):
            url = self.org_url(name)
            self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(url).status_code, 404)

    def test_the_federation_pages_are_for_its_responsables(self):
        data = self.export()
        self.add_remote()
        for url in (self.add_url(), self.import_url()):
            self.client.force_login(self.oscar)
            self.assertEqual(self.client.get(url).status_code, 404)
            self.client.force_login(self.fed_analyst)
            self.assertEqual(self.client.get(url).status_code, 403)
            self.client.force_login(self.fed_auditor)
            self.assertEqual(self.client.post(url, {
                "document": SimpleUploadedFile("a.json", data)}).status_code, 403)
            self.client.logout()
            self.assertEqual(self.client.get(url).status_code, 302)
        self.assertFalse(Contribution.objects.exists())
        self.assertEqual(FederationMember.objects.count(), 1)

    def test_the_list_of_imports_costs_the_same_for_few_and_many(self):
        self.add_remote()
        member = FederationMember.objects.get()
        start = timezone.now() - 100 * DAY

        def make_row(i):
            Contribution.objects.create(organisation=self.federation, federation_member=member,
                                        as_of=start + i * DAY, values={"diagnostic.score": 50},
                                        document="{}", imported_by=self.fed_owner)

        self.client.force_login(self.fed_owner)
        self.assertQueriesConstant(self.import_url(), make_row)


class KeyReplaceTests(RemoteTestCase):
    def url(self):
        return self.org_url("federation_key_replace")

    def test_reading_the_page_makes_no_key(self):
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.share_url()), "Créer la clé de signature")
        self.assertFalse(SigningKey.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="federation.key_created").exists())

    def test_the_button_makes_one_audited_key(self):
        self.client.force_login(self.alice)
        url = self.org_url("federation_key_create")
        self.assertRedirects(self.client.post(url), self.share_url())
        self.assertRedirects(self.client.post(url), self.share_url())
        key = SigningKey.objects.get(organisation=self.org)
        entry = AuditEntry.objects.get(action="federation.key_created")
        self.assertEqual(entry.details["fingerprint"], signing.fingerprint(key.public_key))
        self.assertShows(self.client.get(self.share_url()), key.public_key)

    def test_the_first_export_makes_an_audited_key(self):
        self.client.force_login(self.alice)
        self.client.post(self.share_url(), {"federation": self.identifier})
        key = SigningKey.objects.get(organisation=self.org)
        entry = AuditEntry.objects.get(action="federation.key_created")
        self.assertEqual(entry.details["fingerprint"], signing.fingerprint(key.public_key))

    def test_the_button_refuses_get_other_roles_outsiders_federations_and_anonymous(self):
        url = self.org_url("federation_key_create")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(url).status_code, 405)
        for user in (self.rita, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.fed_owner)
        self.assertEqual(self.client.post(self.org_url(
            "federation_key_create", org=self.federation)).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(SigningKey.objects.exists())

    def test_a_new_key_makes_the_federation_refuse_until_it_adds_the_structure_again(self):
        self.add_remote()
        old = SigningKey.objects.get(organisation=self.org)
        self.client.force_login(self.alice)
        response = self.client.post(self.url())
        self.assertRedirects(response, self.share_url())
        new = SigningKey.objects.get(organisation=self.org)
        self.assertNotEqual(new.public_key, old.public_key)
        entry = AuditEntry.objects.get(action="federation.key_replaced")
        self.assertEqual(entry.details["old_fingerprint"], signing.fingerprint(old.public_key))
        response = self.upload(self.export())
        self.assertShows(response, "Ajoutez d'abord la structure")
        self.assertFalse(Contribution.objects.exists())

    def test_it_refuses_get_other_roles_outsiders_federations_and_anonymous(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url()).status_code, 405)
        for user in (self.rita, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url()).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.post(self.url()).status_code, 404)
        self.client.force_login(self.fed_owner)
        self.assertEqual(self.client.post(self.org_url(
            "federation_key_replace", org=self.federation)).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.url()).status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(action="federation.key_replaced").exists())
