"""Names in the live panels are shown as text: what htmx swaps into a page
(a group purchase's progress, a document's progress) runs no script, even
when a name or an error message holds HTML (issue #15).

The maps have their own test (test_map_names.py); these are the two pages
whose content changes under the reader's eyes.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import StoredDocument
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    PickupPointFactory,
    PledgeFactory,
    PriceTierFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

IMG = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT = "<script>document.title='pwned'</script>"


@pytest.fixture
def page(desktop):
    """The desktop page, every dialog recorded."""
    desktop.dialogs = []

    def record(dialog):
        desktop.dialogs.append(dialog.message)
        dialog.dismiss()

    desktop.on("dialog", record)
    return desktop


def assert_text_only(page, region, names, title):
    """The names are read in `region`, no element was built from them, and no
    script ran."""
    text = region.inner_text()
    for name in names:
        assert name in text
    assert region.locator(":is(img[src=x], script)").count() == 0
    page.wait_for_timeout(300)  # time for a broken image's onerror to run
    assert page.title() == title
    assert page.dialogs == []


def test_the_group_purchase_panel_shows_hostile_names_as_text(
    page, live_server, member, collective
):
    campaign = GroupPurchaseFactory(
        collectives=[collective],
        title="Café " + IMG,
        supplier_name="Coop " + SCRIPT,
    )
    item = GroupItemFactory(campaign=campaign, name="Grains " + IMG, case_size=6)
    PriceTierFactory(item=item, min_cases=0, unit_price="14.00")
    PledgeFactory(item=item, quantity=4, tolerance=0)

    log_in(page, live_server, member.email)
    page.goto(f"{live_server.url}/achats-groupes/{campaign.pk}/")
    title = page.title()
    assert title != "pwned"
    row = f"[data-progress-panel] [data-item='{item.pk}']"
    assert page.locator(row).get_attribute("data-missing") == "2"
    # Typing a quantity swaps the panel in (htmx): the name comes back from
    # the server inside the new content.
    page.fill(f"input[name=quantity_{item.pk}]", "1")
    page.wait_for_selector(f"{row}[data-missing='1']")
    assert_text_only(page, page.locator("[data-progress-panel]"), [item.name], title)
    assert_text_only(page, page.locator("main"), [campaign.title], title)


def test_the_document_progress_panel_shows_a_hostile_error_as_text(
    page, live_server, organiser, collective
):
    point = PickupPointFactory(collective=collective, name="Salle " + IMG)
    distribution = DistributionFactory(
        cycle__collective=collective,
        pickup_point=point,
        date=timezone.localdate() + timedelta(days=3),
    )
    document = StoredDocument.objects.create(
        distribution=distribution,
        kind="sheet",
        fmt="csv",
        status=StoredDocument.Status.RUNNING,
        progress=30,
        requested_at=timezone.now(),
        started_at=timezone.now(),
    )

    log_in(page, live_server, organiser.email)
    page.goto(
        live_server.url
        + reverse("orders:document_progress", args=[distribution.pk, "sheet", "csv"])
    )
    title = page.title()
    assert title != "pwned"
    assert_text_only(page, page.locator("main"), [point.name], title)

    # The worker fails with a message quoting a name: the panel polling the
    # page swaps the failure in.
    StoredDocument.objects.filter(pk=document.pk).update(
        status=StoredDocument.Status.FAILED, error="Échec pour " + SCRIPT + IMG
    )
    failed = page.locator("#document-progress", has_text="Échec pour")
    failed.wait_for(timeout=20_000)
    assert_text_only(page, failed, ["Échec pour " + SCRIPT + IMG], title)
