"""A word rendered by its opposite (placeholder, filled below)."""
from __future__ import annotations

from ..types import Change
from . import LinkText


def antonym_changes(link: LinkText) -> list[Change]:
    return []
