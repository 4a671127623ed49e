def load_demo() -> None:
    """Filled in by the work-plan/reserve work."""
