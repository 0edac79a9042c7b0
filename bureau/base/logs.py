"""
What the portal writes to its logs and audit trail about text a user typed: never an ID number,
phone or bank card. Imported by the LOGGING configuration, so it imports no models.
"""

import logging
import re

# Eleven or more digits in a row: an ID number (17 digits and a check character), a phone or a bank card.
_PERSONAL_NUMBER = re.compile(r"\d[\dXx]{10,}")


def mask_personal_numbers(text) -> str:
    """
    Text with every run of eleven or more digits masked to its last four: an ID number or phone
    typed where it does not belong (the username box, a URL) is kept out of events and logs.
    """
    return _PERSONAL_NUMBER.sub(lambda match: "*" * (len(match[0]) - 4) + match[0][-4:], str(text or ""))


class PersonalNumberLogFilter(logging.Filter):
    """A logging filter: the message and its arguments with personal numbers masked (django.request logs paths)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = mask_personal_numbers(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_personal_numbers(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """AXES_CLIENT_STR_CALLABLE: how django-axes names a client in its log lines, without personal data."""
    return f"{{username: {mask_personal_numbers(username)!r}, ip_address: {ip_address!r}, path_info: {mask_personal_numbers(path_info)!r}}}"
