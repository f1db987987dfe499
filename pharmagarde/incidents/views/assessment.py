"""The risk helper of a breach record: a few plain questions, the proposal with its
reasons (risk.py), then the decision, confirmed or changed with a reason
(services.breach_decide). One page, one form: the answers travel with the decision."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.access import org_view

from .. import risk, services
from ..access import get_breach_or_404
from ..models import Breach
from ..roles import REGISTER_ROLES


def _choices(table):
    return [(key, value[0] if isinstance(value, tuple) else value)
            for key, value in table.items()]


def _radio(label, table, help_text):
    return forms.ChoiceField(label=label, choices=_choices(table), widget=forms.RadioSelect,
                             help_text=help_text, required=False)


class AssessForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    data_types = forms.MultipleChoiceField(
        label=gettext_lazy("Quelles données sont touchées ?"), required=False,
        choices=_choices(risk.DATA_TYPES), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Cochez tout ce qui peut avoir été vu, modifié ou perdu. Un "
                               "identifiant vaut ce qu'il ouvre : s'il ouvre le logiciel de "
                               "la pharmacie, cochez aussi les données de santé."))
    people_count = forms.IntegerField(
        label=gettext_lazy("Combien de personnes, à peu près ?"), required=False,
        min_value=0, max_value=100_000_000,
        help_text=gettext_lazy("Patients, salariés… Une estimation suffit ; laissez vide si "
                               "vous ne savez pas encore."),
        error_messages={"invalid": gettext_lazy("Indiquez un nombre, par exemple 250."),
                        "min_value": gettext_lazy("Le nombre ne peut pas être négatif."),
                        "max_value": gettext_lazy("Ce nombre semble trop grand : "
                                                  "vérifiez-le.")})
    identification = _radio(
        gettext_lazy("Peut-on reconnaître les personnes à partir de ces données ?"),
        risk.IDENTIFICATION,
        gettext_lazy("Une liste de noms se lit tout de suite ; un numéro de dossier seul "
                     "demande d'autres informations."))
    confidentiality = _radio(
        gettext_lazy("Quelqu'un a-t-il pu voir les données sans en avoir le droit ?"),
        risk.CONFIDENTIALITY,
        gettext_lazy("C'est la confidentialité. Un rançongiciel qui copie les fichiers avant "
                     "de les chiffrer, c'est « un nombre inconnu de personnes »."))
    integrity = _radio(gettext_lazy("Les données ont-elles pu être modifiées ?"),
                       risk.INTEGRITY,
                       gettext_lazy("C'est l'intégrité : une ordonnance, un résultat ou un "
                                    "RIB changé."))
    availability = _radio(gettext_lazy("Les données sont-elles encore accessibles ?"),
                          risk.AVAILABILITY,
                          gettext_lazy("C'est la disponibilité : des fichiers chiffrés par un "
                                       "rançongiciel, un poste volé sans sauvegarde."))
    malicious = forms.BooleanField(
        label=gettext_lazy("C'était voulu : vol, piratage, rançongiciel ou malveillance d'une "
                           "personne de la structure"), required=False,
        help_text=gettext_lazy("Laissez décoché pour une erreur ou un accident (mauvais "
                               "destinataire, perte)."))
    unintelligible = _radio(
        gettext_lazy("Les données étaient-elles chiffrées ?"), risk.UNINTELLIGIBLE,
        gettext_lazy("Chiffrées, elles sont illisibles pour qui les trouve, tant qu'il n'a "
                     "pas la clé. Un simple mot de passe de session Windows ne chiffre pas "
                     "le disque."))
    measures_remove_risk = forms.BooleanField(
        label=gettext_lazy("Des mesures prises depuis suppriment le risque pour les personnes"),
        required=False,
        help_text=gettext_lazy("Par exemple : le destinataire a supprimé le courriel et l'a "
                               "confirmé par écrit ; les mots de passe volés ont tous été "
                               "changés avant tout usage."))
    measures = forms.CharField(label=gettext_lazy("Lesquelles ?"), required=False,
                               max_length=risk.TEXT_LIMIT,
                               widget=forms.Textarea(attrs={"rows": 2}))
    effort_disproportionate = forms.BooleanField(
        label=gettext_lazy("Prévenir chaque personne demanderait un effort disproportionné"),
        required=False,
        help_text=gettext_lazy("Par exemple : vous n'avez pas leurs coordonnées. Il faut "
                               "alors une communication publique (affiche, site)."))
    effort_reason = forms.CharField(label=gettext_lazy("Pourquoi ?"), required=False,
                                    max_length=risk.TEXT_LIMIT,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.ChoiceField(label=gettext_lazy("Votre décision"), required=False,
                                 choices=_choices(risk.DECISIONS), widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=gettext_lazy("Vos raisons"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoires si vous choisissez une autre décision que la "
                               "proposition. Elles sont gardées avec la fiche, avec le "
                               "raisonnement ci-dessus."))

    GROUPS = (
        (gettext_lazy("Les données"), ("data_types", "people_count", "identification")),
        (gettext_lazy("Ce qui s'est passé"),
         ("confidentiality", "integrity", "availability", "malicious")),
        (gettext_lazy("Ce qui peut dispenser d'informer les personnes"),
         ("unintelligible", "measures_remove_risk", "measures", "effort_disproportionate",
          "effort_reason")),
    )
    ANSWERS = tuple(name for _title, names in GROUPS for name in names)

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def clean(self):
        data = super().clean()
        try:
            self.answers = risk.clean_answers({name: data.get(name) for name in self.ANSWERS})
        except risk.InvalidAnswers as error:
            for name, message in error.errors.items():
                if name not in self.errors:
                    self.add_error(name, message)
        return data


def initial_answers(breach: Breach) -> dict:
    """The answers the record already gives: those of the last assessment, or else what
    its fields say (a guess the user corrects)."""
    if breach.assessment.get("answers"):
        return dict(breach.assessment["answers"])
    types = [key for key in breach.data_types if key in risk.DATA_TYPES]
    types += [key for key, flag in (("sante", breach.health_data), ("nir", breach.nir))
              if flag and key not in types]
    seen_by = {"piratage": "inconnus", "publication": "inconnus", "courrier": "connus",
               "mauvais-destinataire": "connus", "mauvaise-personne": "connus",
               "oral": "connus", "perte-vol": "exposees", "mise-au-rebut": "exposees"}
    return {
        "data_types": types, "people_count": breach.people_count,
        "identification": "directe" if {"identite", "nir"} & set(types) else None,
        "confidentiality": (seen_by.get(breach.origin) if breach.confidentiality else "non"),
        "integrity": None if breach.integrity else "non",
        "availability": None if breach.availability else "non",
        "malicious": breach.cause.endswith("malveillance"),
        "unintelligible": "non", "measures": breach.measures_taken[:risk.TEXT_LIMIT],
    }


@org_view(roles=REGISTER_ROLES, write=True)
def breach_assess(request, breach_id):
    """GET: the questions, prefilled. POST "evaluer": the proposal and its reasons, the
    proposal offered as the decision. POST "decider": the decision stored."""
    breach = get_breach_or_404(request, breach_id)
    if breach.status == Breach.Status.CLOSED:
        return _closed(request, breach)
    if request.method != "POST":
        form = AssessForm(initial={**initial_answers(breach), "revision": breach.revision,
                                   "decision": breach.decision})
        return render(request, "incidents/breach_assess.html",
                      {"breach": breach, "form": form})
    data = request.POST.copy()
    form = AssessForm(data)
    assessment = risk.assess(form.answers) if form.is_valid() else None
    conflict, deciding = False, request.POST.get("step") == "decider"
    if assessment and deciding:
        try:
            services.breach_decide(acting_user=request.user, breach=breach,
                                   answers=form.answers, decision=form.cleaned_data["decision"],
                                   reasons=form.cleaned_data["reasons"],
                                   revision=form.cleaned_data["revision"], request=request)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except services.ClosedRecord:
            return _closed(request, breach)
        except services.RecordConflict as error:
            # Shown again on the saved revision: deciding again is a deliberate choice.
            conflict, data["revision"] = True, error.current.revision
        else:
            messages.success(request, _("Décision enregistrée avec son raisonnement."))
            return redirect("breach_detail", request.organisation.slug, breach.pk)
    if conflict or (assessment and not deciding and not data.get("decision")):
        data["decision"] = data.get("decision") or assessment.decision
        form = AssessForm(data)
        form.is_valid()
    return render(request, "incidents/breach_assess.html",
                  {"breach": breach, "form": form, "assessment": assessment,
                   "conflict": conflict},
                  status=409 if conflict else 422 if form.errors else 200)


def _closed(request, breach):
    messages.error(request, _("Cette fiche est close : rouvrez-la pour décider à nouveau."))
    return redirect("breach_detail", request.organisation.slug, breach.pk)


urlpatterns = [
    path("registre/<int:breach_id>/evaluer/", breach_assess, name="breach_assess"),
]
