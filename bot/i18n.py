"""The user's language: which translation answers an update, and numbers written its way.

Translations are gettext catalogues in `bot/locales/<code>/LC_MESSAGES/bot.po` (English is
the source language, in the code), compiled to `.mo` files at install time by Babel:

    pybabel extract -F babel.cfg -k N_ -k Nn_:1,2 -c TRANSLATORS: --no-location \
        --sort-output -o bot/locales/bot.pot .              # after changing a message
    pybabel update -i bot/locales/bot.pot -d bot/locales -D bot
    pybabel compile -d bot/locales -D bot                   # scripts/setup.sh does this

A user's language is the one they chose with /language, else the `language_code` Telegram
sends with each update (an optional IETF tag such as `pt-br` or `zh-hans`), matched on the
whole tag, then on its language; English when nothing matches.
"""

import functools
import gettext
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, numbers

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "bot"
ENGLISH = "en"
# Telegram's language codes, each with its catalogue's locale and its name in itself.
LANGUAGES = {
    "en": ("en", "English"),
    "ru": ("ru", "Русский"),
    "uk": ("uk", "Українська"),
    "es": ("es", "Español"),
    "pt-br": ("pt_BR", "Português (Brasil)"),
    "de": ("de", "Deutsch"),
    "fr": ("fr", "Français"),
    "tr": ("tr", "Türkçe"),
    "zh-hans": ("zh_Hans", "简体中文"),
    "hi": ("hi", "हिन्दी"),
}
# A bare language whose catalogue is a regional one: Portuguese speakers get Brazil's,
# Chinese speakers Simplified (Telegram sends zh-hans, zh-hant, or zh).
BY_LANGUAGE = {"pt": "pt-br", "zh": "zh-hans"}


@dataclass(frozen=True)
class Language:
    code: str  # one of LANGUAGES
    gettext: "gettext.NullTranslations"
    locale: Locale

    @property
    def name(self) -> str:
        return LANGUAGES[self.code][1]

    def _(self, message: str) -> str:
        return self.gettext.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of a counted text this language uses for `count`."""
        return self.gettext.ngettext(singular, plural, count)

    def percent(self, value: float, decimals: int = 0) -> str:
        """`value` (0.986) as this language writes a percentage: 98.6%, 98,6 %, %98,6."""
        pattern = numbers.parse_pattern(self.locale.percent_formats[None].pattern)
        pattern.frac_prec = (decimals, decimals)
        return pattern.apply(value, self.locale)

    def number(self, value: float, decimals: int = 0) -> str:
        """10000 or 0.8 as this language writes them: 10,000 / 10 000 / 10.000, 0.8 / 0,8."""
        return numbers.format_decimal(value, format=f"#,##0.{'0' * decimals}".rstrip("."),
                                      locale=self.locale)


def best_match(language_code: str | None) -> str:
    """The code in LANGUAGES for Telegram's `language_code`; English if none fits."""
    tag = (language_code or "").strip().lower().replace("_", "-")
    if tag in LANGUAGES:
        return tag
    language = tag.split("-")[0]
    if language in LANGUAGES:
        return language
    return BY_LANGUAGE.get(language, ENGLISH)


@functools.cache
def language(code: str) -> Language:
    """The translation for a code in LANGUAGES (English for any other)."""
    code = code if code in LANGUAGES else ENGLISH
    locale = LANGUAGES[code][0]
    translations = gettext.translation(DOMAIN, LOCALES, languages=[locale], fallback=True)
    return Language(code, translations, Locale.parse(locale))


def missing_catalogues() -> list[str]:
    """Languages whose compiled catalogue is missing (they would answer in English)."""
    return [code for code, (locale, _) in LANGUAGES.items() if code != ENGLISH
            and not (LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()]
