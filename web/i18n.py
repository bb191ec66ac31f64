"""The page's messages in Chinese, from one gettext catalog: `web/translations/zh/LC_MESSAGES/messages.po`.

Message ids are the English sentences the engine and the web raise (`SearchError(template, **params)`; the
CLI and the API show them as they are), so a message is written once, in the code, and translated once, in
the catalog. The catalog is compiled in memory when the app starts (no generated binary is committed).

When the code gains or loses a message, refresh the catalog (new ids get an empty translation to fill in;
stale ones are dropped) — a test fails until it is complete:

    python -m web.i18n
"""

from __future__ import annotations

import functools
import io
import pathlib
import sys

from babel.messages import extract, mofile, pofile
from babel.messages.catalog import Catalog
from babel.support import Translations
from markupsafe import escape

from indexer import record
from indexer.errors import SearchError

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATALOG = ROOT / "web" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
LOCALE = "zh_Hans_CN"
# Where messages are written: `SearchError("…")` in the engine and the web, `N_("…")` for the web's own
# texts kept in tables, `_("…")` in templates.
KEYWORDS = {"SearchError": None, "IndexBusy": None, "N_": None, "_": None}
METHODS = [("indexer/**.py", "python"), ("web/**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")]
# Parameters shown otherwise on the Chinese page: a facet's name as its label (`site` → 来源).
PARAMS = {
    "facet": lambda v: record.FACET[v].label if v in record.FACET else v,
    "field": lambda v: record.FACET[v].label if v in record.FACET else v,
}


HEADER = """\
# The web page's messages in Chinese. The ids are the English messages of the code (`SearchError("…")`,
# `N_("…")`, `_("…")` in templates); refresh the ids with `python -m web.i18n`, then translate the new ones."""


def N_(message: str) -> str:
    """Marks a message id for the catalog where it is only looked up later."""
    return message


@functools.cache
def translations() -> Translations:
    """The catalog, compiled in memory once per process."""
    with open(CATALOG, "rb") as f:
        catalog = pofile.read_po(f, locale=LOCALE)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def _(template: str, **params) -> str:
    """The translation of message `template`, its `{name}` fields filled with `params` (the id itself when
    the catalog lacks it: English, never a blank)."""
    text = translations().gettext(template)
    shown = {k: PARAMS[k](v) if k in PARAMS else v for k, v in params.items()}
    return text.format(**shown) if params else text


def message(error: SearchError) -> str:
    """A user error's message, translated."""
    return _(error.template, **error.params)


def template_gettext(template: str, **params):
    """`_()` in templates: the translation, with the parameters escaped (autoescape does the rest)."""
    return _(template, **{k: escape(v) for k, v in params.items()})


# ---------------------------------------------------------------------------------------------- the catalog


def extracted() -> Catalog:
    """Every message id in the code, as Babel's extractor finds it."""
    catalog = Catalog(locale=LOCALE, project="chaoyang-search")
    for filename, lineno, msgid, comments, context in extract.extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(msgid, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog() -> Catalog:
    with open(CATALOG, "rb") as f:
        return pofile.read_po(f, locale=LOCALE)


def _ids(catalog: Catalog) -> set[str]:
    """The catalog's message ids (each one string: `KEYWORDS` extracts no plural forms)."""
    return {m.id for m in catalog if isinstance(m.id, str) and m.id}


def update() -> tuple[list[str], list[str]]:
    """Bring the catalog in line with the code: returns the ids added (untranslated) and those dropped."""
    template = extracted()
    catalog = read_catalog() if CATALOG.exists() else Catalog(locale=LOCALE)
    before = _ids(catalog)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False  # the header: a fuzzy one would leave the compiled catalog without its charset
    catalog.project, catalog.version = "chaoyang-search", ""
    catalog.header_comment = HEADER
    after = _ids(catalog)
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with open(CATALOG, "wb") as f:
        pofile.write_po(f, catalog, width=0, omit_header=False, sort_output=False, include_lineno=False)
    return sorted(after - before), sorted(before - after)


if __name__ == "__main__":
    added, dropped = update()
    for msgid in added:
        print(f"added (translate it): {msgid}")
    for msgid in dropped:
        print(f"dropped: {msgid}")
    untranslated = [m.id for m in read_catalog() if m.id and not m.string]
    print(f"{CATALOG.relative_to(ROOT)}: {len(added)} added, {len(dropped)} dropped, {len(untranslated)} to translate")
    sys.exit(1 if untranslated else 0)
