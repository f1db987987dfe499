"""Demonstration plan: the three most urgent actions of the officine get an owner and a
date, one late, one under way, one done, so that the dashboard and the plan show every
state. Runs after the diagnostic's demo, which filled the plan."""

from datetime import timedelta

from django.utils import timezone

from pharmagarde.core.models import Person
from pharmagarde.core.registry import DemoData

from .models import Action
from .services import action_save


def load(demo: DemoData) -> None:
    organisation = demo.organisations["officine"]
    actions = organisation.actions.order_by("priority", "id")
    if not actions.exists() or actions.filter(owner__isnull=False).exists():
        return  # nothing to schedule, or done already
    acting_user = demo.responsables["officine"]
    owner = Person.objects.filter(organisation=organisation, user=acting_user).first()
    today = timezone.localdate()
    plans = [
        {"due_date": today - timedelta(days=5)},
        {"due_date": today + timedelta(days=14), "status": Action.Status.IN_PROGRESS,
         "progress": 40},
        {"due_date": today - timedelta(days=20), "status": Action.Status.DONE},
    ]
    for action, changes in zip(actions[: len(plans)], plans, strict=False):
        action.owner = owner
        for name, value in changes.items():
            setattr(action, name, value)
        action_save(acting_user=acting_user, action=action, changed=["owner", *changes])
    demo.count("actions planifiées", min(len(plans), actions.count()))
