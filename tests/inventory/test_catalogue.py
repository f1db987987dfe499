"""The end-of-life catalogue: the packaged snapshot, matching free text, statuses, the
French errors of broken files, and the eol_refresh command on a copy."""

import os
import shutil
import tempfile
import unittest
from datetime import date
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from pharmagarde.inventory.catalogue import (
    ENDOFLIFE_DIR,
    CatalogueError,
    get_catalogue,
    load_catalogue,
)

# The local copy of endoflife.date the snapshot was made from.
SOURCE = Path(os.environ.get("ENDOFLIFE_SOURCE", "/work/shared/data/endoflife"))
needs_source = unittest.skipUnless((SOURCE / "LICENSE").is_file(),
                                   f"copie d'endoflife.date absente : {SOURCE}")
ON = date(2026, 12, 1)


class TemporaryDirMixin:
    def make_dir(self):
        path = Path(tempfile.mkdtemp(prefix="pharmagarde-eol-"))
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        return path

    def copy_catalogue(self):
        target = self.make_dir() / "endoflife"
        shutil.copytree(ENDOFLIFE_DIR, target)
        return target


class PackagedSnapshotTestCase(SimpleTestCase):
    def test_loads_and_names_its_snapshot(self):
        catalogue = get_catalogue()
        self.assertEqual(catalogue.version, "2026-08-22 (a70eca3)")
        self.assertEqual(catalogue.commit, "a70eca337600e7d721dc48112c271f98661d208b")
        self.assertEqual(catalogue.snapshot_date, date(2026, 8, 22))
        ids = {product for product, _ in catalogue.products()}
        for product in ("windows", "windows-server", "macos", "office", "mssqlserver",
                        "msexchange", "ios", "android", "fortios", "pan-os", "opnsense",
                        "routeros", "veeam-backup-and-replication", "vmware-esxi",
                        "proxmox-ve", "ubuntu", "debian", "rhel", "firefox", "chrome",
                        "libreoffice", "windows-embedded"):
            self.assertIn(product, ids)
            self.assertTrue(catalogue.cycles(product), product)

    def test_products_sorted_by_label_for_choices(self):
        labels = [label for _, label in get_catalogue().products()]
        self.assertEqual(labels, sorted(labels, key=str.lower))
        self.assertIn(("windows", "Microsoft Windows"), get_catalogue().products())
        self.assertIn(("fortios", "Fortinet FortiOS"), get_catalogue().products())

    def test_cached(self):
        self.assertIs(get_catalogue(), get_catalogue())

    @needs_source
    def test_licence_travels_with_the_data(self):
        self.assertEqual((ENDOFLIFE_DIR / "LICENSE").read_bytes(),
                         (SOURCE / "LICENSE").read_bytes())
        readme = (ENDOFLIFE_DIR / "README.md").read_text(encoding="utf-8")
        self.assertIn("a70eca337600e7d721dc48112c271f98661d208b", readme)
        self.assertIn("2026-08-22", readme)
        self.assertIn("MIT", readme)
        self.assertIn("endoflife.date", readme)

    @needs_source
    def test_vendored_cycles_equal_the_source(self):
        source = yaml.safe_load((SOURCE / "windows.yaml").read_text(encoding="utf-8"))
        release = next(r for r in source["releases"] if r["releaseCycle"] == "10-22h2")
        cycle = get_catalogue().get("windows", "10-22h2")
        self.assertEqual((cycle.release_date, cycle.active_end, cycle.support_end,
                          cycle.extended_end, cycle.latest, cycle.link),
                         (release["releaseDate"], release["eoas"], release["eol"],
                          release["eoes"], release["latest"], release["link"]))
        self.assertEqual(len(get_catalogue().cycles("windows")), len(source["releases"]))

    def test_labels_rendered_from_the_source_templates(self):
        catalogue = get_catalogue()
        self.assertEqual(catalogue.get("macos", "13").label, "macOS 13 (Ventura)")
        self.assertEqual(catalogue.get("windows", "10-22h2").label, "10 22H2")
        self.assertEqual(catalogue.get("windows-server", "2019").label, "Windows Server 2019")
        self.assertNotIn("__", catalogue.get("mssqlserver", "12.0-sp3").label)

    def test_unknown_product_or_cycle(self):
        self.assertEqual(get_catalogue().cycles("nope"), [])
        self.assertIsNone(get_catalogue().get("windows", "42"))

    def test_no_hand_written_date_without_a_vendor_link(self):
        manual = yaml.safe_load((ENDOFLIFE_DIR / "manual.yaml").read_text(encoding="utf-8"))
        for product in manual["products"]:
            for release in product["releases"]:
                self.assertTrue(release["link"].startswith("https://"))


class MatchTestCase(SimpleTestCase):
    def assertMatches(self, name, version, product, cycle):
        found = get_catalogue().match(name, version)
        self.assertIsNotNone(found, f"{name!r} {version!r}")
        self.assertEqual((found.product, found.cycle), (product, cycle), f"{name!r} {version!r}")

    def test_windows(self):
        self.assertMatches("Windows 10 Pro", "", "windows", "10-22h2")
        self.assertMatches("Microsoft Windows 10 Professionnel 22H2", "", "windows", "10-22h2")
        self.assertMatches("Windows 10", "10.0.19045", "windows", "10-22h2")
        self.assertMatches("Microsoft Windows 11 Entreprise 23H2", "", "windows", "11-23h2-e")
        self.assertMatches("Windows 11 Famille 23H2", "", "windows", "11-23h2-w")
        self.assertMatches("Windows 7 Professionnel", "", "windows", "7-sp1")
        self.assertMatches("Windows 8.1", "", "windows", "8.1")
        self.assertMatches("Windows XP", "", "windows", "5-sp3")

    def test_windows_build_decides_the_version_and_the_major(self):
        self.assertMatches("Windows 10 Pro", "10.0.19044.1234", "windows", "10-21h2-w")
        # Tools often report Windows 11 as "Windows 10": the build wins.
        self.assertMatches("Windows 10", "10.0.22631", "windows", "11-23h2-w")
        self.assertMatches("Windows", "6.1.7601", "windows", "7-sp1")

    def test_windows_editions(self):
        self.assertMatches("Windows 10 Enterprise LTSC 2019", "", "windows", "10-1809-e-lts")
        self.assertMatches("Windows 10 Entreprise 2016 LTSB", "", "windows", "10-1607-e-lts")
        self.assertMatches("Windows 10 IoT Enterprise LTSC 2021", "", "windows",
                           "10-21h2-iot-lts")
        # No IoT cycle for LTSC 2019 in the source: Enterprise LTSC, never shorter.
        self.assertMatches("Windows 10 IoT Enterprise LTSC 2019", "", "windows",
                           "10-1809-e-lts")
        self.assertMatches("Windows 11 Pro Education 23H2", "", "windows", "11-23h2-w")
        self.assertMatches("Windows 11 Enterprise LTSC 2024", "", "windows", "11-24h2-e-lts")

    def test_windows_without_version_is_conservative(self):
        catalogue = get_catalogue()
        # Windows 10: every Home/Pro cycle has ended; 22H2 ended last (and has ESU).
        candidates = {c.cycle for c in catalogue.candidates("Windows 10 Pro")}
        self.assertEqual(len(candidates), 14)  # one per feature update, 1507 to 22H2
        self.assertTrue({"10-1507", "10-1809-w", "10-21h2-w", "10-22h2"} <= candidates)
        self.assertFalse([c for c in candidates if c.endswith(("-e", "-lts", "-iot"))])
        self.assertMatches("Windows 10 Pro", "", "windows", "10-22h2")
        # Windows 11: the feature update still supported whose support ends first.
        self.assertMatches("Windows 11 Pro", "", "windows", "11-24h2-w")
        self.assertEqual(catalogue.match("Windows 11 Pro").status(date(2026, 8, 22)), "ending")

    def test_windows_server(self):
        self.assertMatches("Windows Server 2012 R2 Standard", "", "windows-server", "2012-r2")
        self.assertMatches("Microsoft Windows Server 2019", "", "windows-server", "2019")
        self.assertMatches("Windows Server 2012", "", "windows-server", "2012")
        self.assertMatches("Windows Server 2008 R2 Enterprise", "", "windows-server",
                           "2008-r2-sp1")
        self.assertMatches("Microsoft® Windows Server® 2022 Datacenter", "", "windows-server",
                           "2022")
        # The same build is 2019 (LTSC) and 1809 (semi-annual): the LTSC.
        self.assertMatches("Windows Server", "10.0.17763", "windows-server", "2019")
        self.assertMatches("Windows Server 2003", "", "windows-server", "2003-sp2")

    def test_windows_embedded(self):
        self.assertMatches("Windows Embedded POSReady 7", "", "windows-embedded", "posready-7")
        self.assertMatches("Windows Embedded Standard 7", "", "windows-embedded",
                           "standard-7-sp1")

    def test_macos(self):
        self.assertMatches("macOS 13.6.1", "", "macos", "13")
        self.assertMatches("Mac OS X 10.15", "", "macos", "10.15")
        self.assertMatches("macOS", "14.2", "macos", "14")
        self.assertMatches("OS X El Capitan", "", "macos", "10.11")
        self.assertMatches("macOS Sonoma", "", "macos", "14")

    def test_office(self):
        self.assertMatches("Office 2016", "", "office", "2016")
        self.assertMatches("Microsoft Office Professionnel Plus 2019", "", "office", "2019")
        self.assertMatches("Microsoft Office LTSC Professional Plus 2024", "", "office",
                           "2024-ltsc")
        self.assertMatches("Microsoft Office 2011 pour Mac", "", "office", "2011-for-mac")
        self.assertMatches("Microsoft Office", "15.0.4569.1506", "office", "2013")

    def test_sql_server(self):
        self.assertMatches("SQL Server 2014", "", "mssqlserver", "12.0-sp3")
        self.assertMatches("SQL Server 2016 SP2", "", "mssqlserver", "13.0-sp2")
        self.assertMatches("Microsoft SQL Server 2019 Express", "", "mssqlserver", "15.0")
        self.assertMatches("Microsoft SQL Server 2008 R2", "", "mssqlserver", "10.50-sp3")
        # A build number: the service pack it belongs to.
        self.assertMatches("SQL Server 2014", "12.0.5000.0", "mssqlserver", "12.0-sp2")
        self.assertMatches("Microsoft SQL Server", "12.0.6024.0", "mssqlserver", "12.0-sp3")

    def test_products_known_by_their_aliases(self):
        self.assertMatches("FortiOS 7.0.12", "", "fortios", "7.0")
        self.assertMatches("FortiGate 60F v7.2.5", "", "fortios", "7.2")
        self.assertMatches("Ubuntu 20.04", "", "ubuntu", "20.04")
        self.assertMatches("Ubuntu 22.04.3 LTS", "", "ubuntu", "22.04")
        self.assertMatches("Debian GNU/Linux 12 (bookworm)", "", "debian", "12")
        self.assertMatches("Mozilla Firefox 128.0esr (x64 fr)", "", "firefox", "128")
        self.assertMatches("Google Chrome", "139.0.7258.66", "chrome", "139")
        self.assertMatches("LibreOffice 7.6.4.1", "", "libreoffice", "7.6")
        self.assertMatches("VMware ESXi 7.0 Update 3", "", "vmware-esxi", "7.0")
        self.assertMatches("ESXi 8", "", "vmware-esxi", "8.0")
        self.assertMatches("Proxmox Backup Server 3.1", "", "proxmox-backup-server", "3")
        self.assertMatches("Veeam Backup & Replication 12.1", "", "veeam-backup-and-replication",
                           "12")
        self.assertMatches("PAN-OS 10.2.4-h3", "", "pan-os", "10.2")
        self.assertMatches("Exchange Server 2019 CU14", "", "msexchange", "2019")
        self.assertMatches("Citrix Virtual Apps and Desktops 7 2203 LTSR", "", "citrix-vad",
                           "2203")
        self.assertMatches("Oracle Database 19c", "", "oracle-database", "19")

    def test_unsure_gives_none(self):
        for name, version in [
                ("", ""), ("Windows", ""), ("Windows Defender", ""), ("Windows 12", ""),
                ("Windows 10 Mobile", ""), ("Windows Phone 8.1", ""), ("Windows Server", ""),
                ("Windows Small Business Server 2011", ""),
                ("Microsoft 365 Apps for enterprise", ""), ("Microsoft Office 365", ""),
                ("Microsoft Office", "16.0.17928.20114"), ("Office 2016 for Mac", ""),
                ("Office 2030", ""), ("OpenOffice 4.1", ""),
                ("SQL Server Management Studio 19", ""), ("Cisco IOS 15.2", ""),
                ("Chrome OS 120", ""), ("Eclipse Temurin JDK 17", ""), ("Firefox", ""),
                ("Synology DSM 7.2", ""), ("TeamViewer 15", ""), ("Exchange Online", ""),
                ("Microsoft Visual C++ 2015 Redistributable", ""), ("Linux", "")]:
            self.assertIsNone(get_catalogue().match(name, version), f"{name!r} {version!r}")


class StatusTestCase(SimpleTestCase):
    def test_windows_10_ended_unless_extended_support_is_paid(self):
        cycle = get_catalogue().get("windows", "10-22h2")
        self.assertEqual(cycle.support_end, date(2025, 10, 14))
        self.assertEqual(cycle.status(date(2025, 10, 14)), "ending")
        self.assertEqual(cycle.status(date(2025, 10, 15)), "ended")
        self.assertEqual(cycle.status(ON), "ended")
        self.assertEqual(cycle.status(ON, extended_paid=True), "extended")
        self.assertEqual(cycle.status(date(2028, 10, 10), extended_paid=True), "extended")
        self.assertEqual(cycle.status(date(2028, 10, 11), extended_paid=True), "ended")
        self.assertEqual(cycle.effective_end(), date(2025, 10, 14))
        self.assertEqual(cycle.effective_end(extended_paid=True), date(2028, 10, 10))

    def test_ending_within_180_days(self):
        cycle = get_catalogue().get("windows-server", "2016")  # eol 2027-01-12
        self.assertEqual(cycle.status(date(2026, 7, 15)), "supported")
        self.assertEqual(cycle.status(date(2026, 7, 16)), "ending")
        self.assertEqual(cycle.status(date(2027, 1, 12)), "ending")

    def test_windows_server_2012_r2_ended(self):
        cycle = get_catalogue().match("Windows Server 2012 R2 Standard")
        self.assertEqual(cycle.status(ON), "ended")
        self.assertEqual(cycle.status(date(2026, 10, 1), extended_paid=True), "extended")
        self.assertEqual(cycle.status(ON, extended_paid=True), "ended")  # ESU until 2026-10-13

    def test_no_extended_support_to_pay_for(self):
        cycle = get_catalogue().get("office", "2016")
        self.assertIsNone(cycle.extended_end)
        self.assertEqual(cycle.status(ON, extended_paid=True), "ended")
        self.assertEqual(cycle.effective_end(extended_paid=True), date(2025, 10, 14))

    def test_eol_given_as_true_or_false(self):
        current = get_catalogue().match("macOS 26")
        self.assertIsNone(current.support_end)
        self.assertIs(current.support_ended, False)
        self.assertEqual(current.status(ON), "supported")
        veeam_9 = get_catalogue().get("veeam-backup-and-replication", "9.0")
        self.assertIs(veeam_9.support_ended, True)
        self.assertIsNone(veeam_9.effective_end())
        self.assertEqual(veeam_9.status(ON), "ended")

    def test_unknown_when_nothing_is_said(self):
        cycle = get_catalogue().get("windows", "10-22h2")
        blank = type(cycle)(product="x", product_label="X", cycle="1", label="1",
                            release_date=None, active_end=None, support_end=None,
                            extended_end=None, latest=None, link=None)
        self.assertEqual(blank.status(ON), "unknown")


class SchemaErrorsTestCase(TemporaryDirMixin, SimpleTestCase):
    def break_file(self, name, old, new):
        target = self.copy_catalogue()
        path = target / name
        text = path.read_text(encoding="utf-8")
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return target, text[: text.index(old)].count("\n") + 1

    def test_bad_date_names_file_line_cycle_and_field(self):
        target, line = self.break_file("products/windows.yaml", "eol: 2025-10-14",
                                       "eol: bientôt")
        with self.assertRaises(CatalogueError) as raised:
            load_catalogue(target)
        message = str(raised.exception)
        self.assertIn(f"products/windows.yaml:{line}", message)
        self.assertIn("champ « eol »", message)
        self.assertIn("date (AAAA-MM-JJ), true ou false attendu", message)
        self.assertIn("cycle « ", message)

    def test_missing_and_unknown_fields(self):
        target, line = self.break_file("products/fortios.yaml", "  eol: 2025-09-30\n",
                                       "  fin: 2025-09-30\n")
        with self.assertRaises(CatalogueError) as raised:
            load_catalogue(target)
        message = str(raised.exception)
        self.assertIn("cycle « 7.0 » — champ « eol » : champ obligatoire manquant", message)
        self.assertIn(f"products/fortios.yaml:{line} — cycle « 7.0 » — champ « fin » : "
                      "champ inconnu", message)

    def test_unreadable_yaml(self):
        target, _ = self.break_file("catalogue.yaml", "  - id: windows\n", "  - id: [\n")
        with self.assertRaisesRegex(CatalogueError, r"^catalogue\.yaml:\d+ — YAML illisible"):
            load_catalogue(target)

    def test_duplicate_cycle(self):
        target, _ = self.break_file("products/opnsense.yaml", "releaseCycle: '26.1'",
                                    "releaseCycle: '26.7'")
        with self.assertRaisesRegex(CatalogueError,
                                    r"products/opnsense\.yaml:\d+ — cycle « 26\.7 » : ce "
                                    "cycle apparaît deux fois"):
            load_catalogue(target)

    def test_hand_written_product_needs_a_source_link(self):
        target = self.copy_catalogue()
        (target / "manual.yaml").write_text(
            "reviewed: 2026-08-22\n"
            "products:\n"
            "  - id: nas-exemple\n"
            "    title: NAS d'exemple\n"
            "    aliases: [nas exemple]\n"
            "    releases:\n"
            "      - releaseCycle: '7'\n"
            "        eol: 2030-01-01\n", encoding="utf-8")
        with self.assertRaisesRegex(CatalogueError,
                                    r"manual\.yaml:7 — cycle « 7 » — champ « link » : champ "
                                    "obligatoire manquant"):
            load_catalogue(target)

    def test_hand_written_product_loads_and_matches(self):
        target = self.copy_catalogue()
        (target / "manual.yaml").write_text(
            "reviewed: 2026-08-22\n"
            "products:\n"
            "  - id: nas-exemple\n"
            "    title: NAS d'exemple\n"
            "    aliases: [nas exemple]\n"
            "    releases:\n"
            "      - releaseCycle: '7'\n"
            "        eol: 2030-01-01\n"
            "        link: https://example.org/cycle-de-vie\n", encoding="utf-8")
        catalogue = load_catalogue(target)
        cycle = catalogue.match("NAS Exemple 7.1")
        self.assertEqual((cycle.product, cycle.cycle, cycle.support_end),
                         ("nas-exemple", "7", date(2030, 1, 1)))
        self.assertIn(("nas-exemple", "NAS d'exemple"), catalogue.products())

    def test_product_listed_but_not_vendored(self):
        target = self.copy_catalogue()
        (target / "products" / "debian.yaml").unlink()
        with self.assertRaisesRegex(CatalogueError, "« debian » : products/debian.yaml manque"):
            load_catalogue(target)


@needs_source
class RefreshCommandTestCase(TemporaryDirMixin, SimpleTestCase):
    def run_command(self, *args):
        out = StringIO()
        call_command("eol_refresh", *args, stdout=out)
        return out.getvalue()

    def make_source(self):
        source = self.make_dir() / "source"
        shutil.copytree(SOURCE, source)
        return source

    def test_packaged_snapshot_is_what_the_source_gives(self):
        target = self.copy_catalogue()
        output = self.run_command("--from", str(SOURCE), "--target", str(target), "--dry-run")
        self.assertIn("Aucun changement", output)

    def test_dry_run_then_run_then_nothing_to_do(self):
        target, source = self.copy_catalogue(), self.make_source()
        path = source / "windows.yaml"
        text = path.read_text(encoding="utf-8")
        text = text.replace("eoes: 2028-10-10", "eoes: 2029-10-09", 1)
        start = text.index('  - releaseCycle: "5-sp3"')
        path.write_text(text[:start], encoding="utf-8")  # XP, the last cycle, removed
        (source / "fortios.yaml").write_text(
            (source / "fortios.yaml").read_text(encoding="utf-8").replace(
                "releases:\n", 'releases:\n  - releaseCycle: "8.2"\n    releaseDate: 2027-04-21\n'
                "    eol: false\n\n", 1), encoding="utf-8")
        before = (target / "products" / "windows.yaml").read_text(encoding="utf-8")

        output = self.run_command("--from", str(source), "--target", str(target), "--dry-run")
        self.assertIn("- windows : 1 cycle modifié : 10-22h2 (fin du support étendu (eoes)) ; "
                      "1 cycle retiré (5-sp3)", output)
        self.assertIn("- fortios : 1 cycle ajouté (8.2)", output)
        self.assertIn("Simulation (--dry-run) : rien n'a été écrit.", output)
        self.assertEqual((target / "products" / "windows.yaml").read_text(encoding="utf-8"),
                         before)

        output = self.run_command("--from", str(source), "--target", str(target))
        self.assertIn("Instantané écrit", output)
        catalogue = load_catalogue(target)
        self.assertEqual(catalogue.get("windows", "10-22h2").extended_end, date(2029, 10, 9))
        self.assertIsNone(catalogue.get("windows", "5-sp3"))
        self.assertEqual(catalogue.get("fortios", "8.2").status(ON), "supported")

        output = self.run_command("--from", str(source), "--target", str(target))
        self.assertIn("Aucun changement : l'instantané est déjà à jour", output)

    def test_new_commit_and_licence_copied(self):
        target, source = self.copy_catalogue(), self.make_source()
        (target / "LICENSE").unlink()
        output = self.run_command("--from", str(source), "--target", str(target),
                                  "--commit", "b" * 40, "--date", "2026-09-01")
        self.assertIn("Instantané : commit bbbbbbb du 2026-09-01", output)
        self.assertIn("LICENSE : copiée depuis la source", output)
        self.assertEqual((target / "LICENSE").read_bytes(), (SOURCE / "LICENSE").read_bytes())
        self.assertEqual(load_catalogue(target).version, "2026-09-01 (bbbbbbb)")

    def test_endoflife_checkout_layout(self):
        target, checkout = self.copy_catalogue(), self.make_dir() / "checkout"
        (checkout / "products").mkdir(parents=True)
        shutil.copyfile(SOURCE / "LICENSE", checkout / "LICENSE")
        for path in SOURCE.glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            (checkout / "products" / f"{path.stem}.md").write_text(
                f"---\n{text}\n---\n\n> Page text, ignored.\n", encoding="utf-8")
        output = self.run_command("--from", str(checkout), "--target", str(target),
                                  "--commit", "a70eca337600e7d721dc48112c271f98661d208b",
                                  "--date", "2026-08-22")
        self.assertIn("Aucun changement", output)

    def test_invalid_source_writes_nothing(self):
        target, source = self.copy_catalogue(), self.make_source()
        path = source / "ubuntu.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "eol: 2031-04-30", "eol: 30/04/2031", 1), encoding="utf-8")
        before = (target / "products" / "ubuntu.yaml").read_text(encoding="utf-8")
        with self.assertRaisesRegex(CommandError, r"ubuntu\.yaml:\d+ — cycle « 26\.04 » — "
                                    "champ « eol »"):
            self.run_command("--from", str(source), "--target", str(target))
        self.assertEqual((target / "products" / "ubuntu.yaml").read_text(encoding="utf-8"),
                         before)

    def test_missing_licence_or_product_refused(self):
        target, source = self.copy_catalogue(), self.make_source()
        (source / "debian.yaml").unlink()
        with self.assertRaisesRegex(CommandError, "absents de .* : debian"):
            self.run_command("--from", str(source), "--target", str(target))
        (source / "LICENSE").unlink()
        with self.assertRaisesRegex(CommandError, "pas de fichier LICENSE"):
            self.run_command("--from", str(source), "--target", str(target))
