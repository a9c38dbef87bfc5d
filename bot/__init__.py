"""The Telegram side of the digit bot: settings, handlers, replies. No ML code lives here."""
