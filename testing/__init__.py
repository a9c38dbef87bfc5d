"""Test doubles that tests and benchmarks share: a fake Telegram Bot API server."""
