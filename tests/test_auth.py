"""Roles and permissions, password hashes, local accounts, the sign-in throttle and OIDC roles."""
from __future__ import annotations

import io
import stat
import tomllib
from pathlib import Path

import pytest

from lagesbild import auth
from lagesbild.cli import main
from lagesbild.problems import InputError

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "korrekt häst batteri"

# Written out by hand, independently of auth.PERMISSIONS: publik, rapportör, intern, redaktör, administratör.
EXPECTED = {
    "skicka_in": (0, 1, 1, 1, 1),
    "se_öppet": (1, 1, 1, 1, 1),
    "se_internt": (0, 0, 1, 1, 1),
    "registrera": (0, 0, 0, 1, 1),
    "redigera": (0, 0, 0, 1, 1),
    "ta_bort": (0, 0, 0, 1, 1),
    "låsa_lägesbild": (0, 0, 0, 1, 1),
    "räkna_på_fil": (0, 0, 1, 1, 1),
    "importera": (0, 0, 0, 0, 1),
    "återställa": (0, 0, 0, 0, 1),
    "läsa_logg": (0, 0, 0, 0, 1),
    "hantera_konton": (0, 0, 0, 0, 1),
    "ändra_inställningar": (0, 0, 0, 0, 1),
    "säkerhetskopiera": (0, 0, 0, 0, 1),
}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Hashes at a tiny cost, so the tests stay fast; one test checks the real cost."""
    monkeypatch.setitem(auth.SCRYPT_COST, "n", 2**8)
    monkeypatch.setitem(auth.SCRYPT_COST, "p", 1)


def accounts_with(*entries: tuple[str, str, str]) -> dict[str, auth.Account]:
    return {auth.normalise_username(u): auth.Account(auth.normalise_username(u), role, auth.hash_password(pw))
            for u, role, pw in entries}


# --- roles and the permission table -------------------------------------------------------------------

def test_the_permission_table_covers_exactly_the_expected_actions():
    assert set(auth.ACTIONS) == set(EXPECTED)
    assert auth.ROLES == ("publik", "rapportör", "intern", "redaktör", "administratör")


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_role_against_every_action(role, action):
    assert auth.allowed(role, action) is bool(EXPECTED[action][auth.ROLES.index(role)])


def test_a_higher_role_may_do_everything_a_lower_one_may():
    for lower, higher in zip(auth.ROLES, auth.ROLES[1:]):
        assert set(auth.actions_for(lower)) < set(auth.actions_for(higher))


def test_the_public_sees_only_open_material():
    assert auth.actions_for("publik") == ["se_öppet"]
    assert auth.visible_confidentiality("publik") == ("öppen",)
    assert auth.visible_confidentiality("intern") == ("öppen", "intern")


def test_a_misspelt_role_or_action_is_an_error_not_a_quiet_no():
    with pytest.raises(ValueError, match="unknown role"):
        auth.allowed("redaktor", "registrera")
    with pytest.raises(ValueError, match="unknown action"):
        auth.allowed("redaktör", "registera")


def test_a_refusal_says_in_swedish_what_is_missing():
    with pytest.raises(auth.NotAllowed) as refused:
        auth.require("publik", "importera")
    assert str(refused.value) == ("Utan inloggning får du inte importera filer med undersökningar, platser och "
                                  "områdesgränser. Det kräver rollen administratör eller högre.")
    assert auth.refusal("intern", "registrera").startswith("Med rollen intern får du inte registrera iakttagelser")
    auth.require("redaktör", "registrera")  # allowed: no exception


def test_highest_role_wins():
    assert auth.highest(["intern", "administratör", "redaktör"]) == "administratör"
    assert auth.highest([]) == "publik"


# --- passwords ----------------------------------------------------------------------------------------

def test_a_hash_is_salted_and_never_contains_the_password():
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$")
    assert PASSWORD not in first and "häst" not in first
    assert auth.check_password(PASSWORD, first) and auth.check_password(PASSWORD, second)
    assert not auth.check_password(PASSWORD + " ", first)
    assert not auth.check_password("korrekt hast batteri", first)


def test_the_real_cost_is_owasps_scrypt_setting(monkeypatch):
    monkeypatch.setitem(auth.SCRYPT_COST, "n", 2**14)
    monkeypatch.setitem(auth.SCRYPT_COST, "p", 5)
    digest = auth.hash_password(PASSWORD)
    assert digest.split("$")[1:4] == ["16384", "8", "5"]
    assert auth.check_password(PASSWORD, digest)


def test_a_damaged_or_absurd_hash_never_matches():
    digest = auth.hash_password(PASSWORD)
    salt, value = digest.split("$")[4:]
    tampered = digest[:-4] + ("AAAA" if not digest.endswith("AAAA") else "BBBB")
    assert not auth.check_password(PASSWORD, tampered)
    assert not auth.check_password(PASSWORD, PASSWORD)  # a password pasted where the hash belongs
    assert not auth.is_password_hash(f"scrypt${2**30}$8$1${salt}${value}")  # would need 1 TiB


def test_a_new_password_must_be_long_enough_and_not_the_username():
    assert auth.password_problems("kort") == ["lösenordet måste ha minst 12 tecken (det har 4)"]
    assert auth.password_problems("anna.andersson", "Anna.Andersson") == [
        "lösenordet får inte vara detsamma som användarnamnet"]
    assert auth.password_problems(PASSWORD) == []


# --- local accounts -----------------------------------------------------------------------------------

def test_verify_gives_the_role_for_the_right_password_only():
    accounts = accounts_with(("anna", "redaktör", PASSWORD), ("bo", "intern", "ett annat lösenord"))
    assert auth.verify(accounts, "anna", PASSWORD) == "redaktör"
    assert auth.verify(accounts, " ANNA ", PASSWORD) == "redaktör"
    assert auth.verify(accounts, "anna", "ett annat lösenord") is None
    assert auth.verify(accounts, "okänd", PASSWORD) is None


def test_an_unknown_username_costs_a_hash_like_a_wrong_password(monkeypatch):
    accounts = accounts_with(("anna", "redaktör", PASSWORD))
    calls = []
    real = auth._scrypt
    monkeypatch.setattr(auth, "_scrypt", lambda *args: calls.append(1) or real(*args))
    auth.verify(accounts, "anna", "fel lösenord här")
    auth.verify(accounts, "finns.inte", "fel lösenord här")
    assert len(calls) == 2


def test_accounts_are_read_from_the_secrets_mapping():
    secrets = tomllib.loads(auth.account_toml(auth.new_account("Åsa.Öberg@Example.se", "intern", PASSWORD,
                                                               'Åsa "Ö" Öberg')))
    accounts = auth.read_accounts(secrets)
    assert list(accounts) == ["åsa.öberg@example.se"]
    assert accounts["åsa.öberg@example.se"].name == 'Åsa "Ö" Öberg'
    assert auth.verify(accounts, "åsa.öberg@example.se", PASSWORD) == "intern"


def test_every_problem_in_the_accounts_is_named_at_once():
    secrets = tomllib.loads(f"""
[konton.anna]
roll = "redaktr"
losenordshash = "{auth.hash_password(PASSWORD)}"
[konton.bo]
roll = "intern"
losenordshash = "mitt hemliga lösenord"
[konton.Anna]
roll = "publik"
losenordshash = "{auth.hash_password(PASSWORD)}"
losenord = "klartext"
""")
    with pytest.raises(InputError) as error:
        auth.read_accounts(secrets)
    messages = [str(p) for p in error.value.problems]
    assert 'secrets.toml: [konton.anna]: okänd roll "redaktr" (möjliga: rapportör, intern, redaktör, administratör)' in messages
    assert any(m.startswith('secrets.toml: [konton.bo]: "losenordshash" saknas eller är inte en lösenordshash')
               for m in messages)
    assert 'secrets.toml: [konton.Anna]: okänd roll "publik" (möjliga: rapportör, intern, redaktör, administratör)' in messages
    assert "secrets.toml: [konton.Anna]: okända nycklar losenord (möjliga: roll, losenordshash, namn)" in messages
    assert any("användarnamnet \"anna\" finns redan" in m for m in messages)


def test_the_example_secrets_file_is_valid_and_its_hashes_open_nothing():
    secrets = auth.load_secrets(ROOT / ".streamlit" / "secrets.toml.example")
    accounts = auth.read_accounts(secrets)
    assert {a.role for a in accounts.values()} == {"redaktör", "administratör"}
    assert auth.role_config_problems(secrets["roller"]) == []
    assert set(secrets["auth"]) >= {"redirect_uri", "cookie_secret", "client_id", "client_secret",
                                    "server_metadata_url"}
    assert secrets["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert secrets["databas"]["url"].startswith("postgresql+psycopg://")
    assert auth.verify(accounts, "anna.andersson", PASSWORD) is None


def test_the_real_secrets_file_is_ignored_by_git():
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()


def test_write_account_creates_a_private_file_and_keeps_what_was_there(tmp_path):
    path = tmp_path / ".streamlit" / "secrets.toml"
    auth.write_account(path, auth.new_account("anna", "redaktör", PASSWORD))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text('# Norrmalm\n[auth]\nclient_id = "lagesbild"\n\n' + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    auth.write_account(path, auth.new_account("bo", "intern", "bos eget lösenord"))
    with pytest.raises(InputError, match='kontot "anna" finns redan; använd --ersätt'):
        auth.write_account(path, auth.new_account("anna", "administratör", "ett nytt lösenord"))
    auth.write_account(path, auth.new_account("ANNA", "administratör", "ett nytt lösenord"), replace=True)
    text = path.read_text(encoding="utf-8")
    accounts = auth.read_accounts(tomllib.loads(text))
    assert auth.verify(accounts, "anna", "ett nytt lösenord") == "administratör"
    assert auth.verify(accounts, "anna", PASSWORD) is None
    assert auth.verify(accounts, "bo", "bos eget lösenord") == "intern"
    assert text.startswith('# Norrmalm\n[auth]\nclient_id = "lagesbild"\n')
    assert text.count("[konton.") == 2


# --- the sign-in throttle -----------------------------------------------------------------------------

def test_each_failure_doubles_the_wait_for_that_username_from_that_client(clock):
    throttle = auth.SignInThrottle(clock)
    assert [throttle.failed("anna", "10.0.0.1") for _ in range(4)] == [1, 2, 4, 8]
    assert throttle.wait("ANNA", "10.0.0.1") == 8
    # The owner at another client is not locked out by someone failing with her username elsewhere.
    assert throttle.wait("anna", "10.0.0.2") == 0
    assert throttle.wait("bo", "10.0.0.3") == 0
    clock.now += 8
    assert throttle.wait("anna", "10.0.0.1") == 0


def test_the_owner_signs_in_from_another_client_while_a_guesser_is_throttled(clock):
    throttle = auth.SignInThrottle(clock)
    accounts = accounts_with(("anna", "redaktör", PASSWORD))
    for _ in range(10):  # a guesser at one address, as fast as allowed
        try:
            auth.sign_in(accounts, throttle, "anna", "gissning!!!!", "203.0.113.9")
        except auth.TooManyAttempts:
            pass
        clock.now += 1
    with pytest.raises(auth.TooManyAttempts):
        auth.sign_in(accounts, throttle, "anna", PASSWORD, "203.0.113.9")
    assert auth.sign_in(accounts, throttle, "anna", PASSWORD, "10.0.0.1") == "redaktör"


def test_the_wait_is_capped_and_forgotten_after_an_hour_without_failures(clock):
    throttle = auth.SignInThrottle(clock, max_delay=900)
    for _ in range(20):
        waited = throttle.failed("anna")
    assert waited == 900
    clock.now += 3601
    assert throttle.wait("anna") == 0
    assert throttle.failed("anna") == 1


def test_a_client_trying_many_usernames_is_slowed_after_four_failures(clock):
    throttle = auth.SignInThrottle(clock)
    waits = [throttle.failed(f"user{i}", "203.0.113.9") for i in range(7)]
    assert waits == [1, 1, 1, 1, 1, 2, 4]
    assert throttle.wait("ny.användare", "203.0.113.9") == 4
    assert throttle.wait("ny.användare", "198.51.100.1") == 0


def test_sign_in_refuses_without_checking_while_waiting_even_the_right_password(clock):
    throttle = auth.SignInThrottle(clock)
    accounts = accounts_with(("anna", "redaktör", PASSWORD))
    assert auth.sign_in(accounts, throttle, "anna", "fel lösenord!", "10.0.0.1") is None
    clock.now += 1
    assert auth.sign_in(accounts, throttle, "anna", "fel lösenord!", "10.0.0.1") is None
    with pytest.raises(auth.TooManyAttempts) as refused:
        auth.sign_in(accounts, throttle, "anna", PASSWORD, "10.0.0.1")
    assert str(refused.value) == "För många misslyckade inloggningar. Försök igen om 2 sekunder."
    clock.now += 2
    assert auth.sign_in(accounts, throttle, "anna", PASSWORD, "10.0.0.1") == "redaktör"
    assert throttle.wait("anna", "10.0.0.1") == 0


def test_the_throttle_keeps_a_bounded_number_of_records(clock):
    throttle = auth.SignInThrottle(clock, max_records=50)
    for i in range(200):
        throttle.failed(f"user{i}")
    assert throttle.wait("user0") == 0 and throttle.wait("user199") == 1
    assert len(throttle._records) == 50


def test_waits_are_written_in_swedish_words():
    assert [auth.wait_text(s) for s in (0.2, 1, 16, 118.5, 120, 900)] == [
        "1 sekund", "1 sekund", "16 sekunder", "119 sekunder", "2 minuter", "15 minuter"]


# --- roles from an OpenID Connect identity ------------------------------------------------------------

CONFIG = {
    "standardroll": "publik",
    "claim": "groups",
    "grupper": {"lagesbild-redaktorer": "redaktör", "lpo-norrmalm": "intern"},
    "adresser": {"administratör": ["IT.Norrmalm@example.se"]},
    "domaner": {"intern": ["polisen.example.se"]},
}


def user(**claims) -> dict:
    return {"is_logged_in": True, "email_verified": True, **claims}


def test_signed_out_is_public_whatever_else_the_mapping_says():
    assert auth.role_from_identity({"is_logged_in": False}, CONFIG) == "publik"
    assert auth.role_from_identity({}, {**CONFIG, "standardroll": "intern"}) == "publik"


def test_roles_come_from_the_claim_through_the_mapping():
    assert auth.role_from_identity(user(groups=["lpo-norrmalm"]), CONFIG) == "intern"
    assert auth.role_from_identity(user(groups=["lpo-norrmalm", "lagesbild-redaktorer"]), CONFIG) == "redaktör"
    assert auth.role_from_identity(user(groups="lagesbild-redaktorer"), CONFIG) == "redaktör"
    assert auth.role_from_identity(user(groups=["administratör"]), CONFIG) == "publik"  # not in the mapping


def test_without_a_mapping_the_claim_holds_role_names():
    config = {"claim": "roles"}
    assert auth.role_from_identity(user(roles=["intern", "okänd"]), config) == "intern"
    assert auth.role_from_identity(user(roles="administratör"), config) == "administratör"
    assert auth.role_from_identity(user(roles="Redaktor"), config) == "redaktör"  # written without å, ä, ö


def test_addresses_and_domains_match_exactly_and_only_when_verified():
    assert auth.role_from_identity(user(email="it.norrmalm@EXAMPLE.se"), CONFIG) == "administratör"
    assert auth.role_from_identity(user(email="it.norrmalm@example.se", email_verified=False), CONFIG) == "publik"
    assert auth.role_from_identity(user(email="kim@polisen.example.se"), CONFIG) == "intern"
    assert auth.role_from_identity(user(email="kim@fake-polisen.example.se"), CONFIG) == "publik"
    assert auth.role_from_identity(user(email="kim@sub.polisen.example.se"), CONFIG) == "publik"
    assert auth.role_from_identity(user(email="polisen.example.se@evil.test"), CONFIG) == "publik"


def test_a_signed_in_person_matching_nothing_gets_the_default_role():
    assert auth.role_from_identity(user(email="x@example.org"), CONFIG) == "publik"
    assert auth.role_from_identity(user(email="x@example.org"), {**CONFIG, "standardroll": "intern"}) == "intern"


def test_a_mistake_in_the_role_config_is_named_in_swedish():
    bad = {"standardroll": "läsare", "grupper": {"grupp": "redaktr"}, "adresser": {"admin": "a@b.se"},
           "okänt": 1}
    with pytest.raises(InputError) as error:
        auth.role_from_identity(user(), bad)
    messages = [str(p) for p in error.value.problems]
    assert 'secrets.toml: [roller]: okänd nyckel "okänt" (möjliga: adresser, claim, domaner, grupper, ' \
           'standardroll)' in messages
    assert any('standardroll: okänd roll "läsare"' in m for m in messages)
    assert any('grupper."grupp": okänd roll "redaktr"' in m for m in messages)
    assert any('adresser: okänd roll "admin"' in m for m in messages)
    assert any("adresser.admin: ska vara en lista med textsträngar" in m for m in messages)


# --- the `konto` command ------------------------------------------------------------------------------

def test_konto_prints_lines_that_open_the_account(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["konto", "anna", "--roll", "redaktor", "--namn", "Anna Andersson", "--lösenord-från-stdin"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith('[konton."anna"]\nroll = "redaktör"\nnamn = "Anna Andersson"\nlosenordshash = "scrypt$')
    assert PASSWORD not in out + err
    assert "Klistra in raderna ovan" in err
    assert auth.verify(auth.read_accounts(tomllib.loads(out)), "anna", PASSWORD) == "redaktör"


def test_konto_asks_twice_and_writes_the_file(monkeypatch, tmp_path, capsys):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    path = tmp_path / "secrets.toml"
    assert main(["konto", "bo", "--roll", "administratör", "--skriv", "--fil", str(path)]) == 0
    assert "Kontot bo (administratör) är sparat i" in capsys.readouterr().out
    assert auth.verify(auth.read_accounts(auth.load_secrets(path)), "bo", PASSWORD) == "administratör"


def test_konto_refuses_different_passwords_and_short_ones(monkeypatch, tmp_path, capsys):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    path = tmp_path / "secrets.toml"
    assert main(["konto", "bo", "--roll", "intern", "--skriv", "--fil", str(path)]) == 1
    assert "lösenorden är inte lika; inget konto har skapats" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert main(["konto", "bo", "--roll", "intern", "--lösenord-från-stdin", "--skriv", "--fil", str(path)]) == 1
    assert "konto: lösenordet måste ha minst 12 tecken (det har 4)" in capsys.readouterr().err
    assert not path.exists()


# --- a sign-in that survives a reload ------------------------------------------------------------------------

def test_a_key_file_another_process_is_still_writing_is_waited_for_and_an_empty_one_refused(tmp_path):
    import threading

    file = tmp_path / "sessionshemlighet"
    file.touch(mode=0o600)  # created by the other process, not yet written
    threading.Timer(0.1, file.write_bytes, [b"their key"]).start()
    assert auth.session_secret({}, file) == b"their key"  # never signs with an empty key
    empty = tmp_path / "tom"
    empty.touch()
    with pytest.raises(RuntimeError, match="is empty"):
        auth.session_secret({}, empty)


def test_a_session_token_names_its_account_expires_and_cannot_be_forged(tmp_path):
    accounts = accounts_with(("anna", "redaktör", PASSWORD))
    secret = auth.session_secret({}, tmp_path / "nyckel")
    assert (tmp_path / "nyckel").stat().st_mode & 0o777 == 0o600
    assert auth.session_secret({}, tmp_path / "nyckel") == secret  # the same key after a restart
    token = auth.session_token(accounts, "Anna", secret, now=1000.0, hours=1)
    assert PASSWORD not in token and "redaktör" not in token
    assert auth.session_account(accounts, token, secret, now=1000.0 + 3599).role == "redaktör"
    assert auth.session_account(accounts, token, secret, now=1000.0 + 3601) is None  # expired
    assert auth.session_account(accounts, token, b"another server", now=1000.0) is None
    payload, signature = token.split(".")
    longer = auth._b64(auth._unb64(payload).replace(b"\x1f4600", b"\x1f9999999999"))
    assert auth.session_account(accounts, f"{longer}.{signature}", secret, now=1000.0) is None  # tampered
    assert auth.session_account(accounts, "skräp", secret, now=1000.0) is None
    # A new password, a removed account or a changed role: the old token gives nothing more than the account now has.
    assert auth.session_account(accounts_with(("anna", "redaktör", "ett annat lösenord!")), token, secret, 1000.0) is None
    assert auth.session_account({}, token, secret, 1000.0) is None
    assert auth.session_secret({"inloggning": {"hemlighet": "delad"}}, tmp_path / "x") == b"delad"
