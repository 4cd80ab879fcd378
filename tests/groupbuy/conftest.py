"""Fixtures shared by the group purchase tests."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import DistributionFactory


@pytest.fixture
def distribution(collective):
    """A distribution of `collective` in 20 days, after the campaigns close."""
    return DistributionFactory(
        cycle__collective=collective, date=timezone.localdate() + dt.timedelta(days=20)
    )
