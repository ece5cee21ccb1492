from django.core.exceptions import ValidationError
from stdnum.cn import uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as _E


def normalise_uscc(value: str) -> str:
    """Upper-case, with full-width characters and spaces removed, as people type it."""
    value = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in value or "")
    return uscc.compact(value)


def validate_uscc(value: str) -> None:
    """统一社会信用代码 per GB 32100-2015: 18 characters with a check character (python-stdnum)."""
    if not value:
        return
    try:
        uscc.validate(normalise_uscc(value))
    except InvalidLength:
        raise ValidationError("统一社会信用代码应为 18 位，当前为 %(n)s 位。", params={"n": len(value)}, code="length")
    except InvalidChecksum:
        raise ValidationError("统一社会信用代码校验位不正确，请核对原件。", code="checksum")
    except (InvalidFormat, InvalidComponent):
        raise ValidationError("统一社会信用代码含有不允许的字符或格式错误。", code="format")
    except _E:
        raise ValidationError("统一社会信用代码无效。", code="invalid")
