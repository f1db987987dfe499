"""What the overview shows to those who read the register: a fixed number of queries."""

from django.db.models import Count, Q

from .models import Dpia, PersonRequest, PrivacyProfile, Processing, Processor


def summary(organisation) -> dict:
    processings = Processing.objects.filter(organisation=organisation).aggregate(
        total=Count("pk"), unconfirmed=Count("pk", filter=Q(confirmed_at=None)))
    return {
        "profile": PrivacyProfile.objects.filter(organisation=organisation).first(),
        "processings": processings["total"],
        "unconfirmed": processings["unconfirmed"],
        "processors": Processor.objects.filter(organisation=organisation).count(),
        "open_requests": PersonRequest.objects.filter(organisation=organisation,
                                                      answered_on=None).count(),
        "dpias": Dpia.objects.filter(organisation=organisation).count(),
    }
