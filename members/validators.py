import re
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from common.excel import normalise_text

MIN_VOLUNTEER_AGE = 14
ADULT_AGE = 18
MEMBER_AGE_RANGE = (14, 45)  # G6


_SPACES = re.compile(r"\s+")
_PHONE_SEPARATORS = re.compile(r"[\s\-–—()（）]")
_PHONE = re.compile(r"1\d{10}|0\d{9,11}")
_COUNTRY_CODE = re.compile(r"^(?:\+|00)?86(?=1\d{10}$)")  # +86 138…, 0086 138…, 86 138… (a mobile after it)


def normalise_id_number(value: str) -> str:
    """Full-width digits, spaces and a lower-case x, as people type them."""
    return _SPACES.sub("", normalise_text(value or "") or "").upper()


# GB/T 2260 province-level prefixes. python-stdnum's area list lacks many codes created since 2000 (the whole
# of 鄂尔多斯 and 呼伦贝尔, 康巴什区 …), and a person's number keeps the code of where it was issued, so the area is
# accepted when stdnum knows it, when it is one of the platform's own divisions, or when its province exists.
PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
}


def validate_id_number(value: str) -> str:
    """居民身份证号码 (GB 11643): 18 characters, the check character (python-stdnum), a real birth date and a
    plausible area code. 15-digit numbers are refused. Returns the normalised number."""
    number = normalise_id_number(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError("15 位身份证号码已停止使用，请填写 18 位号码。", code="fifteen")
    if len(number) != 18:
        raise ValidationError("身份证号码应为 18 位，当前为 %(n)s 位。", params={"n": len(number)}, code="length")
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号码前 17 位应为数字，最后一位为数字或 X。", code="format")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对证件。", code="checksum")
    try:
        birth = birth_date_of(number)
    except ValueError:
        raise ValidationError("身份证号码中的出生日期不存在。", code="birth_date") from None
    if birth > date.today() or birth.year < 1900:
        raise ValidationError("身份证号码中的出生日期不合理。", code="birth_date")
    if not _area_known(number[:6]):
        raise ValidationError("身份证号码的地区码不存在。", code="area")
    return number


@lru_cache(maxsize=8192)
def _area_known(area: str) -> bool:
    # Cached: area codes are reference data, and a provincial import checks the same few hundred codes.
    if area[:2] not in PROVINCE_PREFIXES:
        return False
    try:
        ric.get_birth_place(area + "0" * 12)
        return True
    except InvalidComponent:
        pass
    from divisions.models import Division

    return area[2:] != "0000" and (area[:2] != "15" or Division.objects.filter(code=area).exists())


def birth_date_of(number: str) -> date:
    """Digits 7–14 of a normalised number (stdnum's ``get_birth_date`` does the same after re-cleaning the text,
    which costs more than the whole check on an import of a million rows)."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(number: str) -> str:
    return "male" if int(number[16]) % 2 else "female"


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def validate_phone(value: str) -> str:
    """The number as stored: separators (spaces, dashes, brackets around an area code) and China's country code
    removed; forms, the API and imports all read a phone through here."""
    number = _PHONE_SEPARATORS.sub("", normalise_text(value or "") or "")
    number = _COUNTRY_CODE.sub("", number.replace("＋", "+"))
    if number and not _PHONE.fullmatch(number):
        raise ValidationError("手机号码应为 11 位数字（以 1 开头），固定电话请带区号。", code="phone")
    return number
