"""Demo placement batches (written with the placement session): the demo year's, held; this year's, to hold."""


def seed(*, year: int, scale: str, stdout) -> None:
    """The demo year's placement batch, its session held and every candidate placed."""


def seed_this_year(*, today, scale: str, stdout) -> None:
    """This year's placement batch, prepared, its session not yet held."""
