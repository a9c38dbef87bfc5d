"""Why a picture could not be read; each has its own polite reply in the bot."""


class PreprocessingError(ValueError):
    """The image cannot be turned into a digit; the message is for logs, not users."""


class UnreadableImage(PreprocessingError):
    """Not an image file, or a corrupt one."""


class ImageTooLarge(PreprocessingError):
    """More pixels than any photo has: refused before decoding."""


class NoDigitFound(PreprocessingError):
    """The image decodes, but holds no writing that can be read (or is too small to)."""
