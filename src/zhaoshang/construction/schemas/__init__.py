"""API shapes of project construction, split by subject like ``construction.services``."""
