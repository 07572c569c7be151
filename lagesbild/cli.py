"""Command line for analysts and scripts: check a survey file, or import it into the database."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import load_settings
from .example import open_database
from .problems import InputError
from .surveys import SURVEYS, import_extract, read_extract


class _SwedishHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Användning: ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lagesbild",
        description="Lägesbild: kontrollera och importera undersökningsresultat (CSV eller Excel, lång eller bred tabell).",
        epilog="Databasen väljs med miljövariabeln LAGESBILD_DATABASE (sökväg till SQLite-fil eller SQLAlchemy-URL).",
        add_help=False, formatter_class=_SwedishHelp)
    parser.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    parser._positionals.title = "kommandon"
    parser._optionals.title = "flaggor"
    commands = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    survey_help = "undersökningen om filen inte själv anger den: " + ", ".join(s.id for s in SURVEYS)
    for name, text in (("check", "kontrollera en fil och skriv en sammanfattning, eller varje fel (avslutar med 1 vid fel)"),
                       ("import", "kontrollera en fil och spara den i databasen om den är felfri")):
        command = commands.add_parser(name, help=text, description=text, add_help=False,
                                      formatter_class=_SwedishHelp)
        command._positionals.title = "argument"
        command._optionals.title = "flaggor"
        command.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
        command.add_argument("file", metavar="FIL", type=Path, help="CSV- eller Excel-fil med undersökningsresultat")
        command.add_argument("--undersokning", metavar="ID", help=survey_help)
    return parser


def _summary_lines(summary: dict[str, object]) -> list[str]:
    lines = []
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "inga"
        elif isinstance(value, list):
            value = f"{len(value)} ({', '.join(str(v) for v in value)})"
        lines.append(f"  {key}: {value}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run a command and return the exit status (0 ok, 1 problems in the file)."""
    args = _parser().parse_args(argv)
    if not args.file.is_file():
        print(f"{args.file}: filen finns inte", file=sys.stderr)
        return 1
    try:
        extract = read_extract(args.file.name, args.file.read_bytes(), args.undersokning)
    except InputError as error:
        print(f"{args.file.name}: {len(error.problems)} fel, inget har sparats:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{args.file.name}: filen är felfri ({extract.layout} tabell)")
    print("\n".join(_summary_lines(extract.summary())))
    if args.command == "import":
        engine = open_database(load_settings().database)
        result = import_extract(engine, extract)
        print(f"Sparat i databasen: {result['rader']} rader, varav {result['ersatta']} ersatte tidigare värden.")
    return 0
