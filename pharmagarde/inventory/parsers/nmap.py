"""Hosts from an nmap XML file (`nmap -oX`), streamed, a scan cut short included.

The file is parsed with defusedxml's iterparse, by chunks: each `<host>` is turned into a
HostRecord when it closes, then cleared and dropped from the tree, so memory stays bounded
whatever the number of hosts. Entity declarations and external references are refused (XXE,
billion laughs); the DOCTYPE is accepted only as nmap writes it, `<!DOCTYPE nmaprun>`, with
no identifier and no internal subset.

A scan cut short (nmap stopped, disk full, copy interrupted) is no error: the file ends in
the middle of the document, or without `<runstats>`, or nmap says it stopped on an error.
The scan is then `complete=False`, keeps every host read to its end, counts the one left
half-written in `skipped_incomplete`, and `incomplete_reason` says so in French. A file that
is not nmap XML at all (other root, binary, HTML…) raises ImportFileError.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import ParseError, TreeBuilder

from defusedxml.common import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from pharmagarde.lib.messages import Message, _

from .errors import ImportFileError

CHUNK_BYTES = 64 * 1024
MAX_HOSTS = 65_536  # a /16
HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PortRecord:
    protocol: str  # "tcp", "udp", "sctp"
    port: int
    state: str  # always "open": other ports are not kept
    service: str  # "http", "ssh"…, "" when unknown
    product: str
    version: str
    tunnel: str  # "ssl" when the service runs over TLS


@dataclass(frozen=True, slots=True)
class HostRecord:
    ipv4: str
    ipv6: str
    mac: str
    mac_vendor: str
    hostnames: tuple[str, ...]
    status: str  # "up" or "down"
    os_name: str  # nmap's best OS guess, "" without -O
    os_accuracy: int | None
    ports: tuple[PortRecord, ...]


@dataclass
class NmapScan:
    complete: bool
    args: str
    started_at: datetime | None  # aware, UTC
    hosts: list[HostRecord]
    skipped_incomplete: int  # hosts begun but cut off by the end of the file
    incomplete_reason: str = ""  # French, when not complete
    version: str = ""  # nmap's


class _EndWatcher:
    """The file, as read by the parser, and whether its end was reached."""

    def __init__(self, file):
        self.file = file
        self.at_end = False
        self.read_bytes = 0
        self.head = b""  # the first bytes, to recognise nmap's XML cut before its root

    def read(self, size=-1):
        data = self.file.read(CHUNK_BYTES if size is None or size < 0 else size)
        if not data:
            self.at_end = True
        if len(self.head) < HEAD_BYTES:
            self.head += data[:HEAD_BYTES - len(self.head)]
        self.read_bytes += len(data)
        return data


def _doctype(name, sysid, pubid, has_internal_subset):
    if has_internal_subset or (sysid and name == "nmaprun"):
        raise DTDForbidden(name, sysid, pubid)
    if name != "nmaprun":  # HTML, another tool's XML: nothing of it is read further
        raise _not_nmap(None)
    if pubid:
        raise DTDForbidden(name, sysid, pubid)


def _parser():
    parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    parser.parser.StartDoctypeDeclHandler = _doctype
    return parser


def read_nmap(file, *, max_hosts=MAX_HOSTS):
    """The NmapScan of a binary file object, or ImportFileError (French) for a file that is
    not nmap XML or that declares entities."""
    file.seek(0)
    source = _EndWatcher(file)
    scan = NmapScan(complete=False, args="", started_at=None, hosts=[], skipped_incomplete=0)
    root = None
    depth = 0
    open_hosts = 0
    runstats = None
    try:
        for event, element in iterparse(source, events=("start", "end"), parser=_parser()):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    _read_root(scan, element)
                elif depth == 2 and element.tag == "host":
                    open_hosts += 1
                continue
            depth -= 1
            if depth != 1:
                continue
            # A child of <nmaprun> is complete: read it, then let it go.
            if element.tag == "host":
                open_hosts -= 1
                if len(scan.hosts) >= max_hosts:
                    raise ImportFileError(Message(
                        _("Le fichier contient plus de %(limit)s hôtes. Divisez le scan en "
                          "plusieurs fichiers (par sous-réseau, par exemple)."),
                        limit=f"{max_hosts:,}".replace(",", " ")))
                scan.hosts.append(_host(element))
            elif element.tag == "runstats":
                runstats = element.find("finished")
                runstats = {} if runstats is None else dict(runstats.attrib)
            element.clear()
            root.remove(element)
    except DefusedXmlException as error:
        raise ImportFileError(Message(_(
            "Le fichier XML déclare des entités ou une DTD (XXE, « billion laughs ») : il est "
            "refusé par sécurité. Importez le fichier produit par nmap -oX, sans le "
            "modifier."))) from error
    except ParseError as error:
        if root is None and not (source.at_end and _looks_like_nmap(source.head)):
            raise _not_nmap(source) from error
        scan.skipped_incomplete = open_hosts
        line = error.position[0] if error.position else None
        if source.at_end:
            scan.incomplete_reason = Message(
                _("Le fichier s'arrête avant la fin du scan (ligne %(line)d) : le scan a "
                  "été interrompu ou le fichier est tronqué. Les hôtes décrits en entier "
                  "(%(count)d) peuvent être importés."),
                line=line or 0, count=len(scan.hosts))
        else:
            scan.incomplete_reason = Message(
                _("Le fichier XML est endommagé ligne %(line)d : les hôtes décrits en entier avant "
                  "cette ligne (%(count)d) peuvent être importés."),
                line=line or 0, count=len(scan.hosts))
        return scan
    if root is None:
        raise _not_nmap(source)
    if runstats is None:
        scan.incomplete_reason = Message(
            _("Le fichier ne contient pas la fin du scan (« runstats ») : le scan a été "
              "interrompu. Les hôtes décrits en entier (%(count)d) peuvent être "
              "importés."), count=len(scan.hosts))
    elif runstats.get("exit") == "error":
        scan.incomplete_reason = Message(
            _("nmap s'est arrêté sur une erreur (« %(error)s ») : le scan est incomplet. "
              "Les hôtes décrits en entier (%(count)d) peuvent être importés."),
            error=(runstats.get("errormsg") or "erreur inconnue")[:200],
            count=len(scan.hosts))
    else:
        scan.complete = True
    return scan


def _looks_like_nmap(head):
    """nmap's XML, cut before its root element was complete."""
    return b"<!DOCTYPE nmaprun>" in head or b"<nmaprun " in head


def _not_nmap(source):
    if source is not None and source.read_bytes == 0:
        return ImportFileError(Message(_("Le fichier est vide.")))
    return ImportFileError(Message(_(
        "Ce fichier n'est pas un résultat nmap au format XML. Relancez le scan avec l'option "
        "« -oX fichier.xml » et importez ce fichier-là (ni la sortie texte, ni -oN, ni "
        "-oG).")))


def _read_root(scan, element):
    if element.tag != "nmaprun":
        raise ImportFileError(Message(
            _("Ce fichier XML n'est pas un résultat nmap (il commence par « %(tag)s » au lieu "
              "de « nmaprun »). Relancez le scan avec l'option « -oX fichier.xml » et "
              "importez ce fichier-là."),
            tag=str(element.tag)[:60]))
    scan.args = element.get("args", "")
    scan.version = element.get("version", "")
    start = element.get("start", "")
    if start.isdigit():
        try:
            scan.started_at = datetime.fromtimestamp(int(start), tz=UTC)
        except (OverflowError, OSError, ValueError):
            scan.started_at = None


def _host(element):
    addresses = {}
    mac_vendor = ""
    for address in element.iterfind("address"):
        kind = address.get("addrtype", "")
        if kind not in addresses:
            addresses[kind] = address.get("addr", "")
            if kind == "mac":
                mac_vendor = address.get("vendor", "")
    status = element.find("status")
    hostnames = tuple(dict.fromkeys(
        name for hostname in element.iterfind("hostnames/hostname")
        if (name := hostname.get("name", ""))))
    os_name, os_accuracy = "", None
    best = None
    for match in element.iterfind("os/osmatch"):
        accuracy = _int(match.get("accuracy"))
        if best is None or (accuracy or 0) > (best[1] or 0):
            best = (match.get("name", ""), accuracy)
    if best:
        os_name, os_accuracy = best
    ports = []
    for port in element.iterfind("ports/port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        number = _int(port.get("portid"))
        if number is None:
            continue
        service = port.find("service")
        service = {} if service is None else service.attrib
        ports.append(PortRecord(
            protocol=port.get("protocol", ""), port=number, state="open",
            service=service.get("name", ""), product=service.get("product", ""),
            version=service.get("version", ""), tunnel=service.get("tunnel", "")))
    return HostRecord(
        ipv4=addresses.get("ipv4", ""), ipv6=addresses.get("ipv6", ""),
        mac=addresses.get("mac", ""), mac_vendor=mac_vendor, hostnames=hostnames,
        status="" if status is None else status.get("state", ""),
        os_name=os_name, os_accuracy=os_accuracy, ports=tuple(ports))


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
