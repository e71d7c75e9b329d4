"""The ``deploytests`` command line (deploytests/__main__.py): its help and its one-line usage errors, without
Docker (names are checked before any engine is asked)."""

from __future__ import annotations

import pytest

from deploytests.__main__ import main
from deploytests.containers.images import image_specs

pytestmark = pytest.mark.usefixtures("own_install")  # (main() in this process: conftest.own_install)


def usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1, err
    return err.rstrip("\n")


def test_an_unknown_command_is_named_with_the_commands(capsys):
    """Reviewer: `deploytests nosuch` said `argument group: invalid choice` (an internal dest name)."""
    assert usage_error(capsys, "nosuch") == ("deploytests: error: unknown command 'nosuch'; choose from init, fab, "
                                             "gate, engine, images (see `deploytests --help`)")
    assert usage_error(capsys) == ("deploytests: error: no command given; choose from init, fab, gate, engine, images "
                                   "(see `deploytests --help`)")
    assert usage_error(capsys, "engine", "nope") == ("deploytests engine: error: unknown engine command 'nope'; "
                                                     "choose from up, sweep (see `deploytests engine --help`)")
    assert usage_error(capsys, "images") == ("deploytests images: error: no images command given; choose from build "
                                             "(see `deploytests images --help`)")


def test_an_unknown_image_says_the_accepted_form_and_names_without_module_names(capsys):
    """Reviewer: `deploytests images build nosuch` said `deploytests: error: deploytests.stacks: unknown image`."""
    names = ", ".join(image_specs())
    assert usage_error(capsys, "images", "build", "debian13-bare", "nosuch") == (
        f"deploytests images build: error: unknown image 'nosuch'; give NAME (no tag), one of: {names} (see "
        "`deploytests images build --help`)")
    assert usage_error(capsys, "images", "build", "deploytests/debian13-bare:1234") == (
        "deploytests images build: error: unknown image 'deploytests/debian13-bare:1234'; give the name alone, "
        "'debian13-bare': its tag is always the hash of its inputs (see `deploytests images build --help`)")


def test_help_lists_every_command_in_full_sentences(capsys):
    """Reviewer: `deploytests --help` was the module docstring's first line, cut mid-sentence, with reST backticks."""
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: deploytests [-h] COMMAND ...\n\nSet up a Flask project") and "``" not in out
    for command in ("init [DIR]", "engine up", "engine sweep", "images build [NAME ...]"):
        assert f"\n  {command} " in out, out
    for argv, usage in ((["init"], "deploytests init [-h] [DIR]"), (["engine"], "deploytests engine [-h] ACTION"),
                        (["engine", "up"], "deploytests engine up [-h] [--timeout SECONDS]"),
                        (["images", "build"], "deploytests images build [-h] [NAME ...]")):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        out = capsys.readouterr().out
        assert out.startswith(f"usage: {usage}") and "``" not in out and "group" not in out, out


def test_init_of_a_missing_directory_says_what_to_give(tmp_path, capsys):
    assert main(["init", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == (f"deploytests init: error: {tmp_path / 'nope'} (the DIR given) is not a "
                                       "directory; give the project's directory, or nothing for the current one\n")
