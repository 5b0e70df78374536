"""Errors that the CLI turns into one line on stderr and a non-zero exit code."""

from __future__ import annotations


class FidelityError(Exception):
    """Base class: a problem the user can fix; the message is one line."""

    exit_code = 2


class InputError(FidelityError):
    """A file that cannot be read as text in the declared language."""


class ModelError(FidelityError):
    """The embedding model cannot be loaded."""
