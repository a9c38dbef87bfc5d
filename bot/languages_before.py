"""Languages chosen before they moved to the shared state (`bot/shared_state.py`).

Earlier versions kept them in python-telegram-bot's PicklePersistence,
`DATA_DIR/languages.pickle`. At start-up its choices are copied into the shared state,
then the file is deleted (so that /forget leaves no copy behind), and so is the copy an
unreadable one was moved to.
"""

import logging
import pickle
from pathlib import Path

from bot.shared_state import SharedState

logger = logging.getLogger(__name__)

OLD_FILE = "languages.pickle"


async def move_into(state: SharedState, data_dir: Path) -> None:
    old = data_dir / OLD_FILE
    old.with_suffix(".unreadable").unlink(missing_ok=True)  # one set aside by that version
    if not old.is_file():
        return
    try:
        with old.open("rb") as file:
            users = pickle.load(file).get("user_data") or {}  # written by this bot only
    except (OSError, pickle.UnpicklingError, AttributeError, EOFError) as error:
        logger.warning("%s is unreadable (%s): its language choices are dropped", old, error)
        users = {}
    moved = 0
    for user_id, data in users.items():
        key = f"language:{user_id}"
        if isinstance(data, dict) and isinstance(data.get("language"), str) and (
                await state.get(key) is None):  # (a choice made since, on a replica, wins)
            await state.put(key, data["language"].encode())
            moved += 1
    old.unlink()
    logger.info("Moved %d language choices from %s into the shared state", moved, OLD_FILE)
