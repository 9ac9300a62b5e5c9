"""A deterministic company generator for the demo (``talentloop demo``) and for benchmarks
(``talentloop seed --employees N``).

Two steps, so that the interesting part can be tested without a database:

* :func:`plan_company` builds the whole company in Python from ``random.Random(seed)`` and a
  reference date (today by default): org units, job families, positions, people with Chinese and
  pinyin names, managers, levels, hire dates over ten years, employment history and accounts.
  The same seed, size and reference date always give the same plan.
* :func:`load_company` writes a plan with a fixed number of set-based statements: one
  ``bulk_create`` per table and per level of the reporting tree (managers are inserted before
  their reports, so every ``manager_path`` is computed in Python from ids that already exist),
  never one query per person. Every account shares one password hash, computed once.

The tree: the company (head: the CEO) → departments (R&D, product, sales, customer service,
operations, the factory, HR) → for big departments, centres and divisions of at most
:data:`FANOUT` units → teams of 8-12 people. Team members report to the team lead, every unit
head reports to the head of the unit above, and department heads report to the CEO.

The well-known accounts (all with the demo password, which works only in demo mode):
``admin`` (administrator, no employee record), ``hr`` (HR for the whole company), ``manager``
(head of R&D), ``mentor`` (a senior engineer in the platform team with the mentor role),
``employee`` (an engineer in the platform team) and ``newgrad`` (an engineer hired this year).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from talentloop.accounts.backends import DEMO_PASSWORD
from talentloop.accounts.models import Role, RoleAssignment, User
from talentloop.organisation.models import (
    Employee,
    EmploymentEvent,
    EmploymentStatus,
    EventKind,
    JobFamily,
    OrgUnit,
    Position,
)

DEMO_SEED = 7
DEMO_EMPLOYEES = 300
DEFAULT_SEED = 1
MIN_EMPLOYEES = 40
ROOT_CODE = "company"
EMAIL_DOMAIN = "xinghe.example"
TEAM_SIZE = 10  # people per team, lead included, on average (8-12)
FANOUT = 10  # at most this many units directly below a department head, centre or division
NAMED_USERNAMES = ("admin", "hr", "manager", "mentor", "employee", "newgrad")

# ---------------------------------------------------------------- reference data


@dataclass(frozen=True)
class FamilyDef:
    code: str
    name: str
    name_en: str
    description: str
    ic_cap: int  # highest level of an individual contributor
    # (lowest level, code suffix, title, English title), ascending
    titles: tuple[tuple[int, str, str, str], ...]
    lead: tuple[str, str, str]  # team lead: (suffix, title, English title)
    manager: tuple[str, str, str]  # head of a centre or division
    head: tuple[str, str, str]  # head of a department


FAMILIES: tuple[FamilyDef, ...] = (
    FamilyDef("software-engineer", "软件工程师", "Software engineer",
              "Designs, builds and runs the company's software.", 8,
              ((1, "junior", "初级软件工程师", "Junior software engineer"),
               (3, "engineer", "软件工程师", "Software engineer"),
               (5, "senior", "高级软件工程师", "Senior software engineer"),
               (7, "staff", "资深软件工程师", "Staff software engineer")),
              ("lead", "研发经理", "Engineering manager"),
              ("manager", "高级研发经理", "Senior engineering manager"),
              ("director", "研发总监", "Director of R&D")),
    FamilyDef("algorithm-engineer", "算法工程师", "Algorithm engineer",
              "Builds models for vision, forecasting and quality control.", 8,
              ((1, "junior", "初级算法工程师", "Junior algorithm engineer"),
               (3, "engineer", "算法工程师", "Algorithm engineer"),
               (5, "senior", "高级算法工程师", "Senior algorithm engineer"),
               (7, "staff", "资深算法专家", "Principal algorithm engineer")),
              ("lead", "算法经理", "Algorithm team manager"),
              ("manager", "高级算法经理", "Senior algorithm manager"),
              ("director", "算法总监", "Director of algorithms")),
    FamilyDef("product-manager", "产品经理", "Product manager",
              "Decides what the company builds and why.", 8,
              ((1, "assistant", "产品助理", "Associate product manager"),
               (3, "pm", "产品经理", "Product manager"),
               (5, "senior", "高级产品经理", "Senior product manager"),
               (7, "principal", "产品专家", "Principal product manager")),
              ("lead", "产品组长", "Group product manager"),
              ("manager", "高级产品经理（管理）", "Product line manager"),
              ("director", "产品总监", "Director of product")),
    FamilyDef("sales", "销售", "Sales",
              "Wins and grows customer accounts.", 7,
              ((1, "rep", "销售代表", "Sales representative"),
               (3, "account", "客户经理", "Account manager"),
               (5, "senior", "高级客户经理", "Senior account manager"),
               (7, "key", "大客户经理", "Key account manager")),
              ("lead", "销售主管", "Sales team lead"),
              ("manager", "区域销售经理", "Regional sales manager"),
              ("director", "销售总监", "Sales director")),
    FamilyDef("customer-service", "客户服务", "Customer service",
              "Answers customers by phone, chat and on site.", 5,
              ((1, "agent", "客服专员", "Customer service agent"),
               (3, "senior", "高级客服专员", "Senior customer service agent"),
               (5, "specialist", "客服专家", "Customer service specialist")),
              ("lead", "客服主管", "Customer service team lead"),
              ("manager", "客服经理", "Customer service manager"),
              ("director", "客服总监", "Customer service director")),
    FamilyDef("operations-specialist", "运营专员", "Operations specialist",
              "Runs content, campaigns, supply chain and administration.", 7,
              ((1, "specialist", "运营专员", "Operations specialist"),
               (4, "senior", "高级运营专员", "Senior operations specialist"),
               (6, "expert", "运营专家", "Operations expert")),
              ("lead", "运营主管", "Operations team lead"),
              ("manager", "运营经理", "Operations manager"),
              ("director", "运营总监", "Director of operations")),
    FamilyDef("production-worker", "生产工人", "Production worker",
              "Assembles, packs, inspects and maintains on the factory line.", 5,
              ((1, "operator", "操作工", "Production operator"),
               (3, "skilled", "技术工", "Skilled operator"),
               (5, "technician", "高级技工", "Senior technician")),
              ("lead", "班组长", "Line supervisor"),
              ("manager", "车间主任", "Workshop manager"),
              ("director", "厂长", "Plant manager")),
    FamilyDef("hr", "人力资源", "HR",
              "Hires, develops and looks after the company's people.", 7,
              ((1, "specialist", "人事专员", "HR specialist"),
               (4, "hrbp", "人力资源业务伙伴", "HR business partner"),
               (6, "senior", "高级人力资源业务伙伴", "Senior HR business partner")),
              ("lead", "人力资源主管", "HR team lead"),
              ("manager", "人力资源经理", "HR manager"),
              ("director", "人力资源总监", "HR director")),
)
FAMILY_BY_CODE = {f.code: f for f in FAMILIES}
CEO_POSITION = ("ceo", "总经理", "Chief executive officer", "operations-specialist")


@dataclass(frozen=True)
class TeamDef:
    code: str
    name: str
    name_en: str
    family: str


@dataclass(frozen=True)
class DeptDef:
    code: str
    name: str
    name_en: str
    short: str  # for centre names: 研发 → 研发一中心
    weight: float  # share of the company
    minimum: int  # people, head included
    min_teams: int
    family: str  # the head's job family
    teams: tuple[TeamDef, ...]


_SE, _AE = "software-engineer", "algorithm-engineer"
DEPARTMENTS: tuple[DeptDef, ...] = (
    DeptDef("rnd", "研发部", "R&D", "研发", 0.30, 12, 2, _SE, (
        TeamDef("algorithm", "算法组", "Algorithm", _AE),
        TeamDef("platform", "平台组", "Platform", _SE),
        TeamDef("backend", "后端组", "Backend", _SE),
        TeamDef("frontend", "前端组", "Frontend", _SE),
        TeamDef("vision", "视觉算法组", "Vision algorithms", _AE),
        TeamDef("mobile", "移动端组", "Mobile", _SE),
        TeamDef("qa", "测试组", "Quality assurance", _SE),
        TeamDef("infra", "基础架构组", "Infrastructure", _SE),
    )),
    DeptDef("product", "产品部", "Product", "产品", 0.06, 4, 1, "product-manager", (
        TeamDef("consumer", "消费者产品组", "Consumer products", "product-manager"),
        TeamDef("enterprise", "企业产品组", "Enterprise products", "product-manager"),
        TeamDef("data", "数据产品组", "Data products", "product-manager"),
    )),
    DeptDef("sales", "销售部", "Sales", "销售", 0.18, 4, 1, "sales", (
        TeamDef("north", "华北销售组", "North China sales", "sales"),
        TeamDef("east", "华东销售组", "East China sales", "sales"),
        TeamDef("south", "华南销售组", "South China sales", "sales"),
        TeamDef("southwest", "西南销售组", "Southwest China sales", "sales"),
        TeamDef("central", "华中销售组", "Central China sales", "sales"),
        TeamDef("key-accounts", "大客户组", "Key accounts", "sales"),
        TeamDef("channel", "渠道销售组", "Channel sales", "sales"),
        TeamDef("international", "海外销售组", "International sales", "sales"),
    )),
    DeptDef("service", "客户服务部", "Customer service", "客服", 0.14, 4, 1, "customer-service", (
        TeamDef("hotline", "热线服务组", "Hotline", "customer-service"),
        TeamDef("online", "在线客服组", "Online support", "customer-service"),
        TeamDef("after-sales", "售后服务组", "After-sales service", "customer-service"),
        TeamDef("success", "客户成功组", "Customer success", "customer-service"),
    )),
    DeptDef("operations", "运营部", "Operations", "运营", 0.08, 4, 1, "operations-specialist", (
        TeamDef("content", "内容运营组", "Content", "operations-specialist"),
        TeamDef("campaigns", "活动运营组", "Campaigns", "operations-specialist"),
        TeamDef("supply", "供应链组", "Supply chain", "operations-specialist"),
        TeamDef("admin", "行政组", "Administration", "operations-specialist"),
    )),
    DeptDef("factory", "生产部", "Factory", "生产", 0.20, 4, 1, "production-worker", (
        TeamDef("assembly", "总装线", "Assembly line", "production-worker"),
        TeamDef("smt", "贴片线", "SMT line", "production-worker"),
        TeamDef("packaging", "包装线", "Packaging line", "production-worker"),
        TeamDef("inspection", "质检组", "Quality inspection", "production-worker"),
        TeamDef("warehouse", "仓储物流组", "Warehouse and logistics", "production-worker"),
        TeamDef("maintenance", "设备维护组", "Maintenance", "production-worker"),
    )),
    DeptDef("hr", "人力资源部", "HR", "人力", 0.04, 4, 1, "hr", (
        TeamDef("hrbp", "HRBP组", "HR business partners", "hr"),
        TeamDef("recruiting", "招聘组", "Recruiting", "hr"),
        TeamDef("rewards", "薪酬绩效组", "Compensation and performance", "hr"),
        TeamDef("learning", "培训发展组", "Learning and development", "hr"),
    )),
)
COMPANY_NAME = ("星河智造科技有限公司", "Xinghe Smart Manufacturing")
GROUP_LEVELS = (("中心", "centre"), ("部", "division"), ("科", "section"), ("室", "unit"))

# (surname, pinyin, relative frequency)
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("王", "Wang", 72), ("李", "Li", 71), ("张", "Zhang", 68), ("刘", "Liu", 52), ("陈", "Chen", 46),
    ("杨", "Yang", 33), ("黄", "Huang", 24), ("赵", "Zhao", 20), ("吴", "Wu", 20), ("周", "Zhou", 19),
    ("徐", "Xu", 14), ("孙", "Sun", 13), ("马", "Ma", 12), ("朱", "Zhu", 12), ("胡", "Hu", 11),
    ("郭", "Guo", 11), ("何", "He", 10), ("林", "Lin", 10), ("高", "Gao", 10), ("罗", "Luo", 9),
    ("郑", "Zheng", 9), ("梁", "Liang", 8), ("谢", "Xie", 7), ("宋", "Song", 6), ("唐", "Tang", 6),
    ("许", "Xu", 6), ("邓", "Deng", 6), ("韩", "Han", 6), ("冯", "Feng", 6), ("曹", "Cao", 5),
    ("彭", "Peng", 5), ("曾", "Zeng", 5), ("肖", "Xiao", 5), ("田", "Tian", 5), ("董", "Dong", 5),
    ("潘", "Pan", 4), ("袁", "Yuan", 4), ("蔡", "Cai", 4), ("蒋", "Jiang", 4), ("余", "Yu", 4),
    ("于", "Yu", 4), ("杜", "Du", 4), ("叶", "Ye", 4), ("程", "Cheng", 4), ("魏", "Wei", 4),
    ("苏", "Su", 4), ("吕", "Lyu", 4), ("丁", "Ding", 4), ("任", "Ren", 4), ("卢", "Lu", 3),
    ("姚", "Yao", 3), ("沈", "Shen", 3), ("钟", "Zhong", 3), ("姜", "Jiang", 3), ("崔", "Cui", 3),
    ("谭", "Tan", 3), ("陆", "Lu", 3), ("范", "Fan", 3), ("汪", "Wang", 3), ("廖", "Liao", 3),
    ("石", "Shi", 3), ("金", "Jin", 3), ("韦", "Wei", 3), ("贾", "Jia", 3), ("夏", "Xia", 3),
    ("付", "Fu", 3), ("方", "Fang", 3), ("邹", "Zou", 2), ("熊", "Xiong", 2), ("白", "Bai", 2),
    ("孟", "Meng", 2), ("秦", "Qin", 2), ("邱", "Qiu", 2), ("侯", "Hou", 2), ("江", "Jiang", 2),
    ("尹", "Yin", 2), ("薛", "Xue", 2), ("闫", "Yan", 2), ("段", "Duan", 2), ("雷", "Lei", 2),
    ("龙", "Long", 2), ("黎", "Li", 2), ("史", "Shi", 2), ("陶", "Tao", 2), ("贺", "He", 2),
    ("毛", "Mao", 2), ("郝", "Hao", 2), ("顾", "Gu", 2), ("龚", "Gong", 2), ("邵", "Shao", 2),
    ("万", "Wan", 2), ("覃", "Qin", 1), ("武", "Wu", 2), ("钱", "Qian", 2), ("戴", "Dai", 2),
    ("严", "Yan", 2), ("欧阳", "Ouyang", 1), ("司马", "Sima", 1), ("上官", "Shangguan", 1),
)
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
    ("萍", "ping"), ("红", "hong"), ("鹏", "peng"), ("飞", "fei"), ("辉", "hui"), ("宇", "yu"),
    ("浩", "hao"), ("博", "bo"), ("文", "wen"), ("欣", "xin"), ("怡", "yi"), ("佳", "jia"),
    ("子", "zi"), ("晨", "chen"), ("雨", "yu"), ("梓", "zi"), ("涵", "han"), ("轩", "xuan"),
    ("思", "si"), ("睿", "rui"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("倩", "qian"),
    ("慧", "hui"), ("颖", "ying"), ("露", "lu"), ("瑶", "yao"), ("鑫", "xin"), ("凯", "kai"),
    ("斌", "bin"), ("健", "jian"), ("峰", "feng"), ("帆", "fan"), ("晶", "jing"), ("蕾", "lei"),
    ("嘉", "jia"), ("昊", "hao"), ("然", "ran"), ("一", "yi"), ("诺", "nuo"), ("泽", "ze"),
    ("航", "hang"), ("俊", "jun"), ("毅", "yi"), ("志", "zhi"), ("海", "hai"), ("春", "chun"),
    ("冬", "dong"), ("亮", "liang"), ("成", "cheng"), ("龙", "long"), ("云", "yun"), ("建", "jian"),
    ("国", "guo"), ("晓", "xiao"), ("丹", "dan"), ("莉", "li"), ("娟", "juan"),
    ("燕", "yan"), ("波", "bo"), ("斯", "si"), ("彤", "tong"), ("欢", "huan"), ("宁", "ning"),
    ("安", "an"), ("琪", "qi"), ("阳", "yang"), ("乐", "le"), ("天", "tian"), ("琦", "qi"),
    ("立", "li"), ("新", "xin"), ("振", "zhen"), ("家", "jia"), ("美", "mei"), ("梦", "meng"),
)
# Residence codes of real districts (first six digits of an ID number).
REGION_CODES = ("110101", "110105", "110108", "310104", "310115", "440305", "440106", "330106",
                "320102", "510107", "420111", "610113", "370102", "500103", "120101", "430104")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185",
                   "186", "187", "188", "189", "191", "198", "199")
BANK_BINS = ("622202", "621700", "622848", "621483", "622588", "622260")

# ---------------------------------------------------------------- the plan


@dataclass
class UnitPlan:
    code: str
    name: str
    name_en: str
    parent: str | None
    depth: int
    head: int | None = None  # index into CompanyPlan.people


@dataclass
class HistoryItem:
    kind: str  # an EventKind value
    date: dt.date
    level: int | None = None
    position: str | None = None


@dataclass
class PersonPlan:
    index: int
    name: str
    name_en: str
    unit: str
    family: str
    position: str
    level: int
    manager: int | None
    chain_depth: int  # 0 for the CEO
    hire_date: dt.date
    birth_date: dt.date
    history: list[HistoryItem] = field(default_factory=list)
    status: str = EmploymentStatus.ACTIVE
    termination_date: dt.date | None = None
    employee_number: str = ""
    email: str = ""
    username: str = ""
    phone: str = ""
    national_id: str = ""
    bank_account: str = ""


@dataclass
class CompanyPlan:
    seed: int
    reference_date: dt.date
    units: list[UnitPlan]
    people: list[PersonPlan]
    positions: list[tuple[str, str, str, str]]  # (code, title, English title, family code)
    roles: list[tuple[str, str, str | None]]  # (username, role, org unit code or None = everywhere)
    named: dict[str, int | None]  # well-known username -> person index (admin: None)

    def person(self, username: str) -> PersonPlan:
        index = self.named[username]
        if index is None:
            raise KeyError(username)
        return self.people[index]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _workday(day: dt.date, latest: dt.date) -> dt.date:
    """People start on a weekday: move a weekend forward to Monday, or back when that is too late."""
    if day.weekday() < 5:
        return day
    forward = day + dt.timedelta(days=7 - day.weekday())
    if forward <= latest:
        return forward
    return day - dt.timedelta(days=day.weekday() - 4)


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _id_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _luhn_digit(number: str) -> str:
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def _position_code(family: str, suffix: str) -> str:
    return f"{family}-{suffix}"


def ic_position(family: str, level: int) -> str:
    fam = FAMILY_BY_CODE[family]
    suffix = fam.titles[0][1]
    for min_level, code, _zh, _en in fam.titles:
        if level >= min_level:
            suffix = code
    return _position_code(family, suffix)


def _all_positions() -> list[tuple[str, str, str, str]]:
    out = [CEO_POSITION]
    for fam in FAMILIES:
        for _min_level, suffix, zh, en in fam.titles:
            out.append((_position_code(fam.code, suffix), zh, en, fam.code))
        for suffix, zh, en in (fam.lead, fam.manager, fam.head):
            out.append((_position_code(fam.code, suffix), zh, en, fam.code))
    return out


def _allocate(total: int, weights: list[float], minimums: list[int]) -> list[int]:
    """Split ``total`` by weights with the largest-remainder method, respecting the minimums."""
    counts = list(minimums)
    extra = total - sum(counts)
    wsum = sum(weights)
    shares = [extra * w / wsum for w in weights]
    for i, share in enumerate(shares):
        counts[i] += int(share)
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


def _split(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def _group_shape(teams: int) -> list | int:
    """A department's tree of centres and divisions: an int is a run of teams directly below."""
    if teams <= FANOUT:
        return teams
    groups = min(FANOUT, math.ceil(teams / FANOUT))
    return [_group_shape(n) for n in _split(teams, groups)]


def _count_groups(shape: list | int) -> int:
    if isinstance(shape, int):
        return 0
    return len(shape) + sum(_count_groups(s) for s in shape)


class _Planner:
    def __init__(self, employees: int, seed: int, reference_date: dt.date):
        self.rng = random.Random(seed)
        self.total = employees
        self.seed = seed
        self.ref = reference_date
        self.founded = _years_before(reference_date, 10)
        self.units: list[UnitPlan] = []
        self.unit_by_code: dict[str, UnitPlan] = {}
        self.people: list[PersonPlan] = []

    # ------------------------------------------------------------ helpers

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def _name(self) -> tuple[str, str]:
        surname, surname_py, _freq = self.rng.choices(SURNAMES, weights=self._surname_weights)[0]
        count = 1 if self.rng.random() < 0.25 else 2
        chars = [self.rng.choice(GIVEN_CHARS) for _ in range(count)]
        given = "".join(c for c, _p in chars)
        given_py = "".join(p for _c, p in chars).capitalize()
        return surname + given, f"{given_py} {surname_py}"

    _surname_weights = [s[2] for s in SURNAMES]

    def _unit(self, code: str, name: str, name_en: str, parent: UnitPlan | None) -> UnitPlan:
        unit = UnitPlan(code=code, name=name, name_en=name_en, parent=parent.code if parent else None,
                        depth=parent.depth + 1 if parent else 0)
        self.units.append(unit)
        self.unit_by_code[code] = unit
        return unit

    def _person(self, *, unit: UnitPlan, family: str, position: str, level: int, manager: PersonPlan | None,
                hire_date: dt.date, age_at_hire: int) -> PersonPlan:
        name, name_en = self._name()
        birth_year = hire_date.year - age_at_hire
        birth = dt.date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        person = PersonPlan(
            index=len(self.people), name=name, name_en=name_en, unit=unit.code, family=family,
            position=position, level=level, manager=manager.index if manager else None,
            chain_depth=manager.chain_depth + 1 if manager else 0, hire_date=hire_date, birth_date=birth,
        )
        self.people.append(person)
        return person

    def _head(self, unit: UnitPlan, family: str, kind: str, manager: PersonPlan | None) -> PersonPlan:
        fam = FAMILY_BY_CODE[family]
        if kind == "ceo":
            hire, level, position, age = self.founded, 12, CEO_POSITION[0], self.rng.randint(35, 45)
        elif kind == "department":
            hire = self._date_between(self.founded, self.founded + dt.timedelta(days=900))
            level, position, age = self.rng.choice((10, 11)), _position_code(family, fam.head[0]), \
                self.rng.randint(32, 45)
        elif kind == "group":
            hire = self._date_between(self.founded + dt.timedelta(days=180),
                                      self.founded + dt.timedelta(days=1800))
            level, position, age = 9, _position_code(family, fam.manager[0]), self.rng.randint(30, 42)
        else:  # team lead
            hire = self._date_between(self.founded, self.founded + dt.timedelta(days=2550))
            level = min(9, max(5, fam.ic_cap + self.rng.choice((0, 1))))
            position, age = _position_code(family, fam.lead[0]), self.rng.randint(26, 38)
        hire = _workday(hire, self.ref)
        person = self._person(unit=unit, family=family, position=position, level=level, manager=manager,
                              hire_date=hire, age_at_hire=age)
        start_level = level
        if kind == "lead":
            start_level = max(1, level - self.rng.randint(1, 3))
        self._history(person, start_level, position_at_start=ic_position(family, start_level)
                      if start_level != level else position)
        unit.head = person.index
        return person

    def _member(self, unit: UnitPlan, family: str, lead: PersonPlan) -> PersonPlan:
        fam = FAMILY_BY_CODE[family]
        span = (self.ref - self.founded).days
        # More recent hires than early ones: the company grew.
        hire = self.ref - dt.timedelta(days=int(span * self.rng.random() ** 1.6))
        hire = _workday(hire, self.ref)
        prior = self.rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 8))
        start = min(fam.ic_cap - 1, 1 + prior // 2)
        tenure = (self.ref - hire).days / 365.25
        level = min(fam.ic_cap, start + int(tenure / 2.5))
        person = self._person(unit=unit, family=family, position=ic_position(family, level), level=level,
                              manager=lead, hire_date=hire, age_at_hire=22 + prior + self.rng.randint(0, 2))
        self._history(person, start, ic_position(family, start))
        return person

    def _history(self, person: PersonPlan, start_level: int, position_at_start: str) -> None:
        """A hire, then promotions spread over the tenure up to today's level and position."""
        person.history = [HistoryItem(EventKind.HIRE, person.hire_date, start_level, position_at_start)]
        steps = person.level - start_level
        if steps <= 0:
            return
        first = person.hire_date + dt.timedelta(days=300)
        last = self.ref - dt.timedelta(days=30)
        if last <= first:
            # Too recent for a promotion: hired at today's level.
            person.history[0] = HistoryItem(EventKind.HIRE, person.hire_date, person.level, person.position)
            return
        count = min(3, steps)
        increments = _split(steps, count)
        gap = (last - first).days / count
        level = start_level
        for i, inc in enumerate(increments):
            level += inc
            day = _workday(first + dt.timedelta(days=int(gap * i + self.rng.random() * gap * 0.5)), last)
            position = person.position if level == person.level else ic_position(person.family, level)
            person.history.append(HistoryItem(EventKind.PROMOTION, day, level, position))

    def _leave_or_exit(self, person: PersonPlan) -> None:
        roll = self.rng.random()
        tenure_days = (self.ref - person.hire_date).days
        if roll < 0.03 and tenure_days > 120:
            day = person.hire_date + dt.timedelta(days=self.rng.randint(90, tenure_days - 1))
            day = _workday(day, self.ref)
            person.history = [h for h in person.history if h.date < day]
            person.status = EmploymentStatus.TERMINATED
            person.termination_date = day
            person.history.append(HistoryItem(EventKind.TERMINATION, day))
        elif roll < 0.045 and tenure_days > 200:
            day = self.ref - dt.timedelta(days=self.rng.randint(5, 150))
            person.history = [h for h in person.history if h.date < day]
            person.status = EmploymentStatus.ON_LEAVE
            person.history.append(HistoryItem(EventKind.LEAVE, _workday(day, self.ref)))

    def _sync_level_with_history(self, person: PersonPlan) -> None:
        """After history was cut short (a leaver), today's level and position are the last ones."""
        for item in person.history:
            if item.level is not None:
                person.level, person.position = item.level, item.position or person.position

    # ------------------------------------------------------------ the company

    def build(self) -> CompanyPlan:
        rng = self.rng
        root = self._unit(ROOT_CODE, COMPANY_NAME[0], COMPANY_NAME[1], None)
        ceo = self._head(root, CEO_POSITION[3], "ceo", None)
        counts = _allocate(self.total - 1, [d.weight for d in DEPARTMENTS], [d.minimum for d in DEPARTMENTS])
        team_units: dict[str, list[tuple[UnitPlan, PersonPlan, TeamDef]]] = {}
        sizes_by_dept: dict[str, list[int]] = {}
        for dept, count in zip(DEPARTMENTS, counts, strict=True):
            unit = self._unit(dept.code, dept.name, dept.name_en, root)
            head = self._head(unit, dept.family, "department", ceo)
            rest = count - 1
            teams = max(dept.min_teams, round(rest / TEAM_SIZE))
            shape = _group_shape(teams)
            while teams > dept.min_teams and rest - _count_groups(shape) - teams < 2 * teams:
                teams -= 1
                shape = _group_shape(teams)
            members = rest - _count_groups(shape) - teams
            # Members per team: an even split, then shuffled a little so teams differ in size.
            sizes = _split(members, teams)
            for _ in range(teams):
                a, b, k = rng.randrange(teams), rng.randrange(teams), rng.randint(1, 2)
                if a != b and sizes[a] - k >= 3 and sizes[b] + k <= 13:
                    sizes[a] -= k
                    sizes[b] += k
            if dept.code == "rnd" and sizes[1] < 3:
                # The platform team holds the well-known mentor, employee and newgrad.
                donor = max(range(teams), key=lambda i: (sizes[i], -i))
                need = 3 - sizes[1]
                sizes[donor] -= need
                sizes[1] += need
            sizes_by_dept[dept.code] = sizes
            slots: list[tuple[UnitPlan, PersonPlan]] = []
            self._groups(dept, unit, head, shape, level=0, slots=slots, prefix=dept.code)
            placed = []
            for i, (parent, boss) in enumerate(slots):
                tdef = dept.teams[i % len(dept.teams)]
                cycle = i // len(dept.teams)
                code = f"{dept.code}-{tdef.code}" + (f"-{cycle + 1}" if cycle else "")
                name = tdef.name + (f"（{_cn_number(cycle + 1)}）" if cycle else "")
                name_en = tdef.name_en + (f" {cycle + 1}" if cycle else "")
                team = self._unit(code, name, name_en, parent)
                lead = self._head(team, tdef.family, "lead", boss)
                placed.append((team, lead, tdef))
            team_units[dept.code] = placed
        named = self._members_and_named(team_units, sizes_by_dept)
        return self._finish(named)

    def _groups(self, dept: DeptDef, parent: UnitPlan, boss: PersonPlan, shape: list | int, level: int,
                slots: list, prefix: str) -> None:
        if isinstance(shape, int):
            slots.extend((parent, boss) for _ in range(shape))
            return
        zh_kind, en_kind = GROUP_LEVELS[min(level, len(GROUP_LEVELS) - 1)]
        for i, sub in enumerate(shape, start=1):
            code = f"{prefix}-{en_kind[0]}{i}"
            if level == 0:
                name, name_en = f"{dept.short}{_cn_number(i)}{zh_kind}", f"{dept.name_en} {en_kind} {i}"
            else:
                name, name_en = f"{parent.name}{_cn_number(i)}{zh_kind}", f"{parent.name_en}, {en_kind} {i}"
            unit = self._unit(code, name, name_en, parent)
            head = self._head(unit, dept.family, "group", boss)
            self._groups(dept, unit, head, sub, level + 1, slots, code)

    def _members_and_named(self, team_units, sizes_by_dept) -> dict[str, int | None]:
        named: dict[str, int | None] = {"admin": None}
        for dept in DEPARTMENTS:
            sizes = sizes_by_dept[dept.code]
            for t, (team, lead, tdef) in enumerate(team_units[dept.code]):
                for m in range(sizes[t]):
                    person = self._member(team, tdef.family, lead)
                    if dept.code == "rnd" and t == 1 and m < 3:
                        self._named_engineer(person, ("mentor", "employee", "newgrad")[m])
                        named[("mentor", "employee", "newgrad")[m]] = person.index
                    elif dept.code == "hr" and t == 0 and m == 0:
                        person.level = 5
                        person.position = ic_position("hr", 5)
                        self._history(person, 4, ic_position("hr", 4))
                        named["hr"] = person.index
                    else:
                        self._leave_or_exit(person)
                        self._sync_level_with_history(person)
        rnd = self.unit_by_code["rnd"]
        named["manager"] = rnd.head
        manager = self.people[rnd.head]
        manager.level = 11
        manager.hire_date = _workday(self._date_between(self.founded, self.founded + dt.timedelta(days=500)),
                                     self.ref)
        self._history(manager, 11, manager.position)
        return named

    def _named_engineer(self, person: PersonPlan, role: str) -> None:
        rng, ref = self.rng, self.ref
        if role == "mentor":
            person.level = 8
            person.hire_date = _workday(_years_before(ref, 8) - dt.timedelta(days=rng.randint(30, 500)), ref)
            start = 4
        elif role == "employee":
            person.level = 4
            person.hire_date = _workday(_years_before(ref, 3) + dt.timedelta(days=rng.randint(-60, 60)), ref)
            start = 3
        else:  # newgrad: hired this year, within the last few months
            person.level = 1
            jan1 = dt.date(ref.year, 1, 1)
            earliest = max(jan1, ref - dt.timedelta(days=120))
            person.hire_date = _workday(self._date_between(earliest, ref), ref)
            if person.hire_date.year != ref.year:  # the first days of January fell on a weekend
                person.hire_date = ref
            start = 1
        age = {"mentor": 27, "employee": 25, "newgrad": 22}[role]
        person.birth_date = person.birth_date.replace(year=person.hire_date.year - age)
        person.position = ic_position(person.family, person.level)
        self._history(person, start, ic_position(person.family, start))

    def _finish(self, named: dict[str, int | None]) -> CompanyPlan:
        rng = self.rng
        people = self.people
        # Employee numbers follow the order of hiring.
        width = max(5, len(str(len(people))))
        for n, person in enumerate(sorted(people, key=lambda p: (p.hire_date, p.index)), start=1):
            person.employee_number = f"TL{n:0{width}d}"
        usernames = {index: username for username, index in named.items() if index is not None}
        taken: dict[str, int] = {}
        for person in people:
            given, surname = person.name_en.lower().split(" ", 1)
            local = f"{given}.{surname}"
            taken[local] = taken.get(local, 0) + 1
            if taken[local] > 1:
                local = f"{local}{taken[local]}"
            person.email = f"{local}@{EMAIL_DOMAIN}"
            person.username = usernames.get(person.index, local)
            person.phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            first17 = (rng.choice(REGION_CODES) + person.birth_date.strftime("%Y%m%d")
                       + f"{rng.randrange(1000):03d}")
            person.national_id = first17 + _id_check_digit(first17)
            first18 = rng.choice(BANK_BINS) + f"{rng.randrange(10**12):012d}"
            person.bank_account = first18 + _luhn_digit(first18)
        roles: list[tuple[str, str, str | None]] = [
            ("admin", Role.ADMIN, None), ("hr", Role.HR, None), ("mentor", Role.MENTOR, None),
        ]
        hr_dept = self.unit_by_code["hr"]
        roles.append((people[hr_dept.head].username, Role.HR, None))
        # HR business partners look after one department each.
        scoped = [d.code for d in DEPARTMENTS if d.code != "hr"]
        hrbp_team = next(u for u in self.units if u.code == "hr-hrbp")
        partners = [p for p in people if p.unit == hrbp_team.code and p.index != named["hr"]
                    and p.status == EmploymentStatus.ACTIVE and p.index != hrbp_team.head]
        for i, partner in enumerate(partners):
            roles.append((partner.username, Role.HR, scoped[i % len(scoped)]))
        # Some experienced people mentor others.
        for person in people:
            fam = FAMILY_BY_CODE[person.family]
            if (person.manager is not None and person.status == EmploymentStatus.ACTIVE
                    and person.index not in usernames and person.level >= fam.ic_cap - 2
                    and (self.ref - person.hire_date).days > 4 * 365 and rng.random() < 0.2):
                roles.append((person.username, Role.MENTOR, None))
        return CompanyPlan(seed=self.seed, reference_date=self.ref, units=self.units, people=people,
                           positions=_all_positions(), roles=roles, named=named)


def plan_company(employees: int, *, seed: int = DEFAULT_SEED, reference_date: dt.date | None = None
                 ) -> CompanyPlan:
    """The whole company in memory; identical for the same size, seed and reference date."""
    if employees < MIN_EMPLOYEES:
        raise ValueError(f"A generated company needs at least {MIN_EMPLOYEES} employees.")
    plan = _Planner(employees, seed, reference_date or timezone.localdate()).build()
    assert len(plan.people) == employees, (len(plan.people), employees)
    return plan


# ---------------------------------------------------------------- writing it


@dataclass
class LoadResult:
    employees: int
    org_units: int
    positions: int
    accounts: int
    events: int
    roles: int
    statements: int  # INSERT/UPDATE statements issued, for the curious


def _family_rows() -> Iterable[JobFamily]:
    for fam in FAMILIES:
        yield JobFamily(code=fam.code, name=fam.name, name_en=fam.name_en, description=fam.description)


@transaction.atomic
def load_company(plan: CompanyPlan, *, password_hash: str | None = None, batch_size: int = 2000
                 ) -> LoadResult:
    """Insert a planned company in a few set-based statements.

    Every account gets ``password_hash`` (by default the demo password, hashed once with the
    configured hasher); the demo password is refused outside demo mode, so generated accounts
    cannot be used to sign in to a real install.
    """
    now = timezone.now()
    password_hash = password_hash or make_password(DEMO_PASSWORD)
    statements = 0

    families = {f.code: f for f in JobFamily.objects.bulk_create(list(_family_rows()))}
    positions = {
        p.code: p for p in Position.objects.bulk_create(
            [Position(code=code, name=zh, name_en=en, job_family=families[fam])
             for code, zh, en, fam in plan.positions])
    }
    statements += 2

    # Org units, one level at a time so that parents have ids; paths come once ids are known.
    units: dict[str, OrgUnit] = {}
    max_depth = max(u.depth for u in plan.units)
    for depth in range(max_depth + 1):
        batch = [OrgUnit(code=u.code, name=u.name, name_en=u.name_en,
                         parent=units[u.parent] if u.parent else None, depth=depth, path="/")
                 for u in plan.units if u.depth == depth]
        OrgUnit.objects.bulk_create(batch, batch_size=batch_size)
        statements += 1
        for unit in batch:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            units[unit.code] = unit

    # Accounts: one shared hash, so that 10,000 accounts take no time to create.
    users = [User(username="admin", display_name="Administrator", email=f"admin@{EMAIL_DOMAIN}",
                  password=password_hash, date_joined=now)]
    users += [User(username=p.username, display_name=p.name, email=p.email, password=password_hash,
                   first_name=p.name_en.split(" ", 1)[0], last_name=p.name_en.split(" ", 1)[1],
                   date_joined=now) for p in plan.people]
    User.objects.bulk_create(users, batch_size=batch_size)
    statements += 1
    user_by_name = {u.username: u for u in users}

    # People, one level of the reporting tree at a time: a manager's id exists before the reports'
    # manager_path is computed from it.
    employees: dict[int, Employee] = {}
    max_chain = max(p.chain_depth for p in plan.people)
    for chain_depth in range(max_chain + 1):
        batch = []
        for p in plan.people:
            if p.chain_depth != chain_depth:
                continue
            manager = employees[p.manager] if p.manager is not None else None
            emp = Employee(
                user=user_by_name[p.username], employee_number=p.employee_number, name=p.name,
                name_en=p.name_en, email=p.email, phone=p.phone, hire_date=p.hire_date,
                termination_date=p.termination_date,
                org_unit=units[p.unit], job_family=families[p.family], position=positions[p.position],
                level=p.level, manager=manager, manager_path=manager.reports_prefix if manager else "/",
                status=p.status, national_id=p.national_id, bank_account=p.bank_account,
            )
            employees[p.index] = emp
            batch.append(emp)
        Employee.objects.bulk_create(batch, batch_size=batch_size)
        statements += 1

    for u in plan.units:
        if u.head is not None:
            units[u.code].manager = employees[u.head]
    OrgUnit.objects.bulk_update(list(units.values()), ["path", "manager"], batch_size=500)
    statements += 1

    events = []
    for p in plan.people:
        emp = employees[p.index]
        manager = employees[p.manager] if p.manager is not None else None
        state = {"org_unit": str(emp.org_unit_id), "job_family": str(emp.job_family_id), "position": None,
                 "level": None, "manager": str(manager.pk) if manager else None, "status": "",
                 "termination_date": None}
        for item in p.history:
            position = positions[item.position] if item.position else None
            before = dict(state) if item.kind != EventKind.HIRE else {}
            if item.kind == EventKind.HIRE:
                event = EmploymentEvent(employee=emp, kind=item.kind, effective_date=item.date,
                                        org_unit=emp.org_unit, job_family=emp.job_family, position=position,
                                        level=item.level, manager=manager, status=EmploymentStatus.ACTIVE)
                state.update(status=EmploymentStatus.ACTIVE.value)
            elif item.kind == EventKind.PROMOTION:
                event = EmploymentEvent(employee=emp, kind=item.kind, effective_date=item.date,
                                        position=position, level=item.level)
            elif item.kind == EventKind.TERMINATION:
                event = EmploymentEvent(employee=emp, kind=item.kind, effective_date=item.date,
                                        status=EmploymentStatus.TERMINATED)
                state.update(status=EmploymentStatus.TERMINATED.value, termination_date=str(item.date))
            else:
                event = EmploymentEvent(employee=emp, kind=item.kind, effective_date=item.date,
                                        status=EmploymentStatus.ON_LEAVE)
                state.update(status=EmploymentStatus.ON_LEAVE.value)
            if item.level is not None:
                state.update(level=item.level, position=str(position.pk) if position else None)
            event.before = before
            event.applied_at = now
            events.append(event)
    EmploymentEvent.objects.bulk_create(events, batch_size=batch_size)
    statements += 1

    roles = [RoleAssignment(user=user_by_name[username], role=role, org_unit=units[unit] if unit else None)
             for username, role, unit in plan.roles]
    RoleAssignment.objects.bulk_create(roles, batch_size=batch_size)
    statements += 1
    return LoadResult(employees=len(employees), org_units=len(units), positions=len(positions),
                      accounts=len(users), events=len(events), roles=len(roles), statements=statements)


def analyze_tables() -> None:
    """Refresh the query planner's statistics after a bulk load; until autovacuum comes by,
    PostgreSQL would plan for the tables' old sizes."""
    with connection.cursor() as cursor:
        for model in (OrgUnit, JobFamily, Position, Employee, EmploymentEvent, User, RoleAssignment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def company_loaded() -> bool:
    """Whether a generated company (the demo or a seeded one) is in the database."""
    return (OrgUnit.objects.filter(code=ROOT_CODE, parent__isnull=True).exists()
            and User.objects.filter(username="manager", employee__isnull=False).exists())


def organisation_has_data() -> bool:
    return Employee.objects.exists() or OrgUnit.objects.exists() or JobFamily.objects.exists()


@transaction.atomic
def wipe_company() -> int:
    """Delete all organisation data and the accounts of the people in it (and the well-known demo
    accounts). Superusers are kept. Returns the number of employees deleted."""
    employees = Employee.objects.count()
    User.objects.filter(Q(pk__in=Employee.objects.filter(user__isnull=False).values("user_id"))
                        | Q(username__in=NAMED_USERNAMES)).filter(is_superuser=False).delete()
    EmploymentEvent.objects.all().delete()
    OrgUnit.objects.update(manager=None)
    Employee.objects.update(manager=None)
    Employee.objects.all().delete()
    Position.objects.all().delete()
    JobFamily.objects.all().delete()
    OrgUnit.objects.update(parent=None)
    OrgUnit.objects.all().delete()
    return employees
