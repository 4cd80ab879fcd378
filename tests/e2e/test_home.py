import pytest

from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def home_page(db):
    """The home page the migrations create, published with a French title."""
    from cms.models import HomePage

    home = HomePage.objects.first()
    home.title = "Réseau des AMAP du Pays nantais"
    home.save_revision().publish()
    return home


def test_a_member_logs_in_and_sees_their_collective_on_the_home_page(
    phone, live_server, member, collective, other_collective, home_page, tmp_path
):
    log_in(phone, live_server, member.email)
    phone.goto(f"{live_server.url}/")

    mine = phone.locator(f"[data-collective='{collective.slug}']")
    assert mine.get_by_text("Votre collectif").is_visible()
    assert "card-highlight" in mine.get_attribute("class")
    other = phone.locator(f"[data-collective='{other_collective.slug}']")
    assert other.is_visible()
    assert "card-highlight" not in other.get_attribute("class")

    screenshot = tmp_path / "home-member-phone.png"
    phone.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    # Nothing overflows a 360 px screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
