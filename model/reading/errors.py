"""Files the reader cannot take at all; each has its own polite reply in the bot.

A picture that decodes but holds nothing to read is not an error: the reader returns a
`Reading` with a `Refusal` that says why.
"""


class PreprocessingError(ValueError):
    """The file cannot be read as a picture; the message is for logs, not users."""


class UnreadableImage(PreprocessingError):
    """Not an image file, or a corrupt one."""


class ImageTooLarge(PreprocessingError):
    """More pixels than any photo has: refused before decoding."""
