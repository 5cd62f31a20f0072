"""Chinese people for the demo: names by surname frequency, job titles, phones, e-mails.

Vendored lists (with pinyin for e-mail addresses) keep the output byte-stable; no Faker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from leadloom.demo.distributions import Weighted

# (surname, share in ‰ of the population, pinyin) — national frequency, largest first.
_SURNAMES = (
    ("王", 71, "wang"), ("李", 70, "li"), ("张", 67, "zhang"), ("刘", 54, "liu"),
    ("陈", 45, "chen"), ("杨", 31, "yang"), ("黄", 22, "huang"), ("赵", 21, "zhao"),
    ("吴", 20, "wu"), ("周", 19, "zhou"), ("徐", 15, "xu"), ("孙", 14, "sun"),
    ("马", 12, "ma"), ("朱", 12, "zhu"), ("胡", 11, "hu"), ("郭", 11, "guo"),
    ("何", 10, "he"), ("林", 9, "lin"), ("高", 9, "gao"), ("罗", 9, "luo"),
    ("郑", 8, "zheng"), ("梁", 8, "liang"), ("谢", 7, "xie"), ("宋", 6, "song"),
    ("唐", 6, "tang"), ("许", 6, "xu"), ("韩", 5, "han"), ("冯", 5, "feng"),
    ("邓", 5, "deng"), ("曹", 5, "cao"), ("彭", 5, "peng"), ("曾", 5, "zeng"),
    ("肖", 5, "xiao"), ("田", 4, "tian"), ("董", 4, "dong"), ("袁", 4, "yuan"),
    ("潘", 4, "pan"), ("于", 4, "yu"), ("蒋", 4, "jiang"), ("蔡", 4, "cai"),
    ("余", 4, "yu"), ("杜", 4, "du"), ("叶", 4, "ye"), ("程", 4, "cheng"),
    ("苏", 3, "su"), ("魏", 3, "wei"), ("吕", 3, "lv"), ("丁", 3, "ding"),
    ("任", 3, "ren"), ("沈", 3, "shen"), ("姚", 3, "yao"), ("卢", 3, "lu"),
    ("姜", 3, "jiang"), ("崔", 3, "cui"), ("钟", 3, "zhong"), ("谭", 3, "tan"),
    ("陆", 3, "lu"), ("汪", 3, "wang"), ("范", 3, "fan"), ("金", 3, "jin"),
    ("石", 3, "shi"), ("廖", 3, "liao"), ("贾", 3, "jia"), ("夏", 2, "xia"),
    ("韦", 2, "wei"), ("付", 2, "fu"), ("方", 2, "fang"), ("白", 2, "bai"),
    ("邹", 2, "zou"), ("孟", 2, "meng"), ("熊", 2, "xiong"), ("秦", 2, "qin"),
    ("邱", 2, "qiu"), ("江", 2, "jiang"), ("尹", 2, "yin"), ("薛", 2, "xue"),
    ("闫", 2, "yan"), ("段", 2, "duan"), ("雷", 2, "lei"), ("侯", 2, "hou"),
    ("龙", 2, "long"), ("史", 2, "shi"), ("陶", 2, "tao"), ("黎", 2, "li"),
    ("贺", 2, "he"), ("顾", 2, "gu"), ("毛", 2, "mao"), ("郝", 2, "hao"),
    ("龚", 2, "gong"), ("邵", 2, "shao"), ("万", 2, "wan"), ("钱", 2, "qian"),
    ("严", 2, "yan"), ("武", 1, "wu"), ("戴", 1, "dai"), ("莫", 1, "mo"),
    ("孔", 1, "kong"), ("向", 1, "xiang"), ("汤", 1, "tang"), ("覃", 1, "qin"),
)
SURNAMES = Weighted([((s, p), w) for s, w, p in _SURNAMES])

_MALE = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("洋", "yang"), ("勇", "yong"),
    ("军", "jun"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("刚", "gang"), ("平", "ping"), ("浩", "hao"), ("宇", "yu"), ("鹏", "peng"),
    ("斌", "bin"), ("辉", "hui"), ("波", "bo"), ("峰", "feng"), ("建", "jian"),
    ("国", "guo"), ("华", "hua"), ("志", "zhi"), ("文", "wen"), ("俊", "jun"),
    ("凯", "kai"), ("亮", "liang"), ("东", "dong"), ("飞", "fei"), ("海", "hai"),
    ("晨", "chen"), ("博", "bo"), ("宁", "ning"), ("毅", "yi"), ("鑫", "xin"),
    ("健", "jian"), ("哲", "zhe"), ("远", "yuan"), ("昊", "hao"), ("林", "lin"),
)
_FEMALE = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("艳", "yan"),
    ("娟", "juan"), ("霞", "xia"), ("婷", "ting"), ("欣", "xin"), ("丽", "li"),
    ("玲", "ling"), ("燕", "yan"), ("红", "hong"), ("萍", "ping"), ("雪", "xue"),
    ("琳", "lin"), ("慧", "hui"), ("颖", "ying"), ("倩", "qian"), ("佳", "jia"),
    ("莉", "li"), ("蕾", "lei"), ("洁", "jie"), ("璐", "lu"), ("晶", "jing"),
    ("彤", "tong"), ("瑶", "yao"), ("雯", "wen"), ("悦", "yue"), ("梅", "mei"),
)
_CURATED = {
    "m": (("建华", "jianhua"), ("志强", "zhiqiang"), ("晓明", "xiaoming"), ("俊杰", "junjie"),
          ("梓轩", "zixuan"), ("思远", "siyuan"), ("文博", "wenbo"), ("浩然", "haoran"),
          ("一鸣", "yiming"), ("子豪", "zihao"), ("建国", "jianguo"), ("家豪", "jiahao")),
    "f": (("秀英", "xiuying"), ("桂英", "guiying"), ("子涵", "zihan"), ("雨萱", "yuxuan"),
          ("海燕", "haiyan"), ("丽娟", "lijuan"), ("佳怡", "jiayi"), ("欣怡", "xinyi"),
          ("雅婷", "yating"), ("思琪", "siqi"), ("美玲", "meiling"), ("晓红", "xiaohong")),
}
_SINGLE = {"m": _MALE, "f": _FEMALE}


@dataclass(frozen=True, slots=True)
class Person:
    """A made-up person; ``pinyin`` is (surname, given) for e-mail addresses."""

    name: str
    surname: str
    pinyin: tuple[str, str]


def person(rng: random.Random, male_share: float = 0.6) -> Person:
    """A full name: surname by frequency, then a 1-character (25 %) or 2-character name."""
    surname, family = SURNAMES.pick(rng)
    sex = "m" if rng.random() < male_share else "f"
    if rng.random() < 0.25:
        given, pinyin = rng.choice(_SINGLE[sex])
    elif rng.random() < 0.5:
        given, pinyin = rng.choice(_CURATED[sex])
    else:
        (c1, p1), (c2, p2) = rng.sample(_SINGLE[sex], 2)
        given, pinyin = c1 + c2, p1 + p2
    return Person(surname + given, surname, (family, pinyin))


def contact_label(rng: random.Random, who: Person) -> str:
    """What a lead's contact field says: often "张总" or "李经理" instead of a full name."""
    roll = rng.random()
    if roll < 0.12:
        return who.surname + "总"
    if roll < 0.20:
        return who.surname + "经理"
    return who.name


@dataclass(frozen=True, slots=True)
class Title:
    """A job title with how likely its holder decides, their department and role."""

    variants: tuple[str, ...]
    decides: float
    department: str
    role: str


TITLES = Weighted([
    (Title(("总经理", "CEO", "董事长"), 0.90, "executive", "decider"), 10),
    (Title(("副总经理",), 0.70, "executive", "influencer"), 6),
    (Title(("采购经理", "采购总监"), 0.45, "purchasing", "purchasing"), 15),
    (Title(("IT经理", "信息中心主任", "CIO"), 0.40, "it", "tech_eval"), 18),
    (Title(("销售总监",), 0.35, "business", "influencer"), 8),
    (Title(("运营经理",), 0.20, "business", "user"), 10),
    (Title(("财务经理",), 0.30, "finance", "finance_approver"), 6),
    (Title(("项目经理",), 0.15, "business", "user"), 8),
    (Title(("行政主管",), 0.10, "other", "user"), 7),
    (Title(("工程师", "专员"), 0.05, "it", "user"), 12),
])
_MOBILE_PREFIXES = Weighted([
    (("130", "131", "132", "133", "134", "135", "136", "137", "138", "139"), 35),
    (("150", "151", "152", "153", "155", "156", "157", "158", "159"), 20),
    (("180", "181", "182", "183", "184", "185", "186", "187", "188", "189"), 25),
    (("170", "171", "173", "175", "176", "177", "178"), 8),
    (("191", "193", "195", "198", "199"), 10),
    (("145", "147", "149"), 2),
])
FREE_MAIL = ("qq.com", "163.com", "126.com")


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number in canonical form (``1[3-9]x`` + 8 digits)."""
    return rng.choice(_MOBILE_PREFIXES.pick(rng)) + f"{rng.randrange(100_000_000):08d}"


def landline(rng: random.Random, area_code: str) -> str:
    """A landline in canonical form: area code + an 8-digit number (never starts 0/1)."""
    return area_code + str(rng.randrange(2, 9)) + f"{rng.randrange(10_000_000):07d}"


def email(rng: random.Random, who: Person, domain: str | None) -> str:
    """``pinyin@company-domain``, or a free-mail box when ``domain`` is ``None``."""
    family, given = who.pinyin
    if domain is None:
        box = rng.choice(FREE_MAIL)
        if box == "qq.com":
            return f"{rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
        return f"{family}{given}{rng.randrange(1, 999)}@{box}"
    style = rng.randrange(4)
    local = (f"{family}.{given}", f"{family}{given}", f"{given}.{family}",
             f"{given[0]}{family}")[style]
    return f"{local}@{domain}"
