"""Command line for analysts and scripts: check a survey file, or import it into the database."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from .audit import Actor
from .config import load_settings
from .importing import KINDS, Options, check_file, kind_from_text, save
from .problems import InputError
from .surveys import SURVEYS


class _SwedishHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # prefix "" is argparse building a subcommand's name: keep it, or the help says "Användning:" twice.
        super().add_usage(usage, actions, groups, "Användning: " if prefix is None else prefix)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lagesbild",
        description="Lägesbild: kontrollera och importera undersökningsresultat, svar på individnivå, platser, "
                    "iakttagelser, åtgärder och områdesgränser, och skriv rådsmötets lägesbild som PowerPoint eller PDF.",
        epilog="Databasen väljs med miljövariabeln LAGESBILD_DATABASE (sökväg till SQLite-fil eller SQLAlchemy-URL).",
        add_help=False, formatter_class=_SwedishHelp)
    parser.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    parser._positionals.title = "kommandon"
    parser._optionals.title = "flaggor"
    commands = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    survey_help = "undersökningen om filen inte själv anger den: " + ", ".join(s.id for s in SURVEYS)
    for name, text in (("check", "kontrollera en fil och skriv en sammanfattning, vad importen skulle ändra och nya namn, eller "
                                 "varje fel (avslutar med 1 vid fel); ändrar ingenting"),
                       ("import", "kontrollera en fil och spara den i databasen om den är felfri")):
        command = commands.add_parser(name, help=text, description=text, add_help=False,
                                      formatter_class=_SwedishHelp)
        command._positionals.title = "argument"
        command._optionals.title = "flaggor"
        command.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
        command.add_argument("file", metavar="FIL", type=Path,
                             help="CSV-, Excel-, Parquet- eller GeoJSON-fil, eller zippad shapefil")
        command.add_argument("--typ", type=_kind, metavar="TYP",
                             help="vad filen innehåller: " + ", ".join(KINDS) + " (annars känns det igen på kolumnerna)")
        command.add_argument("--undersokning", "--undersökning", dest="undersokning", metavar="ID", help=survey_help)
        command.add_argument("--skala", choices=("procent", "bråk", "brak"), metavar="SKALA",
                             help="hur andelarna är skrivna: procent (65,2) eller bråk (0,652)")
        command.add_argument("--namnkolumn", metavar="KOLUMN", help="kolumnen med områdets namn i en fil med gränser")
        command.add_argument("--crs", metavar="KOORDINATSYSTEM",
                             help="koordinatsystem för koordinater utan angivet system, t.ex. EPSG:3006 "
                                  "(SWEREF 99 TM) eller EPSG:3011 (SWEREF 99 18 00)")
    text = "skriv rådsmötets lägesbild som PowerPoint eller PDF-underlag (endast öppet material)"
    report = commands.add_parser("rapport", help=text, description=text, add_help=False, formatter_class=_SwedishHelp)
    report._optionals.title = "flaggor"
    report.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    report.add_argument("--format", required=True, choices=("pptx", "pdf"), help="pptx (bildspel) eller pdf (underlag)")
    report.add_argument("--out", metavar="FIL", required=True, type=Path, help="filen som skrivs")
    report.add_argument("--datum", metavar="ÅÅÅÅ-MM-DD", type=_iso_date,
                        help="mötesdatum (standard: i dag, med exempeldatan dess rådsmöte 2016-12-14)")
    report.add_argument("--ogonblick", metavar="ID", type=int, help="skriv en låst lägesbild i stället för dagens")
    _add_admin_commands(commands)
    return parser


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" är inte ett datum (skriv ÅÅÅÅ-MM-DD)') from None


def _report(args: argparse.Namespace) -> int:
    from . import snapshots
    from .views import report
    from .views.deck import build_deck, default_meeting_date

    from .example import open_database

    settings = load_settings()
    engine = open_database(settings.database)
    note = None
    if args.ogonblick is not None:
        snapshot = snapshots.load_snapshot(engine, args.ogonblick)
        if snapshot is None:
            print(f"det finns ingen låst lägesbild med nummer {args.ogonblick}", file=sys.stderr)
            return 1
        deck, note = snapshot.deck, snapshot.describe()
    else:
        deck = build_deck(engine, args.datum or default_meeting_date(engine, dt.date.today()),
                          settings.min_answers, settings.area)
    data = report.pptx_bytes(deck) if args.format == "pptx" else report.pdf_bytes(deck, note)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(deck.slides)} bilder från rådsmötet {deck.meeting_date.isoformat()}"
          + (" (exempeldata)" if deck.notice else ""))
    return 0


def _kind(text: str) -> str:
    kind = kind_from_text(text)
    if kind is None:
        raise argparse.ArgumentTypeError(f'okänd typ "{text}" (möjliga: {", ".join(KINDS)})')
    return kind


def _existing_database():
    """The configured database if it exists already; `check` never creates one."""
    from . import db

    database = load_settings().database
    if "://" not in database and not Path(database).is_file():
        return None
    return db.connect(database)


def _check_or_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"{args.file}: filen finns inte", file=sys.stderr)
        return 1
    options = Options(survey=args.undersokning, scale="bråk" if args.skala in ("bråk", "brak") else args.skala,
                      name_column=args.namnkolumn, crs=args.crs)
    try:
        if args.command == "import":
            from .example import open_database  # the example data fills a new database, as on the app's first start

            engine = open_database(load_settings().database)
        else:
            engine = _existing_database()
        checked = check_file(args.file.name, args.file.read_bytes(), args.typ, options, engine)
        print(f"{args.file.name}: {checked.heading}")
        print("\n".join(checked.lines()))
        if args.command == "import":
            # Whoever runs the command line has the server and its database: they act as administrator.
            print(save(engine, checked, Actor(f"kommandoraden ({getpass.getuser()})", "administratör")))
    except InputError as error:
        print(f"{args.file.name}: {len(error.problems)} fel, inget har sparats:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"{args.file.name}: filen är för stor för att läsas på den här datorn; dela upp den", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run a command and return the exit status (0 ok, 1 problems in the file)."""
    args = _parser().parse_args(argv)
    if args.command == "rapport":
        return _report(args)
    if args.command in _ADMIN_COMMANDS:
        return _ADMIN_COMMANDS[args.command](args)
    return _check_or_import(args)


# Accounts and backups: `konto`, `backup` and `restore`.

def _subcommand(commands, name: str, text: str) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=text, description=text, add_help=False, formatter_class=_SwedishHelp)
    command._positionals.title = "argument"
    command._optionals.title = "flaggor"
    command.add_argument("-h", "--help", action="help", help="visa den här hjälpen och avsluta")
    return command


def _role(text: str) -> str:
    from .auth import ACCOUNT_ROLES
    from .surveys import fold

    for role in ACCOUNT_ROLES:
        if fold(text) == fold(role):
            return role
    raise argparse.ArgumentTypeError(f'okänd roll "{text}" (möjliga: {", ".join(ACCOUNT_ROLES)})')


def _add_admin_commands(commands) -> None:
    from .config import ROOT

    account = _subcommand(commands, "konto", "lägg till ett lokalt konto: frågar efter lösenordet och skriver raderna "
                                             "för .streamlit/secrets.toml (lösenordet sparas bara som saltad hash)")
    account.add_argument("username", metavar="ANVÄNDARNAMN", help="t.ex. anna.andersson eller en e-postadress")
    account.add_argument("--roll", required=True, type=_role, metavar="ROLL",
                         help="intern (läser allt), redaktör (registrerar och ändrar) eller administratör "
                              "(importerar, konton, inställningar, säkerhetskopior)")
    account.add_argument("--namn", default="", metavar="NAMN", help="namnet som visas, t.ex. \"Anna Andersson\"")
    account.add_argument("--lösenord-från-stdin", "--losenord-fran-stdin", dest="password_from_stdin",
                         action="store_true", help="läs lösenordet från standard in (för skript) i stället för att fråga")
    account.add_argument("--skriv", action="store_true",
                         help="skriv in kontot i filen i stället för att bara visa raderna")
    account.add_argument("--ersätt", "--ersatt", dest="replace", action="store_true",
                         help="med --skriv: ersätt ett konto med samma namn (nytt lösenord eller ny roll)")
    account.add_argument("--fil", type=Path, default=ROOT / ".streamlit" / "secrets.toml", metavar="FIL",
                         help="hemlighetsfilen (standard: .streamlit/secrets.toml i projektmappen)")
    backup = _subcommand(commands, "backup", "spara hela databasen i en enda fil (gzip-komprimerad JSON)")
    backup.add_argument("--out", metavar="FIL", required=True, type=Path, help="filen som skrivs, t.ex. lagesbild.jsonl.gz")
    restore = _subcommand(commands, "restore", "läs in en säkerhetskopia i en tom databas (allt eller inget)")
    restore.add_argument("file", metavar="FIL", type=Path, help="en fil skriven av backup")


def _print_problems(error: InputError) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    return 1


def _konto(args: argparse.Namespace) -> int:
    import getpass

    from . import auth

    try:
        if args.password_from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(f"Lösenord för {args.username}: ")
            if getpass.getpass("Samma lösenord igen: ") != password:
                print("lösenorden är inte lika; inget konto har skapats", file=sys.stderr)
                return 1
    except (EOFError, KeyboardInterrupt):
        print("\navbrutet; inget konto har skapats", file=sys.stderr)
        return 1
    try:
        account = auth.new_account(args.username, args.roll, password, args.namn)
        if args.skriv:
            auth.write_account(args.fil, account, replace=args.replace)
    except InputError as error:
        return _print_problems(error)
    if args.skriv:
        print(f"Kontot {account.username} ({account.role}) är sparat i {args.fil}.")
    else:
        print(auth.account_toml(account), end="")
        print(f"Klistra in raderna ovan i {args.fil}, eller kör kommandot igen med --skriv.", file=sys.stderr)
    return 0


def _database_engine(must_exist: bool):
    from . import db

    database = load_settings().database
    if must_exist and "://" not in database and not Path(database).is_file():
        print(f"databasen {database} finns inte (välj den med LAGESBILD_DATABASE)", file=sys.stderr)
        return None
    return db.connect(database)


def _backup(args: argparse.Namespace) -> int:
    from .backup import export_database
    from .formatting import number
    from .migrations import current_version

    if args.out.exists():
        print(f"{args.out} finns redan; välj ett annat filnamn så att ingen säkerhetskopia skrivs över",
              file=sys.stderr)
        return 1
    engine = _database_engine(must_exist=True)
    if engine is None:
        return 1
    counts = export_database(engine, args.out)
    print(f"Säkerhetskopian är sparad i {args.out}: {number(sum(counts.values()))} rader i {len(counts)} tabeller "
          f"(schemaversion {current_version(engine)}).")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from .backup import restore_database
    from .formatting import number

    engine = _database_engine(must_exist=False)
    try:
        counts = restore_database(engine, args.file)
    except InputError as error:
        print(f"{args.file.name}: inget har lästs in:", file=sys.stderr)
        return _print_problems(error)
    print(f"Säkerhetskopian {args.file.name} är inläst: {number(sum(counts.values()))} rader i "
          f"{sum(1 for n in counts.values() if n)} tabeller.")
    return 0


_ADMIN_COMMANDS = {"konto": _konto, "backup": _backup, "restore": _restore}
