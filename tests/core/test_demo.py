"""The demo data (pharmagarde.core.demo) and `pharmagarde demo`."""

import stat
import time
from io import StringIO

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone

from pharmagarde.core import demo
from pharmagarde.core.management.commands.up import load_demo_if_empty
from pharmagarde.core.models import (
    ROLES_REQUIRING_MFA,
    AuditEntry,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
)
from pharmagarde.diagnostic.referential import latest_version
from tests.base import make_organisation, make_user

OFFICINE = "Pharmacie du Marché"


def core_organisations():
    """The four organisations of core's demo; the apps add others (the federation's
    groupement and its members: tests/federation/test_demo.py)."""
    return Organisation.objects.filter(name__in=[spec["fields"]["name"]
                                                 for spec in demo.ORGANISATIONS])


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts():
    User = get_user_model()
    return {model.__name__: model.objects.count()
            for model in (Organisation, User, Membership, EmailAddress, AuditEntry)} | {
        "people": sum(org.people.count() for org in Organisation.objects.all()),
    }


class DemoLoadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)

    def test_it_loads_four_organisations_of_four_kinds(self):
        self.assertEqual(core_organisations().count(), 4)
        self.assertEqual(
            set(core_organisations().values_list("kind", flat=True)),
            {OrganisationKind.OFFICINE, OrganisationKind.LBM, OrganisationKind.PUI,
             OrganisationKind.DISTRIBUTION},
        )

    def test_it_gives_every_organisation_valid_identifiers_and_an_address(self):
        for organisation in core_organisations():
            organisation.full_clean()
            self.assertTrue(organisation.address and organisation.city and organisation.region)

    def test_it_puts_eight_staff_in_the_officine(self):
        people = self.officine.people.all()
        self.assertEqual(len(people), 8)
        jobs = " ".join(person.job.lower() for person in people)
        for job in ["titulaire", "adjoint", "préparatrice", "rayonniste", "apprentie"]:
            self.assertIn(job, jobs)
        self.assertTrue(all(person.arrival_date for person in people))

    def test_it_shows_a_departed_person_whose_account_is_still_active(self):
        departed = [person for person in self.officine.people.select_related("user")
                    if person.has_left]
        self.assertEqual(len(departed), 1)
        self.assertLess(departed[0].departure_date, timezone.localdate())
        self.assertTrue(departed[0].user.is_active)
        self.assertTrue(self.officine.memberships.filter(user=departed[0].user).exists())

    def test_it_gives_every_organisation_every_role(self):
        for organisation in core_organisations():
            roles = set(organisation.memberships.values_list("role", flat=True))
            self.assertEqual(roles, set(Role.values), organisation.name)

    def test_it_gives_one_user_two_organisations(self):
        counts = [user.memberships.count() for user in demo.demo_users()]
        self.assertEqual(counts.count(2), 1)

    def test_it_verifies_every_demo_address(self):
        for user in demo.demo_users():
            self.assertTrue(EmailAddress.objects.filter(user=user, verified=True,
                                                        primary=True).exists())

    def test_it_gives_a_totp_secret_to_those_who_must_use_mfa(self):
        # The federation's background members have no login (unusable password).
        for membership in Membership.objects.filter(user__in=demo.demo_users()):
            if membership.role in ROLES_REQUIRING_MFA:
                self.assertRegex(demo.totp_secret(membership.user), r"^[A-Z2-7]{32}$")

    def test_it_gives_each_account_its_own_secret(self):
        by_email = {email: secret for *_, email, secret in demo.accounts_summary() if secret}
        self.assertEqual(len(set(by_email.values())), len(by_email))

    def test_it_shares_one_password_that_passes_the_policy(self):
        password = demo.demo_password()
        self.assertRegex(password, r"^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^\w]).{12,}$")
        validate_password(password)
        user = demo.demo_users().first()
        self.assertTrue(user.check_password(password))

    def test_it_keeps_the_password_file_private(self):
        mode = stat.S_IMODE(demo.password_path().stat().st_mode)
        self.assertEqual(mode, 0o600)

    def test_it_prints_the_accounts_as_demo_accounts_with_their_secrets(self):
        self.assertIn("DÉMONSTRATION", self.output)
        self.assertIn("production", self.output)
        self.assertIn(demo.demo_password(), self.output)
        for _, _, email, secret in demo.accounts_summary():
            self.assertIn(email, self.output)
            if secret:
                self.assertIn(secret, self.output)

    def test_it_records_the_load_in_the_audit_log(self):
        self.assertTrue(AuditEntry.objects.filter(action="demo.loaded",
                                                  organisation=self.officine).exists())

    def test_it_is_idempotent(self):
        before = row_counts()
        output = run_demo()
        self.assertEqual(row_counts(), before)
        self.assertIn("déjà présentes", output)
        counts = demo.load()
        self.assertEqual(set(counts) >= {"structures", "comptes", "rôles", "personnes"}, True)
        self.assertFalse(any(counts.values()), counts)

    def test_it_shows_a_finished_diagnostic_and_its_plan(self):
        assessment = self.officine.assessments.get()
        self.assertEqual(assessment.status, "completed")
        self.assertEqual(assessment.referential_version, latest_version())
        result = assessment.result()
        # The gates of the latest questionnaire are answered and count in no score.
        unscored = [q.id for t in assessment.themes() for q in t.questions if not q.scored]
        answered = set(assessment.answers.values_list("question_id", flat=True))
        self.assertTrue(set(unscored) & answered)
        self.assertTrue(result.complete)
        self.assertTrue(any(gap.dont_know for gap in result.gaps))
        actions = self.officine.actions.all()
        self.assertEqual(actions.filter(source="diagnostic").count(),
                         len({gap.measure.id for gap in result.gaps}))
        statuses = set(actions.values_list("status", flat=True))
        self.assertLessEqual({"todo", "in_progress", "done"}, statuses)
        self.assertTrue(any(action.is_overdue for action in actions))


class DemoCodeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.titulaire = Membership.objects.get(organisation__name=OFFICINE,
                                               role=Role.RESPONSABLE).user

    def test_it_prints_the_current_code_of_a_demo_account(self):
        before = int(time.time()) // 30
        code = run_demo("--code", self.titulaire.email).strip()
        after = int(time.time()) // 30  # the period may turn while the command runs
        self.assertRegex(code, r"^\d{6}$")
        secret = demo.totp_secret(self.titulaire)
        self.assertIn(code, {format_hotp_value(hotp_value(secret, counter))
                             for counter in (before, after)})

    def test_it_refuses_a_real_account(self):
        real = make_user("titulaire@pharmacie-reelle.fr", with_mfa=True)
        with self.assertRaisesMessage(CommandError, "pas un compte de démonstration"):
            run_demo("--code", real.email)

    def test_it_refuses_a_lookalike_address(self):
        with self.assertRaises(CommandError):
            run_demo("--code", "claire.martin@demo.pharmagarde.fr.evil.example")

    def test_it_explains_that_a_collaborateur_has_no_code(self):
        collaborateur = Membership.objects.filter(role=Role.COLLABORATEUR).first().user
        with self.assertRaisesMessage(CommandError, "pas de double authentification"):
            run_demo("--code", collaborateur.email)


class UpDemoTests(TestCase):
    def test_it_loads_the_demo_into_an_empty_database(self):
        self.assertTrue(load_demo_if_empty())
        self.assertEqual(core_organisations().count(), 4)

    def test_it_leaves_a_database_with_real_data_alone(self):
        make_organisation("Pharmacie Réelle", "reelle")
        self.assertFalse(load_demo_if_empty())
        self.assertFalse(demo.demo_users().exists())
        self.assertEqual(Organisation.objects.count(), 1)
