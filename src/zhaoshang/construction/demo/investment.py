def load_demo() -> None:
    """Filled in by the key-list/monthly-investment work."""
