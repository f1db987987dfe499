"""Demonstration data protection of the officine, written through the app's own services
(history, audit entries and action plan follow as they would for a person):

- the profile (the company, its legal representative, where to write, the DPO), and the
  register prefilled for an officine: the dispensation completed, linked to the inventory's
  LGO and to its vendor, and confirmed; two other processings confirmed; the rest to read;
- three processors: the LGO's vendor (two clauses missing and a remote access account
  without two-factor authentication: the plan gets the actions), an HDS host with every
  clause, an IT provider whose yearly review is overdue;
- three requests: an access request received 24 days ago (the deadline is near), an
  erasure answered, and an objection that is late (its urgent reminder is sent by the
  worker);
- the screening of the dispensation (health data of vulnerable people: an impact
  assessment is required) and its assessment under way, two risks assessed, a planned
  measure in the action plan.

Each part is made once: a second run adds nothing.
"""

import datetime

from django.utils import timezone

from pharmagarde.core.registry import DemoData
from pharmagarde.inventory.models import Account, Software

from . import (
    contracts,
    dpia_services,
    processor_services,
    profile_services,
    register_services,
    request_services,
)
from .models import Dpia, PersonRequest, Processing, Processor

LGO = "LGO"  # the inventory demo's name (inventory/demo.py)


def load(demo: DemoData) -> None:
    organisation = demo.organisations.get("officine")
    if organisation is None:
        return
    user = demo.responsables[organisation.kind]
    today = timezone.localdate()
    _profile(organisation, user)
    if not Processing.objects.filter(organisation=organisation).exists():
        demo.count("traitements au registre",
                   register_services.register_prefill(acting_user=user,
                                                      organisation=organisation))
    if not Processor.objects.filter(organisation=organisation).exists():
        _processors(demo, organisation, user, today)
        _register(organisation, user)
    if not PersonRequest.objects.filter(organisation=organisation).exists():
        _requests(demo, organisation, user, today)
    if not Dpia.objects.filter(organisation=organisation).exists():
        _dpia(demo, organisation, user)


def _profile(organisation, user):
    profile = profile_services.profile_of(organisation)
    if profile.controller:
        return
    profile_services.profile_save(acting_user=user, profile=profile, revision=profile.revision,
                                  values={
        "controller": f"SELARL {organisation.name}, représentée par sa pharmacienne "
                      "titulaire",
        "contact": f"{organisation.name}, {organisation.address or '12 place du Marché'}, "
                   f"{organisation.postal_code or '69002'} {organisation.city or 'Lyon'} — "
                   "donnees-personnelles@pharmacie-demo.example",
        "dpo": "Cabinet Conformité Santé (exemple), dpo@conformite-sante.example",
        "turnover_over_threshold": False, "video_surveillance": True,
        "phishing_tests": None})


def _all(value):
    return dict.fromkeys((clause.id for clause in contracts.CLAUSES), value)


def _processors(demo, organisation, user, today):
    lgo = list(Software.objects.filter(organisation=organisation, name=LGO)[:1])
    remote = list(Account.objects.filter(organisation=organisation,
                                         system=Account.System.ACCES_DISTANCE)[:1])
    if not remote:
        remote = [Account.objects.create(
            organisation=organisation, system=Account.System.ACCES_DISTANCE,
            system_name="Prise en main à distance de l'éditeur", login="support-editeur",
            holder_kind=Account.Holder.SHARED, mfa=False)]
    vendor_clauses = {**_all(True), "audits": False, "violations": None}
    processor_services.processor_create(
        acting_user=user, organisation=organisation, software=lgo, accounts=remote,
        values={"name": "Éditeur du LGO (exemple)", "service": Processor.Service.SOFTWARE,
                "description": "Maintenance du logiciel d'officine et de sa base, "
                               "télémaintenance, sauvegarde externalisée.",
                "contact": "support@editeur-lgo.example", "health_data": True,
                "hds_certified": True, "outside_eea": False,
                "contract_signed_on": today - datetime.timedelta(days=400),
                "contract_reference": "Contrat de maintenance n° 2025-118",
                "remote_access": True, "review_every_months": 12,
                "reviewed_on": today - datetime.timedelta(days=200), "notes": ""},
        clauses=vendor_clauses,
        remote_conditions={"compte-nominatif": False, "double-authentification": False,
                           "sur-demande": True})
    processor_services.processor_create(
        acting_user=user, organisation=organisation,
        values={"name": "Hébergeur de santé (exemple)", "service": Processor.Service.HOST,
                "description": "Hébergement certifié de la sauvegarde chiffrée du LGO.",
                "contact": "contact@hebergeur-hds.example", "health_data": True,
                "hds_certified": True, "outside_eea": False,
                "contract_signed_on": today - datetime.timedelta(days=90),
                "contract_reference": "", "remote_access": False,
                "review_every_months": 12, "reviewed_on": None, "notes": ""},
        clauses=_all(True), remote_conditions={})
    processor_services.processor_create(
        acting_user=user, organisation=organisation,
        values={"name": "Prestataire informatique (exemple)", "service": Processor.Service.IT,
                "description": "Installation et dépannage des postes et du réseau.",
                "contact": "06 00 00 00 00", "health_data": False, "hds_certified": None,
                "outside_eea": False,
                "contract_signed_on": today - datetime.timedelta(days=900),
                "contract_reference": "", "remote_access": True, "review_every_months": 12,
                "reviewed_on": today - datetime.timedelta(days=420), "notes": ""},
        clauses={**_all(True), "sous-traitance": None, "fin": False},
        remote_conditions=dict.fromkeys(
            (condition.id for condition in contracts.REMOTE_CONDITIONS), True))
    demo.count("sous-traitants", 3)


def _register(organisation, user):
    """The dispensation completed and confirmed, two others confirmed as proposed."""
    processings = {p.key: p for p in Processing.objects.filter(organisation=organisation)}
    dispensing = processings.get("dispensation")
    if dispensing is not None:
        vendor = Processor.objects.filter(organisation=organisation,
                                          service=Processor.Service.SOFTWARE)
        register_services.processing_update(
            acting_user=user, processing=dispensing, revision=dispensing.revision,
            values={"in_use": True},
            retentions=register_services.retention_values(dispensing),
            links=register_services.Links(
                software=list(Software.objects.filter(organisation=organisation, name=LGO)),
                processors=list(vendor)))
    for key in ("dispensation", "personnel-paie", "commandes-stock"):
        if key in processings:
            processing = Processing.objects.get(pk=processings[key].pk)
            register_services.processing_confirm(acting_user=user, processing=processing)
    for key in ("fidelite", "vente-en-ligne"):
        if key in processings:
            processing = Processing.objects.get(pk=processings[key].pk)
            register_services.processing_update(
                acting_user=user, processing=processing, revision=processing.revision,
                values={"in_use": False},
                retentions=register_services.retention_values(processing),
                links=register_services.Links())


def _requests(demo, organisation, user, today):
    right, requester = PersonRequest.Right, PersonRequest.Requester
    dispensing = Processing.objects.filter(organisation=organisation,
                                           key="dispensation").first()
    request_services.request_log(
        acting_user=user, organisation=organisation, requester=requester.PATIENT,
        requester_name="M. Exemple", right=right.ACCESS,
        received_on=today - datetime.timedelta(days=24), channel="Courrier",
        details="Demande la liste des médicaments délivrés depuis deux ans.",
        processing=dispensing, handled_by=user)
    erasure = request_services.request_log(
        acting_user=user, organisation=organisation, requester=requester.OTHER,
        requester_name="Mme Démonstration", right=right.ERASURE,
        received_on=today - datetime.timedelta(days=50), channel="Courriel",
        details="Demande d'effacement de son adresse de la liste des rappels par SMS.")
    request_services.request_answer(
        acting_user=user, person_request=erasure,
        answered_on=today - datetime.timedelta(days=45),
        outcome=PersonRequest.Outcome.GRANTED,
        answer_notes="Adresse et numéro effacés de la liste des rappels ; courriel de "
                     "confirmation envoyé.")
    request_services.request_log(
        acting_user=user, organisation=organisation, requester=requester.STAFF,
        requester_name="Un ancien salarié", right=right.OBJECTION,
        received_on=today - datetime.timedelta(days=35), channel="Au comptoir",
        details="S'oppose à la diffusion de sa photo sur la page de la pharmacie.")
    demo.count("demandes d'exercice des droits", 3)


def _dpia(demo, organisation, user):
    dispensing = Processing.objects.filter(organisation=organisation,
                                           key="dispensation").first()
    if dispensing is None:
        return
    dpia_services.screening_save(acting_user=user, processing=dispensing, answers={
        "donnees-sensibles": True, "personnes-vulnerables": True, "grande-echelle": False})
    dpia = dpia_services.dpia_create(acting_user=user, organisation=organisation,
                                     title="Dispensation et historique des patients",
                                     processing=dispensing)
    dpia_services.dpia_update(
        acting_user=user, dpia=dpia, part="risques", revision=dpia.revision, values={
            "acces-illegitime": {
                "impacts": "Des traitements révélés à l'entourage ou à l'employeur.",
                "threats": "Poste du comptoir laissé ouvert, compte partagé.",
                "sources": "Un visiteur, un ancien salarié, un pirate.",
                "severity": 3, "likelihood": 3},
            "disparition": {
                "impacts": "Historique perdu : interactions non repérées.",
                "threats": "Rançongiciel, panne du serveur.",
                "sources": "Un pirate, une panne matérielle.",
                "severity": 3, "likelihood": 2}})
    dpia.refresh_from_db()
    dpia_services.measure_add(acting_user=user, dpia=dpia, state="existante",
                              text="Sauvegarde chiffrée quotidienne chez l'hébergeur HDS",
                              risks=["disparition"])
    dpia_services.measure_add(acting_user=user, dpia=dpia, state="prevue",
                              text="Un compte nominatif par personne au comptoir, verrouillage "
                                   "automatique des postes après 5 minutes",
                              risks=["acces-illegitime"])
    dpia.refresh_from_db()
    dpia_services.dpia_finish(acting_user=user, dpia=dpia, revision=dpia.revision)
    demo.count("analyses d'impact")
