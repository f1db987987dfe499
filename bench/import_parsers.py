"""Import parsers at scale: a 100,000-row Get-ADUser CSV and a 5,000-host nmap XML, generated
in a temporary directory, parsed to the end; time and peak RSS, as ratios of a baseline
measured in the same run on the same file (csv.reader for the CSV, xml.etree's iterparse
clearing each host for the XML).

    python -m bench.import_parsers [--rows 100000] [--hosts 5000]

Each measure runs in its own child process, so that the peak RSS (getrusage's ru_maxrss)
is its own. Numbers are printed, never asserted. Targets from the product issue: the AD
export in 10 s or less with a peak RSS of 300 MB or less.
"""

import argparse
import multiprocessing
import random
import resource
import tempfile
import time
from pathlib import Path

GROUPS = ["CN=Pharmaciens,OU=Groupes,DC=pharmacie,DC=local",
          "CN=Préparateurs,OU=Groupes,DC=pharmacie,DC=local",
          "CN=Admins du domaine,CN=Users,DC=pharmacie,DC=local",
          "CN=Comptabilité,OU=Groupes,DC=pharmacie,DC=local"]


def write_ad_export(path, rows):
    rng = random.Random(1)
    header = ["SamAccountName", "Name", "GivenName", "Surname", "UserPrincipalName",
              "EmailAddress", "Enabled", "LastLogonDate", "PasswordLastSet",
              "PasswordNeverExpires", "MemberOf", "Description", "whenCreated"]
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        file.write("#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n")
        file.write(";".join(f'"{title}"' for title in header) + "\r\n")
        for n in range(rows):
            login = f"user{n:06d}"
            date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024 08:15:00"
            groups = ";".join(rng.sample(GROUPS, rng.randint(0, 3)))
            values = [login, f"Prénom{n} Nom{n}", f"Prénom{n}", f"Nom{n}",
                      f"{login}@pharmacie.local", f"{login}@pharmacie.fr",
                      rng.choice(["True", "False"]), date, date, rng.choice(["True", "False"]),
                      groups, "Compte de l'officine", "02/09/2019 10:11:00"]
            file.write(";".join(f'"{value}"' for value in values) + "\r\n")


def write_nmap(path, hosts):
    with open(path, "w", encoding="utf-8") as file:
        file.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
                   '<nmaprun scanner="nmap" args="nmap -sV -O 10.0.0.0/19" start="1738397700"'
                   ' version="7.93" xmloutputversion="1.05">\n')
        for n in range(hosts):
            ip = f"10.0.{n // 256}.{n % 256}"
            file.write(
                f'<host starttime="1738397700" endtime="1738397800"><status state="up"/>\n'
                f'<address addr="{ip}" addrtype="ipv4"/>\n'
                f'<address addr="00:11:32:{n // 65536:02X}:{n // 256 % 256:02X}:{n % 256:02X}"'
                f' addrtype="mac" vendor="Synology Incorporated"/>\n'
                f'<hostnames><hostname name="poste{n}.pharmacie.local" type="PTR"/></hostnames>\n'
                '<ports><extraports state="closed" count="995"/>\n')
            for port, name in ((22, "ssh"), (80, "http"), (443, "https"), (445, "microsoft-ds"),
                               (3389, "ms-wbt-server")):
                file.write(f'<port protocol="tcp" portid="{port}"><state state="open" '
                           f'reason="syn-ack"/><service name="{name}" product="Produit" '
                           f'version="1.0" method="probed" conf="10"/></port>\n')
            file.write('</ports>\n<os><osmatch name="Linux 5.0 - 5.2" accuracy="96">'
                       '<osclass type="general purpose" vendor="Linux" accuracy="96"/>'
                       '</osmatch></os>\n</host>\n')
        file.write('<runstats><finished time="1738397900" exit="success"/>'
                   f'<hosts up="{hosts}" down="0" total="{hosts}"/></runstats>\n</nmaprun>\n')


def baseline_csv(path):
    import csv

    with open(path, encoding="utf-8-sig", newline="") as file:
        return sum(1 for _row in csv.reader(file, delimiter=";"))


def parse_ad(path):
    from pharmagarde.inventory.parsers.ad import read_ad_export

    with open(path, "rb") as file:
        export = read_ad_export(file, filename=path.name)
        count = sum(1 for _record in export.records())
    assert not export.errors
    return count


def baseline_xml(path):
    from xml.etree.ElementTree import iterparse

    count = 0
    for _event, element in iterparse(path):
        if element.tag == "host":
            count += 1
            element.clear()
    return count


def parse_nmap(path):
    from pharmagarde.inventory.parsers.nmap import read_nmap

    with open(path, "rb") as file:
        scan = read_nmap(file)
    assert scan.complete
    return len(scan.hosts)


def _child(function, path, queue):
    start = time.perf_counter()
    count = function(path)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    queue.put((count, elapsed, peak_kib / 1024))


def measure(function, path):
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: its own peak
    queue = context.Queue()
    process = context.Process(target=_child, args=(function, path, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def report(title, baseline, measured, size):
    (base_count, base_time, base_rss), (count, elapsed, rss) = baseline, measured
    print(f"{title} ({size / 1024 / 1024:.1f} Mo, {count:,} enregistrements ; "
          f"référence : {base_count:,})")
    print(f"  référence : {base_time:7.2f} s   pic RSS {base_rss:6.1f} Mo")
    print(f"  parseur   : {elapsed:7.2f} s   pic RSS {rss:6.1f} Mo")
    print(f"  ratio     : {elapsed / base_time:7.1f} ×  temps, {rss / base_rss:5.2f} × RSS")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=5_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ad_path = Path(folder) / "utilisateurs.csv"
        nmap_path = Path(folder) / "scan.xml"
        write_ad_export(ad_path, options.rows)
        write_nmap(nmap_path, options.hosts)
        report("Get-ADUser | Export-Csv", measure(baseline_csv, ad_path),
               measure(parse_ad, ad_path), ad_path.stat().st_size)
        report("nmap -oX", measure(baseline_xml, nmap_path), measure(parse_nmap, nmap_path),
               nmap_path.stat().st_size)


if __name__ == "__main__":
    main()
