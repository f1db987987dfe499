"""Keyboard use: every control shows where the focus is, clearly enough to be seen.

WCAG 2.4.7 (focus visible) and 1.4.11 (non-text contrast, 3:1): axe does not check focus
indicators, so this walks the page with the Tab key and measures each one.
"""

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Person, Role

from .helpers import make_member, make_pharmacy, use_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For the focused element: its outline, and the first opaque background behind it.
FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let bg = null;
    for (let node = el.parentElement; node && !bg; node = node.parentElement) {
        const c = getComputedStyle(node).backgroundColor;
        if (c && c !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(c)) bg = c;
    }
    return {
        element: el.outerHTML.slice(0, 100),
        style: style.outlineStyle, width: parseFloat(style.outlineWidth),
        color: style.outlineColor, background: bg || "rgb(255, 255, 255)",
    };
}"""


def luminance(css_color):
    parts = css_color[css_color.index("(") + 1:css_color.index(")")].split(",")
    channels = [int(float(p)) / 255 for p in parts[:3]]
    r, g, b = ((c / 12.92) if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
               for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("path", ["/o/alpha/", "/o/alpha/personnel/"])
def test_every_focused_control_shows_a_visible_ring(page, context, live_server, path):
    alpha = make_pharmacy()
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    Person.objects.create(organisation=alpha, first_name="Paul", last_name="Préparateur")
    use_session(context, live_server, alice)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    problems, seen = [], 0
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        seen += 1
        focus = page.evaluate(FOCUS_STYLE)
        if focus["style"] == "none" or focus["width"] < 2:
            problems.append(f"no focus ring: {focus['element']}")
        elif (ratio := contrast(focus["color"], focus["background"])) < 3:
            problems.append(f"focus ring contrast {ratio:.1f}:1 ({focus['color']} on "
                            f"{focus['background']}): {focus['element']}")
    assert seen > 5, "the Tab key reached almost nothing"
    assert not problems, f"on {path}:\n" + "\n".join(problems)
