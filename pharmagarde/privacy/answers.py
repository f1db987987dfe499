"""Answer letters for the requests people make about their data: one per right, and the
letters that ask for a proof of identity, announce an extension or say that no data is
held. Plain French, our own wording, for a pharmacist to copy into their letterhead.

Each letter is filled from the request, the organisation and its data-protection profile
(the controller and the address to write to, else the organisation's name and address),
and from the processing the request concerns when it is set (purposes, data, recipients,
retention). What Pharmagarde cannot know is left as « [à compléter] ».
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.models import Organisation
from pharmagarde.lib.dates import add_months

from . import request_services
from .models import PersonRequest, PrivacyProfile, Processing

BLANK = "[à compléter]"
Right = PersonRequest.Right


@dataclass(frozen=True)
class Letter:
    slug: str
    title: str
    text: str
    suggested: bool = False

    @property
    def missing(self) -> int:
        return self.text.count(BLANK)


def _day(day: datetime.date | None) -> str:
    return request_services.long_date(day) if day else BLANK


def _lines(text: str) -> str:
    """A multi-line field as one sentence: « a, b, c »."""
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def _processing_words(processing: Processing | None) -> dict:
    if processing is None:
        return dict.fromkeys(("purpose", "data", "recipients", "retention", "transfers"),
                             BLANK)
    retention = "; ".join(f"{r.data} : {r.duration}" for r in processing.retentions.all())
    if processing.transfers == Processing.Transfers.NONE:
        transfers = _("elles ne sont pas envoyées hors de l'Union européenne")
    elif processing.transfers == Processing.Transfers.YES:
        transfers = processing.transfer_details.strip() or BLANK
    else:
        transfers = BLANK
    return {
        "purpose": processing.purpose.strip() or processing.name,
        "data": _lines(processing.data_categories) or BLANK,
        "recipients": _lines(processing.recipients) or BLANK,
        "retention": retention or BLANK,
        "transfers": transfers,
    }


def words_for(person_request: PersonRequest, *, organisation: Organisation,
              profile: PrivacyProfile | None, today: datetime.date) -> dict:
    """The values the letters are filled with."""
    controller = (profile.controller.strip() if profile else "") or organisation.name
    address = (profile.contact.strip() if profile else "") or "\n".join(filter(None, [
        organisation.address, " ".join(filter(None, [organisation.postal_code,
                                                      organisation.city]))])) or BLANK
    place = (_("À %(city)s, le %(day)s") % {"city": organisation.city, "day": _day(today)}
             if organisation.city else _("Le %(day)s") % {"day": _day(today)})
    dpo = profile.dpo.strip() if profile else ""
    start = request_services.clock_start(person_request)
    return {
        "controller": controller,
        "address": address,
        "place": place,
        "person": person_request.requester_name or BLANK,
        "received": _day(person_request.received_on),
        "ref": person_request.reference,
        "details": person_request.details.strip() or BLANK,
        "deadline": _day(request_services.deadline(person_request)),
        "extended_deadline": _day(add_months(start, 3)),
        "extension_reason": person_request.extension_reason.strip() or BLANK,
        "dpo": (_("Vous pouvez aussi écrire à notre délégué à la protection des données : "
                  "%(dpo)s.") % {"dpo": dpo}) if dpo else "",
        **_processing_words(person_request.processing),
    }


RIGHTS_PARAGRAPH = gettext_lazy(
    "Si vous pensez que vos droits ne sont pas respectés, vous pouvez adresser une "
    "réclamation à la Commission nationale de l'informatique et des libertés (CNIL), en "
    "ligne sur www.cnil.fr ou par courrier : 3 place de Fontenoy, TSA 80715, 75334 Paris "
    "Cedex 07. Vous pouvez aussi saisir le juge.")

# slug: (title, subject, body). The body's %(…)s are the keys of words_for.
LETTERS = {
    "justificatif": (
        gettext_lazy("Demander un justificatif d'identité"),
        gettext_lazy("votre demande sur vos données personnelles"),
        gettext_lazy(
            "Nous avons bien reçu, le %(received)s, votre demande concernant vos données "
            "personnelles.\n\n"
            "Ces données sont protégées : avant de vous répondre, nous devons être certains "
            "que la demande vient bien de vous. Nous avons un doute sur ce point, car "
            "%(blank)s. Pourriez-vous nous faire parvenir %(blank)s (par exemple la copie "
            "d'une pièce d'identité, ou venir nous la montrer) ?\n\n"
            "Nous n'utiliserons ce justificatif que pour vérifier votre identité et ne le "
            "garderons pas au-delà. Le délai d'un mois dont nous disposons pour vous "
            "répondre commencera le jour où nous le recevrons.")),
    "prolongation": (
        gettext_lazy("Prévenir d'une prolongation du délai"),
        gettext_lazy("délai de réponse à votre demande"),
        gettext_lazy(
            "Nous avons bien reçu, le %(received)s, votre demande concernant vos données "
            "personnelles, et nous y travaillons.\n\n"
            "Elle nous demande cependant plus de temps que prévu, pour la raison suivante : "
            "%(extension_reason)s\n\n"
            "Le règlement général sur la protection des données (article 12) nous permet "
            "dans ce cas de prolonger de deux mois le délai de réponse. Vous recevrez notre "
            "réponse au plus tard le %(extended_deadline)s.")),
    "acces": (
        gettext_lazy("Accès : communiquer les données"),
        gettext_lazy("communication de vos données personnelles"),
        gettext_lazy(
            "Le %(received)s, vous nous avez demandé de vous communiquer les données "
            "personnelles que nous détenons sur vous. Vous en trouverez la copie jointe à "
            "ce courrier.\n\n"
            "Voici en outre ce que la loi nous demande de vous indiquer :\n"
            "- pourquoi nous utilisons ces données : %(purpose)s ;\n"
            "- de quelles données il s'agit : %(data)s ;\n"
            "- à qui elles sont transmises : %(recipients)s ;\n"
            "- combien de temps nous les gardons : %(retention)s ;\n"
            "- d'où elles viennent, quand ce n'est pas de vous : %(blank)s ;\n"
            "- hors de l'Union européenne : %(transfers)s ;\n"
            "- aucune décision vous concernant n'est prise de façon entièrement "
            "automatique.\n\n"
            "Vous pouvez nous demander de corriger ou d'effacer ces données, d'en limiter "
            "l'utilisation ou vous opposer à celle-ci, dans les conditions prévues par la "
            "loi, en nous écrivant à l'adresse ci-dessus.")),
    "rectification": (
        gettext_lazy("Rectification faite"),
        gettext_lazy("correction de vos données personnelles"),
        gettext_lazy(
            "Comme vous nous l'avez demandé le %(received)s, nous avons corrigé vos "
            "données. Votre demande : %(details)s\n\n"
            "Les données enregistrées sont désormais les suivantes : %(blank)s.\n\n"
            "Nous avons également prévenu de cette correction ceux à qui nous avions "
            "transmis ces données : %(blank)s.")),
    "effacement": (
        gettext_lazy("Effacement fait"),
        gettext_lazy("effacement de vos données personnelles"),
        gettext_lazy(
            "Comme vous nous l'avez demandé le %(received)s, nous avons effacé les données "
            "personnelles suivantes : %(blank)s.\n\n"
            "Nous avons également demandé leur effacement à ceux à qui nous les avions "
            "transmises : %(blank)s.")),
    "effacement-refus": (
        gettext_lazy("Effacement refusé, avec le motif légal"),
        gettext_lazy("votre demande d'effacement de vos données personnelles"),
        gettext_lazy(
            "Le %(received)s, vous nous avez demandé d'effacer vos données personnelles. "
            "Nous avons effacé celles que nous pouvions effacer : %(blank)s.\n\n"
            "%(refusal)s\n\n"
            "Le règlement général sur la protection des données prévoit que le droit à "
            "l'effacement ne s'applique pas lorsque la loi impose de conserver les données "
            "(article 17, paragraphe 3). Elles seront effacées dès la fin de la durée "
            "obligatoire.")),
    "opposition": (
        gettext_lazy("Opposition prise en compte"),
        gettext_lazy("votre opposition à l'utilisation de vos données"),
        gettext_lazy(
            "Le %(received)s, vous vous êtes opposé(e) à l'utilisation de vos données "
            "personnelles pour l'usage suivant : %(details)s\n\n"
            "Nous en avons tenu compte : depuis le %(today)s, vos données ne sont plus "
            "utilisées à cette fin.")),
    "limitation": (
        gettext_lazy("Limitation de l'utilisation"),
        gettext_lazy("limitation de l'utilisation de vos données"),
        gettext_lazy(
            "Comme vous nous l'avez demandé le %(received)s, nous avons limité "
            "l'utilisation de vos données personnelles : %(details)s\n\n"
            "Ces données restent conservées, mais nous ne les utilisons plus, sauf avec "
            "votre accord, pour faire valoir des droits en justice ou pour protéger une "
            "autre personne. Nous vous préviendrons avant de lever cette limitation. Elle "
            "s'applique jusqu'au %(blank)s.")),
    "portabilite": (
        gettext_lazy("Portabilité : remettre les données fournies"),
        gettext_lazy("remise de vos données personnelles"),
        gettext_lazy(
            "Le %(received)s, vous nous avez demandé de vous remettre les données "
            "personnelles que vous nous avez fournies. Vous les trouverez jointes à ce "
            "courrier, dans un format courant et lisible par un ordinateur : %(blank)s.\n\n"
            "Si vous le souhaitez, nous pouvons aussi les transmettre directement à "
            "l'organisme de votre choix, lorsque c'est techniquement possible : "
            "indiquez-nous lequel.")),
    "aucune-donnee": (
        gettext_lazy("Aucune donnée détenue"),
        gettext_lazy("votre demande sur vos données personnelles"),
        gettext_lazy(
            "Le %(received)s, vous nous avez interrogés sur les données personnelles que "
            "nous détenons sur vous.\n\n"
            "Nous avons vérifié nos fichiers (%(blank)s) : nous ne détenons aucune donnée "
            "personnelle vous concernant.")),
}

# The letters that answer each right, in the order they are offered.
BY_RIGHT = {
    Right.ACCESS: ("acces",),
    Right.RECTIFICATION: ("rectification",),
    Right.ERASURE: ("effacement", "effacement-refus"),
    Right.RESTRICTION: ("limitation",),
    Right.PORTABILITY: ("portabilite",),
    Right.OBJECTION: ("opposition",),
    Right.OTHER: (),
}

ORDONNANCIER = gettext_lazy(
    "Nous ne pouvons pas effacer les enregistrements des médicaments qui vous ont été "
    "délivrés sur ordonnance : le pharmacien doit les conserver pendant dix ans dans "
    "l'ordonnancier (Code de la santé publique, article R. 5132-10).")
REFUSAL = gettext_lazy(
    "Nous ne pouvons pas effacer les données suivantes : %(blank)s, car la loi nous "
    "oblige à les conserver pendant %(blank)s (%(blank)s).")


def _suggested(person_request: PersonRequest) -> list[str]:
    slugs = list(BY_RIGHT.get(person_request.right, ()))
    if person_request.outcome in (PersonRequest.Outcome.REFUSED,
                                  PersonRequest.Outcome.PARTIAL) and len(slugs) > 1:
        slugs.reverse()
    if person_request.outcome == PersonRequest.Outcome.NO_DATA:
        slugs.insert(0, "aucune-donnee")
    if person_request.answered_on is None:
        if person_request.extended:
            slugs.insert(0, "prolongation")
        if request_services.awaiting_proof(person_request):
            slugs.insert(0, "justificatif")
    return slugs


def _compose(slug: str, words: dict, *, suggested: bool) -> Letter:
    title, subject, body = LETTERS[slug]
    text = "\n\n".join(filter(None, [
        words["controller"] + "\n" + words["address"],
        words["person"] + "\n" + BLANK,
        words["place"],
        _("Objet : %(subject)s (notre référence %(ref)s)")
        % {"subject": subject, "ref": words["ref"]},
        _("Madame, Monsieur,"),
        body % words,
        str(RIGHTS_PARAGRAPH) if slug not in ("justificatif", "prolongation") else "",
        words["dpo"],
        _("Nous restons à votre disposition pour toute question. Veuillez agréer, Madame, "
          "Monsieur, nos salutations distinguées."),
        words["controller"],
    ]))
    return Letter(slug=slug, title=str(title), text=text, suggested=suggested)


def letters(person_request: PersonRequest, *, organisation: Organisation,
            profile: PrivacyProfile | None, today: datetime.date) -> list[Letter]:
    """Every letter, filled; those that fit the request first (suggested=True)."""
    words = words_for(person_request, organisation=organisation, profile=profile,
                      today=today)
    words.update(blank=BLANK, today=_day(today))
    words["refusal"] = (ORDONNANCIER if organisation.kind == "officine" else REFUSAL) % words
    suggested = _suggested(person_request)
    others = [slug for slug in LETTERS if slug not in suggested]
    return ([_compose(slug, words, suggested=True) for slug in suggested]
            + [_compose(slug, words, suggested=False) for slug in others])


def letter(person_request: PersonRequest, slug: str, **kwargs) -> Letter | None:
    """One letter by its slug, or None."""
    return next((found for found in letters(person_request, **kwargs) if found.slug == slug),
                None)
