"""Render notification text from the jinja2 templates in ``templates/notifications``."""

from functools import lru_cache
from pathlib import Path

SUPPORTED_LOCALES = ("ru", "en")
DEFAULT_LOCALE = "ru"

# The repository keeps templates at its top level; the deployment package
# carries a copy at its root, next to chalicelib.
TEMPLATE_FOLDER = Path(__file__).resolve().parents[2] / "templates" / "notifications"


@lru_cache(maxsize=1)
def _environment():
    # Imported on first render: every Lambda function imports this module
    # through app.py, and only the reactions that notify need jinja2.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    # Plain text goes into chat messages, which the frontend shows as text, so
    # HTML escaping here would only show entities to people.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATE_FOLDER)),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def render(name: str, locale: str | None, **context) -> str:
    if locale not in SUPPORTED_LOCALES:
        locale = DEFAULT_LOCALE
    template = _environment().get_template(f"{locale}/{name}.txt.j2")
    return template.render(**context).strip()
