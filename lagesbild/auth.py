"""Who may see and change what: roles, the permission table, local accounts, sign-in throttling, OIDC roles.

Accounts and the role mapping live in `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`);
this module reads the parsed mapping and never imports Streamlit.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import os
import re
import secrets
import tempfile
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .problems import InputError, Problem

# ---------------------------------------------------------------------------------------------------------
# Roles and the permission table
# ---------------------------------------------------------------------------------------------------------

# Lowest to highest; a person holding several roles gets the highest.
# A rapportör (a partner organisation) sits below intern: it submits, but sees nothing intern.
ROLES = ("publik", "rapportör", "intern", "redaktör", "administratör")
PUBLIC = "publik"
ROLE_DESCRIPTIONS = {
    "publik": "utan inloggning: bara material märkt öppen (standardvyn och rådsmötet)",
    "rapportör": "samverkanspart: läser öppet material, skickar in iakttagelser och ser sina egna inskick",
    "intern": "läser allt, även material märkt intern",
    "redaktör": "läser allt, registrerar och ändrar iakttagelser, åtgärder, möten och framsteg",
    "administratör": "som redaktör, och importerar filer, hanterar konton, inställningar och säkerhetskopior",
}

_ASCII_ROLES = {"publik": "publik", "rapportör": "rapportor",
                "intern": "intern", "redaktör": "redaktor", "administratör": "administrator"}
_EVERYONE = frozenset(ROLES)
_READERS = frozenset({"intern", "redaktör", "administratör"})
_EDITORS = frozenset({"redaktör", "administratör"})
_ADMINS = frozenset({"administratör"})


@dataclass(frozen=True)
class Permission:
    """One action: what it lets a person do (Swedish, completes "får inte …") and which roles may."""

    description: str
    roles: frozenset[str]


# THE table of who may do what. A permission is a ceiling: an intern still starts in the open view, so
# that a laptop signed in on the council's projector shows internal material only when asked to.
PERMISSIONS: dict[str, Permission] = {
    "se_öppet": Permission("se material märkt öppen", _EVERYONE),
    "se_internt": Permission("se material märkt intern", _READERS),
    # Submissions wait in their own tables until an editor publishes them: nothing unreviewed is counted.
    "skicka_in": Permission("skicka in iakttagelser för granskning", _EVERYONE - {PUBLIC}),
    "registrera": Permission("registrera iakttagelser, åtgärder, möten, framsteg och laget runt", _EDITORS),
    "redigera": Permission("ändra registrerade uppgifter, platser och dagordningen", _EDITORS),
    "ta_bort": Permission("ta bort registrerade uppgifter (de går att återställa)", _EDITORS),
    "låsa_lägesbild": Permission("låsa lägesbilden som visades på rådsmötet", _EDITORS),
    # Reading a respondent-level file takes the server's memory and time: not for anonymous visitors.
    "räkna_på_fil": Permission("räkna på en egen fil med svar per svarande", _READERS),
    "importera": Permission("importera filer med undersökningar, platser och områdesgränser", _ADMINS),
    "återställa": Permission("återställa borttagna uppgifter", _ADMINS),
    "läsa_logg": Permission("läsa ändringsloggen", _ADMINS),
    "hantera_konton": Permission("lägga till konton och ändra roller", _ADMINS),
    "ändra_inställningar": Permission("ändra inställningarna", _ADMINS),
    "säkerhetskopiera": Permission("ta och läsa in säkerhetskopior", _ADMINS),
}
ACTIONS = tuple(PERMISSIONS)


class NotAllowed(PermissionError):
    """Raised when a role tries an action the permission table does not give it; the message is Swedish."""

    def __init__(self, role: str, action: str):
        self.role, self.action = role, action
        super().__init__(refusal(role, action))


def _check(role: str, action: str) -> None:
    # A misspelt role or action is a programming error, never a quiet "no".
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}; actions are {', '.join(ACTIONS)}")


def allowed(role: str, action: str) -> bool:
    """Whether the role may do the action, by the permission table."""
    _check(role, action)
    return role in PERMISSIONS[action].roles


def require(role: str, action: str) -> None:
    """Return quietly when allowed; raise NotAllowed with a Swedish message otherwise."""
    if not allowed(role, action):
        raise NotAllowed(role, action)


def refusal(role: str, action: str) -> str:
    """The Swedish sentence shown to a person whose role may not do the action."""
    _check(role, action)
    who = "Utan inloggning" if role == PUBLIC else f"Med rollen {role}"
    lowest = next(r for r in ROLES if r in PERMISSIONS[action].roles)
    return (f"{who} får du inte {PERMISSIONS[action].description}. "
            f"Det kräver rollen {lowest} eller högre.")


def actions_for(role: str) -> list[str]:
    """Every action the role may do, in the table's order."""
    return [action for action in ACTIONS if allowed(role, action)]


def visible_confidentiality(role: str) -> tuple[str, ...]:
    """The confidentiality levels the role may be shown: ("öppen",) or ("öppen", "intern")."""
    return ("öppen", "intern") if allowed(role, "se_internt") else ("öppen",)


def role_named(text: object) -> str | None:
    """The role a name in a file means, also written without å, ä, ö ("redaktor"); None if no role."""
    if not isinstance(text, str):
        return None
    folded = unicodedata.normalize("NFKD", text.strip().casefold()).encode("ascii", "ignore").decode()
    return next((role for role in ROLES if role == text.strip() or folded == _ASCII_ROLES[role]), None)


def highest(roles) -> str:
    """The highest of the given roles; "publik" when there are none."""
    ranks = [ROLES.index(r) for r in roles if r in ROLES]
    return ROLES[max(ranks)] if ranks else PUBLIC


# ---------------------------------------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# OWASP's scrypt setting for 16 MiB of memory: N=2^14, r=8, p=5 (about a second here on two cores).
SCRYPT_COST = {"n": 2**14, "r": 8, "p": 5}
_HASH_PATTERN = re.compile(r"^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$")


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password, in Swedish; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken (det har {len(password)})")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"lösenordet får ha högst {MAX_PASSWORD_LENGTH} tecken")
    if password.strip() != password:
        problems.append("lösenordet får inte börja eller sluta med mellanslag")
    if username and normalise_username(password) == normalise_username(username):
        problems.append("lösenordet får inte vara detsamma som användarnamnet")
    return problems


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(unicodedata.normalize("NFC", password).encode(), salt=salt, n=n, r=r, p=p,
                          dklen=32, maxmem=256 * r * n + 1024 * 1024)


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password (cost SCRYPT_COST) as one string: scrypt$N$r$p$salt$hash."""
    n, r, p = SCRYPT_COST["n"], SCRYPT_COST["r"], SCRYPT_COST["p"]
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, r, p)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def is_password_hash(text: str) -> bool:
    """Whether the text is a hash made by hash_password (and not, say, a password typed in plain text)."""
    match = _HASH_PATTERN.match(text)
    if not match:
        return False
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    # Bounds keep a mistyped cost from tying up the server's memory on every sign-in.
    return 2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16


def check_password(password: str, encoded: str) -> bool:
    """Whether the password matches the hash; compares in constant time."""
    if len(password) > MAX_PASSWORD_LENGTH or not is_password_hash(encoded):
        return False
    _, n, r, p, salt, digest = encoded.split("$")
    expected = base64.b64decode(digest)
    return hmac.compare_digest(_scrypt(password, base64.b64decode(salt), int(n), int(r), int(p)), expected)


# ---------------------------------------------------------------------------------------------------------
# Local accounts in the secrets file
# ---------------------------------------------------------------------------------------------------------

SECRETS_FILE = "secrets.toml"
ACCOUNTS_SECTION = "konton"
ACCOUNT_ROLES = ROLES[1:]  # "publik" is what everyone is without an account
# TOML allows only ASCII in bare keys, so the keys an operator types are written without å, ä and ö.
HASH_KEY = "losenordshash"
_USERNAME = re.compile(r"^[\w.@+-]{2,100}$")


@dataclass(frozen=True)
class Account:
    """A local account: who, which role, the salted password hash (never the password) and a display name."""

    username: str
    role: str
    password_hash: str = field(repr=False)
    name: str = ""


def normalise_username(text: str) -> str:
    """The form usernames are compared in: trimmed, NFC, case-folded."""
    return unicodedata.normalize("NFC", text.strip()).casefold()


def username_problems(username: str) -> list[str]:
    """What is wrong with a new username, in Swedish; empty when it is acceptable."""
    if not _USERNAME.match(normalise_username(username)):
        return [f'användarnamnet "{username}" får bara innehålla bokstäver, siffror och . _ - @ + '
                "(2–100 tecken, inga mellanslag)"]
    return []


def new_account(username: str, role: str, password: str, name: str = "") -> Account:
    """A new account with a freshly salted hash; raises InputError naming every problem."""
    problems = username_problems(username) + password_problems(password, username)
    role = role_named(role) or role
    if role not in ACCOUNT_ROLES:
        problems.append(f'okänd roll "{role}" (möjliga: {", ".join(ACCOUNT_ROLES)})')
    if problems:
        raise InputError([Problem("konto", message) for message in problems])
    return Account(normalise_username(username), role, hash_password(password), name.strip())


def load_secrets(path: str | Path) -> dict:
    """The parsed secrets file; an empty mapping when it does not exist. Raises InputError on bad TOML."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError([Problem(path.name, f"filen är inte giltig TOML: {error}")]) from None


def read_accounts(secrets_map: Mapping, file: str = SECRETS_FILE) -> dict[str, Account]:
    """The local accounts in the secrets' [konton] section by normalised username; InputError lists every problem."""
    section = secrets_map.get(ACCOUNTS_SECTION, {})
    if not isinstance(section, Mapping):
        raise InputError([Problem(file, f"[{ACCOUNTS_SECTION}] ska vara en tabell med ett konto per användare")])
    accounts: dict[str, Account] = {}
    problems: list[str] = []
    for key, entry in section.items():
        where = f"[{ACCOUNTS_SECTION}.{key}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} ska vara en tabell med roll och lösenordshash")
            continue
        username = normalise_username(str(key))
        role, digest, name = role_named(entry.get("roll")), entry.get(HASH_KEY), entry.get("namn", "")
        problems += [f"{where}: {message}" for message in username_problems(str(key))]
        if role not in ACCOUNT_ROLES:
            problems.append(f'{where}: okänd roll "{entry["roll"]}" (möjliga: {", ".join(ACCOUNT_ROLES)})'
                            if entry.get("roll") else f'{where}: "roll" saknas (möjliga: {", ".join(ACCOUNT_ROLES)})')
        if not isinstance(digest, str) or not is_password_hash(digest):
            problems.append(f'{where}: "{HASH_KEY}" saknas eller är inte en lösenordshash; skapa kontot med '
                            "python -m lagesbild konto (lösenord sparas aldrig i klartext)")
        unknown = sorted(set(entry) - {"roll", HASH_KEY, "namn"})
        if unknown:
            problems.append(f"{where}: okända nycklar {', '.join(unknown)} (möjliga: roll, {HASH_KEY}, namn)")
        if username in accounts:
            problems.append(f'{where}: användarnamnet "{username}" finns redan (stora och små bokstäver räknas lika)')
        accounts[username] = Account(username, role, digest, str(name))
    if problems:
        raise InputError([Problem(file, message) for message in problems])
    return accounts


@functools.cache
def _dummy_hash() -> str:
    # Checked when a username is unknown, so that a wrong username takes as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16))


def verify(accounts: Mapping[str, Account], username: str, password: str) -> str | None:
    """The account's role when the username and password match, else None (no hint which one was wrong)."""
    account = accounts.get(normalise_username(username))
    matches = check_password(password, account.password_hash if account else _dummy_hash())
    return account.role if account and matches else None


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def account_toml(account: Account) -> str:
    """The lines that add the account to .streamlit/secrets.toml."""
    lines = [f"[{ACCOUNTS_SECTION}.{_toml_string(account.username)}]",
             f"roll = {_toml_string(account.role)}"]
    if account.name:
        lines.append(f"namn = {_toml_string(account.name)}")
    lines.append(f"{HASH_KEY} = {_toml_string(account.password_hash)}")
    return "\n".join(lines) + "\n"


def _header_user(line: str) -> str | None:
    # A table header on its own is valid TOML: let the TOML parser say whose account it opens.
    if not line.lstrip().startswith("[") or line.lstrip().startswith("[["):
        return None
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    section = parsed.get(ACCOUNTS_SECTION)
    if len(parsed) == 1 and isinstance(section, dict) and len(section) == 1:
        return normalise_username(next(iter(section)))
    return ""


def _without_account(text: str, username: str) -> str:
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        owner = _header_user(line)
        if owner is not None:
            skipping = owner == username
        if not skipping:
            kept.append(line)
    return "".join(kept)


def write_account(path: str | Path, account: Account, replace: bool = False) -> None:
    """Add the account to the secrets file (created readable by its owner only); replace=True swaps an old one."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    existing = read_accounts(load_secrets(path), path.name) if text else {}
    if account.username in existing:
        if not replace:
            raise InputError([Problem(path.name, f'kontot "{account.username}" finns redan; '
                                                 "använd --ersätt för att byta lösenord eller roll")])
        text = _without_account(text, account.username)
    updated = (text.rstrip("\n") + "\n\n" if text.strip() else "") + account_toml(account)
    try:
        stored = read_accounts(tomllib.loads(updated), path.name).get(account.username)
    except (tomllib.TOMLDecodeError, InputError):
        stored = None
    if stored != account:
        raise InputError([Problem(path.name, f'kontot "{account.username}" kunde inte skrivas in automatiskt; '
                                             "lägg in raderna för hand")])
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(updated)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------------------
# Slowing down failed sign-ins
# ---------------------------------------------------------------------------------------------------------

class TooManyAttempts(Exception):
    """Raised instead of checking a password while a username or client must wait; the message is Swedish."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"För många misslyckade inloggningar. Försök igen om {wait_text(seconds)}.")


def wait_text(seconds: float) -> str:
    """A wait in Swedish words: "1 sekund", "16 sekunder", "4 minuter"."""
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        return f"{whole} sekund" if whole == 1 else f"{whole} sekunder"
    return f"{math.ceil(whole / 60)} minuter"


@dataclass
class _Failures:
    count: int
    last: float
    blocked_until: float


class SignInThrottle:
    """Exponential waits after failed sign-ins, per username and client together and per client, kept in memory.

    A username waits 1, 2, 4 … seconds after its 1st, 2nd, 3rd … failure from the same client (IP address),
    so that nobody can lock a known account for its owner by failing from somewhere else; a client waits
    after `free_per_client` failures whatever the usernames, since an office behind one address has many
    people who mistype.
    Records are forgotten `forget_after` seconds after their last failure. Thread-safe.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, first_delay: float = 1.0,
                 max_delay: float = 900.0, free_per_client: int = 4, forget_after: float = 3600.0,
                 max_records: int = 100_000):
        self._clock = clock
        self.first_delay, self.max_delay = first_delay, max_delay
        self.free = {"konto": 0, "klient": free_per_client}
        self.forget_after, self.max_records = forget_after, max_records
        self._records: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, client: str | None) -> list[tuple[str, str]]:
        keys = [("konto", f"{normalise_username(username)}\x1f{client or ''}")]
        return keys + [("klient", client)] if client else keys

    def _current(self, key: tuple[str, str], now: float) -> _Failures | None:
        record = self._records.get(key)
        if record and now - record.last > self.forget_after:
            del self._records[key]
            return None
        return record

    def wait(self, username: str, client: str | None = None) -> float:
        """Seconds until this username may try again from this client; 0 when it may try now."""
        with self._lock:
            now = self._clock()
            waits = [record.blocked_until - now for key in self._keys(username, client)
                     if (record := self._current(key, now))]
        return max([0.0, *waits])

    def failed(self, username: str, client: str | None = None) -> float:
        """Record a failed sign-in; returns the seconds before the next try is allowed."""
        with self._lock:
            now = self._clock()
            for key in self._keys(username, client):
                record = self._current(key, now) or _Failures(0, now, now)
                record.count += 1
                record.last = now
                beyond = record.count - self.free[key[0]]
                if beyond > 0:
                    delay = min(self.max_delay, self.first_delay * 2 ** min(beyond - 1, 60))
                    record.blocked_until = max(record.blocked_until, now + delay)
                # Re-inserting keeps the dict ordered by last failure, so the oldest go first when full.
                self._records.pop(key, None)
                self._records[key] = record
            while len(self._records) > self.max_records:
                del self._records[next(iter(self._records))]
        return self.wait(username, client)

    def succeeded(self, username: str, client: str | None = None) -> None:
        """Forget the username's failures from this client; the client's stay, or one valid account would reset them."""
        with self._lock:
            self._records.pop(self._keys(username, client)[0], None)


def sign_in(accounts: Mapping[str, Account], throttle: SignInThrottle, username: str, password: str,
            client: str | None = None) -> str | None:
    """The role for a correct username and password, else None; raises TooManyAttempts while it must wait."""
    waiting = throttle.wait(username, client)
    if waiting > 0:
        raise TooManyAttempts(waiting)
    role = verify(accounts, username, password)
    if role is None:
        throttle.failed(username, client)
    else:
        throttle.succeeded(username, client)
    return role


# ---------------------------------------------------------------------------------------------------------
# Roles from an OpenID Connect identity (st.user)
# ---------------------------------------------------------------------------------------------------------

ROLE_SECTION = "roller"
_ROLE_KEYS = {"standardroll", "claim", "grupper", "adresser", "domaner"}


def role_config_problems(config: Mapping) -> list[Problem]:
    """Every problem in the secrets' [roller] section, in Swedish; empty when it is usable."""
    where = f"[{ROLE_SECTION}]"
    problems = [f"{where}: okänd nyckel \"{key}\" (möjliga: {', '.join(sorted(_ROLE_KEYS))})"
                for key in config if key not in _ROLE_KEYS]
    default = config.get("standardroll", PUBLIC)
    if role_named(default) is None:
        problems.append(f'{where} standardroll: okänd roll "{default}" (möjliga: {", ".join(ROLES)})')
    if "claim" in config and (not isinstance(config["claim"], str) or not config["claim"]):
        problems.append(f"{where} claim: ska vara namnet på ett anspråk (claim) i identiteten, t.ex. \"groups\"")
    for section in ("grupper", "adresser", "domaner"):
        if not isinstance(config.get(section, {}), Mapping):
            problems.append(f"{where} {section}: ska vara en tabell")
            return [Problem(SECRETS_FILE, message) for message in problems]
    for key, value in config.get("grupper", {}).items():
        if role_named(value) is None:
            problems.append(f'{where} grupper."{key}": okänd roll "{value}" (möjliga: {", ".join(ROLES)})')
    for section in ("adresser", "domaner"):
        for role, entries in config.get(section, {}).items():
            if role_named(role) is None:
                problems.append(f'{where} {section}: okänd roll "{role}" (möjliga: {", ".join(ROLES)})')
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                problems.append(f"{where} {section}.{role}: ska vara en lista med textsträngar")
    return [Problem(SECRETS_FILE, message) for message in problems]


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, (list, tuple, set)) else [str(value)]


def role_from_identity(user_info: Mapping, config: Mapping) -> str:
    """The role of a signed-in OIDC identity (st.user as a dict) by the [roller] config; "publik" when signed out.

    The role comes from a claim (its values are role names, or group names mapped by `grupper`), from
    lists of e-mail addresses or domains per role, or else `standardroll`; the highest match wins. An
    address counts only when the provider has not said it is unverified.
    """
    problems = role_config_problems(config)
    if problems:
        raise InputError(problems)
    if not user_info or not user_info.get("is_logged_in", True):
        return PUBLIC
    found = [config.get("standardroll", PUBLIC)]
    if config.get("claim"):
        groups = config.get("grupper")
        for value in _as_list(user_info.get(config["claim"])):
            found.append(groups.get(value) if groups is not None else value)
    email = normalise_username(str(user_info.get("email") or ""))
    if "@" in email and user_info.get("email_verified", True) is not False:
        domain = email.rsplit("@", 1)[1]
        for role, addresses in config.get("adresser", {}).items():
            if email in {normalise_username(a) for a in addresses}:
                found.append(role)
        for role, domains in config.get("domaner", {}).items():
            if domain in {normalise_username(d).lstrip("@") for d in domains}:
                found.append(role)
    return highest(role_named(role) for role in found)


# ---------------------------------------------------------------------------------------------------------
# A local sign-in that survives a reload: a signed, expiring token kept in a browser cookie
# ---------------------------------------------------------------------------------------------------------

SESSION_COOKIE = "lagesbild_inloggning"
SESSION_HOURS = 12  # a working day or a council meeting; then the sign-in is asked for again
KEY_WAIT_TRIES = 200  # × 10 ms: how long a process waits for another's half-written key file
SESSION_SECTION = "inloggning"  # secrets.toml: [inloggning] hemlighet = "…" (shared by every server process)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _session_signature(payload: str, account: Account, secret: bytes) -> str:
    # The account's password hash is in the key: a new password (or a removed account) ends every session.
    key = hmac.new(secret, account.password_hash.encode(), hashlib.sha256).digest()
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def session_token(accounts: Mapping[str, Account], username: str, secret: bytes, now: float,
                  hours: float = SESSION_HOURS) -> str:
    """A signed token that names the account and when it stops being valid (no role, no password)."""
    account = accounts[normalise_username(username)]
    payload = _b64(f"{account.username}\x1f{int(now + hours * 3600)}".encode())
    return f"{payload}.{_session_signature(payload, account, secret)}"


def session_account(accounts: Mapping[str, Account], token: str | None, secret: bytes, now: float) -> Account | None:
    """The account a token was signed for, with its role as it is now; None if forged, expired or gone."""
    try:
        payload, signature = str(token or "").split(".")
        username, expires = _unb64(payload).decode().split("\x1f")
        account = accounts.get(normalise_username(username))
        if account is None or float(expires) < now:
            return None
        return account if hmac.compare_digest(signature, _session_signature(payload, account, secret)) else None
    except (ValueError, UnicodeDecodeError):
        return None


def session_secret(secrets_map: Mapping, file: Path) -> bytes:
    """The key tokens are signed with: [inloggning] hemlighet, else a random one kept in `file` (mode 0600)."""
    configured = secrets_map.get(SESSION_SECTION, {})
    if isinstance(configured, Mapping) and configured.get("hemlighet"):
        return str(configured["hemlighet"]).encode()
    # Processes sharing the file (deploy/compose.yaml) may start together: one may find the other's file created
    # but not yet written. An empty key would sign tokens anyone can make, so wait for the key, or refuse.
    for _ in range(KEY_WAIT_TRIES):
        try:
            key = file.read_bytes()
        except FileNotFoundError:
            break
        if key:
            return key
        time.sleep(0.01)
    else:
        raise RuntimeError(f"{file} is empty: remove it and restart, or set [inloggning] hemlighet in secrets.toml")
    generated = secrets.token_bytes(32)
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process is writing it: use theirs
        return session_secret(secrets_map, file)
    except OSError:  # nowhere to keep it: sign-ins last until the server restarts
        return generated
    with os.fdopen(descriptor, "wb") as out:
        out.write(generated)
    return generated
