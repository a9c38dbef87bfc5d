"""The digit recogniser: network, MNIST data, preprocessing, training and evaluation.

Nothing in this package knows about Telegram; the bot imports it, never the reverse.
"""
