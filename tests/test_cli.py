"""`python -m lagesbild check|import`: summaries, every problem, and the exit status."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_check_prints_the_diff_and_the_new_names_and_changes_nothing(tmp_path, capsys):
    engine = open_database(str(tmp_path / "test.sqlite"))
    before = len(surveys.load_results(engine))
    path = tmp_path / "ny.csv"
    path.write_bytes(f"{HEADER}\nMedborgarundersökningen;2016;NORRMALM;Alla;trygg_kvall;55,5;400\n"
                     "Medborgarundersökningen;2016;Vasastan;Alla;trygg_kvall;60,0;300\n".encode())
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nya rader: 1" in out and "ändrade värden: 1" in out and "oförändrade: 0" in out
    assert "Norrmalm, Alla, trygg_kvall 2016: " in out and "→ 55,5" in out
    assert "nya områden: Vasastan" in out and "nya grupper: inga" in out
    assert len(surveys.load_results(engine)) == before


def test_check_without_a_database_does_not_create_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAGESBILD_DATABASE", str(tmp_path / "saknas.sqlite"))
    path = tmp_path / "ny.csv"
    path.write_bytes(f"{HEADER}\nMedborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;55,5;400\n".encode())
    assert main(["check", str(path)]) == 0
    assert not (tmp_path / "saknas.sqlite").exists()


def test_fractions_need_the_scale_option(tmp_path, capsys):
    path = tmp_path / "brak.csv"
    path.write_bytes(f"{HEADER}\nMedborgarundersökningen;2016;Norrmalm;Alla;trygg_kvall;0,555;400\n".encode())
    assert main(["check", str(path)]) == 1
    assert "--skala bråk" in capsys.readouterr().err
    assert main(["import", str(path), "--skala", "bråk"]) == 0
    stored = surveys.load_results(open_database(str(tmp_path / "test.sqlite")))
    norrmalm = stored[(stored["area"] == "Norrmalm") & (stored["grp"] == "Alla") & (stored["year"] == 2016)
                      & (stored["indicator"] == "trygg_kvall")]
    assert norrmalm["share"].tolist() == [55.5]


def test_every_kind_is_recognised_or_named(tmp_path, capsys):
    from tests.test_real_geodata import shared_data

    assert main(["check", str(shared_data("sdn_2020.zip"))]) == 0
    out = capsys.readouterr().out
    # Hägersten-Älvsjö (2020) is a known district since areas.AREA_CHANGES holds its merger.
    assert "sdn_2020.zip: filen är felfri: 13 områden" in out and "nya områden: inga" in out
    obs = tmp_path / "iakttagelser.csv"
    obs.write_bytes("plats;datum;kategori;organisation;beskrivning;sekretess;N;E\n"
                    "Vasaparken;2016-12-01;annat;Polisen;Sovplats;öppen;6581000;152000\n".encode())
    assert main(["import", str(obs), "--typ", "iakttagelser"]) == 0
    assert "Sparat i databasen: 1 iakttagelser." in capsys.readouterr().out
    actions = tmp_path / "atgarder.csv"
    actions.write_bytes("plats;datum;aktör;åtgärd;status;sekretess\n"
                        "Vasaparken;2016-12-02;Stadsdelsförvaltningen;Städning;genomförd;öppen\n".encode())
    assert main(["import", str(actions)]) == 0
    assert "Sparat i databasen: 1 åtgärder." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["check", str(actions), "--typ", "okänt"])
    assert 'okänd typ "okänt"' in capsys.readouterr().err


def test_respondent_files_are_checked_but_never_stored(tmp_path, capsys):
    path = tmp_path / "medborgarundersokningen_svar.csv"
    path.write_bytes("år;område;indikator;svar\n2016;Norrmalm;trygg_kvall;Instämmer helt\n".encode())
    assert main(["check", str(path)]) == 0
    assert "ingenting sparas" in capsys.readouterr().out
    assert main(["import", str(path)]) == 1
    assert "sparas inte i databasen" in capsys.readouterr().err
