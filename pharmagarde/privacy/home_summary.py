"""What the overview shows to those who read the register, each part counted by its own
rules (register_checks, processor_services.findings, request_services.state): a fixed
number of queries, whatever the size of the register."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from . import processor_services, register_checks, request_services
from .models import Dpia, PersonRequest, PrivacyProfile, Processing, Processor, Retention


def summary(organisation) -> dict:
    today = timezone.localdate()
    processings = (Processing.objects.filter(organisation=organisation)
                   .prefetch_related(Prefetch("retentions", queryset=Retention.objects.all())))
    processors = (Processor.objects.filter(organisation=organisation)
                  .prefetch_related(processor_services.accounts_with_mfa()))
    open_requests = list(PersonRequest.objects.filter(organisation=organisation,
                                                      answered_on=None))
    states = [request_services.state(item, today) for item in open_requests]
    dpias = Dpia.objects.filter(organisation=organisation).aggregate(
        total=Count("pk"), to_validate=Count("pk", filter=Q(status=Dpia.Status.DONE)))
    counts = processor_services.finding_counts(processors, today)
    upcoming = sorted((s for s in states if s.code != "late" and s.deadline),
                      key=lambda s: s.deadline)
    return {
        "profile": PrivacyProfile.objects.filter(organisation=organisation).first(),
        "register": register_checks.register_summary(processings),
        "processors": len(counts),
        "processors_with_findings": sum(1 for n in counts.values() if n),
        "open_requests": len(open_requests),
        "late_requests": sum(1 for s in states if s.code == "late"),
        "next_deadline": upcoming[0].deadline if upcoming else None,
        "dpias": dpias["total"],
        "dpias_to_validate": dpias["to_validate"],
    }
