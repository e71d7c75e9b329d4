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
