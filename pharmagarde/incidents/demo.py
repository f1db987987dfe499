"""Demonstration incidents of the officine: yesterday's e-mail sent to the wrong patient
(open, personal data, its breach record half filled and the CNIL clock running), last
month's phishing (closed, its lessons in the action plan), and the emergency contacts: the
public ones and the IT provider's."""

from datetime import timedelta

from django.utils import timezone

from pharmagarde.core.registry import DemoData

from . import services
from .contacts import contacts_prefill
from .models import Breach, EmergencyContact, Incident


def load(demo: DemoData) -> None:
    organisation = demo.organisations.get("officine")
    if organisation is None or Incident.objects.filter(organisation=organisation).exists():
        return
    user = demo.responsables[organisation.kind]
    now = timezone.now()
    contacts_prefill(organisation)
    EmergencyContact.objects.create(
        organisation=organisation, kind=EmergencyContact.Kind.IT_PROVIDER,
        name="Informatique du Marché (démonstration)", phone="01 23 45 67 89",
        notes="Astreinte 7 j/7, contrat n° 2024-118.", order=5)
    phishing = services.incident_declare(
        acting_user=user, organisation=organisation, kind=Incident.Kind.PHISHING,
        description="Une préparatrice a cliqué sur le lien d'un faux courriel de la banque et "
                    "a saisi l'identifiant du compte professionnel.",
        noticed_at=now - timedelta(days=32), personal_data=Incident.PersonalData.NO)
    for step in phishing.steps.all():
        services.step_toggle(acting_user=user, step=step, done=True)
    services.note_add(acting_user=user, incident=phishing,
                      text="Mot de passe changé depuis un autre poste, banque prévenue : "
                           "aucune opération frauduleuse.", at=now - timedelta(days=32, hours=-1))
    services.incident_close(acting_user=user, incident=phishing, revision=phishing.revision,
                            lessons="Activer la double authentification sur le compte "
                                    "bancaire\nRefaire la formation à l'hameçonnage de "
                                    "l'équipe")
    leak = services.incident_declare(
        acting_user=user, organisation=organisation, kind=Incident.Kind.DATA_LEAK,
        description="Un courriel contenant l'ordonnance de Mme B. a été envoyé à un autre "
                    "patient au nom proche.",
        noticed_at=now - timedelta(hours=20), personal_data=Incident.PersonalData.YES)
    first = leak.steps.first()
    if first is not None:
        services.step_toggle(acting_user=user, step=first, done=True)
    breach = Breach.objects.get(incident=leak)
    services.breach_update(acting_user=user, breach=breach, revision=breach.revision, values={
        "origin": "mauvais-destinataire", "cause": "interne-accident",
        "confidentiality": True, "people_categories": "Patients", "people_count": 1,
        "records_count": 1, "data_types": ["identite", "sante"], "health_data": True,
        "media": "Messagerie de l'officine",
        "measures_taken": "Le destinataire a été appelé : il a supprimé le courriel et l'a "
                          "confirmé par écrit."})
    demo.count("incidents", 2)
