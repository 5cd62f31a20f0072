"""Cities of the two demo business units, with what addresses and phone numbers need.

Weights are the recipe's "main cities" shares (domain.md §3.1); region codes are the
prefecture-level administrative division codes used in 统一社会信用代码.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from leadloom.demo.distributions import Weighted


@dataclass(frozen=True, slots=True)
class City:
    name: str
    province: str
    area_code: str
    region_code: str
    districts: tuple[str, ...]


_EAST = (
    (City("上海", "上海", "021", "310100", ("浦东新区", "闵行区", "徐汇区", "静安区")), 30),
    (City("杭州", "浙江", "0571", "330100", ("西湖区", "滨江区", "余杭区")), 14),
    (City("苏州", "江苏", "0512", "320500", ("工业园区", "吴中区", "相城区")), 12),
    (City("南京", "江苏", "025", "320100", ("江宁区", "鼓楼区", "建邺区")), 11),
    (City("宁波", "浙江", "0574", "330200", ("鄞州区", "北仑区", "海曙区")), 7),
    (City("无锡", "江苏", "0510", "320200", ("新吴区", "滨湖区", "梁溪区")), 6),
    (City("合肥", "安徽", "0551", "340100", ("蜀山区", "包河区", "高新区")), 6),
    (City("济南", "山东", "0531", "370100", ("历下区", "槐荫区", "高新区")), 5),
    (City("青岛", "山东", "0532", "370200", ("市南区", "黄岛区", "崂山区")), 5),
    (City("常州", "江苏", "0519", "320400", ("武进区", "新北区", "天宁区")), 4),
)
_WEST = (
    (City("成都", "四川", "028", "510100", ("高新区", "武侯区", "锦江区", "双流区")), 25),
    (City("武汉", "湖北", "027", "420100", ("东湖高新区", "江汉区", "洪山区")), 22),
    (City("重庆", "重庆", "023", "500100", ("渝北区", "江北区", "九龙坡区")), 15),
    (City("西安", "陕西", "029", "610100", ("雁塔区", "未央区", "高新区")), 14),
    (City("长沙", "湖南", "0731", "430100", ("岳麓区", "雨花区", "开福区")), 12),
    (City("郑州", "河南", "0371", "410100", ("金水区", "郑东新区", "二七区")), 12),
)
CITIES_BY_UNIT = {"east": Weighted(_EAST), "west": Weighted(_WEST)}
ALL_CITIES = tuple(c for c, _ in _EAST + _WEST)
_ROADS = ("人民", "建设", "解放", "中山", "长江", "黄河", "文化", "科技", "创新", "和平",
          "光明", "东方", "新华", "学府", "滨江", "金融", "工业", "振兴", "富强", "望江")
_ROAD_KINDS = ("路", "大道", "街")


def city_for(rng: random.Random, unit: str) -> City:
    """A city of ``unit``, by the unit's lead share per city."""
    return CITIES_BY_UNIT[unit].pick(rng)


def street_address(rng: random.Random, city: City) -> str:
    """A plausible registered address, e.g. ``上海市浦东新区科技路188号``."""
    road = rng.choice(_ROADS) + rng.choice(_ROAD_KINDS)
    number = rng.randrange(1, 999)
    return f"{city.name}市{rng.choice(city.districts)}{road}{number}号"
