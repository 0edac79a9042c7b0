"""
The rows Django makes up names for, named in Chinese: the link table of a many-to-many field
(「Upgradeproject-memorialfacility relationship: UpgradeProject_facilities object (1)」 on a delete
page) becomes 「改造项目与纪念设施的关联：<项目> — <设施>」.
"""

from django.apps import apps


def _link_str(self) -> str:
    names = self._meta.link_names
    return " — ".join(str(getattr(self, name)) for name in names)


def name_link_tables() -> None:
    for model in apps.get_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created:
                continue
            source, target = field.model._meta, field.related_model._meta
            through._meta.verbose_name = f"{source.verbose_name}与{target.verbose_name}的关联"
            through._meta.verbose_name_plural = through._meta.verbose_name
            through._meta.link_names = (field.m2m_field_name(), field.m2m_reverse_field_name())
            through.__str__ = _link_str


name_link_tables()
