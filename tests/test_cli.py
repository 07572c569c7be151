"""`python -m lagesbild check|import`: summaries, every problem, and the exit status."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lagesbild import surveys
from lagesbild.cli import main
from lagesbild.example import open_database

ROOT = Path(__file__).resolve().parents[1]
HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar"


def test_check_accepts_the_cp1252_example_and_prints_a_summary(capsys):
    assert main(["check", str(ROOT / "data" / "medborgarundersokningen.csv")]) == 0
    out = capsys.readouterr().out
    assert "filen är felfri (lång tabell)" in out
    assert "rader: 630" in out
    assert "år: 6 (2011, 2012, 2013, 2014, 2015, 2016)" in out
    assert "saknade värden: ..: 4" in out


def test_check_accepts_a_utf8_bom_extract(tmp_path, capsys):
    path = tmp_path / "se.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\nStockholmsenkäten;2016;Norrmalm;Alla;roker;12,0;560\n".encode())
    assert main(["check", str(path)]) == 0
    assert "undersökningar: 1 (Stockholmsenkäten)" in capsys.readouterr().out


def test_check_rejects_130_percent_and_a_missing_column(tmp_path, capsys):
    share = tmp_path / "andel.csv"
    share.write_bytes(f"{HEADER}\nMedborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;130;398\n".encode("cp1252"))
    assert main(["check", str(share)]) == 1
    assert 'andel.csv rad 2, kolumn "andel": "130" är större än 100' in capsys.readouterr().err
    column = tmp_path / "kolumn.csv"
    column.write_bytes("år;område;grupp;indikator;andel\n2016;Norrmalm;Alla;trygg_kvall;70\n".encode("cp1252"))
    assert main(["check", str(column), "--undersokning", "medborgarundersokningen"]) == 1
    assert 'kolumn.csv: kolumnen "antal_svar" saknas' in capsys.readouterr().err


def test_import_stores_the_file_in_the_configured_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "ny.csv"
    path.write_bytes(f"{HEADER}\nMedborgarundersökningen;2017;Norrmalm;Alla;trygg_kvall;69,5;405\n".encode())
    assert main(["import", str(path)]) == 0
    assert "Sparat i databasen: 1 rader" in capsys.readouterr().out
    stored = surveys.load_results(open_database(str(tmp_path / "test.sqlite")))
    assert ((stored["year"] == 2017) & (stored["share"] == 69.5)).sum() == 1


def test_help_is_in_swedish():
    result = subprocess.run([sys.executable, "-m", "lagesbild", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "kontrollera en fil" in result.stdout and "visa den här hjälpen" in result.stdout
