from django import template

register = template.Library()


@register.filter
def rate_class(tally) -> str:
    """The CSP forbids style="": a bar's width is one of app.css's w-0 … w-100 classes."""
    return "" if tally.rate is None else f"w-{round(tally.rate * 100)}"
