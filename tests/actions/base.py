"""Shared set-up for the action plan tests: actions in Pharmacie Alpha and Bravo."""

import datetime

from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.diagnostic.models import Answer, Assessment
from tests.base import BaseTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


class PlanTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.action = Action.objects.create(
            organisation=cls.org, title="Changer le mot de passe du Wi-Fi", owner=cls.person,
            due_date=days(30), effort=Action.Effort.LOW)
        cls.other_action = Action.objects.create(organisation=cls.other_org,
                                                 title="Action Bravo")

    def make_action(self, title="Action", org=None, **fields):
        return Action.objects.create(organisation=org or self.org, title=title, **fields)

    def make_diagnostic_action(self, title="Action", *, measure, question_ids=(),
                               assessment=None, level="basic", **fields):
        """An action of the diagnostic, as plan_sync_from_assessment stores it."""
        data = {"question_ids": list(question_ids), "level": level}
        if assessment is not None:
            data.update(assessment=assessment.pk, version=assessment.referential_version)
        return self.make_action(title, source="diagnostic", source_key=measure,
                                source_data=data, **fields)

    def make_linked_action(self, title="Action", *, question_ids, **fields):
        """A hand-made action that closes questions of the diagnostic."""
        return self.make_action(title, source_data={"closes": {"diagnostic": question_ids}},
                                **fields)

    def make_assessment(self, answers, org=None, completed=True):
        """An assessment of the 2026.1 referential with {question_id: [choice ids]}."""
        org = org or self.org
        assessment = Assessment.objects.create(
            organisation=org, referential_version="2026.1", organisation_kind=org.kind,
            size_band=org.size_band,
            status=Assessment.Status.COMPLETED if completed else Assessment.Status.IN_PROGRESS,
            completed_at=timezone.now() if completed else None)
        for question_id, choices in answers.items():
            Answer.objects.create(organisation=org, assessment=assessment,
                                  question_id=question_id, choice_ids=choices)
        return assessment

    def edit_data(self, action, **changes):
        data = {"title": action.title, "description": action.description,
                "owner": action.owner_id or "", "due_date": action.due_date or "",
                "status": action.status, "effort": action.effort,
                "progress": action.progress, "notes": action.notes,
                "revision": action.revision,
                "closes_diagnostic": action.closes_at("diagnostic")}
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}
