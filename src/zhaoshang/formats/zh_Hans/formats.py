"""Formats of this language: the shared ones (``zhaoshang.formats``)."""

from ..common import *  # noqa: F403
