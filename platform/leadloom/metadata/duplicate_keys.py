"""Duplicate keys: the same phone, e-mail, company or 统一社会信用代码 always gives the
same key, however it was typed.

- phone: ``+86 138-1234-5678`` = ``13812345678`` (``metadata.phones``);
- e-mail: case and full-width characters do not matter;
- company: full/half-width characters and brackets, spaces and the legal-form suffix
  (有限公司, 股份有限公司, Co., Ltd. …) do not matter; the *block* (the first characters of
  the name after its region) groups names for fuzzy matching;
- credit code: upper case, no spaces.
"""

from __future__ import annotations

import re
import unicodedata

from leadloom.metadata.phones import normalize_phone

SUFFIXES = tuple(sorted((
    "集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司",
    "集团公司", "总公司", "分公司", "集团", "公司", "coltd", "co.ltd", "co.,ltd", "limited",
    "ltd", "inc", "corporation", "corp", "company", "co",
), key=len, reverse=True))
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
)
CITIES = (
    "杭州", "宁波", "温州", "嘉兴", "绍兴", "金华", "台州", "苏州", "南京", "无锡", "常州", "南通",
    "徐州", "扬州", "合肥", "芜湖", "济南", "青岛", "烟台", "潍坊", "成都", "绵阳", "西安", "武汉",
    "长沙", "郑州", "洛阳", "昆明", "贵阳", "南昌", "兰州", "银川", "西宁", "乌鲁木齐", "拉萨",
    "广州", "深圳", "东莞", "佛山", "珠海", "厦门", "福州", "泉州", "南宁", "海口", "石家庄",
    "太原", "沈阳", "大连", "长春", "哈尔滨", "呼和浩特",
)


def _first_of(names: tuple[str, ...]) -> str:
    """A regex alternation trying ``names`` in their order (the first that fits wins)."""
    return "|".join(re.escape(name) for name in names)


#: a province or city with its 省/市/自治区 (names tried in order, then tails in order)
_REGION_WITH_TAIL = re.compile(f"({_first_of((*PROVINCES, *CITIES))})(?:省|市|自治区)")
#: a leading province (and its tail, if any), then a leading city
_PROVINCE = re.compile(f"(?:{_first_of(PROVINCES)})(?:省|市|自治区)?")
_CITY = re.compile(f"(?:{_first_of(CITIES)})市?")
#: the longest legal-form suffix that leaves at least one character
_SUFFIX = re.compile(f"(?<=.)(?:{_first_of(SUFFIXES)})$", re.DOTALL)
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
_NOISE = re.compile(r"[\s·.,，。、'\"&\-_/]+")
_BRACKETED = re.compile(r"\([^()]*\)")
BLOCK = 2


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_BRACKETS).lower()


def phone_key(raw: str | None) -> str | None:
    if not raw:
        return None
    normal = normalize_phone(str(raw))
    if normal:
        return normal
    digits = re.sub(r"\D", "", _plain(str(raw)))
    return digits if len(digits) >= 7 else None


def email_key(raw: str | None) -> str | None:
    key = _plain(raw).strip() if raw else ""
    return key or None


def credit_code_key(raw: str | None) -> str | None:
    key = re.sub(r"\s+", "", _plain(raw)).upper() if raw else ""
    return key or None


def company_key(raw: str | None) -> str | None:
    """The exact key: ``（上海）华恒 精密机械有限公司`` → ``上海华恒精密机械``."""
    if not raw:
        return None
    text = _strip_suffix(_NOISE.sub("", _plain(raw)).replace("(", "").replace(")", ""))
    region = _REGION_WITH_TAIL.match(text)
    if region:
        return (region[1] + text[region.end():]) or None
    return text or None


def _strip_suffix(text: str) -> str:
    """Legal-form suffixes off the end, longest first, as long as something is left."""
    while found := _SUFFIX.search(text):
        text = text[:found.start()]
    return text


def company_core(raw: str | None) -> str | None:
    """The name without region and legal form: ``上海华恒精密机械有限公司`` → ``华恒精密机械``
    (what fuzzy matching compares)."""
    if not raw:
        return None
    text = _BRACKETED.sub("", _NOISE.sub("", _plain(raw)))
    text = _strip_suffix(text)
    for region in (_PROVINCE, _CITY):
        found = region.match(text)
        if found:
            text = text[found.end():]
    return text or None


def company_block(core: str | None) -> str | None:
    return core[:BLOCK] if core else None
