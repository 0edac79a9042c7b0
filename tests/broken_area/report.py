"""The report section the declaration means (never run: the test only checks that the path imports)."""


def section(*, year, township=None):
    raise NotImplementedError
