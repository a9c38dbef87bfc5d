"""Translations: every catalogue complete and consistent with the English source."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po

from bot import i18n, messages
from model.reading.result import Box, Character, Reading, Role

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATE = i18n.LOCALES / "bot.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.ENGLISH]


def catalogue(code: str):
    locale = i18n.LANGUAGES[code][0]
    with (i18n.LOCALES / locale / "LC_MESSAGES" / "bot.po").open("rb") as po:
        return read_po(po)


def source_ids() -> set[str]:
    with TEMPLATE.open("rb") as pot:
        return {message.id for message in read_po(pot) if message.id}


def test_the_template_holds_every_message_in_the_code_with_its_translator_comments(tmp_path):
    extracted = tmp_path / "bot.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "N_", "-k", "Nn_:1,2", "-c", "TRANSLATORS:",
                    "--no-location", "-o", str(extracted), "."],
                   cwd=PROJECT, check=True, capture_output=True)
    with extracted.open("rb") as pot:
        in_code = {message.id: message.auto_comments for message in read_po(pot) if message.id}
    with TEMPLATE.open("rb") as pot:
        in_template = {message.id: message.auto_comments for message in read_po(pot)
                       if message.id}
    assert in_code == in_template, "run pybabel extract and update (see bot/i18n.py)"
    assert any("TRANSLATORS:" in " ".join(comments) for comments in in_code.values())
    assert messages.SLOW_DOWN in in_code  # a counted text: a (singular, plural) pair


def forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if message.pluralizable else [message.id]


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalogue_translates_every_message_with_the_same_placeholders(code):
    translated = {m.id: m for m in catalogue(code) if m.id}
    assert set(translated) == source_ids()
    for message in translated.values():
        assert all(forms(message)) and not message.fuzzy, f"{code}: {message.id!r} untranslated"
        wanted = sorted(PLACEHOLDER.findall(ids(message)[-1]))
        for form in forms(message):
            assert sorted(PLACEHOLDER.findall(form)) == wanted, (
                f"{code}: placeholders differ in {form!r}")
    assert not i18n.missing_catalogues()  # compiled by scripts/setup.sh


@pytest.mark.parametrize("code", TRANSLATED)
def test_counted_texts_have_every_plural_form_the_language_uses(code):
    messages_po = catalogue(code)
    counted = [m for m in messages_po if m.id and m.pluralizable]
    assert len(counted) >= 4
    for message in counted:
        assert len(message.string) == messages_po.num_plurals, f"{code}: {message.id[0]!r}"
    language = i18n.language(code)
    if code in ("ru", "uk"):  # one, few, many: 1 секунду, 3 секунды, 5 секунд
        said = {n: messages.say(language, messages.SLOW_DOWN, n=n) for n in (1, 3, 5, 21)}
        assert len({said[1], said[3], said[5]}) == 3 and said[21] == said[1].replace("1", "21")


def test_french_puts_a_narrow_no_break_space_before_double_punctuation_and_in_guillemets():
    for message in catalogue("fr"):
        for form in forms(message) if message.id else []:
            # a narrow no-break space before ; ? ! (a no-break space is accepted before :)
            assert not re.search(r"[^\u202f][;?!]|[^\u202f\u00a0][:»]|«[^\u202f\u00a0]",
                                 re.sub(r"https?://\S+|/\w+", "", form)), form


def test_english_curly_quotes_and_other_languages_their_own():
    assert "“What I saw”" in messages.PRIVACY
    assert "“🔍 What I saw”" in messages.HELP
    german = messages.say(i18n.language("de"), messages.CHOOSE_LANGUAGE)
    assert "„" in german and '"' not in german


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_refusals_are_short_and_point_to_help_instead_of_repeating_its_tips(code):
    language = i18n.language(code)
    tips = language._(messages.TIPS)
    for text in messages.REFUSALS.values():
        said = messages.say(language, text)
        assert len(said) <= 140 and tips not in said, said


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


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_a_hedged_answer_names_each_digit_once_and_asks_for_a_clearer_photo(code):
    probabilities = np.zeros(11, np.float32)
    probabilities[[4, 9]] = 0.612, 0.35
    character = Character(Box(0, 0, 10, 20), np.zeros((28, 28), np.float32), probabilities,
                          Role.DIGIT, sure=False)
    reading = Reading(np.zeros((20, 10), np.uint8), (character,), None, "4", 0.612)
    language = i18n.language(code)
    said = messages.reading(language, reading)
    assert said.startswith("4 — ") and said.count("4") == 1 and said.count("9") == 1
    assert said.endswith(language._(messages.CLEARER))


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_texts_that_name_a_button_use_its_label(code):
    language = i18n.language(code)
    for button in (messages.SAW_BUTTON, messages.WRONG_BUTTON):
        label = language._(button).split(" ", 1)[1]  # without the emoji
        assert label in language._(messages.HELP) and label in language._(messages.PRIVACY)
    assert language._(messages.AUTOMATIC) in language._(messages.CHOOSE_LANGUAGE)
