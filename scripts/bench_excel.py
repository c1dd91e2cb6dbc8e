"""Benchmark sheets-sync on Excel workbooks against the openpyxl load + save round trip.

    python scripts/bench_excel.py [--sizes 1000,10000] [--pairs 5,3] [--sales] [--keep DIR]
    python scripts/bench_excel.py --sizes 100000 --pairs 1          # minutes; run it alone

For each size it builds a workbook the way an office keeps one (most clients Active, some
Prospects, Lost and No Sale; tiers A/B/C; notes; open and closed tasks; a touch log four
times the client list, over two years; about one client in twelve never touched; with
``--sales`` a Sales sheet too, which makes the Stats sheet fit the BG/NBD purchase model).
Then, whole processes taking turns, each on a fresh copy of its input:

- **first**: ``sheets-sync sync`` of the never-synced book: every due email is written to
  the outbox (``--outbox``: no daily cap), every tool column filled, one Touches row per email;
- **nextday**: the next business day's ``sync`` of the book and state folder left by one
  earlier sync (made once, before the timing starts);
- **due** and **check** (read only) on the nextday book;
- **openpyxl**: ``load_workbook`` + ``save`` of the first book and of the nextday book,
  the baselines; each round runs them next to the commands they are compared with.

Every ratio is taken pair by pair (a command against the openpyxl run of the same file in the
same round) and the median of the pairs is shown, so a machine whose speed drifts from one
minute to the next disturbs both sides of a pair alike. Time is wall-clock seconds; CPU is
user + system seconds; peak memory is the child's ``ru_maxrss`` (from ``wait4``). The
targets (issue 21) are printed beside each row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 11, 23)  # a Monday
NEXT_DAY = dt.date(2026, 11, 24)  # the next business day
BOOK = "book.xlsx"
CLIENT_HEADER = ["Client ID", "Name", "Company", "Email", "Phone", "Owner", "Tier", "Status", "Client Since",
                 "Lost On", "Do Not Email", "Notes", "Annual Value", "Touches", "Last Touch", "Next Action",
                 "Next Action Date", "Days Since Touch"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status",
               "Done On", "Reminders Sent", "Last Reminder", "Next Reminder"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref", "Result"]
SALES_HEADER = ["Date", "Client ID", "Amount", "Description"]
OWNERS = ["maria@agency.example", "tom@agency.example", "lee@agency.example", "ana@agency.example",
          "sam@agency.example"]
NOTES = ["prefers a call in the morning", "renewal handled by the son", "asked for quotes on fleet cover",
         "moved offices in March", "pays by cheque", "referred by C-12", "speaks Portuguese", "annual review in May"]
# (time ratio, memory ratio) at most, by size (issue 21); due and check: time at most 0.1
TARGETS = {1000: (0.35, 0.7), 10000: (0.25, 0.4), 100000: (0.2, 0.3)}
READ_ONLY_TARGET = 0.1
OPENPYXL = "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[1])"


def build(path: Path, n: int, sales: bool = False) -> None:
    """A workbook of ``n`` clients as an office has it (deterministic for a given ``n``)."""
    import xlsxwriter

    rnd = random.Random(n)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})

    def sheet(name: str, header: list[str]):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        return ws

    def write(ws, r: int, values: list[object]) -> None:
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            else:
                ws.write(r, c, value)

    def ago(days: int) -> dt.date:
        return TODAY - dt.timedelta(days=days)

    statuses = rnd.choices(["Active", "Prospect", "Lost", "No Sale"], weights=[72, 14, 9, 5], k=n)
    never_touched = set(rnd.sample(range(1, n + 1), n // 12))
    ws = sheet("Clients", CLIENT_HEADER)
    for i in range(1, n + 1):
        status = statuses[i - 1]
        since = ago(rnd.randint(20, 3000)) if status != "Prospect" else None
        lost = ago(rnd.randint(1, 400)) if status == "Lost" and since else None
        if lost and since and lost < since:
            lost = since
        write(ws, i, [f"C-{i}", f"Client {i}", f"Company {i % 997}", f"client{i}@example.com", f"555-{i:07d}",
                      rnd.choice(OWNERS), rnd.choices("ABC", weights=[15, 35, 50])[0], status, since, lost,
                      "Yes" if rnd.random() < 0.03 else None,
                      rnd.choice(NOTES) if rnd.random() < 0.3 else None, rnd.randint(3, 600) * 50])
    ws = sheet("Tasks", TASK_HEADER)
    for i in range(1, n + 1):  # a task for one client in two, a quarter of them still open
        client = rnd.randint(1, n)
        status = rnd.choices(["Open", "Done", "Cancelled"], weights=[25, 65, 10])[0]
        opened = ago(rnd.randint(0, 300) if status != "Open" else rnd.randint(0, 40))
        write(ws, i, [f"T-{i}", f"C-{client}", rnd.choice(["Payment", "Signature", "Paperwork", "Quote"]),
                      f"Item {i}", rnd.randint(1, 400) * 25, opened + dt.timedelta(days=rnd.randint(7, 45)), opened,
                      status, opened + dt.timedelta(days=rnd.randint(1, 20)) if status == "Done" else None])
    ws = sheet("Touches", TOUCH_HEADER)
    touched = [i for i in range(1, n + 1) if i not in never_touched]
    rows = []
    for _ in range(4 * n):
        # two years of history, the recent months busier
        rows.append((ago(min(int(rnd.expovariate(1 / 150)) + 1, 730)), rnd.choice(touched)))
    rows.sort()
    for r, (when, client) in enumerate(rows, start=1):
        write(ws, r, [when, f"C-{client}", None, rnd.choice(["Call", "Email", "Meeting", "Text"]),
                      rnd.choice(["Out", "Out", "In"]), rnd.choice(OWNERS), f"touch {r}", None, None])
    if sales:
        ws = sheet("Sales", SALES_HEADER)
        r = 0
        for i in range(1, n + 1):
            if statuses[i - 1] not in ("Active", "Lost"):
                continue
            for _ in range(rnd.choice([1, 1, 1, 2, 2, 3, 4])):
                r += 1
                write(ws, r, [ago(rnd.randint(0, 700)), f"C-{i}", rnd.randint(2, 200) * 25, "policy"])
    wb.close()


def run(args: list[str], cwd: Path) -> dict[str, object]:
    """Run one whole process; its wall time, CPU seconds, peak memory (MiB) and output."""
    # No user config (so no mail server); bytecode cached as in any installed copy.
    env = {**os.environ, "SHEETS_SYNC_HOME": str(cwd / "home")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    with open(cwd / "out.txt", "wb") as out, open(cwd / "err.txt", "wb") as err:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    output = (cwd / "out.txt").read_text(errors="replace")
    if code not in (0, 1):  # 1: ran, with problems in the data
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{(cwd / 'err.txt').read_text()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "sys": usage.ru_stime,
            "mib": usage.ru_maxrss / 1024, "out": output}


def fresh(source: Path, run_dir: Path) -> Path:
    """A fresh copy of a prepared folder (the book, and its state folder if any)."""
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(source, run_dir)
    return run_dir


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sheets_sync", *args]


def step(kind: str, work: Path, inputs: dict[str, Path]) -> dict[str, object]:
    """One timed process of ``kind`` on a fresh copy of its input."""
    source = inputs["nextday" if kind in ("nextday", "due", "check", "openpyxl-nextday") else "first"]
    run_dir = fresh(source, work / "run")
    today = (NEXT_DAY if kind == "nextday" else TODAY).isoformat()
    if kind in ("first", "nextday"):
        args = cli("sync", BOOK, "--today", today, "--outbox", "outbox")
    elif kind == "due":
        args = cli("due", BOOK, "--today", NEXT_DAY.isoformat())
    elif kind == "check":
        args = cli("check", BOOK)
    else:
        args = [sys.executable, "-c", OPENPYXL, BOOK]
    try:
        return run(args, run_dir)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def counts(output: str) -> str:
    """'471 emails, 1,276 rows updated, 471 Touches rows' from sync's summary lines."""
    emails = re.search(r"Emails: (\d+)", output)
    rows = re.search(r"Sheet: (\d+) row\(s\) updated, (\d+) touch row\(s\) added", output)
    if emails is None and rows is None:
        return "nothing to do"
    parts = [f"{int(emails[1]):,} emails" if emails else "0 emails"]
    if rows:
        parts += [f"{int(rows[1]):,} rows updated", f"{int(rows[2]):,} Touches rows"]
    return ", ".join(parts)


def prepare(work: Path, n: int, sales: bool) -> dict[str, Path]:
    """The first book, and the book + state folder one sync of it leaves (for nextday)."""
    first = work / f"first-{n}"
    first.mkdir(exist_ok=True)
    if not (first / BOOK).exists():
        started = time.perf_counter()
        build(first / BOOK, n, sales)
        print(f"# {n:,} clients: built in {time.perf_counter() - started:.1f} s, "
              f"{(first / BOOK).stat().st_size / 1e6:.1f} MB", flush=True)
    nextday = work / f"nextday-{n}"
    if not (nextday / BOOK).exists():
        shutil.rmtree(nextday, ignore_errors=True)
        nextday.mkdir()
        shutil.copy(first / BOOK, nextday / BOOK)
        run(cli("sync", BOOK, "--today", TODAY.isoformat(), "--outbox", "outbox"), nextday)
        for leftover in ("outbox", "out.txt", "err.txt", "home"):
            target = nextday / leftover
            shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    return {"first": first, "nextday": nextday}


def median(values: list[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="client counts, comma-separated")
    parser.add_argument("--pairs", default="5,3",
                        help="rounds per size (one number for all, or one per size); default 5,3; 1 at 100,000")
    parser.add_argument("--sales", action="store_true", help="give the books a Sales sheet (BG/NBD fit)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the built books in this folder (and reuse them)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    pairs = [int(p) for p in args.pairs.split(",")]
    pairs = (pairs * len(sizes))[: len(sizes)] if len(pairs) == 1 else pairs + [1] * (len(sizes) - len(pairs))
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-excel-"))
    work.mkdir(parents=True, exist_ok=True)
    table = []
    try:
        for n, rounds in zip(sizes, pairs, strict=True):
            inputs = prepare(_sub(work, args.sales), n, args.sales)
            runs: dict[str, list[dict[str, object]]] = {}
            order = ["openpyxl-first", "first", "openpyxl-nextday", "nextday", "due", "check"]
            for r in range(rounds):
                # alternate which side of each pair goes first
                kinds = order if r % 2 == 0 else ["first", "openpyxl-first", "nextday", "openpyxl-nextday",
                                                  "check", "due"]
                for kind in kinds:
                    runs.setdefault(kind, []).append(step(kind, work, inputs))
                print(f"# {n:,} clients: round {r + 1} of {rounds} done", file=sys.stderr, flush=True)
            table += rows_for(n, runs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(table, pairs=dict(zip(sizes, pairs, strict=True)))
    return 0


def _sub(work: Path, sales: bool) -> Path:
    folder = work / ("with-sales" if sales else "books")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rows_for(n: int, runs: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    """One table row per workload: medians and median pair ratios against openpyxl."""
    time_target, mem_target = TARGETS.get(n, (None, None))
    out = []
    for kind, base_kind in (("first", "openpyxl-first"), ("nextday", "openpyxl-nextday"),
                            ("due", "openpyxl-nextday"), ("check", "openpyxl-nextday")):
        mine, base = runs[kind], runs[base_kind]

        def ratios(key: str, mine: list[dict[str, object]] = mine, base: list[dict[str, object]] = base
                   ) -> list[float]:
            return [float(m[key]) / float(b[key]) for m, b in zip(mine, base, strict=True)]  # type: ignore[arg-type]

        time_ratios = ratios("wall")
        read_only = kind in ("due", "check")
        out.append({
            "clients": n, "workload": kind, "what": counts(str(mine[0]["out"])) if not read_only else "read only",
            "wall": median([float(m["wall"]) for m in mine]),  # type: ignore[arg-type]
            "base_wall": median([float(b["wall"]) for b in base]),  # type: ignore[arg-type]
            "time_ratio": median(time_ratios), "time_ratios": time_ratios,
            "cpu_ratio": median(ratios("cpu")),
            "sys": median([float(m["sys"]) for m in mine]),  # type: ignore[arg-type]
            "mib": median([float(m["mib"]) for m in mine]),  # type: ignore[arg-type]
            "base_mib": median([float(b["mib"]) for b in base]),  # type: ignore[arg-type]
            "mem_ratio": median(ratios("mib")),
            "time_target": READ_ONLY_TARGET if read_only else time_target,
            "mem_target": None if read_only else mem_target,
        })
    return out


def print_table(table: list[dict[str, object]], pairs: dict[int, int]) -> None:
    """One Markdown table: every size and workload, the targets beside."""
    print("| clients | workload | what it did | sheets-sync s | openpyxl s | time ratio (target) | CPU ratio "
          "| sys s | peak MiB vs openpyxl | memory ratio (target) | pairs |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")

    def mark(value: float, target: object) -> str:
        if target is None:
            return f"{value:.2f}"
        return f"{value:.2f} (<= {target}{'' if value <= float(target) else ', MISSED'})"  # type: ignore[arg-type]

    for row in table:
        ratios = "/".join(f"{x:.2f}" for x in row["time_ratios"])  # type: ignore[attr-defined]
        print(f"| {row['clients']:,} | {row['workload']} | {row['what']} | {row['wall']:.2f} | {row['base_wall']:.2f} "
              f"| {mark(float(row['time_ratio']), row['time_target'])} | {float(row['cpu_ratio']):.2f} "  # type: ignore[arg-type]
              f"| {float(row['sys']):.2f} | {float(row['mib']):.0f} vs {float(row['base_mib']):.0f} "  # type: ignore[arg-type]
              f"| {mark(float(row['mem_ratio']), row['mem_target'])} "  # type: ignore[arg-type]
              f"| {pairs[int(row['clients'])]} ({ratios}) |")  # type: ignore[call-overload]


if __name__ == "__main__":
    sys.exit(main())
