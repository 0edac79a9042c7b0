"""
Numbers spelt in Chinese characters, as the annual report writes its ordinals: 第八个烈士纪念日,
第二届“最美退役军人”, 第五批. Counts and money stay in Arabic digits (GB/T 15835-2011, 出版物上数字用法,
asks for Arabic digits where a number counts or measures); this module is only for the ordinals
the reference report spells out.
"""

DIGITS = "零一二三四五六七八九"
# Largest unit first; 万 and 亿 group by four digits, so 10¹² reads 一万亿 (not 兆, which also means 10⁶).
UNITS = ((100_000_000, "亿"), (10_000, "万"), (1000, "千"), (100, "百"), (10, "十"))


def chinese_number(n: int) -> str:
    """
    0 → 零, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五, 110 → 一百一十, 1010 → 一千零一十,
    10000 → 一万, 20000 → 二万, 100000 → 十万, 10⁸ → 一亿.

    Ordinary written usage: a number opening with ten drops the 一 (十五, 十万) and keeps it
    inside (一百一十); one 零 stands for any gap of zeros before a digit (一千零五, 一万零一百),
    trailing zeros are not read. Always 二, never 两: 两 is the colloquial count before a measure
    word (两万人), and this spells ordinals (第二万), as the report's 第二届 does.
    """
    if n < 0:
        raise ValueError(f"chinese_number spells whole numbers from 0 up, not {n}")
    return _spell(n, leading=True)


def _spell(n: int, *, leading: bool) -> str:
    if n < 10:
        return DIGITS[n]
    for value, unit in UNITS:
        if n >= value:
            head, rest = divmod(n, value)
            # 十 alone only at the very front: 十二, 十万; 一百一十, 一万零一十 keep their 一.
            text = unit if (head == 1 and unit == "十" and leading) else _spell(head, leading=leading) + unit
            if rest == 0:
                return text
            # A gap: the next digit read is not the one right below this unit (一百零五, 一万零五十).
            gap = "零" if rest < value // 10 else ""
            return text + gap + _spell(rest, leading=False)
    raise AssertionError("unreachable: every n >= 10 has a unit")


def count_word(n) -> str:
    """
    A small count before its measure word, as the reference writes it: 2 → 两 (两场招聘会, 两个报到点,
    两位老兵), any other number in Arabic digits (3天, 8家企业, 45家). Not for ordinals, amounts or dates.
    """
    return "两" if n == 2 else str(n)
