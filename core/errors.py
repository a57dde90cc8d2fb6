"""Domain errors: what a user or a device can cause, with a message they can act on."""


class AtelierError(Exception):
    """Base of every error Atelier shows to a person instead of a traceback."""


class ConfigError(AtelierError):
    """A configuration file is invalid; the message names the file, the path and the expectation."""


class InputError(AtelierError):
    """Bad input (batch file, serial frame, image, OPC-UA value); the message says what, where."""
