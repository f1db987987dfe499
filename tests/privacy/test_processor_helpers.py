"""Shared by the processors' tests: a processor through the service, all clauses checked."""

import datetime

from django.utils import timezone

from pharmagarde.privacy import processor_services
from pharmagarde.privacy.contracts import CLAUSES, REMOTE_CONDITIONS

ALL_CLAUSES = {clause.id: True for clause in CLAUSES}
ALL_CONDITIONS = {condition.id: True for condition in REMOTE_CONDITIONS}


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - datetime.timedelta(days=days)


def values(**fields):
    """The form's values of a processor in order: contract signed lately, nothing unsafe."""
    base = {"name": "Dupont Informatique", "service": "informatique",
            "description": "Maintient les postes", "contact": "support@dupont.example",
            "health_data": False, "hds_certified": None, "outside_eea": False,
            "contract_signed_on": days_ago(30), "contract_reference": "C-12",
            "remote_access": False, "review_every_months": 12, "reviewed_on": None,
            "notes": ""}
    base.update(fields)
    return base


def make_processor(user, organisation, *, clauses=None, remote_conditions=None,
                   software=(), accounts=(), **fields):
    return processor_services.processor_create(
        acting_user=user, organisation=organisation, values=values(**fields),
        clauses=dict(ALL_CLAUSES if clauses is None else clauses),
        remote_conditions=dict(ALL_CONDITIONS if remote_conditions is None
                               else remote_conditions),
        software=software, accounts=accounts)
