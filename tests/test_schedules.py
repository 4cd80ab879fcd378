"""The recurring tasks exist after `migrate`, pointing at tasks that exist."""

from importlib import import_module

import pytest
from django_q.models import Schedule

pytestmark = pytest.mark.django_db

EXPECTED = {
    "shift-reminders": ("amap.distribution.tasks.send_shift_reminders_task", None),
    "close-due-cycles": ("amap.distribution.tasks.close_due_cycles_task", 5),
    "picking-lists": ("amap.orders.tasks.send_picking_lists_task", 15),
    "close-group-purchases": ("amap.groupbuy.tasks.close_due_campaigns_task", 5),
    "sweeper": ("amap.orders.tasks.sweep_task", 5),
    "group-purchase-sweeper": ("amap.groupbuy.tasks.sweep_task", 5),
    "dispatch-outbox": ("amap.operations.tasks.dispatch_outbox_task", 1),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_recurring_task_is_scheduled_and_importable(name):
    func, minutes = EXPECTED[name]
    schedule = Schedule.objects.get(name=name)
    assert schedule.func == func
    assert schedule.repeats == -1
    if minutes is not None:
        assert (schedule.schedule_type, schedule.minutes) == ("I", minutes)
    module, _dot, attribute = func.rpartition(".")
    assert callable(getattr(import_module(module), attribute))
