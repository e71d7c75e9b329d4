"""A config built to exhaust its parser never switches redaction off (the attack: a 50,000-term concatenation
made ``ast`` recurse past its limit, the exception escaped the plugin's set-up and every test's error printed the
config's source, SECRET_KEY in clear). Class: a parser of less trusted text failing with an exception nobody
handles. Each member falls back to the text and still redacts the secret, with a warning naming the file."""

from __future__ import annotations

import pytest

from deploytests.redaction import secrets_of

DEEP = 20_000

CASES = {
    "python-concatenation": ("app.cfg", 'SECRET_KEY = "s3cr3t-do-not-print"\nX = ' +
                             " + ".join(['"abcdefgh"'] * 5_000) + "\n", "s3cr3t-do-not-print"),
    "python-unary-chain": ("app.cfg", 'PASSWORD = "neg-secret-789"\nX = ' + "-" * 200_000 + "1\n", "neg-secret-789"),
    "json-nesting": ("app.json", '{"SECRET": "json-secret-123", "x": ' + "[" * DEEP + "]" * DEEP + "}",
                     "json-secret-123"),
    "toml-nesting": ("app.toml", 'secret = "toml-secret-456"\nx = ' + "[" * DEEP + "]" * DEEP + "\n",
                     "toml-secret-456"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_config_that_exhausts_its_parser_is_still_redacted(tmp_path, case):
    name, text, secret = CASES[case]
    path = tmp_path / name
    path.write_text(text)
    secrets = secrets_of(path)
    assert secrets.redact(f"the value is {secret}!") == "the value is [redacted]!"
    assert any(str(path) in w and "does not parse" in w for w in secrets.warnings), secrets.warnings


@pytest.mark.parametrize("text", [
    'SECRET_KEY = "s3cr3t-do-not-print"\nA=x' + " " * 1_000_000 + "y\n",  # dotenv: 100 KB of it took 97 s
    'secret_key: "s3cr3t-do-not-print"\na: x' + " \t" * 500_000 + "y\n",  # YAML's key: value
    'secret_key: "s3cr3t-do-not-print"\n- x' + " " * 1_000_000 + "y\n",  # YAML's - item
    'secret = "s3cr3t-do-not-print"\n' + "x" + ".a" * 100_000 + " = 1\n",  # TOML: 40 KB of it took 2.4 GB
    'SECRET_KEY = "s3cr3t-do-not-print"\nA = ' + "a1" * 500_000 + "\n",  # a URL's scheme tried from every letter
    'SECRET_KEY = "s3cr3t-do-not-print"\n' + "A = b\n" * 50_000,  # Python: 12 KB of it took 14 s (the source split
    # again for each value not known statically)
])
def test_a_config_whose_parse_would_cost_the_square_of_its_size_is_read_at_the_cost_of_its_size(tmp_path, text):
    """Class: a parser of less trusted text whose cost grows faster than the text (a regex trying every split of a
    run of blanks; tomllib keeping every prefix of a dotted key). The config is the repository's in the admin's
    read-only gate; each of these took minutes to hours, or every byte of memory, before."""
    path = tmp_path / "app.cfg"
    path.write_text(text)
    assert "s3cr3t-do-not-print" in secrets_of(path).values
