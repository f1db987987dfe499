"""What the awareness tests share: a sending profile pointed at a real SMTP server, people,
a campaign with content, and its launch."""

from django.test import override_settings

from pharmagarde.awareness import campaign_services
from pharmagarde.awareness.models import Campaign, SendingProfile
from pharmagarde.core.models import Person

CONTENT = {
    "subject": "Votre facture de {{structure}}",
    "sender_name": "Service facturation",
    "sender_address": "facturation@grossiste-exemple.example",
    "html": '<p>Bonjour {{prenom}},</p><p><a href="{{lien}}">Voir la facture</a></p>'
            '<img src="{{pixel}}" alt="">',
    "text": "Bonjour {{prenom}},\nVoir la facture : {{lien}}\n",
    "clues": [], "module": "hameconnage", "form": None, "lesson": [],
}


def make_people(organisation, count, *, start=0, job="Préparateur"):
    return Person.objects.bulk_create([
        Person(organisation=organisation, first_name=f"Prénom{i}", last_name=f"Nom{i}",
               email=f"personne{i}@alpha.example", job=job)
        for i in range(start, start + count)])


def make_profile(organisation, smtp, *, rate=0):
    return SendingProfile.objects.create(
        organisation=organisation, name="Relais de test", host=smtp.host, port=smtp.port,
        security=SendingProfile.Security.NONE, from_address="campagnes@alpha.example",
        rate_per_minute=rate)


def make_campaign(organisation, profile, people=(), **fields):
    campaign = Campaign.objects.create(organisation=organisation, number=fields.pop(
        "number", 1), name=fields.pop("name", "Fausse facture"), profile=profile, **fields)
    campaign.people.set(people)
    return campaign


@override_settings(AWARENESS_SENDERS=2)
def launch(test, user, campaign, **kwargs):
    """Launch in a TestCase: the sending tasks (ImmediateBackend) run on commit."""
    with test.captureOnCommitCallbacks(execute=True):
        count = campaign_services.campaign_launch(acting_user=user, campaign=campaign,
                                                  content=CONTENT, **kwargs)
    campaign.refresh_from_db()
    return count
