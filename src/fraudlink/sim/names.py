"""Chinese names, phones, id numbers and addresses, and the variants people use.

Variants are what makes entity resolution real work: a homophone character in
the given name, a second phone, an address written with or without the city.
"""

from __future__ import annotations

import random

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"),
)  # fmt: skip

GIVEN_CHARS = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
    ("兰", "lan"), ("辉", "hui"), ("鹏", "peng"), ("斌", "bin"), ("宇", "yu"),
    ("浩", "hao"), ("凯", "kai"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"),
    ("晨", "chen"), ("欣", "xin"), ("嘉", "jia"), ("俊", "jun"), ("峰", "feng"),
    ("建", "jian"), ("国", "guo"), ("文", "wen"), ("志", "zhi"), ("海", "hai"),
    ("红", "hong"), ("梅", "mei"), ("春", "chun"), ("晓", "xiao"), ("东", "dong"),
)  # fmt: skip

# Characters a clerk or the holder writes interchangeably (same or near sound).
HOMOPHONES = {
    "伟": "玮", "玮": "伟", "明": "铭", "铭": "明", "丽": "莉", "莉": "丽",
    "静": "婧", "婧": "静", "军": "君", "君": "军", "杰": "洁", "洁": "杰",
    "芳": "方", "方": "芳", "敏": "民", "民": "敏", "磊": "垒", "涛": "滔",
    "斌": "彬", "彬": "斌", "勇": "永", "永": "勇", "娟": "鹃", "霞": "侠",
    "平": "萍", "萍": "平", "刚": "钢", "钢": "刚", "辉": "晖", "晖": "辉",
    "华": "桦", "秀": "绣", "玉": "钰", "兰": "岚", "宇": "雨", "浩": "皓",
    "婷": "亭", "雪": "雯", "琳": "霖", "晨": "辰", "欣": "鑫", "俊": "骏",
    "峰": "锋", "建": "健", "志": "智", "海": "凯", "红": "虹", "梅": "玫",
    "春": "纯", "晓": "小", "东": "冬", "超": "潮", "强": "蔷", "娜": "纳",
    "洋": "阳", "艳": "燕", "英": "莹", "桂": "贵", "鹏": "朋", "凯": "恺",
    "嘉": "佳", "国": "果", "文": "雯",
}  # fmt: skip

DISTRICTS = tuple(
    "朝阳区 海淀区 东城区 西湖区 天河区 南山区 武侯区 江汉区 "
    "雁塔区 岳麓区 金水区 思明区 南岗区 和平区 鼓楼区 渝中区".split()
)
ROADS = tuple(
    "建国路 中山路 人民路 解放路 和平路 长江路 滨江路 新华路 "
    "学府路 文化路 胜利路 光明路 青年路 东风路 花园路 环城路".split()
)
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151",
                  "152", "157", "158", "159", "176", "177", "180", "181", "186", "187",
                  "188", "189", "198", "199")  # fmt: skip
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com")
# First six digits of a resident id: a region code per simulated city.
REGION_CODES = ("110105", "310101", "440106", "440305", "330106", "320106", "510107",
                "500103", "420103", "610113", "430104", "410105", "530102", "350203",
                "230103", "210102")  # fmt: skip
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def national_id(region: str, birth: str, seq: int) -> str:
    """An 18-character resident id with a valid GB 11643 check digit."""
    body = f"{region}{birth}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def name_variant(name: str, rng: random.Random) -> str:
    """The same person's name as another clerk typed it: one homophone swapped."""
    positions = [i for i, ch in enumerate(name) if i > 0 and ch in HOMOPHONES]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def phone_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def address(city_zh: str, rng: random.Random) -> str:
    return (
        f"{city_zh}市{rng.choice(DISTRICTS)}{rng.choice(ROADS)}{rng.randrange(1, 300)}号"
        f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元{rng.randrange(101, 2899)}室"
    )


def address_variant(addr: str, rng: random.Random) -> str:
    """Drop the city prefix, or the unit, or write the building differently."""
    choice = rng.randrange(3)
    if choice == 0 and "市" in addr:
        return addr.split("市", 1)[1]
    if choice == 1 and "单元" in addr:
        head, _, tail = addr.partition("栋")
        return head + "号楼" + tail.split("单元", 1)[1]
    return addr.replace("栋", "幢")
