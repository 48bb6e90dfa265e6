"""Qt's own texts in Dutch: file dialogs, calendars, standard buttons.

The windows' own texts come from :mod:`baliedesk.i18n`; what Qt draws itself
("Look in", "File name", "Save", "Cancel", month and day names) comes from
Qt's translations (``qtbase_nl.qm`` in PySide6's translations folder) and the
default :class:`QLocale`. Both the desktop windows (``ui/common/app.py``) and
the hall screen (``display/app.py``) call :func:`install` when they make
their application; it sits outside the layers, as i18n does, so both can.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

#: The Qt catalogues loaded (qtbase has the dialogs and buttons).
CATALOGUES = ("qtbase",)


#: Strings this Qt version asks for that the shipped ``qtbase_nl.qm`` lacks (its source
#: texts changed, e.g. "Look in:" became "&Look in:"): (context, source) -> Dutch.
MISSING = {
    ("QFileDialog", "&Look in:"): "&Zoeken in:",
    ("QFileDialog", "Files of &type:"): "&Bestanden van type:",
}


class _Missing(QTranslator):
    """The few texts the catalogue lacks (asked after the catalogue)."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt override
        return MISSING.get((context, source))  # None: not ours (a null string to Qt)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt name
        return False


def install(app, language: str = "nl") -> bool:
    """Load Qt's translations for ``language`` into ``app`` (once) and make that the
    default locale (month and day names, first day of the week). False when the
    catalogue is missing (Qt then stays English; the windows keep working)."""
    locale = QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands) if language.startswith("nl") \
        else QLocale(language)
    QLocale.setDefault(locale)
    if installed(app):
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ok = True
    translators = []
    for name in CATALOGUES:
        tr = QTranslator(app)
        if tr.load(locale, name, "_", folder):
            app.installTranslator(tr)
            translators.append(tr)
        else:
            log.warning("Qt translations %s for %s not found in %s", name, language, folder)
            ok = False
    if locale.language() == QLocale.Language.Dutch:
        extra = _Missing(app)
        app.installTranslator(extra)  # installed last: asked first, answers only its own few texts
        translators.append(extra)
    app.setProperty("baliedeskQtTranslators", len(translators))
    app._baliedesk_qt_translators = translators  # keep the Python wrappers alive
    return ok


def installed(app) -> bool:
    return bool(app.property("baliedeskQtTranslators"))
