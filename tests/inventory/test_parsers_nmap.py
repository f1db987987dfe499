"""nmap XML: a real scan (recorded, and run live against a local server), a scan cut short
at every possible byte, and the hostile XML that defusedxml must refuse."""

import http.server
import io
import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pharmagarde.inventory.parsers.errors import ImportFileError
from pharmagarde.inventory.parsers.nmap import PortRecord, read_nmap

FILES = Path(__file__).parent / "files" / "parsers"
HOSTILE = FILES / "hostile"
SCAN = FILES / "scan-loopback.xml"
TRUNCATED = FILES / "scan-loopback-truncated.xml"


def scan_of(data):
    return read_nmap(io.BytesIO(data))


def refusal(data):
    with pytest.raises(ImportFileError) as caught:
        scan_of(data)
    return caught.value.message


def test_recorded_scan():
    with open(SCAN, "rb") as file:
        scan = read_nmap(file)
    assert scan.complete and scan.incomplete_reason == "" and scan.skipped_incomplete == 0
    assert scan.args == "nmap -sT -sV -O -p 12222,18080,18443,25 -oX scan-loopback.xml 127.0.0.1-3"
    assert scan.started_at == datetime.fromtimestamp(1796127339, tz=UTC)
    assert scan.version == "7.93"
    assert [host.ipv4 for host in scan.hosts] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    first, second, third = scan.hosts
    assert first.status == "up" and first.hostnames == ("localhost",)
    assert (first.os_name, first.os_accuracy) == ("Linux 5.0 - 5.2", 96)
    # Open ports only (25 and the others are closed), with what -sV found.
    assert first.ports == (
        PortRecord(protocol="tcp", port=12222, state="open", service="ssh", product="OpenSSH",
                   version="9.2p1 Debian 2+deb12u3", tunnel=""),
        PortRecord(protocol="tcp", port=18080, state="open", service="http",
                   product="SimpleHTTPServer", version="0.6", tunnel=""),
    )
    assert [(port.port, port.tunnel) for port in second.ports] == [(18080, ""), (18443, "ssl")]
    assert third.ports == () and third.os_name == "" and third.os_accuracy is None


def test_truncated_scan_keeps_the_hosts_read_to_their_end():
    with open(TRUNCATED, "rb") as file:
        scan = read_nmap(file)
    assert not scan.complete
    assert [host.ipv4 for host in scan.hosts] == ["127.0.0.1"]
    assert scan.skipped_incomplete == 1
    assert scan.hosts[0].ports[1].port == 18080
    assert scan.incomplete_reason.startswith("Le fichier s'arrête avant la fin du scan (ligne 90)")
    assert "(1)" in scan.incomplete_reason


def test_a_scan_cut_at_any_byte_is_never_an_error():
    data = SCAN.read_bytes()
    ends = [data.index(b"</host>", start) + len(b"</host>")
            for start in (0, data.index(b"</host>") + 1, data.rindex(b"<host "))]
    previous = 0
    for cut in range(data.index(b"<nmaprun") + 1, len(data), 37):
        scan = scan_of(data[:cut])
        assert not scan.complete
        assert len(scan.hosts) == sum(end <= cut for end in ends)
        assert len(scan.hosts) >= previous
        assert scan.skipped_incomplete in (0, 1)
        assert scan.incomplete_reason
        previous = len(scan.hosts)
    assert scan_of(data).complete


def test_a_scan_without_runstats_or_stopped_on_an_error_is_incomplete():
    data = SCAN.read_bytes()
    start, end = data.index(b"<runstats>"), data.index(b"</runstats>") + len(b"</runstats>")
    scan = scan_of(data[:start] + data[end:])
    assert not scan.complete and len(scan.hosts) == 3
    assert "« runstats »" in scan.incomplete_reason
    scan = scan_of(data.replace(b'exit="success"',
                                b'exit="error" errormsg="Interrupted by user"'))
    assert not scan.complete and len(scan.hosts) == 3
    assert "« Interrupted by user »" in scan.incomplete_reason


def test_junk_in_the_middle_keeps_what_came_before():
    data = SCAN.read_bytes()
    second = data.index(b"<host ", data.index(b"</host>"))
    scan = scan_of(data[:second] + b"<<<\x00 junk" + data[second:])
    assert not scan.complete and len(scan.hosts) == 1
    assert "endommagé ligne" in scan.incomplete_reason


def test_addresses_mac_vendor_ipv6_and_down_hosts():
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sS -O 192.168.1.0/24" start="1738397700" version="7.94">
<hosthint><status state="up"/><address addr="192.168.1.5" addrtype="ipv4"/></hosthint>
<host><status state="up" reason="arp-response"/>
<address addr="192.168.1.5" addrtype="ipv4"/>
<address addr="2001:db8::5" addrtype="ipv6"/>
<address addr="00:11:32:AA:BB:CC" addrtype="mac" vendor="Synology Incorporated"/>
<hostnames><hostname name="nas.pharmacie.local" type="PTR"/>
<hostname name="nas.pharmacie.local" type="user"/><hostname name="nas" type="user"/></hostnames>
<ports><extraports state="closed" count="996"/>
<port protocol="tcp" portid="445"><state state="open"/><service name="microsoft-ds"/></port>
<port protocol="tcp" portid="5001"><state state="open"/>
<service name="http" product="nginx" tunnel="ssl"/></port>
<port protocol="tcp" portid="23"><state state="filtered"/><service name="telnet"/></port>
<port protocol="udp" portid="161"><state state="open|filtered"/><service name="snmp"/></port>
<port protocol="tcp" portid="22"><state state="open"/></port>
</ports>
<os><osmatch name="Linux 4.4" accuracy="91"/><osmatch name="Synology DSM 7" accuracy="98"/></os>
</host>
<host><status state="down" reason="no-response"/><address addr="192.168.1.6" addrtype="ipv4"/>
</host>
<runstats><finished time="1738397800" exit="success"/><hosts up="1" down="1" total="2"/></runstats>
</nmaprun>
"""
    scan = scan_of(data)
    assert scan.complete
    nas, down = scan.hosts
    assert (nas.ipv4, nas.ipv6, nas.mac, nas.mac_vendor) == (
        "192.168.1.5", "2001:db8::5", "00:11:32:AA:BB:CC", "Synology Incorporated")
    assert nas.hostnames == ("nas.pharmacie.local", "nas")
    assert (nas.os_name, nas.os_accuracy) == ("Synology DSM 7", 98)
    assert [(port.protocol, port.port, port.service, port.tunnel) for port in nas.ports] == [
        ("tcp", 445, "microsoft-ds", ""), ("tcp", 5001, "http", "ssl"), ("tcp", 22, "", "")]
    assert (down.status, down.ports, down.mac) == ("down", (), "")


def test_too_many_hosts():
    hosts = b"".join(b'<host><address addr="10.0.0.%d" addrtype="ipv4"/></host>' % n
                     for n in range(5))
    data = b'<nmaprun scanner="nmap">' + hosts + b"<runstats><finished/></runstats></nmaprun>"
    with pytest.raises(ImportFileError, match="plus de 4 hôtes"):
        read_nmap(io.BytesIO(data), max_hosts=4)
    assert len(read_nmap(io.BytesIO(data), max_hosts=5).hosts) == 5


def test_a_django_uploaded_file():
    upload = SimpleUploadedFile("scan.xml", SCAN.read_bytes())
    assert len(read_nmap(upload).hosts) == 3
    assert not upload.closed


# --- Hostile XML -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["xxe.xml", "xxe-external-dtd.xml", "billion-laughs.xml"])
def test_entities_and_dtds_are_refused(name):
    message = refusal((HOSTILE / name).read_bytes())
    assert "refusé par sécurité" in message


def test_a_doctype_with_an_internal_subset_is_refused_even_without_entities():
    message = refusal(b'<?xml version="1.0"?><!DOCTYPE nmaprun [<!ELEMENT nmaprun ANY>]>'
                      b"<nmaprun></nmaprun>")
    assert "refusé par sécurité" in message


@pytest.mark.parametrize("name", ["binary-junk.xml", "binary-junk.csv", "formulas.csv"])
def test_binary_and_text_that_are_not_xml_are_refused(name):
    assert "pas un résultat nmap au format XML" in refusal((HOSTILE / name).read_bytes())


def test_other_xml_is_refused():
    message = refusal((HOSTILE / "not-nmap.xml").read_bytes())
    assert "commence par « html » au lieu de « nmaprun »" in message


def test_html_is_refused_as_not_nmap():
    message = refusal(b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">'
                      b"<html></html>")
    assert "pas un résultat nmap" in message


def test_nmap_text_output_is_refused():
    message = refusal(b"Starting Nmap 7.93 ( https://nmap.org )\nNmap scan report for x\n")
    assert "-oX" in message


def test_an_empty_file_is_refused():
    assert refusal(b"") == "Le fichier est vide."


# --- The real nmap -----------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("nmap") is None,
                    reason="nmap n'est pas installé (apt-get install nmap) : le scan réel "
                           "d'un serveur local n'est pas testé")
def test_a_live_nmap_scan_of_a_local_server():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            ["nmap", "-sT", "-Pn", "-p", str(port), "-sV", "-oX", "-", "127.0.0.1"],
            capture_output=True, timeout=240, check=True)
    finally:
        server.shutdown()
        server.server_close()
    scan = read_nmap(io.BytesIO(result.stdout))
    assert scan.complete
    assert f"-p {port}" in scan.args
    (host,) = scan.hosts
    assert host.ipv4 == "127.0.0.1" and host.status == "up"
    (found,) = host.ports
    assert (found.protocol, found.port, found.state) == ("tcp", port, "open")
    assert found.service == "http"
