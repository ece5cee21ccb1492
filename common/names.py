"""People's names as one spelling: the separator in a transcribed name (巴特尔·额尔敦, 斯琴·高娃) is typed in many
look-alike ways — a bullet, a katakana or full-width stop, a full stop, spaces around it — and every one of them
is stored as the middle dot U+00B7, on every form, API call and import, so the same person is the same name."""
import re

from django.db import models

# · (U+00B7) and the characters that are typed for it
NAME_DOTS = "\u00b7\u0387\u2022\u2027\u2219\u22c5\u30fb\uff65\uff0e\ufe52\u002e\u25cf\u2024"
_SEPARATOR = re.compile(rf"(?<=\S)\s*[{re.escape(NAME_DOTS)}]\s*(?=\S)")
_SPACES = re.compile(r"\s+")


def normalise_name(value):
    """The name with its separators as ``·`` and runs of spaces as one; anything not a string is returned as is."""
    if not isinstance(value, str) or not value:
        return value
    return _SEPARATOR.sub("\u00b7", _SPACES.sub(" ", value.strip()))


class PersonNameField(models.CharField):
    """A person's name, normalised (``normalise_name``) when a form or ``full_clean`` reads it and whenever the
    row is saved or bulk-created."""

    def to_python(self, value):
        return normalise_name(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalise_name(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def stored_names_normaliser(specs):
    """A data migration's function: normalise the names already stored in ``specs``, a list of (app label,
    model name, [field, …]); only rows with a separator or a space are read, changed ones written in bulk."""

    def normalise_stored_names(apps, schema_editor):
        pattern = "[" + re.escape(NAME_DOTS) + r"]|\s"
        for app_label, model_name, fields in specs:
            model = apps.get_model(app_label, model_name)
            condition = models.Q()
            for field in fields:
                condition |= models.Q(**{f"{field}__regex": pattern})
            changed = []
            for obj in model.objects.filter(condition).only("pk", *fields).iterator(chunk_size=2000):
                before = [getattr(obj, f) for f in fields]
                for field in fields:
                    setattr(obj, field, normalise_name(getattr(obj, field)))
                if [getattr(obj, f) for f in fields] != before:
                    changed.append(obj)
            model.objects.bulk_update(changed, fields, batch_size=2000)

    return normalise_stored_names
