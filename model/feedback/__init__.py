"""What users taught the bot: their corrections of its answers, kept in SQLite under
DATA_DIR (`corrections.py`), and written out as training pictures for a fine-tune
(`python -m model.feedback export DATA_DIR OUT.npz`, then
`python -m model.training.train --extra OUT.npz`).

No Telegram here: the bot hands in plain values (a salted hash in place of each user).
"""
