"""French organisation identifiers: SIRET (INSEE) and FINESS (health establishments).

Each check returns an error message in French, or None when the value is valid, so that
forms can show the reason next to the field.
"""

import re

from .messages import Message, _

# La Poste's establishments share one SIREN whose SIRET numbers do not follow Luhn:
# INSEE instead requires the sum of the digits to be a multiple of 5.
LA_POSTE_SIREN = "356000000"


def normalise(value):
    """Remove the spaces, dots and dashes people type when copying a number."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def luhn_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def siret_error(value):
    siret = normalise(value)
    if not siret.isdigit():
        return Message(_("Le SIRET ne doit contenir que des chiffres."))
    if len(siret) != 14:
        return Message(_("Le SIRET compte 14 chiffres ; vous en avez saisi %(count)d."),
                       count=len(siret))
    if siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0:
        return None
    if not luhn_valid(siret):
        return Message(_("Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez "
                         "chaque chiffre."))
    return None


def finess_error(value):
    finess = normalise(value)
    if len(finess) != 9:
        return Message(_("Le numéro FINESS compte 9 caractères ; vous en avez saisi "
                         "%(count)d."), count=len(finess))
    if finess[:2] in {"2A", "2B"}:
        # Corsica: the department code carries letters, the key is computed on 20 + rest.
        if not finess[2:].isdigit():
            return Message(_("Après 2A ou 2B, le numéro FINESS ne contient que des chiffres."))
        return None
    if not finess.isdigit():
        return Message(_("Le numéro FINESS ne contient que des chiffres (ou commence par "
                         "2A / 2B en Corse)."))
    if not luhn_valid(finess):
        return Message(_("Ce numéro FINESS n'est pas valide (clé de contrôle incorrecte)."))
    return None
