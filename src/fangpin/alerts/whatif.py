"""What-if simulation (模拟新标准): the screening rules with a draft policy, next to today's, before adopting it.

The draft is the county's adopted policy (``policy_for(...).as_core()``) with some values replaced
(monitoring line, rigid-expenditure factor, income-collapse ratio, rules switched off). Both runs go through
the compiled engine (``services.find_with_engine`` with ``policy_of`` and no evidence); nothing is stored
but the counts on the ``Simulation`` row: no warning is written and no policy changes.

Results per county, township and village: households and persons flagged today and under the draft, the
difference, and the monitored scale — current monitoring objects plus the households flagged — against the
rural population (active registry members), checked with ``core.scale`` (about 5 %, at most 10 %).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from fangpin.accounts.access import code_prefix_q
from fangpin.audit.services import record
from fangpin.cases.scale import monitored_households_q
from fangpin.cases.services import CaseError, policy_for
from fangpin.core.policy import Policy
from fangpin.core.rules import RULES, Finding
from fangpin.core.scale import check_scale
from fangpin.regions.models import Region
from fangpin.registry.models import Household, Member

from . import services
from .models import Simulation
from .services import AlertError, period_end

log = logging.getLogger(__name__)
RULE_TITLES = {rule.code: rule.title for rule in RULES}
BATCH = 2000
STALE = dt.timedelta(minutes=10)  # a running simulation silent this long lost its thread
OTHER = "其他"
PHASE = "按现行政策和模拟政策研判"


class DraftError(AlertError):
    """A draft value out of range; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Draft:
    """The values a draft changes; ``None`` keeps the adopted policy's value."""

    monitoring_line: Decimal | None = None
    rigid_factor: Decimal | None = None
    collapse_ratio: Decimal | None = None
    rules_off: tuple[str, ...] = ()

    def apply(self, current: Policy) -> Policy:
        changes = {name: value for name in ("monitoring_line", "rigid_factor", "collapse_ratio")
                   if (value := getattr(self, name)) is not None}
        return replace(current, version=f"{current.version}（模拟）", **changes)

    def keeps(self, finding: Finding) -> bool:
        return finding.rule not in self.rules_off

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: str(value) for name in ("monitoring_line", "rigid_factor", "collapse_ratio")
                                if (value := getattr(self, name)) is not None}
        if self.rules_off:
            data["rules_off"] = list(self.rules_off)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        return parse_draft(data.get("monitoring_line"), data.get("rigid_factor"), data.get("collapse_ratio"),
                           data.get("rules_off") or ())

    @property
    def text(self) -> str:
        parts = []
        if self.monitoring_line is not None:
            parts.append(f"监测线 {self.monitoring_line:,} 元")
        if self.rigid_factor is not None:
            parts.append(f"刚性支出倍数 {self.rigid_factor}")
        if self.collapse_ratio is not None:
            parts.append(f"收入骤减比例 {self.collapse_ratio}")
        if self.rules_off:
            parts.append("停用规则：" + "、".join(RULE_TITLES.get(c, c) for c in self.rules_off))
        return "；".join(parts)


def _decimal(field: str, label: str, raw: object, low: Decimal, high: Decimal, *, low_open: bool = False,
             places: int = 2) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("，", "").removesuffix("元"))
    except InvalidOperation:
        raise DraftError(field, f"{label}“{str(raw)[:20]}”不是数字") from None
    if not value.is_finite() or value < low or value > high or (low_open and value == low):
        bound = f"大于 {low}" if low_open else f"不小于 {low}"
        raise DraftError(field, f"{label} {value} 超出范围（须{bound}且不大于 {high}）")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise DraftError(field, f"{label} {value} 最多 {places} 位小数")
    return value


def parse_draft(monitoring_line: object = None, rigid_factor: object = None, collapse_ratio: object = None,
                rules_off: Iterable[str] = ()) -> Draft:
    """A draft from typed-in values (the form, the CLI, a stored simulation); DraftError names the bad field."""
    off = tuple(dict.fromkeys(rules_off))
    unknown = [c for c in off if c not in RULE_TITLES]
    if unknown:
        raise DraftError("rules", f"未知的规则：{'、'.join(unknown)}")
    if len(off) == len(RULE_TITLES):
        raise DraftError("rules", "至少保留一条规则")
    draft = Draft(
        monitoring_line=_decimal("monitoring_line", "监测线", monitoring_line, Decimal(0), Decimal(1_000_000),
                                 low_open=True),
        rigid_factor=_decimal("rigid_factor", "刚性支出倍数", rigid_factor, Decimal(0), Decimal(100), low_open=True),
        collapse_ratio=_decimal("collapse_ratio", "收入骤减比例", collapse_ratio, Decimal(0), Decimal(1),
                                low_open=True, places=3),
        rules_off=tuple(c for c in RULE_TITLES if c in off),
    )
    if draft == Draft():
        raise DraftError("monitoring_line", "请至少修改一项政策参数（监测线、刚性支出倍数、收入骤减比例或规则）")
    return draft


# ---------------------------------------------------------------- the simulation


Flags = dict[int, tuple[tuple[str, ...], tuple[str, ...]]]  # household → (rule codes, risk types)


def _flags(found: Mapping[int, list[Finding]], keep: Callable[[Finding], bool]) -> Flags:
    flags: Flags = {}
    for household_id, findings in found.items():
        kept = [f for f in findings if keep(f)]
        if kept:
            risks = tuple(dict.fromkeys(r for f in kept for r in (f.risk_types or (OTHER,))))
            flags[household_id] = (tuple(f.rule for f in kept), risks)
    return flags


def simulate(region_code: str, end: dt.date, draft: Draft,
             progress: Callable[[int, str], None] | None = None, *, connect: Callable[[], Any] | None = None
             ) -> dict[str, Any]:
    """Both runs and the summary (JSON-ready). ``progress(percent, phase)``."""
    adopted: dict[str, Policy] = {}

    def today_of(village: str, day: dt.date) -> Policy:
        county = village[:6]
        if county not in adopted:
            adopted[county] = policy_for(village, day).as_core()
        return adopted[county]

    def on_progress(done: int, total: int, records: int) -> None:
        if progress:
            progress(90 * done // total if total else 90, PHASE)

    if progress:
        progress(0, PHASE)
    today: Flags = {}
    drafted: Flags = {}
    # one load of the county's inputs, screened with the adopted policy and with the draft
    for village, inputs in services.engine_inputs(region_code, end, on_progress):
        adopted_policy = today_of(village, end)
        today.update(_flags(services.run_engine(inputs, adopted_policy, end, connect), lambda f: True))
        drafted.update(_flags(services.run_engine(inputs, draft.apply(adopted_policy), end, connect), draft.keeps))
    if progress:
        progress(90, "汇总")
    return summarise(region_code, today, drafted, adopted, draft)


def summarise(region_code: str, today: Flags, drafted: Flags, adopted: Mapping[str, Policy],
              draft: Draft) -> dict[str, Any]:
    """Counts per county (6), township (9) and village (12) unit of the region, by rule and by risk type."""
    scope = Household.objects.filter(code_prefix_q("village_id", region_code))
    population: Counter[str] = Counter(dict(
        Member.objects.filter(code_prefix_q("household__village_id", region_code), status="active")
        .values_list("household__village_id").annotate(n=Count("id")).values_list("household__village_id", "n")))
    households: Counter[str] = Counter(dict(scope.values_list("village_id").annotate(n=Count("id"))
                                            .values_list("village_id", "n")))
    monitored = dict(scope.filter(monitored_households_q()).values_list("pk", "village_id"))
    village_of = dict(monitored)
    persons: dict[int, int] = {}
    wanted = sorted(set(monitored) | set(today) | set(drafted))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start:start + BATCH]
        missing = [pk for pk in chunk if pk not in village_of]
        village_of.update(Household.objects.filter(pk__in=missing).values_list("pk", "village_id"))
        persons.update(Member.objects.filter(status="active", household_id__in=chunk)
                       .values_list("household_id").annotate(n=Count("id")).values_list("household_id", "n"))

    villages = set(households) | set(population)
    codes = sorted({v[:n] for v in villages for n in (6, 9, 12) if len(v) >= n >= len(region_code)})
    regions = {r.code: r for r in Region.objects.filter(code__in={*codes, *(c[:6] for c in codes)})}
    units: dict[str, dict[str, Any]] = {}
    for code in codes:
        region = regions.get(code)
        units[code] = {"code": code, "name": region.name if region else code, "population": 0, "households": 0,
                       **{k: [0, 0] for k in ("monitored", "today", "draft", "added", "removed",
                                                    "scale_today_set", "scale_draft_set")}}
    for village in villages:
        for code in _prefixes(village, units):
            units[code]["population"] += population[village]
            units[code]["households"] += households[village]
    for pk in wanted:
        village = village_of.get(pk)
        if village is None:
            continue
        n = persons.get(pk, 0)
        marks = {"monitored": pk in monitored, "today": pk in today, "draft": pk in drafted,
                 "added": pk in drafted and pk not in today, "removed": pk in today and pk not in drafted,
                 "scale_today_set": pk in monitored or pk in today,
                 "scale_draft_set": pk in monitored or pk in drafted}
        for code in _prefixes(village, units):
            for key, on in marks.items():
                if on:
                    units[code][key][0] += 1
                    units[code][key][1] += n
    for code, unit in units.items():
        county = code[:6]
        policy = adopted.get(county)
        deep = bool(getattr(regions.get(county), "deep_poverty", False))
        unit["deep_poverty"] = deep
        for name, key in (("scale_now", "monitored"), ("scale_today", "scale_today_set"),
                          ("scale_draft", "scale_draft_set")):
            unit[name] = _scale(unit[key][1], unit["population"], deep, policy)
        del unit["scale_today_set"], unit["scale_draft_set"]

    counties = []
    for code in sorted(c for c in units if len(c) == 6 or (len(c) > 6 and c == region_code)):
        county = dict(units[code])
        county["townships"] = [units[c] for c in sorted(units) if len(c) == 9 and c.startswith(code) and c != code]
        county["villages"] = [dict(units[c], township=units.get(c[:9], {}).get("name", ""))
                              for c in sorted(units) if len(c) == 12 and c.startswith(code) and c != code]
        counties.append(county)
    rules = _by(today, drafted, 0)
    risks = _by(today, drafted, 1)
    total = {k: [sum(c[k][0] for c in counties), sum(c[k][1] for c in counties)]
             for k in ("monitored", "today", "draft", "added", "removed")}
    return {
        "region": region_code,
        "draft": draft.as_json(),
        "draft_text": draft.text,
        "policies": [{"county": county, "name": regions[county].name if county in regions else county,
                      **_policy_json(policy), "draft": _policy_json(draft.apply(policy))}
                     for county, policy in sorted(adopted.items())],
        "total": total,
        "counties": counties,
        "rules": [{"code": code, "title": RULE_TITLES[code], "today": rules[code][0], "draft": rules[code][1],
                   "off": code in draft.rules_off} for code in RULE_TITLES if any(rules[code]) or
                  code in draft.rules_off],
        "risks": [{"risk": risk, "today": n[0], "draft": n[1]}
                  for risk, n in sorted(risks.items(), key=lambda kv: (-max(kv[1]), kv[0]))],
    }


def _prefixes(village: str, units: Mapping[str, Any]) -> list[str]:
    """The units (county, township, village) a village counts in."""
    return [village[:n] for n in (6, 9, 12) if village[:n] in units]


def _by(today: Flags, drafted: Flags, index: int) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for column, flags in ((0, today), (1, drafted)):
        for item in flags.values():
            for key in item[index]:
                counts[key][column] += 1
    return counts


def _scale(monitored: int, population: int, deep: bool, policy: Policy | None) -> dict[str, Any]:
    warning = policy.scale_warning if policy else Decimal("0.05")
    ceiling = policy.scale_warning_deep if policy else Decimal("0.10")
    own = check_scale(monitored, population, deep_poverty=deep, warning=warning, warning_deep=ceiling)
    above_warning = check_scale(monitored, population, deep_poverty=False, warning=warning, warning_deep=ceiling).over
    above_ceiling = check_scale(monitored, population, deep_poverty=True, warning=warning, warning_deep=ceiling).over
    level = "bad" if above_ceiling or own.over else "warn" if above_warning else "ok"
    return {"persons": monitored, "ratio": str(own.ratio), "limit": f"{own.limit.normalize():f}", "over": own.over,
            "above_warning": above_warning, "above_ceiling": above_ceiling, "level": level}


def _policy_json(policy: Policy) -> dict[str, Any]:
    return {"version": policy.version, "monitoring_line": str(policy.monitoring_line),
            "rigid_factor": str(policy.rigid_factor), "collapse_ratio": str(policy.collapse_ratio)}


# ---------------------------------------------------------------- the job


def may_simulate(user) -> bool:
    return bool(user.can("simulate_policy"))  # RoleSpec.simulate_policy: run_screening or manage_policy


@transaction.atomic
def do_start_simulation(user, region_code: str, period: str, draft: Draft, request=None) -> Simulation:
    """A simulation job for the region (the user's or a unit in it); its page polls the progress."""
    if not may_simulate(user):
        raise AlertError("政策模拟须由县级筛查人员或政策管理人员发起")
    if not region_code or not region_code.startswith(user.scope_code):
        raise AlertError("该区划不在您的管辖范围内")
    if not Region.objects.filter(code=region_code).exists():
        raise AlertError(f"区划代码 {region_code} 不存在")
    period_end(period)
    _fail_stale(region_code)
    if Simulation.objects.filter(region_id=region_code, status__in=("queued", "running")).exists():
        raise AlertError("该区划已有一个模拟正在运行，请等待完成后再发起")
    simulation = Simulation.objects.create(region_id=region_code, period=period, params=draft.as_json(),
                                           created_by=user)
    record(request, "whatif.start", obj=simulation, user=user,
           summary=f"发起政策模拟 {region_code} {period}：{draft.text}"[:300], detail={"params": draft.as_json()})
    start_simulation(simulation)
    return simulation


def _fail_stale(region_code: str) -> None:
    """A job whose thread died (a restart) stops blocking the region once it has been silent for STALE."""
    silent = timezone.now() - STALE
    Simulation.objects.filter(region_id=region_code, status__in=("queued", "running")).filter(
        Q(heartbeat__lt=silent) | Q(heartbeat__isnull=True, created_at__lt=silent)).update(
        status="failed", phase="失败", finished_at=timezone.now(), failure="模拟中断（如服务重启），请重新发起")


def start_simulation(simulation: Simulation) -> None:
    """In a thread after commit (the page polls); inline with ALERTS_RUN_INLINE (tests, the CLI)."""
    if getattr(settings, "ALERTS_RUN_INLINE", False):
        run_simulation(simulation.pk)
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread_main, args=(simulation.pk,), daemon=True).start())


def _thread_main(simulation_id: int) -> None:
    try:
        close_old_connections()
        run_simulation(simulation_id)
    finally:
        connections.close_all()


def run_simulation(simulation_id: int, progress: Callable[[Simulation], None] | None = None,
                   connect: Callable[[], Any] | None = None) -> Simulation:
    """Claim a queued simulation, run both passes, keep the counts. Writes no warning."""
    if not Simulation.objects.filter(pk=simulation_id, status="queued").update(
            status="running", phase="准备中", heartbeat=timezone.now()):
        return Simulation.objects.get(pk=simulation_id)
    simulation = Simulation.objects.get(pk=simulation_id)

    def on_progress(percent: int, phase: str) -> None:
        Simulation.objects.filter(pk=simulation_id).update(progress=min(percent, 99), phase=phase,
                                                           heartbeat=timezone.now())
        if progress:
            progress(Simulation.objects.get(pk=simulation_id))

    try:
        draft = Draft.from_json(simulation.params)
        results = simulate(simulation.region_id, period_end(simulation.period), draft, on_progress, connect=connect)
    except (CaseError, AlertError) as exc:
        return _finish(simulation_id, "failed", {}, str(exc))
    except Exception as exc:
        log.exception("simulation %s failed", simulation_id)  # tracebacks hold no personal data
        return _finish(simulation_id, "failed", {}, f"模拟失败（{type(exc).__name__}），可重新发起")
    done = _finish(simulation_id, "done", results, "")
    total = results["total"]
    record(None, "whatif.done", obj=done, user=simulation.created_by,
           summary=(f"政策模拟完成 {simulation.region_id} {simulation.period}：现行标准 {total['today'][0]} 户，"
                    f"模拟标准 {total['draft'][0]} 户")[:300],
           detail={"params": simulation.params, "today": total["today"], "draft": total["draft"]})
    return done


def _finish(simulation_id: int, status: str, results: dict[str, Any], failure: str) -> Simulation:
    Simulation.objects.filter(pk=simulation_id).update(
        status=status, phase=dict(Simulation._meta.get_field("status").choices)[status], results=results,
        finished_at=timezone.now(), failure=failure[:300], **({"progress": 100} if status == "done" else {}))
    return Simulation.objects.get(pk=simulation_id)
