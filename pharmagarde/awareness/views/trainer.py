"""The password trainer: type a password, learn why it is weak.

The server runs zxcvbn on the password posted and explains the result in plain French:
the time to find it, the patterns found, the advice, and the CNIL length rule. The password
is NEVER kept: no model, no audit entry, no session, no message, no log (Django's error
reports hide it: sensitive_post_parameters), not written back into the page (the field is
empty after the answer, and the patterns found are named, never quoted), and the page is
not kept by the browser (no-store). zxcvbn's dictionaries are English: a short list of
French words and the organisation's own names are added to them.
"""

from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from pharmagarde.core.access import org_view

MAX_LENGTH = 72  # zxcvbn refuses longer ones
# The CNIL's recommendation (délibération 2022-100): 12 characters of the four kinds, or a
# passphrase of at least 14 characters.
CNIL_LENGTH, CNIL_PASSPHRASE = 12, 14
FRENCH_WORDS = (
    "pharmacie", "pharmacien", "pharmacienne", "officine", "preparateur", "preparatrice",
    "ordonnance", "medicament", "sante", "vitale", "pharmagarde", "motdepasse", "bonjour",
    "soleil", "amour", "chouchou", "doudou", "loulou", "printemps", "france", "paris",
    "marseille", "lyon", "toulouse", "nantes", "azerty", "coucou", "bienvenue", "secret",
)

# zxcvbn's advice, in our French. A sentence missing from this table is left out: the
# page never shows English.
FEEDBACK = {
    "Use a few words, avoid common phrases.": gettext_lazy(
        "Prenez quelques mots sans lien entre eux, pas une expression connue."),
    "No need for symbols, digits, or uppercase letters.": gettext_lazy(
        "Une phrase de passe longue n'a pas besoin de symboles, de chiffres ni de "
        "majuscules."),
    "Add another word or two. Uncommon words are better.": gettext_lazy(
        "Ajoutez un ou deux mots, de préférence peu courants."),
    "Straight rows of keys are easy to guess.": gettext_lazy(
        "Une rangée de touches du clavier se devine facilement."),
    "Short keyboard patterns are easy to guess.": gettext_lazy(
        "Un petit dessin de touches voisines sur le clavier se devine facilement."),
    "Use a longer keyboard pattern with more turns.": gettext_lazy(
        "Évitez les suites de touches voisines sur le clavier."),
    'Repeats like "aaa" are easy to guess.': gettext_lazy(
        "Un caractère répété (« aaa ») se devine facilement."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': gettext_lazy(
        "Répéter un morceau (« abcabc ») ne rend pas le mot de passe plus difficile à "
        "trouver que le morceau seul."),
    "Avoid repeated words and characters.": gettext_lazy(
        "Évitez de répéter des mots ou des caractères."),
    'Sequences like "abc" or "6543" are easy to guess.': gettext_lazy(
        "Une suite comme « abc » ou « 6543 » se devine facilement."),
    "Avoid sequences.": gettext_lazy("Évitez les suites de lettres ou de chiffres."),
    "Recent years are easy to guess.": gettext_lazy(
        "Une année récente se devine facilement."),
    "Avoid recent years.": gettext_lazy("Évitez les années récentes."),
    "Avoid years that are associated with you.": gettext_lazy(
        "Évitez les années qui vous concernent (naissance, mariage, arrivée…)."),
    "Dates are often easy to guess.": gettext_lazy("Une date se devine souvent facilement."),
    "Avoid dates and years that are associated with you.": gettext_lazy(
        "Évitez les dates et les années qui vous concernent."),
    "This is a top-10 common password.": gettext_lazy(
        "C'est l'un des dix mots de passe les plus utilisés au monde."),
    "This is a top-100 common password.": gettext_lazy(
        "C'est l'un des cent mots de passe les plus utilisés au monde."),
    "This is a very common password.": gettext_lazy("C'est un mot de passe très courant."),
    "This is similar to a commonly used password.": gettext_lazy(
        "Il ressemble beaucoup à un mot de passe très courant."),
    "A word by itself is easy to guess.": gettext_lazy(
        "Un mot du dictionnaire, seul, se devine facilement."),
    "Names and surnames by themselves are easy to guess.": gettext_lazy(
        "Un prénom ou un nom de famille, seul, se devine facilement."),
    "Common names and surnames are easy to guess.": gettext_lazy(
        "Les prénoms et noms de famille courants se devinent facilement."),
    "Capitalization doesn't help very much.": gettext_lazy(
        "Une majuscule au début n'aide presque pas."),
    "All-uppercase is almost as easy to guess as all-lowercase.": gettext_lazy(
        "Tout en majuscules se devine presque aussi vite que tout en minuscules."),
    "Reversed words aren't much harder to guess.": gettext_lazy(
        "Un mot écrit à l'envers n'est guère plus difficile à trouver."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": gettext_lazy(
        "Les remplacements attendus, comme « @ » pour « a » ou « 0 » pour « o », n'aident "
        "presque pas."),
}

PATTERNS = {
    "passwords": gettext_lazy("un mot de passe parmi les plus utilisés"),
    "english_wikipedia": gettext_lazy("un mot du dictionnaire"),
    "us_tv_and_film": gettext_lazy("un mot du dictionnaire"),
    "english": gettext_lazy("un mot du dictionnaire"),
    "names": gettext_lazy("un prénom ou un nom de famille"),
    "user_inputs": gettext_lazy("un mot courant en français, ou le nom de votre structure"),
    "reversed": gettext_lazy("un mot écrit à l'envers"),
    "l33t": gettext_lazy("des remplacements attendus (« @ » pour « a », « 0 » pour « o », "
                         "« 3 » pour « e »…)"),
    "spatial": gettext_lazy("une suite de touches voisines sur le clavier (azerty, "
                            "qwerty…)"),
    "repeat": gettext_lazy("une répétition (« aaa », « abcabc »)"),
    "sequence": gettext_lazy("une suite de lettres ou de chiffres (« abc », « 1234 »)"),
    "recent_year": gettext_lazy("une année récente"),
    "date": gettext_lazy("une date"),
}
NAME_DICTIONARIES = {"surnames", "male_names", "female_names"}
# (zxcvbn's scenario, how we say it)
SCENARIOS = (
    ("online_throttling_100_per_hour",
     gettext_lazy("en essayant sur une page de connexion qui limite les essais")),
    ("offline_fast_hashing_1e10_per_second",
     gettext_lazy("avec une copie volée des mots de passe et un ordinateur puissant")),
)
VERDICTS = (
    gettext_lazy("Très faible : il se devine en quelques essais."),
    gettext_lazy("Faible : il se trouve très vite."),
    gettext_lazy("Moyen : il résiste un peu, pas à une attaque sérieuse."),
    gettext_lazy("Correct : il résiste bien, une phrase de passe ferait mieux encore."),
    gettext_lazy("Solide : difficile à deviner."),
)


class TrainerForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Mot de passe à tester"), max_length=MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                          "autocapitalize": "off"}),
        help_text=gettext_lazy("Ne tapez pas un mot de passe que vous utilisez vraiment : "
                               "inventez-en un qui lui ressemble."),
        error_messages={"required": gettext_lazy("Tapez un mot de passe à tester."),
                        "max_length": gettext_lazy("Au plus %(limit_value)d caractères : "
                                                   "au-delà, l'outil ne sait pas estimer.")})


MINUTE, HOUR, DAY = 60, 3600, 86400
MONTH, YEAR = 31 * DAY, 365 * DAY
# (below this many seconds, count in this unit)
UNITS = (
    (MINUTE, 1, lambda n: ngettext("%(n)d seconde", "%(n)d secondes", n)),
    (HOUR, MINUTE, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n)),
    (DAY, HOUR, lambda n: ngettext("%(n)d heure", "%(n)d heures", n)),
    (MONTH, DAY, lambda n: ngettext("%(n)d jour", "%(n)d jours", n)),
    (YEAR, MONTH, lambda n: ngettext("%(n)d mois", "%(n)d mois", n)),
    (100 * YEAR, YEAR, lambda n: ngettext("%(n)d an", "%(n)d ans", n)),
)


def duration_words(seconds) -> str:
    """« moins d'une seconde », « 3 heures », « 2 ans », « des siècles »."""
    seconds = float(seconds)
    if seconds < 1:
        return _("moins d'une seconde")
    for limit, unit, words in UNITS:
        if seconds < limit:
            n = max(1, round(seconds / unit))
            return words(n) % {"n": n}
    return _("des siècles")


def kinds(password: str) -> int:
    """How many of the four kinds: lower case, upper case, digits, other characters."""
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


@dataclass(frozen=True)
class Verdict:
    score: int  # 0 to 4, zxcvbn's
    label: str
    times: tuple[tuple[str, str], ...]  # (scenario, duration), in words
    patterns: tuple[str, ...]
    advice: tuple[str, ...]
    length: int
    kinds: int
    cnil_ok: bool


def _patterns(sequence) -> list[str]:
    found = []
    for match in sequence:
        pattern = match["pattern"]
        names = []
        if pattern == "dictionary":
            dictionary = match.get("dictionary_name", "")
            names.append("names" if dictionary in NAME_DICTIONARIES else dictionary)
            names += [name for name in ("reversed", "l33t") if match.get(name)]
        elif pattern == "regex":
            names.append(match.get("regex_name", ""))
        else:
            names.append(pattern)
        found += [str(PATTERNS[name]) for name in names if name in PATTERNS]
    return list(dict.fromkeys(found))


@sensitive_variables("password", "result")
def evaluate(password: str, *, words: tuple[str, ...] = ()) -> Verdict:
    """The verdict on a password, in French; `words` are added to zxcvbn's dictionaries
    (the organisation's names). Keeps nothing."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password, user_inputs=[*FRENCH_WORDS, *words], max_length=MAX_LENGTH)
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    length, count = len(password), kinds(password)
    return Verdict(
        score=result["score"], label=str(VERDICTS[result["score"]]),
        times=tuple((str(label), duration_words(result["crack_times_seconds"][scenario]))
                    for scenario, label in SCENARIOS),
        patterns=tuple(_patterns(result["sequence"])),
        advice=tuple(dict.fromkeys(str(FEEDBACK[text]) for text in advice
                                   if text in FEEDBACK)),
        length=length, kinds=count,
        cnil_ok=(length >= CNIL_LENGTH and count == 4) or length >= CNIL_PASSPHRASE)


@never_cache
@sensitive_post_parameters("password")
@org_view
@require_http_methods(["GET", "HEAD", "POST"])
def awareness_password_trainer(request):
    verdict = None
    form = TrainerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = request.organisation
        verdict = evaluate(form.cleaned_data["password"],
                           words=(organisation.slug, *organisation.name.split()))
        form = TrainerForm()  # the field empty again: the password is not written back
    return render(request, "awareness/trainer_password.html", {
        "form": form, "verdict": verdict, "cnil_length": CNIL_LENGTH,
        "cnil_passphrase": CNIL_PASSPHRASE})


urlpatterns = [
    path("mots-de-passe/entrainement/", awareness_password_trainer,
         name="awareness_password_trainer"),
]
