"""Telling a person's click from a mail scanner's.

Mail filters (Microsoft Defender « Safe Links », Proofpoint, Mimecast, Barracuda…) open
every link of a message, often within seconds of its delivery, to check where it leads:
counted as people, they make a campaign look like everyone clicked. A hit is thought to be
a scanner's when (in this order):

1. the message had not been sent yet (nobody can have read it);
2. it is a HEAD request (a browser following a link sends GET);
3. it declares no browser at all (every browser sends a User-Agent), or a known tool or
   filter (SCANNER_AGENTS);
4. it comes from one of the networks of the setting AWARENESS_SCANNER_NETWORKS (CIDR
   ranges of the organisation's mail filter; empty by default);
5. it comes less than AWARENESS_SCANNER_SECONDS (10 by default) after the message was sent:
   a person rarely opens, reads and clicks that fast.

None of these is proof, and the lists are incomplete: filters change their agents, many
pretend to be an ordinary browser and run from cloud ranges nobody publishes. That is why
the results also show « clic non confirmé » for a click never followed by the teaching
page's second step (an image a real browser loads), and both rates, with and without the
hits flagged here.

Client addresses are kept truncated (`truncated`): enough to spot a filter's range, not to
point at one computer.
"""

import datetime
import ipaddress

from django.utils.translation import gettext as _

# Lower-case substrings of User-Agent headers of tools and filters known to fetch links by
# themselves. Incomplete by nature: many scanners send an ordinary browser's agent.
SCANNER_AGENTS = (
    "python-requests",
    "python-urllib",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "barracuda",
    "proofpoint",
    "mimecast",
    "microsoft office protection",
    "safe links",
    "safelinks",
    "microsoft url control",
    "bitdefender",
    "trendmicro",
    "symantec",
    "forcepoint",
    "googlebot",
    "bingbot",
    "bingpreview",
    "yahoo! slurp",
    "facebookexternalhit",
    "slackbot",
    "headlesschrome",
    "phantomjs",
)
DEFAULT_SECONDS = 10


def _agent_match(user_agent: str) -> str:
    lowered = user_agent.lower()
    return next((agent for agent in SCANNER_AGENTS if agent in lowered), "")


def _networks(settings) -> list:
    found = []
    for item in getattr(settings, "AWARENESS_SCANNER_NETWORKS", ()) or ():
        try:
            found.append(ipaddress.ip_network(str(item).strip(), strict=False))
        except ValueError:
            continue  # a mistyped range is ignored rather than breaking every hit
    return found


def _address(client_ip: str | None):
    try:
        address = ipaddress.ip_address(client_ip) if client_ip else None
    except ValueError:
        return None
    if address is not None and address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def classify(*, method: str, user_agent: str, client_ip: str | None,
             sent_at: datetime.datetime | None, now: datetime.datetime,
             settings) -> tuple[bool, str]:
    """(is_scanner, reason): the reason in French, empty for a person's hit."""
    if sent_at is None:
        return True, _("message pas encore envoyé")
    if method.upper() == "HEAD":
        return True, _("requête HEAD (pas un navigateur)")
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return True, _("aucun navigateur déclaré")
    if agent := _agent_match(user_agent):
        return True, _("outil automatique connu (« %(agent)s »)") % {"agent": agent}
    address = _address(client_ip)
    if address is not None and any(address.version == network.version
                                   and address in network
                                   for network in _networks(settings)):
        return True, _("adresse d'un filtre de messagerie (réglage des plages connues)")
    seconds = getattr(settings, "AWARENESS_SCANNER_SECONDS", DEFAULT_SECONDS)
    if (now - sent_at).total_seconds() < seconds:
        return True, _("moins de %(seconds)s secondes après l'envoi") % {"seconds": seconds}
    return False, ""


def truncated(client_ip: str | None) -> str:
    """The client's network rather than its address: /24 in IPv4, /48 in IPv6."""
    address = _address(client_ip)
    if address is None:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
