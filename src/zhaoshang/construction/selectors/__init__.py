"""Every read of project construction, always scoped to the user first.
Split by subject like ``construction.services``."""
