"""What the bot keeps about users across restarts: only the language each chose with
/language, in python-telegram-bot's PicklePersistence at `DATA_DIR/languages.pickle`.

PTB would also keep an empty `user_data` entry for everyone who ever wrote to the bot;
those are left out, so the file holds the ids of the users who chose a language, and
nothing about anyone else. PTB writes the file in place; here it is written beside and
swapped in whole, so that a crash mid-write cannot leave it unreadable.
"""

import logging
import os
from pathlib import Path
from typing import Any

from telegram.ext import PersistenceInput, PicklePersistence

logger = logging.getLogger(__name__)

UPDATE_INTERVAL_SECONDS = 60  # PTB's default; a choice is also saved as it is made


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

    def _dump_singlefile(self) -> None:
        final, partial = self.filepath, self.filepath.with_suffix(".partial")
        self.filepath = partial  # PTB writes to self.filepath
        try:
            super()._dump_singlefile()
        finally:
            self.filepath = final
        os.replace(partial, final)

    def _load_singlefile(self) -> None:
        try:
            super()._load_singlefile()
        except TypeError as error:  # unreadable: set it aside rather than never start
            aside = self.filepath.with_suffix(".unreadable")
            logger.warning("%s (%s): moved to %s; users' language choices start afresh",
                           self.filepath, error.__cause__ or error, aside.name)
            os.replace(self.filepath, aside)
            super()._load_singlefile()  # no file: empty
