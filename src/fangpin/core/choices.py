"""Code lists of the registry: stored value, Chinese label, and the spellings offices use.

One table per list; models take ``choices()`` from here, the ledger import takes
``lookup()``, so the web form and the spreadsheet accept exactly the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class CodeList:
    name: str  # Chinese name of the list, used in error messages
    items: tuple[tuple[str, str], ...]  # (value, label)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> value

    def choices(self) -> list[tuple[str, str]]:
        return list(self.items)

    @cached_property
    def _labels(self) -> dict[str, str]:
        return dict(self.items)

    def label(self, value: str) -> str:
        # per cell of every list page and export: the mapping is built once per list, not per call
        return self._labels.get(value, value)

    def values(self) -> list[str]:
        return [v for v, _ in self.items]

    def lookup(self, text: str) -> str:
        """Map a label, value or alias to the stored value; raise ValueError in Chinese."""
        key = text.strip()
        for value, label in self.items:
            if key in (value, label):
                return value
        if key in self.aliases:
            return self.aliases[key]
        allowed = "、".join(label for _, label in self.items)
        raise ValueError(f"{self.name}“{key}”无法识别，可填：{allowed}")


HOUSEHOLD_TYPE = CodeList(
    "户类型",
    (("tuopin", "脱贫户"), ("jiance", "监测户"), ("yiban", "一般农户")),
    {"脱贫户（建档立卡）": "tuopin", "建档立卡户": "tuopin", "建档立卡脱贫户": "tuopin",
     "监测对象": "jiance", "一般户": "yiban", "普通农户": "yiban", "农户": "yiban"},
)

RELATION = CodeList(
    "与户主关系",
    (("head", "户主"), ("spouse", "配偶"), ("son", "之子"), ("daughter", "之女"),
     ("son_in_law", "之女婿"), ("daughter_in_law", "之儿媳"), ("grandson", "之孙子"),
     ("granddaughter", "之孙女"), ("father", "之父"), ("mother", "之母"),
     ("sibling", "兄弟姐妹"), ("other", "其他")),
    {"本人": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse", "丈夫": "spouse",
     "子": "son", "儿子": "son", "长子": "son", "次子": "son", "女": "daughter", "女儿": "daughter",
     "长女": "daughter", "次女": "daughter", "儿媳": "daughter_in_law", "女婿": "son_in_law",
     "孙子": "grandson", "孙女": "granddaughter", "外孙子": "grandson", "外孙女": "granddaughter",
     "父亲": "father", "母亲": "mother", "兄弟": "sibling", "姐妹": "sibling"},
)

HEALTH = CodeList(
    "健康状况",
    (("healthy", "健康"), ("chronic", "长期慢性病"), ("serious", "患有大病"), ("disabled", "残疾")),
    {"慢性病": "chronic", "大病": "serious", "重病": "serious", "残疾人": "disabled"},
)

DISABILITY_KIND = CodeList(
    "残疾类别",
    (("", "无"), ("vision", "视力残疾"), ("hearing", "听力残疾"), ("speech", "言语残疾"),
     ("physical", "肢体残疾"), ("intellectual", "智力残疾"), ("mental", "精神残疾"),
     ("multiple", "多重残疾")),
    {"视力": "vision", "听力": "hearing", "言语": "speech", "肢体": "physical", "智力": "intellectual",
     "精神": "mental", "多重": "multiple", "否": ""},
)

DISABILITY_GRADE = CodeList(
    "残疾等级",
    (("", "无"), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")),
    {"1级": "1", "2级": "2", "3级": "3", "4级": "4", "一": "1", "二": "2", "三": "3", "四": "4"},
)

LABOUR = CodeList(
    "劳动能力",
    (("full", "有劳动力"), ("weak", "弱劳动力"), ("none", "无劳动力"), ("lost", "丧失劳动力")),
    {"有": "full", "普通劳动力": "full", "技能劳动力": "full", "弱": "weak",
     "弱劳动力或半劳动力": "weak", "半劳动力": "weak", "无": "none", "丧失": "lost"},
)

SCHOOLING = CodeList(
    "在校情况",
    (("none", "非在校生"), ("preschool", "学前教育"), ("primary", "小学"), ("junior", "初中"),
     ("senior", "高中"), ("vocational", "中职"), ("college", "大专及以上"), ("dropout", "辍学")),
    {"非在校": "none", "不在校": "none", "学龄前": "preschool", "幼儿园": "preschool",
     "在校生（小学）": "primary", "在校生（初中）": "junior", "在校生（高中）": "senior",
     "中专": "vocational", "技校": "vocational", "大学": "college", "本科": "college", "失学": "dropout"},
)

EMPLOYMENT = CodeList(
    "就业状况",
    (("farming", "务农"), ("local_job", "县内务工"), ("province_job", "省内县外务工"),
     ("outside_job", "省外务工"), ("public_post", "公益岗位"), ("self_employed", "自主创业"),
     ("unemployed", "失业/无业"), ("not_applicable", "不适用")),
    {"县内": "local_job", "省内": "province_job", "省外": "outside_job", "公益性岗位": "public_post",
     "创业": "self_employed", "无业": "unemployed", "失业": "unemployed", "在家": "farming",
     "学生": "not_applicable", "无": "not_applicable"},
)

HOUSING_SAFETY = CodeList(
    "住房安全等级",
    (("A", "A级"), ("B", "B级"), ("C", "C级（局部危险）"), ("D", "D级（整栋危房）")),
    {"a": "A", "b": "B", "c": "C", "d": "D", "安全": "A", "基本安全": "B", "C级": "C", "D级": "D",
     "局部危险": "C", "危房": "D"},
)

WATER = CodeList(
    "饮水安全",
    (("safe", "安全"), ("unsafe_quality", "水质不达标"), ("unsafe_quantity", "水量不足"),
     ("inconvenient", "取水不便")),
    {"是": "safe", "有保障": "safe", "达标": "safe", "否": "unsafe_quality", "不安全": "unsafe_quality"},
)

YES_NO = CodeList("是否", (("1", "是"), ("0", "否")),
                  {"Y": "1", "N": "0", "y": "1", "n": "0", "TRUE": "1", "FALSE": "0", "True": "1",
                   "False": "0", "参加": "1", "未参加": "0", "有": "1", "无": "0", "√": "1", "": "0"})

MEMBER_STATUS = CodeList(
    "成员状态",
    (("active", "在户"), ("moved_out", "迁出"), ("deceased", "死亡")),
)
