import datetime
from decimal import Decimal

import factory

from bureau.models import ReviewStatus
from tests.factories import PersonFactory
from tests.kit_area.models import Grant


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    person = factory.SubFactory(PersonFactory)
    township = factory.LazyAttribute(lambda o: o.person.township)
    amount = Decimal("1200.00")
    granted_on = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=n))
    bank_account = "6222021234567890123"
    review_status = ReviewStatus.APPROVED
