"""Who may open what: every named URL of the site, as each of eight people
(issue #15, acceptance).

The URLs come from the resolver, so a new view cannot be forgotten:
`test_every_named_url_has_a_row` fails, naming it, until `MATRIX` says who
may open it. Each URL is then opened (GET) as every role and the answer
compared with the table; the roles it must refuse also POST an empty form,
which must be refused the same way and write nothing (row counts of every
model of the project before and after). A GET never writes, whoever sends it;
a page shown to someone outside the first collective never shows its private
words (`PRIVATE_TO_A`: its members' names, its contract, campaign, wish…);
an id no database column can hold is a 404.

To add a URL: one line in `MATRIX`, with the scenario's object it is about
(`tests/security_scenario.py`, `_url_kwargs`; add one there if it is new) and
the answer for each role, in the columns' order.
"""

# ruff: noqa: E501  (the table reads best one URL per line)

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests import security_scenario as sc
from tests.security_scenario import ROLES

# Every test is marked, so that the test database is set up even when the
# only test selected does not use it (the module-wide scenario does).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

scenario = sc.scenario_fixture()


@pytest.fixture(autouse=True)
def _media_root(settings, scenario):
    """The scenario's files (a stored sheet, a library document) stay where
    they were written for the whole module."""
    settings.MEDIA_ROOT = scenario.media_root
    settings.PRIVATE_MEDIA_ROOT = scenario.media_root / "private"


# What a role gets ---------------------------------------------------------------
OK = "OK"  # 200: the page, the file, the feed
LOGIN = "LOGIN"  # a redirect to the login page (through admin's, for /admin/)
DENY = "DENY"  # 403 or 404: the same answer as for a missing object
GO = "GO"  # a redirect within the site (nothing to see here: go there)
# A command (POST only) the role may run: GET answers 405; the matrix does
# not POST it, as that would act (each command has its own tests).
CMD = "CMD"
OUTCOMES = {OK, LOGIN, DENY, GO, CMD}

# Addresses not in the table: the internals of Django's admin (/admin/) and
# Wagtail's (/cms/), which are theirs to test, behind their own login. Their
# login pages and their home pages are in the table (rows "admin:…",
# "wagtailadmin_…"), so that a non-staff person is known to get nothing there.
SKIPPED_PREFIXES = ("admin/", "cms/")

# Pages that answer htmx's requests with a partial: tried both ways.
HTMX_PANELS = {"groupbuy:campaign_panel", "orders:document_progress"}

# Columns, in the order of ROLES: anonymous; a member of the first collective
# (memb); a member of the other one (memb2); the manager of the first
# collective's farm (farm); the other farm's manager (farm2); the first
# collective's organiser (orga); the other collective's (orga2); a staff
# account without any permission (staff). Every object is the first
# collective's or its farm's.
# fmt: off
MATRIX = {
    # URL name                                    object                 anon  memb  memb2 farm  farm2 orga  orga2 staff
    # Accounts (allauth, mounted at /compte/)
    "account_change_password":                    (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "account_confirm_email":                      ("email_key",          "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_confirm_login_code":                 (None,                 "LOGIN GO    GO    GO    GO    GO    GO    GO"),
    "account_confirm_reauthentication_code":      (None,                 "LOGIN GO    GO    GO    GO    GO    GO    GO"),
    "account_email":                              (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "account_email_verification_sent":            (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_inactive":                           (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_login":                              (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_logout":                             (None,                 "GO    OK    OK    OK    OK    OK    OK    OK"),
    "account_reauthenticate":                     (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "account_request_reauthentication_code":      (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "account_reset_password":                     (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_reset_password_done":                (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_reset_password_from_key":            ("reset_key",          "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_reset_password_from_key_done":       (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "account_set_password":                       (None,                 "LOGIN GO    GO    GO    GO    GO    GO    GO"),
    "account_signup":                             (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    # Logins of the admin sites, and what a non-staff person gets there
    # Django's admin shows a staff account without permissions an empty index.
    # Wagtail's password reset goes to allauth's (rate-limited) one.
    "cms_password_reset_redirect":                (None,                "GO    GO    GO    GO    GO    GO    GO    GO"),
    "admin:index":                                (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN OK"),
    "admin:login":                                (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "admin:members_user_changelist":              (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN DENY"),
    "admin_login_redirect":                       (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "cms_login_redirect":                         (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "wagtailadmin_home":                          (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "wagtailadmin_login":                         (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    # Members
    # No charter version is published in the scenario: nothing to accept.
    "members:charter_accept":                     (None,                 "LOGIN GO    GO    GO    GO    GO    GO    GO"),
    "members:charter_pending":                    ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "members:collective_detail":                  ("collective",         "OK    OK    OK    OK    OK    OK    OK    OK"),
    # Asking to join: for anyone logged in, then back to the collective's page.
    "members:collective_join":                    ("collective",         "LOGIN GO    GO    GO    GO    GO    GO    GO"),
    "members:collective_list":                    (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "members:dashboard":                          (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    # The link shows the invitation; only its addressee can accept it.
    "members:invitation_accept":                  ("invitation_token",   "OK    OK    OK    OK    OK    OK    OK    OK"),
    "members:invitation_cancel":                  ("invitation",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "members:membership_action":                  ("membership",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "members:membership_list":                    ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "members:organiser_home":                     (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    # Distribution
    "distribution:calendar":                      ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # A collective's calendar, pickup points and farms are public (its page).
    "distribution:collective_feed":               ("collective",         "OK    OK    OK    OK    OK    OK    OK    OK"),
    "distribution:collective_map":                ("collective",         "OK    OK    OK    OK    OK    OK    OK    OK"),
    "distribution:collective_pickup_points_geojson":("collective",         "OK    OK    OK    OK    OK    OK    OK    OK"),
    "distribution:cycle_close":                   ("cycle",              "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "distribution:cycle_list":                    ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:distribution_cancel":           ("distribution",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:distribution_edit":             ("distribution",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:distribution_shifts":           ("distribution",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # The feed's secret token is its credential (for calendar applications).
    "distribution:member_feed":                   ("feed",               "OK    OK    OK    OK    OK    OK    OK    OK"),
    "distribution:my_feeds":                      (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "distribution:my_pickup_point":               (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "distribution:pickup_point_create":           ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:pickup_point_edit":             ("pickup_point",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:pickup_point_list":             ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:season_create":                 ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:shift_add_standard":            ("collective",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "distribution:shift_assign":                  ("shift",              "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "distribution:shift_coverage":                ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:shift_edit":                    ("shift",              "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "distribution:shift_list":                    (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "distribution:shift_remove":                  ("shift",              "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    # Organisers are members of their collective too.
    "distribution:shift_sign_up":                 ("shift",              "LOGIN CMD   DENY  DENY  DENY  CMD   DENY  DENY"),
    "distribution:shift_unassign":                ("assignment",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "distribution:shift_withdraw":                ("shift",              "LOGIN CMD   DENY  DENY  DENY  CMD   DENY  DENY"),
    # Producers
    "producers:charter_commitments":              ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:collective_producers_geojson":     ("collective",         "OK    OK    OK    OK    OK    OK    OK    OK"),
    "producers:home":                             (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "producers:moderation_queue":                 ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # A GET goes back to the queue, where the review forms are.
    "producers:moderation_review":                ("submission",         "LOGIN DENY  DENY  DENY  DENY  GO    DENY  DENY"),
    "producers:partnership_add":                  ("collective",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "producers:partnership_end":                  ("partnership",        "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "producers:partnership_list":                 ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "producers:partnership_referent":             ("partnership",        "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "producers:partnership_renew":                ("partnership",        "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "producers:producer_create":                  ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "producers:manager_invitation_accept":        ("manager_invitation_token","OK    OK    OK    OK    OK    OK    OK    OK"),
    "producers:manager_invite":                   ("partnership",       "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    # A proposal from the first collective to the other farm: its manager answers.
    "producers:partnership_accept":               ("proposal",          "LOGIN DENY  DENY  DENY  CMD   DENY  DENY  DENY"),
    "producers:partnership_decline":              ("proposal",          "LOGIN DENY  DENY  DENY  CMD   DENY  DENY  DENY"),
    "producers:partnership_proposals":            ("farm",              "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:partnership_trust":                ("partnership",       "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "producers:partnership_withdraw":             ("proposal_withdraw", "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    # Photos waiting for approval: the farm's managers and its moderators only.
    "producers:product_pending_photo":            ("product",           "DENY  DENY  DENY  OK    DENY  OK    DENY  DENY"),
    "producers:submission_photo":                 ("submission_photo",  "DENY  DENY  DENY  OK    DENY  OK    DENY  DENY"),
    "producers:product_archive":                  ("product",            "LOGIN DENY  DENY  CMD   DENY  DENY  DENY  DENY"),
    "producers:product_create":                   ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:product_delete":                   ("product",            "LOGIN DENY  DENY  CMD   DENY  DENY  DENY  DENY"),
    "producers:product_edit":                     ("product",            "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:product_list":                     ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:product_unarchive":                ("product",            "LOGIN DENY  DENY  CMD   DENY  DENY  DENY  DENY"),
    "producers:profile_edit":                     ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "producers:stock_grid":                       ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    # Orders
    "orders:absence_cancel":                      ("absence",            "LOGIN CMD   DENY  DENY  DENY  DENY  DENY  DENY"),
    "orders:absence_create":                      ("absence_distribution","LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:absence_list":                        (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "orders:booking":                             ("distribution",       "LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:contract_create":                     ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:contract_detail":                     ("contract",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:contract_edit":                       ("contract",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:contract_list":                       ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:contract_signup_list":                (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "orders:contract_subscribe":                  ("open_contract",      "LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:dashboard":                           (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "orders:distribution_absences":               ("distribution",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:distribution_choice":                 (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "orders:distribution_documents":              ("distribution",       "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # The file while it is current, else its progress page.
    "orders:collective_export":                   ("collective",        "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:document_download":                   ("document",           "LOGIN DENY  DENY  DENY  DENY  GO    DENY  DENY"),
    "orders:document_progress":                   ("document",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:document_retry":                      ("document",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "orders:document_stored":                     ("document",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:instalment_payment_cancel":           ("instalment",         "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "orders:instalment_history":                  ("instalment",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:my_payments":                         (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "orders:order_cancel":                        ("order",              "LOGIN CMD   DENY  DENY  DENY  DENY  DENY  DENY"),
    "orders:order_detail":                        ("order",              "LOGIN OK    DENY  DENY  DENY  DENY  DENY  DENY"),
    "orders:order_payment_create":                ("order_payment",      "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:payment_list":                        ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:producer_bookings":                   ("farm_cycle",         "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "orders:producer_bookings_csv":               ("farm_cycle",         "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "orders:producer_bookings_pdf":               ("farm_cycle",         "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "orders:producer_cycles":                     ("farm",               "LOGIN DENY  DENY  OK    DENY  DENY  DENY  DENY"),
    "orders:subscription_cancel":                 ("subscription",       "LOGIN CMD   DENY  DENY  DENY  CMD   DENY  DENY"),
    "orders:subscription_detail":                 ("subscription",       "LOGIN OK    DENY  DENY  DENY  DENY  DENY  DENY"),
    "orders:volumes_map":                         ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:volumes_pickup_points_geojson":       ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:volumes_producers_geojson":           ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "orders:week":                                ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # Group purchases
    "groupbuy:campaign_detail":                   ("member_campaign",    "LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:campaign_list":                     (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    "groupbuy:campaign_panel":                    ("member_campaign",    "LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_allocation":                 ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_cancel":                     ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_close":                      ("campaign",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_create":                     ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_detail":                     ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_edit":                       ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_extend":                     ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_item_add":                   ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_item_edit":                  ("campaign_item",      "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_item_remove":                ("campaign_item",      "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_list":                       ("collective",         "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_mark_delivered":             ("campaign",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_mark_ordered":               ("campaign",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_open":                       ("campaign",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_order_anyway":               ("campaign",           "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_payment_cancel":             ("campaign_payment",   "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:manage_payments":                   ("campaign",           "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    # Once a campaign is allocated (the scenario's second campaign).
    "groupbuy:manage_supplier_order_csv":         ("allocated_campaign", "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:manage_supplier_order_pdf":         ("allocated_campaign", "LOGIN DENY  DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:wish_decline":                      ("wish",               "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:wish_detail":                       ("wish",               "LOGIN OK    DENY  DENY  DENY  OK    DENY  DENY"),
    "groupbuy:wish_list":                         (None,                 "LOGIN OK    OK    OK    OK    OK    OK    OK"),
    # Farm managers and staff belong to no collective, so they cannot propose.
    "groupbuy:wish_propose":                      (None,                 "LOGIN OK    OK    DENY  DENY  OK    OK    DENY"),
    "groupbuy:wish_to_campaign":                  ("wish",               "LOGIN DENY  DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:wish_vote":                         ("wish",               "LOGIN CMD   DENY  DENY  DENY  CMD   DENY  DENY"),
    "groupbuy:wish_withdraw":                     ("wish",               "LOGIN CMD   DENY  DENY  DENY  CMD   DENY  DENY"),
    # Public site (Wagtail's front end), search, language
    "search":                                     (None,                 "OK    OK    OK    OK    OK    OK    OK    OK"),
    "set_language":                               (None,                 "GO    GO    GO    GO    GO    GO    GO    GO"),
    "wagtail_login_redirect":                     (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "wagtail_serve":                              ("home_page",          "OK    OK    OK    OK    OK    OK    OK    OK"),
    "wagtailcore_authenticate_with_password":     ("page_restriction",   "DENY  DENY  DENY  DENY  DENY  DENY  DENY  DENY"),
    "wagtailcore_login":                          (None,                 "LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN LOGIN"),
    "wagtaildocs_authenticate_with_password":     ("restriction",        "DENY  DENY  DENY  DENY  DENY  DENY  DENY  DENY"),
    "wagtaildocs_serve":                          ("wagtail_document",   "OK    OK    OK    OK    OK    OK    OK    OK"),
    # The load balancer's health check and how to report a vulnerability.
    "health":                                     (None,                "OK    OK    OK    OK    OK    OK    OK    OK"),
    "security_txt":                               (None,                "OK    OK    OK    OK    OK    OK    OK    OK"),
}
# fmt: on


def _url(name: str, scenario) -> str:
    kwargs = scenario.kwargs[MATRIX[name][0]]
    if isinstance(kwargs, list):  # a regular expression's positional groups
        return reverse(name, args=kwargs)
    return reverse(name, kwargs=kwargs)


def _expected(name: str) -> dict[str, str]:
    return dict(zip(ROLES, MATRIX[name][1].split(), strict=True))


def _outcome(response) -> str:
    status = response.status_code
    if status == 200:
        return OK
    if status in (403, 404):
        return DENY
    if status in (301, 302, 303):
        location = urlsplit(response["Location"])
        if location.netloc not in ("", "testserver"):
            return f"{status} to another site ({response['Location']})"
        login_pages = {
            reverse("account_login"),
            reverse("admin_login_redirect"),
            reverse("cms_login_redirect"),
        }
        return LOGIN if location.path in login_pages else GO
    return str(status)


def _send(scenario, role, method, url, **headers):
    """The answer and what was written; a crash reads as a 500 with its error."""
    try:
        response, written = sc.send(scenario, role, method, url, **headers)
    except Exception as error:  # the test client re-raises a view's exception
        return f"500 ({type(error).__name__}: {error})", {}, None
    return _outcome(response), written, response


def test_the_table_is_well_formed(scenario):
    for name, (target, cells) in MATRIX.items():
        assert target in scenario.kwargs, (
            f"{name}: no object {target!r} in the scenario"
        )
        assert len(cells.split()) == len(ROLES), f"{name}: one answer per role"
        assert set(cells.split()) <= OUTCOMES, f"{name}: {cells}"


def test_every_named_url_has_a_row():
    urls = sc.named_urls()
    missing = sorted(
        name
        for name, (route, _) in urls.items()
        if not route.startswith(SKIPPED_PREFIXES) and name not in MATRIX
    )
    assert not missing, (
        "These URLs have no row in MATRIX (tests/test_permission_matrix.py); "
        "add one saying who may open them: " + ", ".join(missing)
    )
    gone = sorted(set(MATRIX) - set(urls))
    assert not gone, "MATRIX has rows for URLs that no longer exist: " + ", ".join(gone)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_who_may_open(scenario, db, name):
    url = _url(name, scenario)
    expected = _expected(name)
    command = CMD in expected.values()
    answers, problems = {}, []
    for role in ROLES:
        answer, written, response = _send(scenario, role, "get", url)
        if written:
            problems.append(f"GET {url} as {role} wrote: {written}")
        if role in sc.OUTSIDERS_OF_A and answer == OK:
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            if leaked := [word for word in sc.PRIVATE_TO_A if word in text]:
                problems.append(
                    f"GET {url} as {role} shows the first collective's {leaked}"
                )
        if command and response is not None and response.status_code == 405:
            # A command does not answer GET; who may run it is what a POST says.
            answer = expected[role] if expected[role] in (CMD, DENY) else answer
        answers[role] = answer
        if expected[role] not in (LOGIN, DENY):
            continue
        # A refused person's POST is refused the same way and writes nothing.
        answer, written, response = _send(scenario, role, "post", url)
        if written:
            problems.append(f"POST {url} as {role} was refused but wrote: {written}")
        if answer != expected[role] and getattr(response, "status_code", 0) != 405:
            problems.append(
                f"POST {url} as {role}: {answer}, expected {expected[role]}"
            )
    wrong = {
        role: f"{answers[role]} (expected {expected[role]})"
        for role in ROLES
        if answers[role] != expected[role]
    }
    assert not wrong, f"GET {url}: {wrong}"
    if name in HTMX_PANELS:
        # The panel alone, as htmx asks for it, to the same people only.
        for role in ROLES:
            answer, written, _ = _send(
                scenario, role, "get", url, HTTP_HX_REQUEST="true"
            )
            if answer != expected[role] or written:
                problems.append(f"GET {url} (htmx) as {role}: {answer} {written}")
    assert not problems, "\n".join(problems)


def test_an_invitation_link_lets_nobody_else_in(scenario, db):
    """Everyone may open the link (the row above); accepting it as anybody but
    its addressee writes nothing."""
    url = _url("members:invitation_accept", scenario)
    for role in ROLES:
        answer, written, _ = _send(scenario, role, "post", url)
        assert not answer.startswith("5"), (role, answer)
        assert not written, f"{role} accepted an invitation for someone else: {written}"


def test_an_id_out_of_the_databases_range_is_not_found(scenario, db):
    """Every address with an id answers 404 to an id no database column can
    hold, as to a missing one (not a 500), for a person allowed the real one."""
    huge = 99999999999999999999
    problems = []
    for name, (target, _) in MATRIX.items():
        kwargs = scenario.kwargs[target]
        if not isinstance(kwargs, dict) or not any(
            isinstance(v, int) for v in kwargs.values()
        ):
            continue
        kwargs = {k: huge if isinstance(v, int) else v for k, v in kwargs.items()}
        url = reverse(name, kwargs=kwargs)
        expected = _expected(name)
        role = next((r for r in ROLES if expected[r] in (OK, GO, CMD)), None)
        if role is None:
            continue
        # A command is posted; so is a page that sends GETs elsewhere, which
        # may also answer a missing object by going there with a message (a
        # change reviewed meanwhile: back to the queue).
        methods = {CMD: ["post"], GO: ["get", "post"]}.get(expected[role], ["get"])
        for method in methods:
            answer, written, response = _send(scenario, role, method, url)
            refused = answer == DENY or answer == GO == expected[role]
            if not refused or written:
                problems.append(f"{method.upper()} {url} as {role}: {answer} {written}")
    assert not problems, "\n".join(problems)
