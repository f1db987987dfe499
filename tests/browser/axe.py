"""Run the vendored axe-core in a page and fail with a readable list of violations.

The page keeps the application's strict CSP (`script-src 'self'`): an inline script, which
is what `page.add_script_tag(path=...)` or `content=...` inject, would be refused. Rather
than switch CSP off for the whole context (`bypass_csp=True`, which would also hide any CSP
breakage in our own pages), the context answers one reserved URL of the live server's own
origin with the vendored file (`context.route`), and axe is added as an ordinary
same-origin `<script src>`. Nothing is served by Django for that URL.
"""

import base64
import hashlib
import json
import re
from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
# The package's own published hash for this version (sri-history.json of axe-core 4.14.1).
AXE_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="
AXE_URL_PATH = "/__tests__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results" / "axe"


@cache
def axe_source():
    data = AXE_PATH.read_bytes()
    digest = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert digest == AXE_SRI, f"{AXE_PATH} is not axe-core {AXE_VERSION} ({digest})"
    return data


def serve_axe(context, base_url):
    """Make `base_url + AXE_URL_PATH` answer with the vendored axe-core, in this context."""
    body = axe_source()
    context.route(
        base_url.rstrip("/") + AXE_URL_PATH,
        lambda route: route.fulfill(status=200, body=body,
                                    content_type="application/javascript; charset=utf-8"),
    )


def run_axe(page, tags=WCAG_TAGS):
    # A test waits for the page it means (a heading, a message) before calling this; a
    # navigation still under way would leave no document to add the script to.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL_PATH)
    return page.evaluate(
        """async (tags) => await axe.run(document, {
               runOnly: {type: "tag", values: tags},
               resultTypes: ["violations", "incomplete"],
           })""",
        tags,
    )


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'n/a'}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(json.dumps(t, ensure_ascii=False) if not isinstance(t, str) else t
                              for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page, name):
    """Zero WCAG 2.1 A/AA violations; the full result goes to test-results/axe/<name>.json."""
    results = run_axe(page)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^\w.-]+", "_", name)
    (RESULTS_DIR / f"{slug}.json").write_text(
        json.dumps({"url": page.url, "violations": results["violations"],
                    "incomplete": results["incomplete"]}, ensure_ascii=False, indent=1)
    )
    violations = results["violations"]
    assert not violations, (
        f"axe-core {AXE_VERSION} found {len(violations)} WCAG 2.1 A/AA violation(s) on "
        f"{name} ({page.url}):\n{format_violations(violations)}"
    )
    return results
