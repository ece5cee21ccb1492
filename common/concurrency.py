"""Optimistic concurrency: a change saved over a page opened before someone else's save is refused, not applied.

A record's *version* is a digest of what is stored for it (its own columns and the rows its inlines edit) and the
moment it was read. The change form carries the version it was opened with; the save compares it with the stored
record, locked for the rest of the transaction, and refuses with the other person's changes listed (who, when,
field: old → new). The API does the same with ``ETag`` / ``If-Match`` and answers 409.

Every write path of the platform records history, so the changes since the page was opened can be named; a write
that left none (a bulk job) still changes the digest and is refused as "已被修改".
"""
from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django import forms
from django.db import models
from django.utils import formats, timezone

from .history import delta_lines

VERSION_FIELD = "loaded_version"
STALE_MESSAGE = "您打开本页之后，这条记录已被修改："
RESAVE_HINT = ("您的修改没有保存。请核对以上改动：如确认以您填写的内容为准，请再次点击保存（将覆盖上述改动）；"
               "否则请重新打开本页，在最新内容上修改。")


def _rows(queryset) -> Iterable[tuple]:
    model = queryset.model
    names = [f.attname for f in model._meta.concrete_fields]
    return queryset.order_by("pk").values_list(*names)


def digest(model, pk, related: Iterable[models.QuerySet] = ()) -> str:
    """What is stored for the record ``pk`` of ``model`` and for the rows of ``related``, as one short digest."""
    h = hashlib.blake2b(digest_size=12)
    for queryset in (model._base_manager.filter(pk=pk), *related):
        h.update(queryset.model._meta.label.encode())
        for row in _rows(queryset):
            h.update(repr(row).encode())
    return h.hexdigest()


def version(model, pk, related: Iterable[models.QuerySet] = ()) -> str:
    """The record's version now: the digest and the moment it was read (to name the changes made after it)."""
    return f"{timezone.now().isoformat()}|{digest(model, pk, related)}"


def lock(model, pk) -> None:
    """Hold the record's row until the transaction ends, so two saves of one page take turns."""
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk"))


def parse(value: str | None) -> tuple[datetime.datetime | None, str | None]:
    if not value or "|" not in value:
        return None, None
    moment, _, digest_ = value.partition("|")
    try:
        read_at = datetime.datetime.fromisoformat(moment)
    except ValueError:
        return None, None
    return read_at, digest_


def is_stale(model, pk, loaded: str | None, related: Iterable[models.QuerySet] = ()) -> bool:
    """Whether the stored record differs from the version ``loaded``. A missing or unreadable version (a page
    rendered before versions existed, a client that sends none) is not stale: nothing can be compared."""
    _, loaded_digest = parse(loaded)
    return loaded_digest is not None and loaded_digest != digest(model, pk, related)


def changes_since(model, pk, loaded: str | None, related: Iterable[tuple[models.Model, models.QuerySet]] = ()
                  ) -> list[str]:
    """The changes recorded for the record (and the rows of ``related``, pairs of model and history queryset)
    after the version ``loaded`` was read: 「张三 12月7日 20:15：字段：旧 → 新；…」, oldest first."""
    read_at, _ = parse(loaded)
    history = getattr(model, "history", None)
    if read_at is None or history is None:
        return []
    lines = []
    versions = list(history.filter(**{model._meta.pk.attname: pk}).order_by("history_date", "history_id")
                    .select_related("history_user"))
    for index, entry in enumerate(versions):
        if entry.history_date <= read_at:
            continue
        previous = versions[index - 1] if index else None
        what = "；".join(delta_lines(model, entry, previous)) if previous is not None else "新建"
        if entry.history_type == "-":
            what = "删除"
        lines.append(f"{_who(entry)}：{what or '（内容未变）'}")
    for related_model, queryset in related:
        entries = list(queryset.filter(history_date__gt=read_at).select_related("history_user")
                       .order_by("history_date", "history_id"))
        if entries:
            verbs = {"+": "增加", "~": "修改", "-": "删除"}
            counted: dict[str, int] = {}
            for entry in entries:
                counted[verbs[entry.history_type]] = counted.get(verbs[entry.history_type], 0) + 1
            summary = "、".join(f"{verb} {count} 行" for verb, count in counted.items())
            lines.append(f"{_who(entries[-1])}：{related_model._meta.verbose_name} {summary}")
    return lines


def _who(entry) -> str:
    user = entry.history_user
    name = (user.get_full_name() or user.get_username()) if user is not None else "系统"
    moment = formats.date_format(timezone.localtime(entry.history_date), "DATETIME_FORMAT")
    return f"{name}（{moment}）"


def stale_message(lines: list[str]) -> str:
    if not lines:
        return STALE_MESSAGE + "其他账号或导入改动了它。" + RESAVE_HINT
    return STALE_MESSAGE + "；".join(lines) + "。" + RESAVE_HINT


# --- the API: ETag on reads, If-Match on writes ---------------------------------------------------------------
API_STALE = "您读取之后，这条记录已被修改："
API_HINT = "本次写入没有执行。请重新读取记录，在最新内容上修改，并在 If-Match 中带上新的 ETag（见 etag）。"
API_BAD_TAG = ("If-Match 中的版本无法识别：请先读取记录（GET），把响应头 ETag 的值原样放在 If-Match 中；"
               "不需要版本检查时不带 If-Match。")


def _last_history_id(model, pk) -> int:
    history = getattr(model, "history", None)
    if history is None:
        return 0
    last = (history.filter(**{model._meta.pk.attname: pk}).order_by("-history_date", "-history_id")
            .values_list("history_id", flat=True).first())
    return last or 0


def etag(model, pk) -> str:
    """The record's version for the API: its last history entry and the digest of its stored columns. It stays
    the same while the record does, so a client may read, wait and write."""
    return f'"{_last_history_id(model, pk)}-{digest(model, pk)}"'


def api_stale(model, pk, if_match: str | None) -> tuple[str, str] | None:
    """``None`` if the write may go ahead (no If-Match, ``*``, or the version still stored); otherwise the Chinese
    reason and the current ETag."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    current = etag(model, pk)
    if current.strip('"') in tags:
        return None
    history_id, _, loaded_digest = tags[0].partition("-")
    if not history_id.isdigit() or not loaded_digest:
        return API_BAD_TAG, current
    lines = []
    history = getattr(model, "history", None)
    if history is not None:
        read_at = (history.filter(history_id=int(history_id)).values_list("history_date", flat=True).first())
        if read_at is not None:
            lines = changes_since(model, pk, f"{read_at.isoformat()}|{loaded_digest}")
    reason = "；".join(lines) if lines else "其他账号或导入改动了它"
    return f"{API_STALE}{reason}。{API_HINT}", current


class VersionField(forms.CharField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        super().__init__(**kwargs)


def versioned_form(form_class, related_for):
    """``form_class`` with the version it was opened with; a save over a newer stored record is refused with the
    changes listed, and the refused form carries the newer version, so saving again overwrites knowingly.
    ``related_for(pk)`` gives the inline querysets and their history querysets of the record ``pk``."""

    class VersionedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[VERSION_FIELD] = VersionField()
            pk = self.instance.pk if self.instance is not None else None
            if pk is not None and not self.is_bound:
                rows, _ = related_for(pk)
                self.initial[VERSION_FIELD] = version(type(self.instance), pk, rows)

        def clean(self):
            pk = self.instance.pk
            model = type(self.instance)
            if pk is None or not model._base_manager.filter(pk=pk).exists():
                return super().clean()
            loaded = self.data.get(self.add_prefix(VERSION_FIELD))
            rows, histories = related_for(pk)
            lock(model, pk)
            if is_stale(model, pk, loaded, rows):
                lines = changes_since(model, pk, loaded, histories)
                data = self.data.copy()
                data[self.add_prefix(VERSION_FIELD)] = version(model, pk, rows)
                self.data = data
                raise forms.ValidationError(stale_message(lines), code="stale")
            return super().clean()

    VersionedForm.__name__ = form_class.__name__
    return VersionedForm
