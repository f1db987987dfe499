"""federation.signing: keys, fingerprints, the identifier, the canonical document and the
one gate that lets only scores and counts through."""

import base64
import datetime
import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.test import TestCase, override_settings
from django.utils import timezone

from pharmagarde.core import crypto
from pharmagarde.federation import signing
from pharmagarde.federation.models import SigningKey
from tests.base import make_organisation

NOW = timezone.now()


def document(**changes):
    found = {"format": "pharmagarde-aggregate", "version": 1,
             "federation": "PGF-ABCD-EFGH-IJKL-MNOP", "as_of": "2026-03-02T08:00:00+00:00",
             "kind": "officine", "region": "BRE", "size_band": "1-9",
             "values": {"diagnostic.score": 72.0, "awareness.phishing_click": [3, 20],
                        "continuity.restore_fresh": True},
             "instance": "0123456789abcdef0123456789abcdef"}
    found.update(changes)
    return found


class KeyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation("Pharmacie Alpha", "alpha", region="BRE", size_band="1-9")

    def test_a_key_is_made_on_first_use_and_kept(self):
        self.assertFalse(SigningKey.objects.exists())
        key = signing.signing_key(self.org)
        self.assertEqual(signing.signing_key(self.org).pk, key.pk)
        self.assertEqual(len(base64.b64decode(key.public_key)), 32)
        self.assertEqual(SigningKey.objects.count(), 1)

    def test_the_private_key_is_encrypted_at_rest(self):
        key = signing.signing_key(self.org)
        stored = SigningKey.objects.get(pk=key.pk).private_key
        raw = base64.b64decode(crypto.decrypt(stored, purpose=signing.KEY_PURPOSE))
        self.assertEqual(len(raw), 32)
        self.assertNotIn(base64.b64encode(raw).decode(), stored)
        # The private key matches the public one.
        public = Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes_raw()
        self.assertEqual(base64.b64encode(public).decode(), key.public_key)
        # Another purpose's key cannot read it.
        with self.assertRaises(crypto.InvalidToken):
            crypto.decrypt(stored, purpose="mail")

    def test_the_fingerprint_is_the_sha256_of_the_raw_key_grouped_by_four(self):
        key = signing.signing_key(self.org)
        expected = hashlib.sha256(base64.b64decode(key.public_key)).hexdigest()
        self.assertEqual(signing.fingerprint(key.public_key), expected)
        shown = signing.fingerprint_display(expected)
        self.assertEqual(shown.split(), [expected[i:i + 4] for i in range(0, 64, 4)])

    def test_a_public_key_must_be_32_bytes_of_base64(self):
        key = signing.signing_key(self.org).public_key
        self.assertEqual(len(signing.raw_public_key(f"  {key[:20]}\n{key[20:]} ")), 32)
        for wrong in ["", "pas une clé", base64.b64encode(b"x" * 31).decode(),
                      base64.b64encode(b"x" * 33).decode(), key[:-2]]:
            with self.assertRaises(signing.AggregateRefused):
                signing.raw_public_key(wrong)


class IdentifierTests(TestCase):
    def test_it_is_stable_distinct_and_names_nothing(self):
        first = make_organisation("Groupement Ouest", "ouest", kind="federation")
        second = make_organisation("Groupement Est", "est", kind="federation")
        identifier = signing.federation_identifier(first)
        self.assertRegex(identifier, signing.IDENTIFIER_PATTERN)
        self.assertEqual(identifier, signing.federation_identifier(first))
        self.assertNotEqual(identifier, signing.federation_identifier(second))
        self.assertNotIn("OUEST", identifier)
        self.assertEqual(signing.normalise_identifier(" pgf abcd efgh-ijkl mnop "),
                         "PGF-ABCD-EFGH-IJKL-MNOP")

    def test_it_survives_a_rotation_of_the_secret_key(self):
        federation = make_organisation("Groupement", "groupement", kind="federation")
        old = signing.federation_identifier(federation)
        with override_settings(SECRET_KEY="une-nouvelle-clé-secrète-" * 3,
                               SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
            self.assertNotEqual(signing.federation_identifier(federation), old)
            self.assertIn(old, signing.federation_identifiers(federation))


class DocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation("Pharmacie du Marché", "marche", region="BRE",
                                    size_band="1-9", siret="73282932000074")

    def test_the_document_is_canonical_json_and_the_signature_covers_its_bytes(self):
        key = signing.signing_key(self.org)
        built = signing.build_document(self.org, "PGF-ABCD-EFGH-IJKL-MNOP", NOW,
                                       {"diagnostic.score": 64.5,
                                        "awareness.phishing_click": (2, 10)})
        wrapper = json.loads(signing.sign(key, built))
        self.assertEqual(set(wrapper), {"document", "signature", "public_key"})
        body = wrapper["document"]
        self.assertEqual(body, json.dumps(json.loads(body), sort_keys=True,
                                          separators=(",", ":"), ensure_ascii=False))
        self.assertEqual(json.loads(body)["values"]["awareness.phishing_click"], [2, 10])
        self.assertEqual(signing.verify(wrapper, key.public_key)["kind"], "officine")

    def test_nothing_that_names_the_organisation_can_be_in_it(self):
        key = signing.signing_key(self.org)
        built = signing.build_document(self.org, "PGF-ABCD-EFGH-IJKL-MNOP", NOW,
                                       {"diagnostic.score": 64.5})
        text = signing.sign(key, built).decode()
        for secret in ("Marché", "marche", "73282932000074", "@"):
            self.assertNotIn(secret, text)

    def test_the_gate_refuses_anything_but_scores_and_counts(self):
        signing.check_document(document())
        refused = [
            document(name="Pharmacie du Marché"),
            document(values={"diagnostic.score": "Pharmacie du Marché"}),
            document(values={"diagnostic.score": 72.0, "diagnostic.nom": 1}),
            document(values={"awareness.phishing_click": [3, 20, "alice@alpha.example"]}),
            document(values={"awareness.phishing_click": ["3", "20"]}),
            document(values={"continuity.restore_fresh": "oui"}),
            document(values={"diagnostic.score": 172.0}),
            document(values=["diagnostic.score", 72]),
            document(kind="Pharmacie du Marché"),
            document(region="Rennes, 12 rue de la Gare"),
            document(size_band="73282932000074"),
            document(federation="Groupement Pharmavie Ouest"),
            document(instance="marche"),
            document(as_of="hier"),
            document(as_of="2026-03-02T08:00:00"),
            document(format="autre"),
            document(version=2),
            document(version=True),
            {key: value for key, value in document().items() if key != "kind"},
            "Pharmacie du Marché",
        ]
        for wrong in refused:
            with self.subTest(wrong=wrong), self.assertRaises(signing.AggregateRefused):
                signing.check_document(wrong)

    def test_an_export_with_a_bad_value_is_refused_before_it_is_signed(self):
        with self.assertRaises(signing.AggregateRefused):
            signing.build_document(self.org, "PGF-ABCD-EFGH-IJKL-MNOP", NOW,
                                   {"diagnostic.score": "Pharmacie du Marché"})

    def test_a_document_signed_by_another_key_or_changed_does_not_verify(self):
        key = signing.signing_key(self.org)
        wrapper = json.loads(signing.sign(key, document()))
        other = signing.signing_key(make_organisation("Autre", "autre"))
        with self.assertRaises(signing.AggregateRefused):
            signing.verify(wrapper, other.public_key)
        changed = dict(wrapper, document=wrapper["document"].replace("72.0", "92.0"))
        with self.assertRaises(signing.AggregateRefused):
            signing.verify(changed, key.public_key)

    def test_a_duplicated_field_is_refused(self):
        with self.assertRaises(signing.AggregateRefused):
            signing.read_wrapper(b'{"document": "{}", "document": "{}", "signature": "",'
                                 b' "public_key": ""}')

    def test_a_signature_over_a_non_canonical_document_is_refused(self):
        key = signing.signing_key(self.org)
        body = json.dumps(document(), indent=2).encode()
        raw = base64.b64decode(crypto.decrypt(key.private_key, purpose=signing.KEY_PURPOSE))
        signature = Ed25519PrivateKey.from_private_bytes(raw).sign(body)
        wrapper = {"document": body.decode(), "signature": base64.b64encode(signature).decode(),
                   "public_key": key.public_key}
        with self.assertRaises(signing.AggregateRefused):
            signing.verify(wrapper, key.public_key)

    def test_the_as_of_date_is_in_utc(self):
        moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.timezone(
            datetime.timedelta(hours=1)))
        built = signing.build_document(self.org, "PGF-ABCD-EFGH-IJKL-MNOP", moment, {})
        self.assertEqual(built["as_of"], "2026-03-02T08:30:00+00:00")
