"""Staff groups: by hand and by site, the directory's CSV import (`;` and Windows-1252 or `,`
and UTF-8, a preview, all or nothing, errors with their line, formula cells harmless, the
size limit), and who may do what."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pharmagarde.awareness import group_services
from pharmagarde.awareness.models import StaffGroup
from pharmagarde.core.models import AuditEntry, Person
from tests.base import BaseTestCase

from .base import make_people


def csv_file(text, encoding="utf-8"):
    return SimpleUploadedFile("groupes.csv", text.encode(encoding), content_type="text/csv")


class GroupFormTests(BaseTestCase):
    def test_it_saves_a_site_with_its_members(self):
        people = make_people(self.org, 3)
        self.client.force_login(self.rita)
        response = self.client.post(self.org_url("awareness_group_new"), {
            "name": "Site de Lyon", "kind": "site", "members": [p.pk for p in people[:2]]})
        self.assertRedirects(response, self.org_url("awareness_groups"))
        group = StaffGroup.objects.get(organisation=self.org)
        self.assertEqual(group.kind, StaffGroup.Kind.SITE)
        self.assertEqual(set(group.members.all()), set(people[:2]))
        self.assertTrue(AuditEntry.objects.filter(action="awareness.group_saved").exists())
        self.client.post(self.org_url("awareness_group_edit", group.pk), {
            "name": "Site de Lyon", "kind": "site", "members": [people[2].pk]})
        self.assertEqual(list(group.members.all()), [people[2]])

    def test_bad_input_is_refused_next_to_the_field(self):
        StaffGroup.objects.create(organisation=self.org, name="Comptoir")
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_group_new"),
                                    {"name": "Comptoir", "kind": "manuel"})
        self.assertShows(response, "Un groupe de ce type porte déjà ce nom.")
        response = self.client.post(self.org_url("awareness_group_new"), {
            "name": "", "kind": "manuel", "members": [self.other_person.pk]})
        self.assertShows(response, "Donnez un nom au groupe.")
        self.assertShows(response, "Choisissez des personnes de la liste.")
        self.assertEqual(StaffGroup.objects.count(), 1)


class ImportTests(BaseTestCase):
    def setUp(self):
        self.marie = Person.objects.create(organisation=self.org, first_name="Marie",
                                           last_name="Dupré", email="marie@alpha.example")
        self.leo = Person.objects.create(organisation=self.org, first_name="Léo",
                                         last_name="Martin", email="Leo@Alpha.example")
        self.client.force_login(self.alice)

    def preview(self, upload):
        return self.client.post(self.org_url("awareness_groups_import"), {"file": upload})

    def test_a_french_excel_export_is_previewed_then_imported(self):
        text = ("Groupe;Adresse e-mail\r\nComptoir;marie@alpha.example\r\n"
                "Comptoir;leo@alpha.example\r\nPréparatoire;leo@alpha.example\r\n")
        response = self.preview(csv_file(text, "cp1252"))
        self.assertShows(response, "Ce qui va changer")
        self.assertShows(response, "Préparatoire")
        self.assertShows(response, "Marie Dupré")
        self.assertFalse(StaffGroup.objects.exists())
        content = response.context["form"]["content"].value()
        response = self.client.post(self.org_url("awareness_groups_import"),
                                    {"content": content, "confirmer": "1"})
        self.assertRedirects(response, self.org_url("awareness_groups"))
        comptoir = StaffGroup.objects.get(name="Comptoir")
        self.assertEqual(comptoir.kind, StaffGroup.Kind.DIRECTORY)
        self.assertEqual(set(comptoir.members.all()), {self.marie, self.leo})
        self.assertTrue(AuditEntry.objects.filter(action="awareness.groups_imported").exists())

    def test_a_second_import_shows_who_is_added_and_removed(self):
        group = StaffGroup.objects.create(organisation=self.org, name="Comptoir",
                                          kind=StaffGroup.Kind.DIRECTORY)
        group.members.add(self.marie)
        response = self.preview(csv_file("Comptoir,leo@alpha.example\n"))
        change = response.context["plan"].changes[0]
        self.assertEqual((change.new, change.added, change.removed),
                         (False, ["Léo Martin"], ["Marie Dupré"]))

    def test_one_bad_line_and_nothing_is_imported(self):
        text = ("Comptoir;marie@alpha.example\nComptoir;inconnu@alpha.example\n"
                ";leo@alpha.example\nComptoir;pas-une-adresse\nSeul\n")
        response = self.preview(csv_file(text))
        self.assertShows(response, "Rien n")
        for line in (2, 3, 4, 5):
            self.assertShows(response, f"Ligne {line} :")
        response = self.client.post(self.org_url("awareness_groups_import"),
                                    {"content": text, "confirmer": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(StaffGroup.objects.exists())

    def test_formula_cells_are_only_text(self):
        plan = group_services.import_plan('=HYPERLINK("x");marie@alpha.example\n', self.org)
        self.assertEqual(list(plan.members), ['HYPERLINK("x")'])

    def test_the_size_limit(self):
        response = self.preview(csv_file("Comptoir;marie@alpha.example\n" * 40000))
        self.assertShows(response, "Le fichier dépasse 1 Mo")
        self.assertFalse(StaffGroup.objects.exists())

    def test_no_file(self):
        response = self.client.post(self.org_url("awareness_groups_import"), {})
        self.assertShows(response, "Choisissez le fichier CSV à importer.")

    def test_another_organisations_staff_is_not_matched(self):
        Person.objects.create(organisation=self.other_org, first_name="B", last_name="B",
                              email="bravo@bravo.example")
        plan = group_services.import_plan("Comptoir;bravo@bravo.example\n", self.org)
        self.assertEqual(len(plan.errors), 1)


class GroupAccessTests(BaseTestCase):
    def setUp(self):
        self.group = StaffGroup.objects.create(organisation=self.org, name="Comptoir")

    def urls(self):
        return [self.org_url("awareness_groups"), self.org_url("awareness_group_new"),
                self.org_url("awareness_groups_import"),
                self.org_url("awareness_group_edit", self.group.pk)]

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_the_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 404, url)
        other = StaffGroup.objects.create(organisation=self.other_org, name="B")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("awareness_group_edit", other.pk))
                         .status_code, 404)

    def test_the_collaborator_gets_403(self):
        self.client.force_login(self.colin)
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_readers_read_but_do_not_write(self):
        for user in (self.aude, self.dora):
            self.client.force_login(user)
            self.assertShows(self.client.get(self.org_url("awareness_groups")), "Comptoir")
            for url in self.urls()[1:]:
                self.assertEqual(self.client.post(url, {"name": "X", "kind": "manuel"})
                                 .status_code, 403, url)
        self.assertEqual(StaffGroup.objects.count(), 1)

    def test_the_list_costs_the_same_for_many_groups(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("awareness_groups"), lambda i: (
            StaffGroup.objects.create(organisation=self.org, name=f"G{i}")
            .members.add(self.person)))
