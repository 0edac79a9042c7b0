import datetime

import factory

from pensions.models import BenefitStandard


class BenefitStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitStandard

    category = "disabled_soldier"
    monthly_amount = "2150.00"
    valid_from = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))
