import datetime
from decimal import Decimal

import factory

from bureau.models import ReviewStatus
from tests.factories import PersonFactory
from tests.kit_area_two.models import Stipend


class StipendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stipend

    person = factory.SubFactory(PersonFactory)
    township = factory.LazyAttribute(lambda o: o.person.township)
    amount = Decimal("800.00")
    paid_on = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))
    bank_account = "6222029876543210987"
    review_status = ReviewStatus.APPROVED
