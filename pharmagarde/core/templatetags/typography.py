"""{{ text|typo }}: French no-break spaces before ; : ? ! and inside « » (lib/typography.py),
in French only; any other language is left as written."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from pharmagarde.lib.typography import french_spacing, french_spacing_html

register = template.Library()


@register.filter(needs_autoescape=True)
def typo(value, autoescape=True):
    if value is None or value == "" or not (get_language() or "").startswith("fr"):
        return value
    if isinstance(value, SafeData):
        # Already HTML (linebreaksbr, join): only no-break spaces are added to the text
        # between its tags, so it stays exactly as safe as it was.
        return mark_safe(french_spacing_html(str(value)))  # noqa: S308 - see above
    text = french_spacing(str(value))
    # Escaped here, after the spacing: escape() returns the text marked safe, by us.
    return escape(text) if autoescape else text


@register.tag("typography")
def do_typography(parser, token):
    """{% typography %}…{% endtypography %}: the same spacing for a whole block of rendered
    HTML, labels of the templates included (« Pourquoi c'est important : »)."""
    nodelist = parser.parse(("endtypography",))
    parser.delete_first_token()
    return TypographyNode(nodelist)


class TypographyNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        if context.get("_typography_block"):
            # Inside another {% typography %} (a partial within its page): done once, there.
            return self.nodelist.render(context)
        with context.push(_typography_block=True):
            html = self.nodelist.render(context)
        if not (get_language() or "").startswith("fr"):
            return html
        # The rendered block is safe HTML (autoescaped); only no-break spaces are added to
        # the text between its tags, never inside a tag, <code>, <pre>, <script> or
        # <textarea>.
        return mark_safe(french_spacing_html(html))  # noqa: S308 - see above
