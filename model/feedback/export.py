"""Corrections as training pictures: `python -m model.feedback export DATA_DIR OUT.npz`.

Each correction gives its pictures labelled as `model.training.real_photos` labels a real
photo: "no digit" makes every picture "not a digit"; a number whose digits are as many as
the pictures gives the k-th digit to the k-th picture; any other correction gives
nothing (the reader cut the photo other than the user wrote it, and a guess would teach
wrong labels). The file holds `images` (uint8, n x 28 x 28), `labels` and `sources`
(which correction each picture came from, so that a fine-tune holds whole corrections
back); nothing about the users.
"""

from pathlib import Path

import numpy as np

from model.feedback.corrections import NO_DIGIT, STORE, Corrections
from model.feedback.shared_corrections import SharedCorrections
from model.reading.digits import NOT_A_DIGIT, SIDE


def labelled(corrections: Corrections | SharedCorrections
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(images, labels, sources) of every usable correction, and how many were not."""
    images, labels, sources, unusable = [], [], [], 0
    for correction in corrections.all():
        pictures = correction.pictures
        if correction.corrected == NO_DIGIT:
            wanted = [NOT_A_DIGIT] * len(pictures)
        elif len(correction.corrected) == len(pictures):
            wanted = [int(digit) for digit in correction.corrected]
        else:
            unusable += 1
            continue
        images += list(pictures)
        labels += wanted
        sources += [correction.answer] * len(pictures)
    return (np.asarray(images, np.uint8).reshape(-1, SIDE, SIDE), np.asarray(labels, np.uint8),
            np.asarray(sources, dtype=str), unusable)


def export(data_dir: Path | None, out: Path, redis_url: str | None = None) -> str:
    """Write the corrected pictures of `data_dir`'s store (or, for replicas, Redis's) to
    `out`; a line saying what."""
    if redis_url:
        corrections: Corrections | SharedCorrections = SharedCorrections(redis_url)
    else:
        store = Path(data_dir or ".") / STORE
        if not store.is_file():
            raise FileNotFoundError(f"{store} does not exist: is {data_dir} the bot's DATA_DIR?")
        corrections = Corrections(store)
    try:
        images, labels, sources, unusable = labelled(corrections)
    finally:
        corrections.close()
    np.savez_compressed(out, images=images, labels=labels, sources=sources)
    return (f"{len(labels)} pictures of {len(set(sources.tolist()))} corrections written to {out}"
            f" ({unusable} corrections left out: their digits did not match the pictures)")
