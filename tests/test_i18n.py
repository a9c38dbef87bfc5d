"""Translations: every catalogue complete and consistent with the English source."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n, messages

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATE = i18n.LOCALES / "bot.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(code: str):
    locale = i18n.LANGUAGES[code][0]
    with (i18n.LOCALES / locale / "LC_MESSAGES" / "bot.po").open("rb") as po:
        return read_po(po)


def source_ids() -> set[str]:
    with TEMPLATE.open("rb") as pot:
        return {message.id for message in read_po(pot) if message.id}


def test_the_template_holds_every_message_in_the_code(tmp_path):
    extracted = tmp_path / "bot.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "N_", "--no-location", "-o", str(extracted), "."],
                   cwd=PROJECT, check=True, capture_output=True)
    with extracted.open("rb") as pot:
        in_code = {message.id for message in read_po(pot) if message.id}
    assert in_code == source_ids(), "run pybabel extract and update (see bot/i18n.py)"


@pytest.mark.parametrize("code", [code for code in i18n.LANGUAGES if code != i18n.ENGLISH])
def test_each_catalogue_translates_every_message_with_the_same_placeholders(code):
    translated = {m.id: m for m in catalogue(code) if m.id}
    assert set(translated) == source_ids()
    for msgid, message in translated.items():
        assert message.string and not message.fuzzy, f"{code}: {msgid!r} is not translated"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(msgid)), f"{code}: placeholders differ in {message.string!r}"
    assert not i18n.missing_catalogues()  # compiled by scripts/setup.sh


@pytest.mark.parametrize("tag, code", [
    ("ru", "ru"), ("ru-RU", "ru"), ("pt-br", "pt-br"), ("pt", "pt-br"), ("PT-BR", "pt-br"),
    ("zh-hans", "zh-hans"), ("zh", "zh-hans"), ("de-AT", "de"), ("it", "en"), ("", "en"),
    (None, "en"),
])
def test_telegram_s_language_code_picks_the_whole_tag_then_the_language_then_english(tag, code):
    assert i18n.best_match(tag) == code


def test_each_language_writes_the_confidence_its_own_way_after_the_number():
    written = {code: messages.say(i18n.language(code), messages.SURE, number=7,
                                  confidence=i18n.language(code).percent(0.986, 1))
               for code in i18n.LANGUAGES}
    assert written["en"] == "7 — 98.6% sure"
    assert "98,6" in written["ru"] and "98,6" in written["de"] and "%98,6" in written["tr"]
    assert all(text.startswith("7 — ") for text in written.values())
