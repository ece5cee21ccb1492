from django.apps import AppConfig


class CheckupConfig(AppConfig):
    """The 体检: composes each domain app's fact readers with the pure rules of ``associations.rules``.

    It has no models; ``reports`` reads findings from here and never reaches into domain tables itself."""

    name = "checkup"
    verbose_name = "体检"
