"""The personal training link of staff without an account: /formation/<token>/, public.

The assignment's unguessable token (256 random bits) is the only right to answer: an
unknown token is a 404, and the page shows nothing but that assignment and its own
organisation. The same lesson, quiz and result as the members' page, and the certificate
once passed. Never kept by the browser (a shared counter computer): no-store."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import modules
from ..models import Assignment
from .training import certificate_response, get_module_or_404, module_page

ACTOR_LABEL = "lien personnel de formation"


def get_assignment_by_token_or_404(token: str) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("person", "organisation"),
                             token=token, module__in=modules.KEYS)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def awareness_learner(request, token):
    assignment = get_assignment_by_token_or_404(token)
    module = get_module_or_404(assignment.module)
    return module_page(request, module=module, assignment=assignment,
                       template="awareness/learner_module.html",
                       context={"organisation": assignment.organisation,
                                "person": assignment.person,
                                "certificate_url": reverse("awareness_learner_certificate",
                                                           args=[token])},
                       actor_label=ACTOR_LABEL)


@never_cache
@require_safe
def awareness_learner_certificate(request, token):
    assignment = get_assignment_by_token_or_404(token)
    return certificate_response(request, assignment, actor_label=ACTOR_LABEL)


urlpatterns = [
    path("formation/<str:token>/", awareness_learner, name="awareness_learner"),
    path("formation/<str:token>/attestation.pdf", awareness_learner_certificate,
         name="awareness_learner_certificate"),
]
