"""A report section that always fails: point settings.REPORT_SECTIONS here to test a failed run."""


def section(*, year: int, township=None):
    raise RuntimeError("simulated failure while collecting a section")
