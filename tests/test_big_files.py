"""A million-row survey file: every check still fires on one bad cell at the very end, naming its row."""
from __future__ import annotations

import pytest

from lagesbild import surveys
from lagesbild.problems import InputError

ROWS = 1_000_000
HEADER = "undersökning;år;område;grupp;indikator;andel;antal_svar;anmärkning"
AREAS = ["Norrmalm", "Östermalm", "Södermalm", "Kungsholmen", "Skärholmen", "Hela staden", "Bromma", "Farsta"]
GROUPS = ["Alla", "Kvinnor", "Män", "16–29 år", "30–49 år"]


@pytest.fixture(scope="session")
def big_file() -> bytes:
    """A valid long CSV of a million unique cells, cp1252, ';' and decimal comma, generated once per session."""
    indicators = [f"trygg_{i:03d}" for i in range(ROWS // (25 * len(AREAS) * len(GROUPS)) + 1)]
    lines = ["Medborgarundersökningen 2000–2024 (genererad)", "", HEADER]
    for indicator in indicators:
        for year in range(2000, 2025):
            for area in AREAS:
                for group in GROUPS:
                    lines.append(f"Medborgarundersökningen;{year};{area};{group};{indicator};"
                                 f"{len(lines) % 1000 / 10:.1f};{100 + len(lines) % 900};".replace(".", ",", 1))
                    if len(lines) == ROWS + 3:
                        return ("\r\n".join(lines) + "\r\n").encode("cp1252")
    raise AssertionError("not enough unique cells")


def test_a_million_rows_are_read(big_file):
    extract = surveys.read_extract("stor.csv", big_file)
    assert len(extract.results) == ROWS
    assert extract.results["rad"].iloc[-1] == ROWS + 3


def test_every_check_fires_on_bad_cells_after_a_million_rows(big_file):
    last = ROWS + 3  # the title, a blank row and the header come first
    bad = ["Medborgarundersökningen;2016;Norrmalm;Alla;ny_1;130;400;",
           "Medborgarundersökningen;20x6;Norrmalm;Alla;ny_2;70;400;",
           "Medborgarundersökningen;2016;;Alla;ny_3;70;400;",
           "Medborgarundersökningen;2016;Norrmalm;Alla;ny_4;tolv;12,5;",
           "Okänd enkät;2016;Norrmalm;Alla;ny_5;70;-3;",
           "Medborgarundersökningen;2000;Norrmalm;Alla;trygg_000;70;400;",
           "Medborgarundersökningen;2016;Norrmalm;Alla;ny_6;70;400;ring 070-123 45 67"]
    data = big_file + "\r\n".join(bad).encode("cp1252")
    with pytest.raises(InputError) as caught:
        surveys.read_extract("stor.csv", data)
    found = [str(p) for p in caught.value.problems]
    assert f'stor.csv rad {last + 1}, kolumn "andel": "130" är större än 100' in found
    assert f'stor.csv rad {last + 2}, kolumn "år": "20x6" är inte ett tal' in found
    assert f'stor.csv rad {last + 3}, kolumn "område": värde saknas' in found
    assert f'stor.csv rad {last + 4}, kolumn "andel": "tolv" är inte ett tal' in found
    assert f'stor.csv rad {last + 4}, kolumn "antal_svar": "12,5" är inte ett heltal' in found
    assert f'stor.csv rad {last + 5}, kolumn "antal_svar": "-3" är mindre än 0' in found
    assert any(p.startswith(f'stor.csv rad {last + 5}, kolumn "undersökning": okänd undersökning') for p in found)
    assert any(p.startswith(f'stor.csv rad {last + 6}, kolumn "år": samma undersökning, år, område, grupp och '
                            'indikator som rad ') for p in found)
    assert any(p.startswith(f'stor.csv rad {last + 7}, kolumn "anmärkning": texten innehåller ett mobilnummer')
               for p in found)


def test_one_utf8_row_after_a_million_cp1252_rows_is_named(big_file):
    data = big_file + "Medborgarundersökningen;2016;Södermalm;Alla;ny;70;400;".encode("utf-8")
    with pytest.raises(InputError) as caught:
        surveys.read_extract("stor.csv", data)
    assert str(caught.value.problems[0]).startswith(f"stor.csv rad {ROWS + 4}: raden är skriven i UTF-8")
