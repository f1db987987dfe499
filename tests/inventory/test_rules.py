"""Each rule of the inventory on its own: what it catches, and what it leaves alone.

Rules are functions over a Snapshot (lists of model instances) and a day: the items here are
real model instances, not saved (a rule never queries), with the primary keys they would
have in the database."""

import datetime

from django.test import SimpleTestCase

from pharmagarde.core.models import Person
from pharmagarde.inventory import rules
from pharmagarde.inventory.models import (
    Account,
    Backup,
    CpsCard,
    Device,
    RemovableMedium,
    Software,
    WifiNetwork,
)
from pharmagarde.inventory.rules import RULES, RULES_BY_ID, Snapshot, is_generic_login

TODAY = datetime.date(2026, 12, 1)
_ids = iter(range(1, 10_000))


def make(model, **fields):
    item = model(**fields)
    item.pk = next(_ids)
    return item


def person(departed_days_ago=None):
    departure = TODAY - datetime.timedelta(days=departed_days_ago) \
        if departed_days_ago is not None else None
    return make(Person, first_name="Nicolas", last_name="Petit", departure_date=departure)


def hits(rule_id, **lists):
    return list(RULES_BY_ID[rule_id].check(Snapshot(**lists), TODAY))


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


class RuleCatalogueTestCase(SimpleTestCase):
    def test_every_rule_says_what_why_and_what_to_do(self):
        self.assertEqual(len(RULES_BY_ID), len(RULES))
        for rule in RULES:
            self.assertIn(rule.severity, (1, 2, 3), rule.id)
            for text in (rule.title, rule.explanation, rule.remediation):
                self.assertGreater(len(text), 20, rule.id)
            self.assertTrue(rule.anssi and all(1 <= n <= 42 for n in rule.anssi), rule.id)
            self.assertTrue(rule.questions, rule.id)

    def test_it_names_diagnostic_questions_that_exist(self):
        from pharmagarde.diagnostic.referential import get_referential, latest_version

        questions = get_referential(latest_version()).questions
        for rule in RULES:
            for question_id in rule.questions:
                self.assertIn(question_id, questions, rule.id)


    def test_dates_are_written_as_strftime_writes_them(self):
        day = datetime.date(2020, 1, 1)
        while day < datetime.date(2021, 1, 1):
            self.assertEqual(rules.fr_date(day), day.strftime("%d/%m/%Y"))
            day += datetime.timedelta(days=1)


class AccountRulesTestCase(SimpleTestCase):
    def test_departed_person_still_enabled(self):
        gone = make(Account, login="npetit", holder=person(departed_days_ago=42))
        self.assertEqual(len(hits("compte-parti-actif", accounts=[gone])), 1)
        self.assertIn("a quitté la structure le",
                      hits("compte-parti-actif", accounts=[gone])[0].detail)
        disabled = make(Account, login="npetit", holder=person(42), enabled=False)
        leaving = make(Account, login="npetit", holder=person(-10))  # leaves in ten days
        present = make(Account, login="npetit", holder=person())
        self.assertEqual(hits("compte-parti-actif", accounts=[disabled, leaving, present]), [])

    def test_shared_or_generic_admin(self):
        shared = make(Account, login="compta", is_admin=True,
                      holder_kind=Account.Holder.SHARED)
        generic = make(Account, login="PHARMACIE\\Administrateur", is_admin=True)
        named = make(Account, login="cmartin", is_admin=True)
        not_admin = make(Account, login="admin", is_admin=False)
        found = hits("admin-partage", accounts=[shared, generic, named, not_admin])
        self.assertEqual({h.subject for h in found},
                         {f"account:{shared.pk}", f"account:{generic.pk}"})

    def test_admin_without_mfa_only_when_known(self):
        without = make(Account, login="cmartin", is_admin=True, mfa=False)
        unknown = make(Account, login="tbernard", is_admin=True, mfa=None)
        user = make(Account, login="sdubois", is_admin=False, mfa=False)
        self.assertEqual([h.subject for h in hits("admin-sans-mfa",
                                                   accounts=[without, unknown, user])],
                         [f"account:{without.pk}"])

    def test_password_never_expires_for_a_person(self):
        never = make(Account, login="sdubois", password_never_expires=True)
        service = make(Account, login="sauvegarde", password_never_expires=True,
                       holder_kind=Account.Holder.SERVICE)
        self.assertEqual(len(hits("mdp-sans-expiration", accounts=[never, service])), 1)

    def test_admin_password_older_than_three_years(self):
        old = make(Account, login="admin1", is_admin=True, password_last_set=days_ago(1200))
        recent = make(Account, login="admin2", is_admin=True, password_last_set=days_ago(300))
        never_set = make(Account, login="admin3", is_admin=True, password_never_expires=True)
        found = hits("mdp-admin-ancien", accounts=[old, recent, never_set])
        self.assertEqual({h.subject for h in found},
                         {f"account:{old.pk}", f"account:{never_set.pk}"})

    def test_unused_for_six_months(self):
        stale = make(Account, login="lgarnier", last_used=days_ago(200))
        used = make(Account, login="cmartin", last_used=days_ago(2))
        never_known = make(Account, login="tbernard", last_used=None)
        self.assertEqual(len(hits("compte-inutilise", accounts=[stale, used, never_known])), 1)

    def test_generic_names(self):
        for login in ("administrateur", "Admin", "PHARMACIE\\comptoir", "accueil2",
                      "pharmacie@exemple.fr", "Invité", "poste-1"):
            self.assertTrue(is_generic_login(login), login)
        for login in ("cmartin", "claire.martin", "adminsys-martin", "pharmacien.adjoint"):
            self.assertFalse(is_generic_login(login), login)
        accueil = make(Account, login="accueil")
        service = make(Account, login="scanner", holder_kind=Account.Holder.SERVICE)
        self.assertEqual(len(hits("compte-generique", accounts=[accueil, service])), 1)


class DeviceRulesTestCase(SimpleTestCase):
    def test_not_updated_for_thirty_days(self):
        late = make(Device, name="Bureau", kind=Device.Kind.WORKSTATION,
                    last_update=days_ago(45))
        fresh = make(Device, name="Comptoir", kind=Device.Kind.WORKSTATION,
                     last_update=days_ago(3))
        printer = make(Device, name="Imprimante", kind=Device.Kind.PRINTER,
                       last_update=days_ago(400))
        self.assertEqual([h.label for h in hits("appareil-non-mis-a-jour",
                                                devices=[late, fresh, printer])], ["Bureau"])

    def test_unencrypted_laptops_and_removable_media(self):
        laptop = make(Device, name="Portable", kind=Device.Kind.LAPTOP, disk_encrypted=False)
        unknown = make(Device, name="Tablette", kind=Device.Kind.TABLET, disk_encrypted=None)
        desktop = make(Device, name="Poste", kind=Device.Kind.WORKSTATION, disk_encrypted=False)
        key = make(RemovableMedium, label="Clé sauvegarde", encrypted=False)
        safe_key = make(RemovableMedium, label="Clé chiffrée", encrypted=True)
        found = hits("mobile-non-chiffre", devices=[laptop, unknown, desktop],
                     media=[key, safe_key])
        self.assertEqual([h.label for h in found], ["Portable", "Clé sauvegarde"])

    def test_risky_services(self):
        rdp = make(Device, name="Bureau", open_ports=[{"port": 3389, "protocol": "tcp"}])
        nas_http = make(Device, name="NAS", kind=Device.Kind.NAS,
                        open_ports=[{"port": 80}, {"port": 443}])
        web_server = make(Device, name="Serveur web", kind=Device.Kind.SERVER,
                          open_ports=[{"port": 80}, {"port": 443}])
        found = hits("service-a-risque", devices=[rdp, nas_http, web_server])
        self.assertEqual([h.label for h in found], ["Bureau", "NAS"])
        self.assertIn("3389", found[0].detail)
        self.assertIn("HTTP", found[1].detail)


class OtherRulesTestCase(SimpleTestCase):
    def test_weak_wifi(self):
        wep = make(WifiNetwork, ssid="Bureau", security=WifiNetwork.Security.WEP)
        open_work = make(WifiNetwork, ssid="Equipe", security=WifiNetwork.Security.OPEN)
        open_guest = make(WifiNetwork, ssid="Clients", security=WifiNetwork.Security.OPEN,
                          is_guest=True)
        wpa2 = make(WifiNetwork, ssid="Pro", security=WifiNetwork.Security.WPA2)
        found = hits("wifi-faible", wifi=[wep, open_work, open_guest, wpa2])
        self.assertEqual([h.label for h in found], ["Bureau", "Equipe"])

    def test_guest_wifi_not_separated(self):
        mixed = make(WifiNetwork, ssid="Clients", is_guest=True, separated=False)
        isolated = make(WifiNetwork, ssid="Invites", is_guest=True, separated=True)
        self.assertEqual(len(hits("wifi-invites-non-separe", wifi=[mixed, isolated])), 1)

    def test_cps_lent_or_not_kept_safe(self):
        holder = person()
        lent = make(CpsCard, holder=holder, lent=True)
        loose = make(CpsCard, holder=holder, kept_secure=False)
        fine = make(CpsCard, holder=holder, kept_secure=True)
        self.assertEqual(len(hits("cps-partagee", cards=[lent, loose, fine])), 2)

    def test_no_offline_backup(self):
        self.assertEqual(hits("pas-de-sauvegarde-hors-ligne", backups=[])[0].subject, "")
        online = make(Backup, what="LGO", offline_copy=False)
        offline = make(Backup, what="Documents", offline_copy=True)
        unknown = make(Backup, what="Compta", offline_copy=None)
        self.assertEqual(len(hits("pas-de-sauvegarde-hors-ligne", backups=[online])), 1)
        self.assertEqual(hits("pas-de-sauvegarde-hors-ligne", backups=[online, offline]), [])
        # Not knowing is no fact: nothing is said until someone finds out.
        self.assertEqual(hits("pas-de-sauvegarde-hors-ligne", backups=[unknown]), [])

    def test_restore_never_tested_or_over_a_year(self):
        never = make(Backup, what="LGO")
        old = make(Backup, what="Documents", last_restore_test=days_ago(400))
        recent = make(Backup, what="Compta", last_restore_test=days_ago(100))
        found = hits("restauration-non-testee", backups=[never, old, recent])
        self.assertEqual([h.label for h in found], ["LGO", "Documents"])

    def test_backup_short_of_three_copies_two_media_one_off_site(self):
        single = make(Backup, what="LGO", copies=1, media=1, offsite=False)
        two_copies = make(Backup, what="Documents", copies=2, media=2, offsite=True)
        complete = make(Backup, what="Compta", copies=3, media=2, offsite=True)
        unknown = make(Backup, what="Messagerie")
        found = hits("sauvegarde-321", backups=[single, two_copies, complete, unknown])
        self.assertEqual([h.label for h in found], ["LGO", "Documents"])
        self.assertEqual(found[0].detail,
                         "Une seule copie ; un seul support ; aucune copie hors des locaux "
                         "(il faut trois copies, sur deux supports, dont une hors des "
                         "locaux).")
        self.assertTrue(found[1].detail.startswith("2 copies (il faut"))
        # Not knowing is no fact: a backup whose copies nobody counted breaks nothing.
        self.assertEqual(hits("sauvegarde-321", backups=[unknown]), [])
        off_site_only = make(Backup, what="Photos", offsite=False)
        self.assertEqual(hits("sauvegarde-321", backups=[off_site_only])[0].detail,
                         "Aucune copie hors des locaux (il faut trois copies, sur deux "
                         "supports, dont une hors des locaux).")

    def test_backup_with_errors_at_its_last_check(self):
        failing = make(Backup, what="LGO", errors_at_last_check=4)
        clean = make(Backup, what="Documents", errors_at_last_check=0)
        unknown = make(Backup, what="Compta")
        found = hits("sauvegarde-en-erreur", backups=[failing, clean, unknown])
        self.assertEqual([(h.label, h.detail) for h in found],
                         [("LGO", "4 erreurs à la dernière vérification.")])

    def test_software_with_a_typed_support_end(self):
        ended = make(Software, name="Logiciel ancien", support_end=days_ago(1))
        current = make(Software, name="LGO", support_end=TODAY + datetime.timedelta(days=300))
        found = hits("logiciel-fin-de-support", software=[ended, current])
        self.assertEqual([h.label for h in found], ["Logiciel ancien"])


class RunRulesTestCase(SimpleTestCase):
    def test_it_keys_each_hit_by_rule_and_subject(self):
        snapshot = Snapshot(backups=[])
        found = rules.run_rules(snapshot, TODAY)
        self.assertIn(("pas-de-sauvegarde-hors-ligne", ""), found)


class EndOfLifeRulesTestCase(SimpleTestCase):
    """Against the packaged end-of-life catalogue (inventory/endoflife/)."""

    def test_a_windows_10_pc_is_past_its_support(self):
        old = make(Device, name="Poste du bureau", os_name="Windows 10 Professionnel",
                   os_version="22H2")
        current = make(Device, name="Comptoir", os_name="Windows 11 Pro", os_version="25H2")
        unknown = make(Device, name="Robot", os_name="Système du fabricant")
        # Without its version, Windows 11 may be 25H2: not a fact, no finding.
        unsure = make(Device, name="Portable", os_name="Windows 11 Pro")
        found = hits("systeme-fin-de-support", devices=[old, current, unknown, unsure])
        self.assertEqual([h.label for h in found], ["Poste du bureau"])
        self.assertIn("support terminé le", found[0].detail)
        # 24H2 (Home and Pro) left support on 13 October 2026.
        ended = make(Device, name="Caisse", os_name="Windows 11 Pro", os_version="24H2")
        self.assertEqual(len(hits("systeme-fin-de-support", devices=[ended])), 1)

    def test_paid_extended_support_counts_until_it_ends(self):
        server = make(Device, name="Serveur", os_name="Windows Server 2012 R2")
        on_esu_day = datetime.date(2024, 6, 1)
        rule = RULES_BY_ID["systeme-fin-de-support"]
        self.assertTrue(list(rule.check(Snapshot(devices=[server]), on_esu_day)))
        server.extended_support_paid = True
        self.assertEqual(list(rule.check(Snapshot(devices=[server]), on_esu_day)), [])

    def test_software_found_in_the_catalogue(self):
        office = make(Software, name="Microsoft Office Professionnel Plus 2013")
        current = make(Software, name="Firefox", version="999")
        found = hits("logiciel-fin-de-support", software=[office, current])
        self.assertEqual([h.label for h in found], ["Microsoft Office Professionnel Plus 2013"])
