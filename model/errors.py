"""Why a picture could not be read; each has its own polite reply in the bot."""


class PreprocessingError(ValueError):
    """The image cannot be turned into a digit; the message is for logs, not users."""


class UnreadableImage(PreprocessingError):
    """Not an image file, or a corrupt one."""


class ImageTooLarge(PreprocessingError):
    """More pixels than any photo has: refused before decoding."""


class NoDigitFound(PreprocessingError):
    """The image decodes, but holds nothing that reads as one whole digit."""


class DigitCutOff(NoDigitFound):
    """The writing runs off the edge of the picture: part of the digit is missing."""
