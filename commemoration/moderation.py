"""
What a memorial message may carry that the moderator should see first: a link or a phone number.

`contact_flag(text)` looks at a message (and its signature) once it is saved: links (http(s)://,
www., a domain such as example.com or 网站.cn, written with full-width letters or 。 or 点 as well)
and phone numbers (a mainland mobile 1[3-9]xxxxxxxxx with spaces or dashes, a landline such as
010-12345678 or (0571)8888888, a QQ or 微信 number or ID given as such). A date (2021-05-01), a year
or an ID number is not a phone number. The flag is for the moderator only: a flagged message waits
for moderation like any other and is never published without it.
"""

import re
import unicodedata

TLDS = (
    "com|cn|net|org|gov|edu|info|biz|top|xyz|vip|club|shop|site|online|store|tech|cc|tv|me|io|co|"
    "wang|ltd|link|live|fun|work|xin|ink|pro|asia|mobi|name|hk|tw"
)
_LINK = re.compile(
    r"https?\s*:\s*//"
    r"|www\s*[.。点]"
    rf"|(?<![a-z0-9-])[a-z0-9][a-z0-9-]*(?:\s*[.。点]\s*[a-z0-9-]+)*\s*[.。点]\s*(?:{TLDS})(?![a-z0-9])",
    re.IGNORECASE,
)
# A mainland mobile number: 11 digits from 13-19, a space or a dash allowed between any two, +86 before.
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?![\d])")
# A landline: an area code 0xx or 0xxx, then 7 or 8 digits (a dash, a space or brackets between).
_LANDLINE = re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)\s*|0\d{2,3}[\s-]?)[1-9]\d{6,7}(?![\d])")
# A QQ or WeChat account given as such: QQ 12345678, 微信：abc_123, vx wang888.
_ACCOUNT = re.compile(
    r"(?:qq|扣扣|微信|威信|薇信|v信|vx|wx|weixin)\s*号?\s*[:：]?\s*(?:是\s*)?[a-z0-9][a-z0-9_-]{4,19}(?![a-z0-9_-])",
    re.IGNORECASE,
)


def normalised(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII (ｗｗｗ．ａｂｃ．ｃｏｍ, １３９…), one space for any run of spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or ""))


def has_link(text: str) -> bool:
    return bool(_LINK.search(normalised(text)))


def has_phone(text: str) -> bool:
    text = normalised(text)
    return any(pattern.search(text) for pattern in (_MOBILE, _LANDLINE, _ACCOUNT))


def contact_flag(text: str) -> str:
    """ "link", "phone", "both" or "none" (the values of `Tribute.ContactFlag`)."""
    link, phone = has_link(text), has_phone(text)
    if link and phone:
        return "both"
    return "link" if link else "phone" if phone else "none"
