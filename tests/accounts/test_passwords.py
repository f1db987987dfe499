from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from pharmagarde.accounts.passwords import (
    CharacterClassesValidator,
    MaximumLengthValidator,
    ZxcvbnValidator,
    user_inputs,
)
from pharmagarde.core.models import Membership, Role
from tests.base import PASSWORD, BaseTestCase, make_organisation, make_user

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


class PasswordPolicyTestCase(BaseTestCase):
    def messages(self, password, user=None):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return " ".join(error.messages)
        return ""

    def test_it_accepts_a_long_mixed_passphrase(self):
        self.assertEqual(self.messages(PASSWORD, self.alice), "")

    def test_it_requires_twelve_characters(self):
        self.assertIn("12", self.messages("Ab1!xyz"))

    def test_it_names_each_missing_kind_of_character_in_french(self):
        message = self.messages("correct cheval agrafe batterie")
        self.assertIn("une majuscule", message)
        self.assertIn("un chiffre", message)
        self.assertNotIn("une minuscule", message)

    def test_it_counts_a_space_or_accented_letters(self):
        CharacterClassesValidator().validate("Élan vital 42 été")

    def test_it_sets_a_maximum_length(self):
        with self.assertRaisesMessage(ValidationError, "128 caractères au maximum"):
            MaximumLengthValidator().validate("Aa1!" * 40)

    def test_it_refuses_a_common_password_with_french_advice(self):
        message = self.messages("Password123!")
        self.assertIn("trop facile à deviner", message)
        self.assertIn("ressemble à un mot de passe très courant", message)
        self.assertNotIn("commonly", message)

    def test_it_refuses_the_users_own_name(self):
        user = make_user("bernadette.quinquin@alpha.example")
        with self.assertRaises(ValidationError) as caught:
            ZxcvbnValidator().validate("Bernadette.Quinquin1!", user)
        self.assertIn("reprend votre nom", caught.exception.messages[0])
        ZxcvbnValidator().validate("Bernadette.Quinquin1!", None)  # strong for a stranger

    def test_it_knows_the_users_organisations(self):
        organisation = make_organisation("Pharmacie Vauquelin", "vauquelin")
        Membership.objects.create(organisation=organisation, user=self.colin,
                                  role=Role.COLLABORATEUR)
        words = user_inputs(self.colin)
        self.assertIn("pharmacie vauquelin", [w.lower() for w in words])
        self.assertIn("Vauquelin", words)
        self.assertIn("colin", words)

    def test_it_works_for_a_user_not_yet_saved(self):
        user = get_user_model()(email="nouveau@exemple.fr")
        self.assertIn("nouveau", user_inputs(user))
        self.assertEqual(user_inputs(None), [])

    def test_it_explains_the_rules_in_french(self):
        texts = " ".join(password_validators_help_texts())
        self.assertIn("majuscule", texts)
        self.assertIn("128 caractères au maximum", texts)
        self.assertIn("facile à deviner", texts)

    def test_it_does_not_block_paste(self):
        response = self.client.get(reverse("account_signup"))
        self.assertNotContains(response, "onpaste")
        self.assertNotContains(response, "paste")

    @override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
    def test_it_stores_argon2id_hashes(self):
        user = make_user("hash@exemple.fr")
        self.assertTrue(user.password.startswith("argon2$argon2id$"), user.password)
        self.assertTrue(user.check_password(PASSWORD))
