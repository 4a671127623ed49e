"""Fixtures of the core tests: the stand-in model naming Persons (``person_refs``) is
registered and given its table by ``tests/conftest.py`` for every test: any test of a
worker (the API fuzzing, say) may walk Person's relations once the model is imported."""
