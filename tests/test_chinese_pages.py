"""Every page a role can reach speaks Chinese: a crawl of each role's admin (index, app pages, lists, add and
change forms, history and its versions, the record views, its own account, the password change, the 403 and 404
pages) and dashboard, failing on any Latin word in what a person sees (text, button labels, placeholders,
tooltips, options) that is not on the explicit allowed list, and on any raw choice key. A clause ID (T1, G13), a
code or a number is not a word.

Left out on purpose: the browsable API under /api/v1/ (``?format=api``), a developer's tool whose page is
Django REST framework's, with JSON and HTTP headers as its content; its field labels are checked by the API
schema test. The API docs page (/api/docs/) is crawled: Swagger UI draws its controls in the browser."""
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.roles import Role
from accounts.tests.factories import staff_user
from associations.tests.factories import association
from projects.services import service_record_correct

from .matrix import MAKERS, OWN, attach_to

pytestmark = pytest.mark.django_db

# Latin words a person may meet: file kinds, names of standards and products, units.
ALLOWED = {
    "PDF", "Excel", "xlsx", "API", "JSON", "CSV", "Token", "ECharts", "HTML",
    "ISO",  # ISO 8601 dates in help texts
}
ROLES = {
    "region": (Role.REGION_STAFF, "15"),
    "league": (Role.LEAGUE_STAFF, OWN[:4]),
    "county": (Role.COUNTY_STAFF, OWN),
    "township": (Role.COUNTY_STAFF, "150102001"),
    "secretariat": (Role.SECRETARIAT, OWN),
    "official": (Role.OFFICIAL, "15"),
}
WORD = re.compile(r"(?<![A-Za-z0-9_.@/-])[A-Za-z][A-Za-z_']{2,}(?![A-Za-z0-9_@/-])")
SKIP_TAGS = {"script", "style", "noscript", "template"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden, self.links = [], 0, set()

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.hidden += 1
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.add(attrs["href"])
        if tag == "img" and "/admin/img/icon-" in (attrs.get("src") or ""):
            attrs.pop("alt", None)  # Django's ✓/✗ icons: the picture is what is seen (their alt is always English)
        for name in SHOWN_ATTRIBUTES & set(attrs):
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


# Links that answer something other than a page to read: leaving, downloads, a script's data.
NOT_FOLLOWED = re.compile(r"/logout/|/export|/template|\.xlsx|/pdf/|/static/|/data\.json|/api/")


def choice_keys():
    """Every stored choice value that is a Latin word (``approved``, ``cyl_committee``): never shown as is."""
    keys = set()
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            for value, _ in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                    keys.add(value)
    from reports.metrics import METRICS

    keys |= {key for key in METRICS if re.fullmatch(r"[a-z][a-z_]{2,}", key)}
    return keys


def latin_words(text, usernames):
    words = set(WORD.findall(text)) - ALLOWED - usernames
    return {w for w in words if not re.fullmatch(r"user\d+", w)}


def admin_urls(record_of, model_admin, name):
    """The admin pages of one model: list, add, the record's change, history and version pages, and its views."""
    urls = [reverse(f"admin:{name}_changelist"), reverse(f"admin:{name}_add")]
    record = record_of.get(name)
    if record is not None:
        urls += [reverse(f"admin:{name}_change", args=[record.pk]), reverse(f"admin:{name}_history", args=[record.pk])]
        if hasattr(record, "history"):
            for version in record.history.all()[:3]:
                urls.append(reverse(f"admin:{name}_simple_history", args=[record.pk, version.history_id]))
        for extra in ("checkup", "print", "reveal"):
            try:
                urls.append(reverse(f"admin:{name}_{extra}", args=[record.pk]))
            except NoReverseMatch:
                pass
    for extra in ("excel_import",):
        try:
            urls.append(reverse(f"admin:{name}_{extra}"))
        except NoReverseMatch:
            pass
    return urls


@pytest.fixture
def world():
    own = association(OWN)
    records = {name: maker(OWN, n % 3 if name in {"divisions_division", "teams_team"} else n)
               for n, (name, maker) in enumerate(sorted(MAKERS.items())) if name != "associations_association"}
    records["associations_association"] = own
    attach_to(own)
    entry = records["projects_servicerecord"]
    service_record_correct(record=entry, hours="3", reason="签到表核对", user=staff_user(superuser=True))
    own.name = own.name + "（更名）"
    own.save()
    return own, records


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_english_and_no_raw_key_on_any_page_the_role_reaches(client, world, role):
    own, records = world
    kind, code = ROLES[role]
    user = staff_user(kind, association=own) if kind == Role.SECRETARIAT else staff_user(kind, code)
    client.force_login(user)
    usernames = set(type(user).objects.values_list("username", flat=True))
    keys = choice_keys()
    pages = [reverse("admin:index")]
    pages += sorted({reverse("admin:app_list", args=[m._meta.app_label]) for m in admin.site._registry})
    for model, model_admin in admin.site._registry.items():
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        pages += admin_urls(records, model_admin, name)
    pages += [reverse("admin:password_change"), reverse("admin:accounts_user_change", args=[user.pk]),
              reverse("admin:members_volunteer_change", args=[999999]),  # a 404
              reverse("admin:projects_servicerecord_change", args=["x"]), "/no-such-page/"]
    pages += ["/api/docs/"]
    pages += [reverse("reports:home"), reverse("reports:division", args=["15"]),
              reverse("reports:division", args=[OWN[:4]]), reverse("reports:county", args=[OWN]),
              reverse("reports:evaluation", args=[OWN[:4]])]
    found, seen, links = {}, 0, {}
    for url in pages:
        response = client.get(url, follow=True, HTTP_ACCEPT="text/html")
        if "text/html" not in response.get("Content-Type", ""):
            continue  # a download, or JSON for a script
        seen += 1
        text, on_page = visible(response.content.decode())
        if response.status_code == 200:
            for link in on_page:
                links.setdefault(link.split("#")[0], url)
        words = latin_words(text, usernames)
        raw = {w for w in words if w in keys}
        if words:
            found[url] = sorted(words) + ([f"raw keys: {sorted(raw)}"] if raw else [])
    assert seen > 20
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())
    # every link a page offers opens: no 403 or 404 behind a name or a breadcrumb
    broken = {}
    for link, source in sorted(links.items()):
        if NOT_FOLLOWED.search(link) or "?" in link:
            continue
        status = client.get(link, HTTP_ACCEPT="text/html").status_code
        if status not in (200, 302):
            broken[link] = f"{status} (on {source})"
    assert broken == {}


def test_every_api_field_has_a_chinese_label():
    """What the browsable API's forms and the API docs show for each field."""
    from config.api import router

    unlabelled = {}
    for prefix, viewset, _ in router.registry:
        serializer_class = viewset.serializer_class or viewset().get_serializer_class()
        for name, field in serializer_class().fields.items():
            if name != "id" and not re.search(r"[\u4e00-\u9fff]", str(field.label or "")):
                unlabelled.setdefault(prefix, []).append(f"{name} ({field.label})")
    assert unlabelled == {}
