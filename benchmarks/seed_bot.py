"""A seed-style bot, the baseline of `benchmarks.load`: what the tutorial's predict script
would be as a bot. Each photo is squashed to 28x28, inverted, and read by the seed CNN with
Keras' `model.predict`, in the handler, one update at a time.

    python -m benchmarks.seed_bot     (TELEGRAM_BOT_TOKEN, TELEGRAM_BASE_URL from the environment)
"""

import io
import os
from collections.abc import Awaitable, Callable

import keras
import numpy as np
from PIL import Image, ImageOps
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from model.reading import checkpoint
from model.reading.digits import SIDE
from model.training.weights import load_weights

SEED = checkpoint.DEFAULT_CHECKPOINT.with_name("seed.weights.h5")


def photo_reader(model: keras.Model) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable]:
    """The handler: each photo read as the tutorial's predict script reads it."""

    async def read_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        attachment = message.photo[-1] if message.photo else message.document
        data = await (await attachment.get_file()).download_as_bytearray()
        gray = ImageOps.invert(Image.open(io.BytesIO(data)).convert("L")).resize((SIDE, SIDE))
        pixels = np.asarray(gray, np.float32)[None, ..., None] / 255.0
        probabilities = model.predict(pixels, verbose=0)[0]
        digit = int(probabilities.argmax())
        await message.reply_text(f"{digit} — {probabilities[digit]:.1%} sure")

    return read_photo


def main() -> None:
    model, _ = load_weights(SEED)
    root = os.environ["TELEGRAM_BASE_URL"]
    application = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
                   .base_url(f"{root}/bot").base_file_url(f"{root}/file/bot").build())
    application.add_handler(MessageHandler(filters.PHOTO | filters.Document.IMAGE,
                                           photo_reader(model)))
    application.run_polling()


if __name__ == "__main__":
    main()
