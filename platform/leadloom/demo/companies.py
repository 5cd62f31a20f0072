"""Chinese company names ``{city}{字号}{行业词}{组织形式}``, unique, with credit codes.

Government and education customers follow their own naming patterns; famous brands are
blocked so the demo never looks like it names a real company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from leadloom.demo.distributions import Weighted
from leadloom.demo.places import City

# 字号 characters with pinyin (for web and mail domains).
ZIHAO_CHARS = (
    ("华", "hua"), ("恒", "heng"), ("鼎", "ding"), ("汇", "hui"), ("博", "bo"), ("瑞", "rui"),
    ("嘉", "jia"), ("鑫", "xin"), ("盛", "sheng"), ("信", "xin"), ("达", "da"), ("通", "tong"),
    ("宏", "hong"), ("新", "xin"), ("金", "jin"), ("安", "an"), ("联", "lian"), ("智", "zhi"),
    ("德", "de"), ("泰", "tai"), ("天", "tian"), ("海", "hai"), ("润", "run"), ("捷", "jie"),
    ("晟", "sheng"), ("航", "hang"), ("铭", "ming"), ("云", "yun"), ("帆", "fan"), ("拓", "tuo"),
    ("远", "yuan"), ("创", "chuang"), ("源", "yuan"), ("峰", "feng"), ("中", "zhong"),
    ("东", "dong"), ("兴", "xing"), ("佳", "jia"), ("正", "zheng"), ("宇", "yu"), ("隆", "long"),
    ("诚", "cheng"), ("光", "guang"), ("科", "ke"), ("益", "yi"), ("丰", "feng"), ("启", "qi"),
    ("卓", "zhuo"), ("凯", "kai"), ("升", "sheng"),
)
BLOCKED_ZIHAO = frozenset({"中兴", "华润", "中信", "海信", "恒大", "华通", "中通", "安信",
                           "光大", "天创", "新华", "华安", "东方", "金光", "联通", "华信"})
INDUSTRY_WORDS = {
    "manufacturing": ("精密机械", "电子科技", "汽车零部件", "模具", "新材料", "智能装备"),
    "it_software": ("信息技术", "软件", "网络科技", "数据科技", "智能科技"),
    "trade": ("商贸", "贸易", "进出口", "百货", "电子商务"),
    "construction": ("建设工程", "建筑装饰", "置业", "房地产开发", "建材"),
    "healthcare": ("医疗器械", "生物科技", "医药", "健康管理"),
    "services": ("企业管理咨询", "广告传媒", "人力资源", "知识产权代理", "会展服务"),
    "education": ("教育科技", "职业技能培训", "文化传播"),
    "logistics": ("供应链管理", "物流", "国际货运代理", "运输"),
    "finance": ("融资租赁", "保险代理", "投资管理", "商业保理"),
    "consumer": ("食品", "日化", "饮品", "服饰", "家居用品"),
    "energy": ("新能源", "化工", "能源科技", "环保科技", "石化"),
    "government": ("城市建设投资", "产业投资", "公用事业"),
}
ORG_FORMS = Weighted([("有限公司", 70), ("股份有限公司", 12), ("有限责任公司", 10),
                      ("集团有限公司", 5), ("", 3)])
_OTHER_FORM = {"manufacturing": "厂", "consumer": "厂", "energy": "厂"}
_GOV_DEPARTMENTS = ("市场监督管理局", "大数据管理局", "交通运输局", "住房和城乡建设局",
                    "卫生健康委员会", "人力资源和社会保障局", "生态环境局", "商务局",
                    "科学技术局", "文化和旅游局", "应急管理局", "自然资源和规划局")
_NUMERALS = "一二三四五六七八九十"
_TLDS = Weighted([(".com", 45), (".com.cn", 35), (".cn", 15), (".net", 5)])

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True, slots=True)
class Company:
    """A made-up organisation; ``domain`` is None for bodies without their own mail."""

    name: str
    city: City
    industry: str
    domain: str | None
    kind: str  # "company", "public" (government) or "institution" (school, hospital)


def _zihao(rng: random.Random) -> tuple[str, str]:
    while True:
        (a, pa), (b, pb) = rng.sample(ZIHAO_CHARS, 2)
        if a + b not in BLOCKED_ZIHAO:
            return a + b, pa + pb


def _numeral(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    return ("" if n < 20 else _NUMERALS[n // 10 - 1]) + "十" + (
        _NUMERALS[n % 10 - 1] if n % 10 else "")


def _draft(rng: random.Random, city: City, industry: str) -> Company:
    """One candidate name; may collide with an earlier one (the namer retries)."""
    zihao, pinyin = _zihao(rng)
    domain = pinyin + _TLDS.pick(rng)
    if industry == "government" and rng.random() < 0.5:
        if rng.random() < 0.6:
            return Company(f"{city.name}市{rng.choice(_GOV_DEPARTMENTS)}", city, industry,
                           None, "public")
        n = rng.randrange(1, 30)
        return Company(f"{city.name}市第{_numeral(n)}人民医院", city, industry, None,
                       "institution")
    if industry == "education" and rng.random() < 0.3:
        kind = rng.choice(("职业技术学院", "外国语学校", "职业培训学校"))
        return Company(f"{city.name}{zihao}{kind}", city, industry, pinyin + ".edu.cn",
                       "institution")
    form = ORG_FORMS.pick(rng) or _OTHER_FORM.get(industry, "有限合伙企业")
    word = rng.choice(INDUSTRY_WORDS[industry])
    return Company(f"{city.name}{zihao}{word}{form}", city, industry, domain, "company")


class CompanyNamer:
    """Hands out company names that are unique for the whole demo run."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __len__(self) -> int:
        return len(self._used)

    def new(self, rng: random.Random, city: City, industry: str) -> Company:
        """A fresh company; after many collisions a numbered branch keeps it unique."""
        for _ in range(30):
            company = _draft(rng, city, industry)
            if company.name not in self._used:
                self._used.add(company.name)
                return company
        branch = 1
        while f"{company.name}第{branch}分公司" in self._used:
            branch += 1
        name = f"{company.name}第{branch}分公司"
        self._used.add(name)
        return Company(name, city, industry, company.domain, company.kind)


def _org_code_check(body: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def credit_check_digit(first17: str) -> str:
    """The GB 32100-2015 check character of a 统一社会信用代码's first 17 characters."""
    total = sum(CREDIT_ALPHABET.index(ch) * w
                for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code(rng: random.Random, company: Company) -> str:
    """A well-formed 18-character code: authority and type, region of the city,
    organisation code with its own check digit, then the GB 32100 check digit."""
    prefix = {"company": "91", "public": "11", "institution": "12"}[company.kind]
    body = f"{rng.randrange(100_000_000):08d}"
    first17 = prefix + company.city.region_code + body + _org_code_check(body)
    return first17 + credit_check_digit(first17)


class CreditCodes:
    """Unique credit codes for the run (the account column is unique)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def new(self, rng: random.Random, company: Company) -> str:
        while True:
            code = credit_code(rng, company)
            if code not in self._used:
                self._used.add(code)
                return code
