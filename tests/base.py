"""The base test case: two organisations and one persona per role.

alice (responsable), rita (référent), colin (collaborateur), dora (DPO) and aude (auditeur,
read only) are members of "Pharmacie Alpha"; oscar is the outsider, responsable of
"Pharmacie Bravo" only. Users whose role requires MFA have a TOTP authenticator, so the
MFA gate does not get in the way of tests about something else.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.test import TestCase

from pharmagarde.core.models import ROLES_REQUIRING_MFA, Membership, Organisation, Person, Role

PASSWORD = "Correct-Cheval-Agrafe-42"


def make_user(email, *, with_mfa=False, password=PASSWORD):
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if with_mfa:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
    return user


def valid_siret(number):
    """A SIRET that passes the checks, different for each `number` (not La Poste's)."""
    from pharmagarde.lib.identifiers import luhn_valid

    stem = f"4{number:012d}"
    return next(stem + digit for digit in "0123456789" if luhn_valid(stem + digit))


def make_organisation(name, slug, **fields):
    defaults = {"kind": "officine", "siret": "73282932000074"}
    defaults.update(fields)
    return Organisation.objects.create(name=name, slug=slug, **defaults)


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation("Pharmacie Alpha", "alpha")
        cls.other_org = make_organisation("Pharmacie Bravo", "bravo")
        cls.personas = {}
        for name, role in [("alice", Role.RESPONSABLE), ("rita", Role.REFERENT),
                           ("colin", Role.COLLABORATEUR), ("dora", Role.DPO),
                           ("aude", Role.AUDITEUR)]:
            user = make_user(f"{name}@alpha.example", with_mfa=role in ROLES_REQUIRING_MFA)
            Membership.objects.create(organisation=cls.org, user=user, role=role)
            cls.personas[role] = user
            setattr(cls, name, user)
        cls.oscar = make_user("oscar@bravo.example", with_mfa=True)
        Membership.objects.create(organisation=cls.other_org, user=cls.oscar,
                                  role=Role.RESPONSABLE)
        cls.owner, cls.readonly, cls.outsider = cls.alice, cls.aude, cls.oscar
        cls.person = Person.objects.create(organisation=cls.org, first_name="Paul",
                                           last_name="Préparateur", email="paul@alpha.example")
        cls.other_person = Person.objects.create(organisation=cls.other_org, first_name="Basile",
                                                 last_name="Bravo")

    def org_url(self, name, *args, org=None):
        from django.urls import reverse

        return reverse(name, args=[(org or self.org).slug, *args])

    def assertShows(self, response, text, count=None, status_code=200, html=False):
        """assertContains for French prose: the page's no-break spaces (the typography of
        lib/typography.py, before : ; ? ! and inside « ») read as ordinary spaces."""
        self.assertEqual(response.status_code, status_code)
        page = response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
        if html:
            self.assertInHTML(text, page, count=count)
        elif count is None:
            self.assertIn(text, page)
        else:
            self.assertEqual(page.count(text), count, text)

    # A list page costs the same number of queries for 5 rows as for 60 (two pages).
    MAX_QUERIES_PER_PAGE = 12

    def assertQueriesConstant(self, url, make_row, few=5, many=60):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count():
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        # A first visit may write the session (current organisation): not part of the page.
        self.client.get(url)
        for i in range(few):
            make_row(i)
        small = count()
        for i in range(few, many):
            make_row(i)
        large = count()
        self.assertEqual(small, large, "the number of queries grows with the number of rows")
        self.assertLessEqual(large, self.MAX_QUERIES_PER_PAGE)
