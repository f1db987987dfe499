"""{% dashboard_card template values %}: an app's dashboard card (core/registry.py),
rendered with the page's context plus the values its context function returned."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_card(context, template_name, values):
    with context.push(**values):
        return context.template.engine.get_template(template_name).render(context)
