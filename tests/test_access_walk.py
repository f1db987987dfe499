"""Walk every URL pattern of the project, for every persona, and fail on any leak or 500.

New apps are covered without touching this file: every `/o/<org_slug>/...` pattern is
requested with Pharmacie Alpha's slug and, for each `<thing>_id` parameter, the id of a
*Pharmacie Bravo* object of the model named `thing`, which the app's declaration creates
(`AppDeclaration.access_walk`). Rules checked:

- anonymous visitors are sent to the sign-in page (or refused), never shown a page;
- an outsider (member of Bravo only) gets 404 on every Alpha URL, GET and POST;
- a member of Alpha asking for a Bravo object through an Alpha URL gets 404 (403 for the
  read-only role, whose writes are refused before any lookup);
- the read-only role gets 403 on every POST under /o/;
- nothing answers 500, whatever the persona, method or parameter.
"""

import uuid

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

from pharmagarde.core.models import Role
from pharmagarde.core.registry import MEMBERS, hooks, serves
from tests.base import BaseTestCase

LOGIN_URL = "/comptes/login/"


def walk_patterns(patterns=None, prefix_converters=None, namespace=None):
    """Yield (name, {param: converter}) for every named URL pattern of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        converters = dict(prefix_converters or {})
        converters.update(pattern_converters(entry.pattern))
        if isinstance(entry, URLResolver):
            inner_ns = entry.namespace
            ns = ":".join(filter(None, [namespace, inner_ns])) or None
            yield from walk_patterns(entry.url_patterns, converters, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            full_name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield full_name, converters


def pattern_converters(pattern):
    if isinstance(pattern, RoutePattern):
        return dict(pattern.converters)
    return dict.fromkeys(pattern.regex.groupindex)


def tenant_models():
    """Models that belong to an organisation (a non-null `organisation`), by lowercase name.
    The audit log, whose account events have no organisation, is not one."""
    return {
        model._meta.model_name: model
        for model in apps.get_models()
        if any(field.name == "organisation" and not field.null for field in model._meta.fields)
    }


class AccessWalkTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # One object of every tenant model in Bravo, so each <thing>_id has a foreign id:
        # each installed app creates its own (AppDeclaration.access_walk).
        for make_walk_objects in hooks("access_walk"):
            make_walk_objects(cls.other_org)

    def foreign_id(self, param):
        model_name = param.removesuffix("_id")
        model = tenant_models().get(model_name)
        self.assertIsNotNone(
            model, f"URL parameter <{param}> names no tenant model: call it <model_id>."
        )
        obj = model.objects.filter(organisation=self.other_org).order_by("pk").last()
        self.assertIsNotNone(
            obj, f"Create a {model.__name__} in Pharmacie Bravo in this test's setUpTestData."
        )
        # Make sure Alpha owns no object with the same id: the test would prove nothing.
        self.assertFalse(model.objects.filter(organisation=self.org, pk=obj.pk).exists())
        return obj.pk

    def build_kwargs(self, converters):
        kwargs = {}
        for param, converter in converters.items():
            if param == "org_slug":
                kwargs[param] = self.org.slug
            elif param.endswith("_id") and isinstance(converter, IntConverter):
                kwargs[param] = self.foreign_id(param)
            elif isinstance(converter, IntConverter):
                kwargs[param] = 987654
            elif isinstance(converter, UUIDConverter):
                kwargs[param] = uuid.uuid4()
            elif isinstance(converter, SlugConverter):
                kwargs[param] = "inconnu"
            else:
                kwargs[param] = "inconnu-0"
        return kwargs

    def urls(self):
        for name, converters in walk_patterns():
            try:
                url = reverse(name, kwargs=self.build_kwargs(converters))
            except Exception:  # noqa: BLE001 - regex patterns that our values do not fit
                kwargs = self.build_kwargs(converters)
                kwargs = {k: "1" if not isinstance(v, int) else v for k, v in kwargs.items()}
                url = reverse(name, kwargs=kwargs)
            yield name, url, "org_slug" in converters, any(
                p.endswith("_id") for p in converters
            )

    def request(self, user, method, url):
        client = Client()
        if user is not None:
            client.force_login(user)
        return getattr(client, method)(url)

    def test_every_tenant_model_has_an_object_to_try(self):
        """An app whose tenant model its access_walk does not create fails here."""
        missing = [model.__name__ for model in tenant_models().values()
                   if not model.objects.filter(organisation=self.other_org).exists()]
        self.assertEqual(missing, [], "add them to the app's AppDeclaration.access_walk")

    def test_it_finds_the_tenant_urls(self):
        names = {name for name, *_rest in self.urls()}
        self.assertIn("person_edit", names)
        self.assertIn("member_role", names)

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        for name, url, is_tenant, _has_ids in self.urls():
            for method in ("get", "post"):
                response = self.request(None, method, url)
                self.assertLess(response.status_code, 500, f"{method} {url} ({name})")
                if is_tenant:
                    self.assertIn(response.status_code, (302, 405), f"{method} {url}")
                    if response.status_code == 302:
                        self.assertTrue(response["Location"].startswith(LOGIN_URL), url)

    def test_it_hides_every_tenant_url_from_outsiders(self):
        for name, url, is_tenant, _has_ids in self.urls():
            for method in ("get", "post"):
                response = self.request(self.outsider, method, url)
                self.assertLess(response.status_code, 500, f"{method} {url} ({name})")
                if is_tenant:
                    self.assertEqual(response.status_code, 404, f"outsider {method} {url}")

    def test_it_never_serves_another_organisation_object(self):
        for role, user in self.personas.items():
            for name, url, is_tenant, has_ids in self.urls():
                for method in ("get", "post"):
                    response = self.request(user, method, url)
                    where = f"{role} {method} {url} ({name})"
                    self.assertLess(response.status_code, 500, where)
                    if is_tenant and has_ids:
                        # 403 (role not allowed) says nothing about the object; only the
                        # responsable, allowed everywhere, must meet the 404 itself.
                        expected = (404, 405) if role == Role.RESPONSABLE else (403, 404, 405)
                        self.assertIn(response.status_code, expected, where)

    def test_it_refuses_every_write_from_the_read_only_role(self):
        for name, url, is_tenant, _has_ids in self.urls():
            if is_tenant:
                response = self.request(self.readonly, "post", url)
                # A federation's page does not exist for an officine: 404 before any role.
                audience = getattr(resolve(url).func, "audience", MEMBERS)
                expected = 403 if serves(audience, self.org) else 404
                self.assertEqual(response.status_code, expected,
                                 f"auditeur POST {url} ({name})")

    def test_it_enforces_csrf_on_tenant_writes(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.owner)
        response = client.post(self.org_url("person_new"),
                               {"first_name": "A", "last_name": "B"})
        self.assertEqual(response.status_code, 403)
