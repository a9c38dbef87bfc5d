"""What the bot keeps about users across restarts: only the language each chose with
/language, in python-telegram-bot's PicklePersistence at `DATA_DIR/languages.pickle`.

PTB would also keep an empty `user_data` entry for everyone who ever wrote to the bot;
those are left out, so the file holds the ids of the users who chose a language, and
nothing about anyone else.
"""

from pathlib import Path
from typing import Any

from telegram.ext import PersistenceInput, PicklePersistence

UPDATE_INTERVAL_SECONDS = 5  # a choice is on disk within this long (and at every stop)


class LanguageChoices(PicklePersistence):
    def __init__(self, path: Path) -> None:
        super().__init__(
            filepath=path,
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL_SECONDS,
        )

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        if data:
            await super().update_user_data(user_id, data)
        elif self.user_data and user_id in self.user_data:  # the choice was forgotten
            await self.drop_user_data(user_id)
