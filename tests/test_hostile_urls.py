"""Every URL that takes an id or a code answers a malformed one with 404 (or a Chinese 400 for a bad query), never
a 500: each admin, API and dashboard URL pattern is walked and filled with the hostile set, as the superuser, a
county user and a read-only official. A new URL with a parameter is covered without being listed."""
import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db

HOSTILE = ("abc", "1.5", "²", "' OR 1=1--", "-1", "99999999999999999999", "0x1F", "1e3", "%00", "١٢")


def parameterised_urls(patterns=None, namespace=""):
    """``(name, number of arguments)`` of every named URL pattern that takes arguments."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            # a resolver's own prefix may take arguments too (none here); its patterns are walked as they are
            yield from parameterised_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            groups = entry.pattern.regex.groups
            if groups:
                yield f"{namespace}{entry.name}", groups


def hostile_urls():
    urls = set()
    for name, count in parameterised_urls():
        for value in HOSTILE:
            for position in range(count):
                args = ["1"] * count
                args[position] = value
                try:
                    urls.add(reverse(name, args=args))
                except NoReverseMatch:  # the converter refuses the value: the URL cannot even be formed
                    continue
    return sorted(urls)


URLS = hostile_urls()


def test_the_walk_reaches_admin_history_certificate_password_and_dashboard_urls():
    joined = "\n".join(URLS)
    for fragment in ("/abc/history/", "/1/history/abc/", "/certificate/%C2%B2/pdf/", "/password/",
                     "/dashboard/d/abc/data.json", "/api/v1/volunteers/abc/", "/api/v1/volunteers/%C2%B2/reveal/"):
        assert fragment in joined, fragment
    assert len(URLS) > 500


@pytest.mark.parametrize("who", ["superuser", "county", "official"])
def test_no_hostile_id_gives_a_server_error(client, make_staff, who):
    user = {"superuser": lambda: make_staff(superuser=True),
            "county": lambda: make_staff(Role.COUNTY_STAFF, "150102"),
            "official": lambda: make_staff(Role.OFFICIAL, "15")}[who]()
    client.force_login(user)
    client.raise_request_exception = False
    failures = []
    for url in URLS:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url} → {response.status_code}")
    assert failures == []
