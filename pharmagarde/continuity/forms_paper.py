"""The paper forms of the degraded-mode kit: ruled tables to print, fill in by hand while
the computers are down, and enter again once they are back.

Each form is data: its key (named by the critical activities, activities/<kind>.yaml,
`formulaires`), its title, what it is for, its columns (label and share of the width) and
how many ruled rows a printed sheet holds. The kit prints one sheet of each form its
activities use, plus those every kit of the organisation's kind carries (`always_for`):
photocopy them when the day comes. Our own French; a column « Ressaisi » on every form,
ticked once the line is in the software again, is how the catching up is followed.

Collect the minimum: a paper sheet left on a counter is read by anyone, so the forms ask
for what the catching up needs, never more (initials and date of birth rather than an
address, no social security number where the software will find it again).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ALL_KINDS = ("officine", "pui", "lbm", "industrie", "distribution")
# Ruled rows on one landscape A4 sheet, and in the page's preview.
PRINTED_ROWS = 16
PREVIEW_ROWS = 3


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # share of the table's width, in percent


@dataclass(frozen=True)
class PaperForm:
    key: str
    title: str
    purpose: str
    columns: tuple[Column, ...]
    # The kinds of organisation whose kit always holds it, even if no activity names it.
    always_for: tuple[str, ...] = ()

    @property
    def widths_ok(self) -> bool:
        return sum(column.width for column in self.columns) == 100


def _columns(*pairs) -> tuple[Column, ...]:
    return tuple(Column(label, width) for label, width in pairs)


RESAISI = (_("Ressaisi ✓"), 7)

FORMS: tuple[PaperForm, ...] = (
    PaperForm(
        key="main-courante",
        title=_("Main courante de la crise"),
        purpose=_("Tout ce qui se passe et tout ce qui est décidé, avec l'heure : qui a "
                  "été appelé, ce qui a été dit, ce qui reste à faire. Elle sert à la "
                  "plainte, à l'assureur, et au retour d'expérience."),
        columns=_columns((_("Date et heure"), 13), (_("Ce qui se passe ou ce qui est "
                                                       "décidé"), 47),
                         (_("Qui"), 14), (_("Suite à donner"), 26)),
        always_for=ALL_KINDS),
    PaperForm(
        key="dispensation",
        title=_("Registre de dispensation en mode dégradé"),
        purpose=_("Une ligne par ordonnance ou par délivrance faite sans le logiciel. "
                  "Gardez l'ordonnance ou sa copie avec la feuille : elles serviront à la "
                  "ressaisie et à la facturation."),
        columns=_columns((_("Date et heure"), 10), (_("Patient (nom, initiale du "
                                                       "prénom, date de naissance)"), 19),
                         (_("Prescripteur"), 12),
                         (_("Médicaments délivrés (nom, dosage, quantité)"), 26),
                         (_("N° de lot si tracé"), 9), (_("Délivré par"), 10),
                         (_("Remarque"), 7), RESAISI),
        always_for=("officine", "pui")),
    PaperForm(
        key="stock",
        title=_("Fiche de mouvements de stock"),
        purpose=_("Chaque entrée et chaque sortie faite sans le logiciel : réception, "
                  "délivrance, transfert, retour, destruction. Le stock du logiciel sera "
                  "corrigé avec cette fiche."),
        columns=_columns((_("Date"), 9), (_("Produit (nom, dosage, forme)"), 25),
                         (_("N° de lot"), 10), (_("Péremption"), 9), (_("Entrée"), 7),
                         (_("Sortie"), 7), (_("Provenance ou destination"), 16),
                         (_("Par"), 10), RESAISI),
        always_for=("officine", "pui", "industrie", "distribution")),
    PaperForm(
        key="facturation",
        title=_("Ventes à facturer plus tard"),
        purpose=_("Les délivrances qui n'ont pas pu être facturées à l'Assurance maladie ou "
                  "à la complémentaire : elles seront facturées au retour du logiciel, "
                  "dans les délais de la caisse."),
        columns=_columns((_("Date"), 9), (_("Patient (nom, initiale du prénom)"), 18),
                         (_("Caisse et complémentaire"), 17), (_("Montant"), 9),
                         (_("Payé par le patient"), 10),
                         (_("Pièces gardées (ordonnance, attestation)"), 20),
                         (_("Facturé le"), 10), RESAISI),
        ),
    PaperForm(
        key="commandes",
        title=_("Commandes passées à la main"),
        purpose=_("Les commandes passées par téléphone ou par écrit pendant la panne, pour "
                  "vérifier la livraison et ne rien commander deux fois."),
        columns=_columns((_("Date et heure"), 11), (_("Fournisseur"), 14),
                         (_("Produit"), 24), (_("Quantité"), 8),
                         (_("Passée comment (téléphone, courriel…)"), 15),
                         (_("Par"), 9), (_("Reçu le"), 12), RESAISI),
        ),
    PaperForm(
        key="stupefiants",
        title=_("Registre provisoire des stupéfiants"),
        purpose=_("Chaque entrée et chaque sortie de stupéfiant tant que le registre "
                  "habituel n'est pas accessible, avec le stock restant. Le pharmacien "
                  "vise chaque ligne ; la fiche est reportée au registre dès que possible "
                  "et gardée avec lui."),
        columns=_columns((_("Date"), 8), (_("Produit (nom, dosage, forme)"), 19),
                         (_("Entrée"), 7), (_("Sortie"), 7), (_("Stock restant"), 8),
                         (_("Patient et prescripteur, ou fournisseur"), 23),
                         (_("Visa du pharmacien"), 12), (_("Reporté au registre ✓"), 16)),
        ),
    PaperForm(
        key="preparations",
        title=_("Registre des préparations"),
        purpose=_("Les préparations faites pendant la panne, avec les lots des matières "
                  "premières, pour l'ordonnancier et la traçabilité."),
        columns=_columns((_("Date"), 8), (_("Patient (nom, initiale du prénom)"), 15),
                         (_("Préparation et quantité"), 22),
                         (_("Lots des matières premières"), 18), (_("Préparé par"), 11),
                         (_("Contrôlé par"), 11), (_("N° d'ordonnancier"), 8), RESAISI),
        ),
    PaperForm(
        key="validation",
        title=_("Validation pharmaceutique sur papier"),
        purpose=_("Les prescriptions analysées sur papier et l'avis du pharmacien : "
                  "validée, ou intervention auprès du prescripteur, et sa réponse."),
        columns=_columns((_("Date et heure"), 10), (_("Unité de soins"), 11),
                         (_("Patient (nom, initiale, date de naissance)"), 17),
                         (_("Prescription analysée"), 20),
                         (_("Avis : validée ou intervention"), 16),
                         (_("Réponse du prescripteur"), 11), (_("Pharmacien"), 8),
                         RESAISI),
        ),
    PaperForm(
        key="echantillons",
        title=_("Registre des échantillons"),
        purpose=_("Chaque dossier reçu pendant la panne, sous un numéro provisoire écrit "
                  "aussi sur les tubes et la demande d'examens. Ce numéro relie l'échantillon, "
                  "le résultat et la ressaisie."),
        columns=_columns((_("N° provisoire"), 9), (_("Prélevé le, à"), 10),
                         (_("Patient (nom, prénom, date de naissance)"), 20),
                         (_("Prescripteur"), 12), (_("Examens demandés"), 18),
                         (_("Urgent ?"), 6), (_("Préleveur"), 9), (_("Reçu au plateau à"), 9),
                         RESAISI),
        always_for=("lbm",)),
    PaperForm(
        key="resultats",
        title=_("Résultats transmis pendant la panne"),
        purpose=_("Les résultats rendus sans le logiciel : à qui, comment et quand. Un "
                  "résultat critique est téléphoné au prescripteur, qui le répète pour "
                  "confirmer."),
        columns=_columns((_("N° provisoire"), 9), (_("Patient"), 14), (_("Examen"), 13),
                         (_("Résultat critique ?"), 9), (_("Transmis à"), 14),
                         (_("Comment (téléphone, papier)"), 12), (_("Date et heure"), 10),
                         (_("Biologiste"), 12), RESAISI),
        always_for=("lbm",)),
    PaperForm(
        key="lots",
        title=_("Dossiers de lots et libérations pendant la panne"),
        purpose=_("Les lots fabriqués ou contrôlés pendant la panne, l'état de leur "
                  "dossier et la décision de la personne qui les libère."),
        columns=_columns((_("Produit"), 16), (_("N° de lot"), 10),
                         (_("Fabriqué le"), 10), (_("Dossier de lot complet ?"), 12),
                         (_("Contrôles faits"), 17), (_("Décision : libéré ou bloqué"), 13),
                         (_("Par, le"), 15), RESAISI),
        ),
    PaperForm(
        key="pharmacovigilance",
        title=_("Signalements de pharmacovigilance reçus"),
        purpose=_("Chaque cas reçu pendant la panne, avec sa date de réception : c'est "
                  "elle qui fait courir le délai de déclaration aux autorités."),
        columns=_columns((_("Reçu le, à"), 10), (_("Reçu de (professionnel, patient…)"), 15),
                         (_("Produit et lot"), 16), (_("Effet rapporté"), 21),
                         (_("Grave ?"), 6), (_("À déclarer avant le"), 10),
                         (_("Traité par"), 10), (_("Saisi ✓"), 12)),
        ),
    PaperForm(
        key="preparation-commandes",
        title=_("Préparation des commandes"),
        purpose=_("Les commandes des clients préparées à la main, avec les lots sortis : la "
                  "traçabilité permet un rappel de lot même pendant la panne."),
        columns=_columns((_("N° ou heure de la commande"), 11), (_("Client"), 15),
                         (_("Produit"), 20), (_("Quantité"), 8), (_("N° de lot"), 10),
                         (_("Préparé par"), 10), (_("Contrôlé par"), 10), (_("Livré ✓"), 9),
                         RESAISI),
        always_for=("distribution",)),
)

FORMS_BY_KEY = {form.key: form for form in FORMS}
KEYS = tuple(FORMS_BY_KEY)


def paper_form(key: str) -> PaperForm | None:
    return FORMS_BY_KEY.get(key)


def choices() -> list[tuple[str, str]]:
    """(key, title) of every form, in the kit's order, for a form's checkboxes."""
    return [(form.key, form.title) for form in FORMS]


def forms_for(organisation_kind: str, used: set[str] | frozenset[str] = frozenset()) \
        -> list[PaperForm]:
    """The forms of a kit, in the kit's order: those the activities use (`used`, keys),
    and those every kit of this kind of organisation holds. Unknown keys are ignored."""
    return [form for form in FORMS
            if form.key in used or organisation_kind in form.always_for]
