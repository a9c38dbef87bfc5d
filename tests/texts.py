"""What the bot says in English (the source language), for tests that compare replies."""

from bot import messages
from bot.i18n import language


def english(text: str, **fields: object) -> str:
    return messages.say(language("en"), text, **fields)
