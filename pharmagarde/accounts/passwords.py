"""Password validators for the CNIL 2022 recommendation, case 1 (password alone).

MinimumLengthValidator (12, in settings) plus the three below: four kinds of characters, a
maximum length (so that hashing with Argon2 stays bounded), and a zxcvbn strength score
that knows the user's own e-mail, names and organisations.
"""

import re
import threading

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from zxcvbn import zxcvbn

DEFAULT_MAX_LENGTH = 128
# zxcvbn's matching grows quickly with length; past this many characters the first part
# alone decides (a long enough beginning is strong whatever follows).
ZXCVBN_MAX_LENGTH = 72
# zxcvbn keeps the user inputs in a module-level dictionary: serialise calls between threads.
_ZXCVBN_LOCK = threading.Lock()


class MaximumLengthValidator:
    def __init__(self, max_length=DEFAULT_MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Ce mot de passe est trop long : %(max)d caractère au maximum.",
                    "Ce mot de passe est trop long : %(max)d caractères au maximum.",
                    self.max_length,
                ) % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("%(max)d caractères au maximum.") % {"max": self.max_length}


def _is_special(char):
    return not char.isalnum()


# Each kind of character: how to recognise it, and how to name it to the user.
CHARACTER_CLASSES = [
    (str.islower, gettext_lazy("une minuscule")),
    (str.isupper, gettext_lazy("une majuscule")),
    (str.isdigit, gettext_lazy("un chiffre")),
    (_is_special, gettext_lazy("un caractère spécial (par exemple ! ? - _ @ # ou une espace)")),
]


class CharacterClassesValidator:
    """Upper case, lower case, digit and special character, each at least once."""

    def validate(self, password, user=None):
        missing = [str(label) for is_kind, label in CHARACTER_CLASSES
                   if not any(is_kind(char) for char in password)]
        if missing:
            raise ValidationError(
                _("Il manque à ce mot de passe : %(missing)s.") % {"missing": ", ".join(missing)},
                code="password_missing_character_classes",
            )

    def get_help_text(self):
        return _("Au moins une majuscule, une minuscule, un chiffre et un caractère spécial.")


# zxcvbn's feedback is in English; these are our French versions, key by key.
FEEDBACK_FR = {
    "Use a few words, avoid common phrases.":
        gettext_lazy("Utilisez plusieurs mots, en évitant les expressions courantes."),
    "No need for symbols, digits, or uppercase letters.":
        gettext_lazy("Une suite de mots sans lien entre eux est plus sûre."),
    "Add another word or two. Uncommon words are better.":
        gettext_lazy("Ajoutez un ou deux mots, de préférence peu courants."),
    "Straight rows of keys are easy to guess.":
        gettext_lazy("Les touches qui se suivent sur le clavier (comme « azerty ») sont "
                     "faciles à deviner."),
    "Short keyboard patterns are easy to guess.":
        gettext_lazy("Les petits dessins sur le clavier sont faciles à deviner."),
    "Use a longer keyboard pattern with more turns.":
        gettext_lazy("Évitez les suites de touches voisines sur le clavier."),
    'Repeats like "aaa" are easy to guess.':
        gettext_lazy("Les répétitions comme « aaa » sont faciles à deviner."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        gettext_lazy("Répéter un motif (comme « abcabc ») ne le rend guère plus sûr."),
    "Avoid repeated words and characters.":
        gettext_lazy("Évitez de répéter des mots ou des caractères."),
    'Sequences like "abc" or "6543" are easy to guess.':
        gettext_lazy("Les suites comme « abc » ou « 6543 » sont faciles à deviner."),
    "Avoid sequences.": gettext_lazy("Évitez les suites de lettres ou de chiffres."),
    "Recent years are easy to guess.":
        gettext_lazy("Les années récentes sont faciles à deviner."),
    "Avoid recent years.": gettext_lazy("Évitez les années récentes."),
    "Avoid years that are associated with you.":
        gettext_lazy("Évitez les années qui vous concernent (naissance, installation…)."),
    "Dates are often easy to guess.": gettext_lazy("Les dates sont souvent faciles à deviner."),
    "Avoid dates and years that are associated with you.":
        gettext_lazy("Évitez les dates et les années qui vous concernent."),
    "This is a top-10 common password.":
        gettext_lazy("Ce mot de passe fait partie des 10 plus utilisés au monde."),
    "This is a top-100 common password.":
        gettext_lazy("Ce mot de passe fait partie des 100 plus utilisés au monde."),
    "This is a very common password.": gettext_lazy("Ce mot de passe est très courant."),
    "This is similar to a commonly used password.":
        gettext_lazy("Ce mot de passe ressemble à un mot de passe très courant."),
    "A word by itself is easy to guess.":
        gettext_lazy("Un mot seul est facile à deviner."),
    "Names and surnames by themselves are easy to guess.":
        gettext_lazy("Un prénom ou un nom seul est facile à deviner."),
    "Common names and surnames are easy to guess.":
        gettext_lazy("Les prénoms et noms courants sont faciles à deviner."),
    "Capitalization doesn't help very much.":
        gettext_lazy("Une majuscule au début n'aide pas beaucoup."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        gettext_lazy("Tout en majuscules n'est guère plus sûr que tout en minuscules."),
    "Reversed words aren't much harder to guess.":
        gettext_lazy("Un mot écrit à l'envers n'est guère plus difficile à deviner."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        gettext_lazy("Remplacer une lettre par un signe prévisible (« @ » pour « a », "
                     "« 0 » pour « o ») n'aide pas beaucoup."),
}
PERSONAL_WARNING = gettext_lazy(
    "Ce mot de passe reprend votre nom, votre adresse e-mail ou le nom de votre structure."
)


def user_inputs(user):
    """Words an attacker who knows this user would try first."""
    if user is None:
        return []
    words = []
    email = (getattr(user, "email", "") or "").lower()
    if email:
        local, _at, domain = email.partition("@")
        words += [email, local, *re.split(r"[._+\-]", local), *domain.split(".")]
    for attribute in ("first_name", "last_name", "username"):
        words.append(getattr(user, attribute, "") or "")
    if getattr(user, "pk", None):
        from pharmagarde.core.models import Membership

        names = Membership.objects.filter(user=user).values_list("organisation__name", flat=True)
        for name in names:
            words += [name, *re.split(r"[\s'’\-]+", name)]
    return sorted({word for word in words if len(word) >= 3})


def _feedback(result):
    feedback = result["feedback"]
    sequence = result.get("sequence") or []
    if any(match.get("dictionary_name") == "user_inputs" for match in sequence):
        messages = [PERSONAL_WARNING]
    else:
        messages = [feedback["warning"]] if feedback["warning"] else []
    messages += feedback["suggestions"]
    return [str(FEEDBACK_FR.get(message, message)) for message in messages if message]


class ZxcvbnValidator:
    """Estimates how hard the password is to guess (zxcvbn score 0 to 4)."""

    def __init__(self, min_score=3):
        self.min_score = min_score

    def validate(self, password, user=None):
        with _ZXCVBN_LOCK:
            result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=user_inputs(user),
                            max_length=ZXCVBN_MAX_LENGTH)
        if result["score"] >= self.min_score:
            return
        advice = " ".join(_feedback(result))
        raise ValidationError(
            (_("Ce mot de passe est trop facile à deviner.") + " " + advice).strip(),
            code="password_too_guessable",
        )

    def get_help_text(self):
        return _("Il ne doit pas être facile à deviner : une phrase de plusieurs mots sans "
                 "lien entre eux, avec des chiffres et des signes, est à la fois solide et "
                 "facile à retenir.")
