"""Data of the screening benchmark: the generator of N persons and M department records as Parquet,
the DuckDB connection it reads them with, and peak-memory readings (used by ``bench`` and
``bench_baselines``)."""


from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from fangpin.core.screening import SCHEMAS, Kind, window

Arr = npt.NDArray[Any]
MONEY = pa.decimal128(14, 2)
FORMAT = 4  # bump when the generated files change shape
PROVINCE = 13
# Counties of the province (河北 13xxxx) the registry's people were born in, and other provinces' areas.
AREAS = np.array([130102, 130104, 130105, 130108, 130181, 130183, 130184, 130202, 130203, 130204, 130224,
                  130225, 130302, 130303, 130402, 130403, 130424, 130425, 130502, 130503, 130602, 130606,
                  130607, 130608, 130623, 130624, 130626, 130627, 130628, 130629, 130630, 130631, 130632,
                  130633, 130634, 130635, 130636, 130637, 130638, 130681, 130682, 130683, 130684, 130702,
                  130703, 130802, 130902, 131002, 131102, 131121], dtype=np.int64)
OTHER_AREAS = np.array([110101, 120101, 140105, 150102, 370102, 410102, 410105, 420102], dtype=np.int64)
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_VALUE = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)  # "10X98765432", X = 10

# A province's month: mostly clinic visits; events are rare (shares of all records).
SHARE = {"medical_insurance": 0.905, "civil_affairs": 0.03, "disabled_federation": 0.0001,
         "hr_social_security": 0.01, "education": 0.03, "housing": 0.005, "emergency": 0.002,
         "public_security": 0.0039, "water": 0.014}
VALUES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[float, ...]]] = {
    ("civil_affairs", "event"): (("dibao_in", "dibao_out", "tekun_in", "tekun_out", "temp_relief"), (1, 1, 1, 1, 6)),
    ("disabled_federation", "grade"): (("1", "2", "3", "4"), (1, 2, 3, 4)),
    ("hr_social_security", "event"): (("unemployed", "dismissed", "employed"), (1, 1, 78)),
    ("education", "status"): (("enrolled", "dropout", "suspected_dropout", "suspended"), (996, 1, 2, 1)),
    ("housing", "rating"): (("A", "B", "C", "D"), (60, 38.7, 1, 0.3)),
    ("public_security", "event"): (("death", "accident", "moved_out"), (2, 1, 37)),
    ("water", "status"): (("safe", "inconvenient", "unsafe_quantity", "unsafe_quality"), (99.4, 0.2, 0.2, 0.2)),
}
TEXTS = {("disabled_federation", "disability_kind"): ("肢体", "视力", "听力", "言语", "智力", "精神"),
         ("emergency", "disaster_kind"): ("洪涝", "干旱", "风雹", "地震", "低温冷冻")}
CHUNK = 4_000_000  # records generated and written per step


# ---------------------------------------------------------------- generation


def _money(cents: Arr) -> pa.Array:
    """Integer cents as decimal(14, 2) without a per-value conversion (little-endian 128-bit words)."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY, len(cents), [None, pa.py_buffer(words)])


def person_keys(rng: np.random.Generator, n: int, areas: Arr, seq_low: int, seq_high: int) -> Arr:
    """``core.screening.person_key`` of n random, valid ID numbers (check digit included)."""
    area = areas[rng.integers(0, len(areas), n)]
    day = np.datetime64("1940-01-01") + rng.integers(0, 29_000, n).astype("timedelta64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mday = (day - day.astype("datetime64[M]")).astype(np.int64) + 1
    body = area * 10**11 + (year * 10000 + month * 100 + mday) * 1000 + rng.integers(seq_low, seq_high, n)
    total = np.zeros(n, dtype=np.int64)
    rest = body.copy()
    for weight in _WEIGHTS[::-1]:
        rest, digit = np.divmod(rest, 10)
        total += digit * weight
    keys: Arr = body * 11 + _CHECK_VALUE[total % 11]
    return keys


def _choice(rng: np.random.Generator, values: tuple[str, ...], weights: tuple[float, ...], n: int) -> pa.Array:
    p = np.array(weights, dtype=float) / sum(weights)
    return pa.DictionaryArray.from_arrays(pa.array(rng.choice(len(values), n, p=p).astype(np.int32)),
                                          pa.array(values)).cast(pa.string())


@dataclass
class Dataset:
    directory: Path
    persons: int
    households: int
    records: dict[str, int]
    period_end: dt.date
    seconds: float = 0.0
    reused: bool = False

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.parquet"

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def generate(directory: Path, persons: int, records: int, period_end: dt.date, seed: int = 4,
             log: Callable[[str], None] = print) -> Dataset:
    """Write ``households``, ``members`` and one file per department kind under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = directory / "manifest.json"
    wanted = {"format": FORMAT, "persons": persons, "records": records, "period_end": period_end.isoformat(),
              "seed": seed}
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if {k: saved.get(k) for k in wanted} == wanted:
            return Dataset(directory, saved["persons_written"], saved["households"], saved["counts"], period_end,
                           reused=True)
        manifest.unlink()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sizes = rng.choice(np.array([1, 2, 2, 3, 3, 4, 4, 4, 5, 6]), size=persons // 3 + 1)
    sizes = sizes[np.cumsum(sizes) <= persons]
    if sizes.sum() < persons:
        sizes = np.append(sizes, persons - sizes.sum())
    n_hh = len(sizes)
    hh_of_person = np.repeat(np.arange(1, n_hh + 1, dtype=np.int64), sizes)
    keys = np.unique(person_keys(rng, int(persons * 1.01) + 100, AREAS, 0, 900))
    while len(keys) < persons:
        keys = np.unique(np.concatenate([keys, person_keys(rng, persons - len(keys) + 100, AREAS, 0, 900)]))
    keys = rng.permutation(keys)[:persons]
    labour = _choice(rng, ("full", "weak", "none", "lost"), (45, 15, 28, 12), persons)
    pq.write_table(pa.table({"household_id": hh_of_person, "person": keys, "labour": labour}),
                   directory / "members.parquet")

    # Registry facts: per-capita income around 15 000 yuan (≈ 2 % under a 7 300 line), last year's close to it.
    per_capita = np.exp(rng.normal(np.log(15_500), 0.33, n_hh))
    net = (per_capita * sizes * 100).astype(np.int64)
    shock = rng.random(n_hh) < 0.004
    last = np.where(shock, net / rng.uniform(0.15, 0.55, n_hh), net / rng.lognormal(0.04, 0.08, n_hh)).astype(np.int64)

    def sometimes(share: float, mean_yuan: float) -> Arr:
        return (rng.exponential(mean_yuan * 100, n_hh) * (rng.random(n_hh) < share)).astype(np.int64)

    pq.write_table(pa.table({
        "household_id": np.arange(1, n_hh + 1, dtype=np.int64),
        "household_type": _choice(rng, ("tuopin", "jiance", "yiban"), (30, 3, 67), n_hh),
        "persons": sizes.astype(np.int64),
        "net_income": _money(net),
        "last_year_net_income": pa.array(_money(last), mask=rng.random(n_hh) < 0.05),
        "medical_oop": _money(sometimes(0.2, 1200)),
        "schooling_exp": _money(sometimes(0.2, 2500)),
        "disaster_loss": _money(sometimes(0.01, 4000)),
        "accident_exp": _money(sometimes(0.005, 5000)),
        "housing_safety": _choice(rng, ("A", "B", "C", "D"), (70, 29.7, 0.2, 0.1), n_hh),
        "water": _choice(rng, ("safe", "inconvenient", "unsafe_quality"), (99.7, 0.2, 0.1), n_hh),
        "dropouts": (rng.random(n_hh) < 0.001).astype(np.int64),
        "uninsured": (rng.random(n_hh) < 0.003).astype(np.int64),
        "food_secure": rng.random(n_hh) > 0.0005,
    }), directory / "households.parquet")

    start, end = window(period_end)
    first = np.datetime64(start - dt.timedelta(days=30))
    span = (end - start).days + 45  # a month before the window to half a month after it
    pool = max(records // 200, 100)
    unregistered = person_keys(rng, pool, AREAS, 900, 1000)  # born in the province, not in the registry
    elsewhere = person_keys(rng, pool, OTHER_AREAS, 0, 1000)  # another province's people
    counts: dict[str, int] = {}
    for kind, share in SHARE.items():
        schema = SCHEMAS[kind]
        total = max(int(records * share), 1)
        counts[kind] = total
        writer: pq.ParquetWriter | None = None
        for at in range(0, total, CHUNK):
            n = min(CHUNK, total - at)
            who = keys[rng.integers(0, persons, n)]
            stray = rng.random(n)
            local, away = stray < 0.03, stray > 0.98
            who[local] = unregistered[rng.integers(0, pool, int(local.sum()))]
            who[away] = elsewhere[rng.integers(0, pool, int(away.sum()))]
            cols: dict[str, pa.Array] = {"person": pa.array(who)}
            for f in schema.fields:
                if f.kind is Kind.ID:
                    continue
                if f.kind is Kind.DATE:
                    cols[f.key] = pa.array(first + rng.integers(0, span, n).astype("timedelta64[D]"))
                elif kind == "medical_insurance":
                    if f.key == "out_of_pocket":
                        # clinic visits (a few hundred yuan) and 0.5 % hospital stays (tens of thousands)
                        oop = np.where(rng.random(n) < 0.005, rng.exponential(1_500_000, n),
                                       rng.exponential(12_000, n)).astype(np.int64)
                        total_cost = (oop / rng.uniform(0.3, 0.6, n)).astype(np.int64)
                        cols["total_cost"] = _money(total_cost)
                        cols["reimbursed"] = _money(total_cost - oop)
                        cols["out_of_pocket"] = _money(oop)
                elif f.kind is Kind.MONEY:
                    mean = 300_000 if kind == "emergency" else 80_000
                    cols[f.key] = _money(rng.exponential(mean, n).astype(np.int64))
                elif f.kind is Kind.CODE:
                    values, weights = VALUES[kind, f.key]
                    cols[f.key] = _choice(rng, values, weights, n)
                else:
                    texts = TEXTS.get((kind, f.key), ("",))
                    cols[f.key] = _choice(rng, texts, (1,) * len(texts), n)
            order = [f.key if f.kind is not Kind.ID else "person" for f in schema.fields]
            table = pa.table({name: cols[name] for name in order})
            if writer is None:
                writer = pq.ParquetWriter(directory / f"{kind}.parquet", table.schema, compression="snappy",
                                          store_decimal_as_integer=True)
            writer.write_table(table, row_group_size=1_000_000)
        if writer is not None:
            writer.close()
        log(f"  {kind}: {total:,} records")
    seconds = time.perf_counter() - started
    manifest.write_text(json.dumps({**wanted, "persons_written": persons, "households": n_hh, "counts": counts,
                                    "seconds": round(seconds, 1)}))
    return Dataset(directory, persons, n_hh, counts, period_end, seconds)


# ---------------------------------------------------------------- memory


def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process (Linux); each phase reports its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak resident memory since the last ``reset_peak`` (VmHWM), else ``getrusage``'s lifetime peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024




def duckdb_connect(threads: int, memory_limit: str, temp: Path) -> Any:
    import ibis

    temp.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(threads=threads, memory_limit=memory_limit, temp_directory=str(temp),
                               preserve_insertion_order=False)


def _lit(path: Path) -> str:
    """A file path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _read(path: Path) -> str:
    return f"read_parquet({_lit(path)})"

def _csv(table: pa.Table) -> bytes:
    import pyarrow.csv as pcsv

    sink = io.BytesIO()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False))
    return sink.getvalue()
