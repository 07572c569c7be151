"""Peak memory and time of `check` and `import` for big long survey CSVs, against a bare pandas.read_csv.

Each measurement runs in its own process (peak RSS of that process, wall time from start to end), so
the figures include starting Python and importing pandas on both sides. The files are cp1252, ';' and
decimal comma, as Excel writes them, generated in a temporary folder:

    python benchmarks/bench_import.py                 # 1 000 000 rows and a ~200 MB file
    python benchmarks/bench_import.py --rows 200000   # quicker

"check" runs against a new installation's database (every row new), "import" stores the file, and
"check_again" checks the same file once it is stored (every row read back and compared).
"bare_sqlite_store" is the floor of any import into a database table of rows: the bare read, then the
rows handed unchecked to sqlite3's executemany into a table with the same unique key.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AREAS = ["Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm", "Östermalm",
         "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö", "Hägersten-Liljeholmen", "Skärholmen",
         "Hela staden"]
GROUPS = ["Alla", "Kvinnor", "Män"] + [f"{a}–{a + 4} år" for a in range(16, 96, 2)]
HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar;anmärkning"


def write_file(path: Path, rows: int) -> None:
    """A long survey CSV of `rows` unique cells, with markers and notes here and there."""
    indicators = [f"trygg_{i:03d}" for i in range(rows // (len(AREAS) * len(GROUPS) * 25) + 1)]
    written = 0
    with open(path, "w", encoding="cp1252", newline="") as out:
        out.write(f"Medborgarundersökningen – genererad testfil\r\n\r\n{HEADER}\r\n")
        lines = []
        for indicator in indicators:
            for year in range(2000, 2025):
                for area in AREAS:
                    for g, group in enumerate(GROUPS):
                        if written == rows:
                            break
                        share = ".." if written % 997 == 0 else f"{(written * 7919) % 1000 / 10:.1f}".replace(".", ",")
                        n = 100 + (written * 31) % 5000
                        n_text = f"{n // 1000} {n % 1000:03d}" if n >= 1000 else str(n)
                        note = "Ändrad fråga" if written % 5000 == 0 else ""
                        lines.append(f"Medborgarundersökningen;{year};{area};{group};{indicator};{share};{n_text};{note}")
                        written += 1
                    if len(lines) > 50_000:
                        out.write("\r\n".join(lines) + "\r\n")
                        lines = []
        out.write("\r\n".join(lines) + ("\r\n" if lines else ""))
        out.write("\r\nKälla: genererad för prestandamätning\r\n")
    if written < rows:
        raise SystemExit(f"could only generate {written} unique rows")


BARE = """
import resource, sys, time
start = time.perf_counter()
import pandas as pd
frame = pd.read_csv(sys.argv[1], sep=";", decimal=",", encoding="cp1252", skiprows=2, skipfooter=0)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

# The least any import into a database table of rows can do: the same bare read, then the rows, in the
# unique key's order, handed unchecked to sqlite3's executemany into a table with that key, committed.
BARE_STORE = """
import resource, sqlite3, sys, time
start = time.perf_counter()
import pandas as pd
frame = pd.read_csv(sys.argv[1], sep=";", decimal=",", encoding="cp1252", skiprows=2, skipfooter=0)
key = ["undersökning", "år", "område", "grupp", "indikator"]
frame = frame.sort_values(key)
conn = sqlite3.connect(sys.argv[2])
conn.execute("CREATE TABLE result (id INTEGER PRIMARY KEY, survey TEXT, year INTEGER, area TEXT, grp TEXT, "
             "indicator TEXT, share TEXT, n TEXT, note TEXT, UNIQUE (survey, year, area, grp, indicator))")
conn.executemany("INSERT INTO result (survey, year, area, grp, indicator, share, n, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 zip(*(frame[c].tolist() for c in frame.columns)))
conn.commit()
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

OURS = """
import resource, sys, time
start = time.perf_counter()
from lagesbild.cli import main
status = main([sys.argv[2], sys.argv[1]])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, status)
"""


def measure(code: str, *args: str, env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak MB) of one fresh process running code."""
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, **(env or {})})
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    parts = last.split()
    if result.returncode != 0 or len(parts) < 2 or (len(parts) > 2 and parts[2] != "0"):
        raise SystemExit(f"measurement failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return float(parts[0]), float(parts[1])


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def bench(path: Path, folder: Path, repeat: int) -> dict:
    size_mb = path.stat().st_size / 1024 / 1024
    figures: dict[str, list[tuple[float, float]]] = {"pandas.read_csv": [], "bare_sqlite_store": [], "check": [],
                                                     "import": [], "check_again": []}
    for i in range(repeat):
        # Interleaved, so that a busy moment on the machine hits every contender alike.
        database = folder / f"bench-{path.stem}-{i}.sqlite"
        env = {"LAGESBILD_DATABASE": str(database)}
        subprocess.run([sys.executable, "-c", "from lagesbild.example import open_database; import os; "
                        "open_database(os.environ['LAGESBILD_DATABASE'])"], check=True, cwd=ROOT,
                       env={**os.environ, **env})  # a database as a new installation has it: the example data
        figures["pandas.read_csv"].append(measure(BARE, str(path)))
        figures["bare_sqlite_store"].append(measure(BARE_STORE, str(path), str(folder / f"bare-{i}.sqlite")))
        (folder / f"bare-{i}.sqlite").unlink()
        figures["check"].append(measure(OURS, str(path), "check", env=env))  # every row new
        figures["import"].append(measure(OURS, str(path), "import", env=env))
        figures["check_again"].append(measure(OURS, str(path), "check", env=env))  # every row compared, unchanged
        database.unlink()
    result = {"file": path.name, "size_mb": round(size_mb, 1)}
    for name, runs in figures.items():
        result[name] = {"seconds": round(median([r[0] for r in runs]), 2), "peak_mb": round(median([r[1] for r in runs]), 1)}
    bare = result["pandas.read_csv"]
    for name in ("bare_sqlite_store", "check", "import", "check_again"):
        result[name]["time_ratio"] = round(result[name]["seconds"] / bare["seconds"], 2)
        result[name]["memory_ratio"] = round(result[name]["peak_mb"] / bare["peak_mb"], 2)
        result[name]["peak_per_file_size"] = round(result[name]["peak_mb"] / size_mb, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the first file")
    parser.add_argument("--big-mb", type=float, default=200, help="size of the second file in MB (0 to skip)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per contender (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = [folder / f"long_{args.rows}.csv"]
        write_file(files[0], args.rows)
        if args.big_mb:
            per_row = files[0].stat().st_size / args.rows
            files.append(folder / "long_big.csv")
            write_file(files[1], int(args.big_mb * 1024 * 1024 / per_row))
        for path in files:
            result = bench(path, folder, args.repeat)
            print(json.dumps(result, ensure_ascii=False))
            for name in ("bare_sqlite_store", "check", "import", "check_again"):
                r, bare = result[name], result["pandas.read_csv"]
                print(f"{path.name} ({result['size_mb']} MB): {name} {r['seconds']} s, {r['peak_mb']} MB peak; "
                      f"pandas.read_csv {bare['seconds']} s, {bare['peak_mb']} MB; ratio time {r['time_ratio']}×, "
                      f"memory {r['memory_ratio']}×, peak {r['peak_per_file_size']}× the file size")


if __name__ == "__main__":
    main()
