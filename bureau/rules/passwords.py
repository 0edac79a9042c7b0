"""
Password validators of the MLPS level-3 policy, with Chinese messages.

Django's own validators are subclassed for their checks; their messages are replaced because
Django's zh_Hans catalogue leaves some in English ("This password is too short…").
They apply where a password is chosen in a form (admin, changepassword); `set_password()`
in code and tests is not validated.
"""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


CHARACTER_CLASSES = {
    "小写字母": set(string.ascii_lowercase),
    "大写字母": set(string.ascii_uppercase),
    "数字": set(string.digits),
}


class CharacterClassesValidator:
    """At least `min_classes` of lower-case letters, upper-case letters, digits and symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        characters = set(password)
        used = sum(1 for members in CHARACTER_CLASSES.values() if characters & members)
        # Anything that is not an ASCII letter or digit counts as a symbol (punctuation, space, 汉字).
        if characters - set().union(*CHARACTER_CLASSES.values()):
            used += 1
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(self.get_help_text(), code="password_too_common") from None

    def get_help_text(self):
        return "密码过于常见，请换一个不易猜到的密码。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(self.get_help_text(), code="password_too_similar") from None

    def get_help_text(self):
        return "密码与用户名、姓名或邮箱过于相似。"
