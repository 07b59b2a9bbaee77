"""Every language's catalogue is complete, compiled, and in step with the source.

`make messages` refreshes the catalogues from the source and compiles them;
translators then fill locale/<language>/LC_MESSAGES/django.po.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# What makemessages must not read: tools, tests and things generated or installed.
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "__pycache__", "node_modules", "locale", "tests", "bench", "staticfiles", "media", "*.sqlite3"
)


def po_path(code: str) -> Path:
    return ROOT / "locale" / code / "LC_MESSAGES" / "django.po"


def key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translations(entries) -> dict:
    return {key(entry): entry.msgstr_plural or entry.msgstr for entry in entries}


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set:
    """The strings marked for translation in the source, as makemessages finds them now."""
    copy = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCE)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {key(entry) for entry in polib.pofile(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_it_has_every_source_string_in_each_catalogue(code, source_msgids):
    catalogue = {key(entry) for entry in polib.pofile(po_path(code))}
    missing = sorted(msgid for _ctx, msgid, _plural in source_msgids - catalogue)
    stale = sorted(msgid for _ctx, msgid, _plural in catalogue - source_msgids)
    assert not missing and not stale, (
        f"locale/{code} is out of step with the source; run `make messages`. "
        f"Missing: {missing[:10]} ({len(missing)}); no longer in the source: {stale[:10]} ({len(stale)})"
    )


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_it_has_no_untranslated_or_fuzzy_entries(code):
    catalogue = polib.pofile(po_path(code))
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    # The source strings are English, so English alone may leave msgstr empty.
    untranslated = [] if code == "en" else [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not fuzzy and not untranslated, (
        f"locale/{code}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy, e.g. {(untranslated + fuzzy)[:5]}"
    )


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_it_ships_each_catalogue_compiled(code):
    """The .mo is committed so a machine without gettext runs translated; it must match the .po."""
    catalogue = polib.pofile(po_path(code))
    compiled = polib.mofile(po_path(code).with_suffix(".mo"))
    assert translations(compiled) == translations(catalogue.translated_entries()), (
        f"locale/{code}/LC_MESSAGES/django.mo is older than its .po; run `make messages`"
    )
    assert compiled.metadata.get("Plural-Forms") == catalogue.metadata.get("Plural-Forms")
