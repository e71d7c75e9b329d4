"""The fault campaign's pure parts: batches, the report's verdicts and figures, the artifact variant."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploytests.faults.catalogue import FAULTS
from deploytests.faults.run import Campaign, Item, Report, variant


def campaign(tmp_path, **kwargs):
    c = Campaign.__new__(Campaign)
    c.faults, c.batch, c.clean = list(FAULTS), kwargs.get("batch", 8), kwargs.get("clean", 10)
    c.cfg, c.states = SimpleNamespace(config_file=kwargs.get("config_file", "docker.cfg")), kwargs.get("states", True)
    return c


def test_batches_pair_faults_with_a_clean_host_and_keep_unreachable_hosts_alone(tmp_path):
    batches = Campaign.items(campaign(tmp_path))
    names = [[i.name for i in b] for b in batches]
    assert all(len(b) <= 8 for b in batches)
    faults = [i for b in batches for i in b if i.kind == "fault"]
    assert sorted(i.name for i in faults) == sorted(f.id for f in FAULTS)
    assert sum(i.kind == "clean" for b in batches for i in b) == 10
    assert {"after-rollback", "after-refused-release", "after-interrupted-deploy", "after-config-change"} <= \
        {n for b in names for n in b}
    without = [i.name for b in Campaign.items(campaign(tmp_path, config_file=None)) for i in b]
    assert "after-config-change" not in without and "after-rollback" in without  # (an app without a config)
    alone = [b for b in batches if any(i.fault and i.fault.alone for i in b)]
    assert alone and all(len(b) == 1 for b in alone)
    no_states = [i for b in Campaign.items(campaign(tmp_path, states=False)) for i in b]
    assert not [i for i in no_states if i.kind == "state"] and sum(i.kind == "clean" for i in no_states) == 10


def test_report_counts_misses_and_false_alarms():
    caught = Item("a", "fault", fault=FAULTS[1], failed=["t.py::test_packages_installed[ssh://u@a]"])
    missed = Item("b", "fault", fault=FAULTS[2], passed=30, skipped=4)
    broken = Item("c", "fault", fault=FAULTS[3], problem="injection exited 1: no such file")
    clean = Item("clean-1", "clean", passed=34, skipped=14)
    alarm = Item("after-rollback", "state", failed=["t.py::test_x[ssh://u@after-rollback]"])
    report = Report([caught, missed, broken, clean, alarm], 12.0, 2, {})
    text = "\n".join(report.lines())
    assert not report.ok and report.sensitivity == 1 / 3
    assert "MISSED (30 passed, 4 skipped)" in text and "NOT RUN: injection exited 1" in text
    assert "FALSE ALARM: test_x" in text and "clean (34 passed, 14 skipped)" in text
    assert "sensitivity: 1/3 faults caught (33%); not run: 1 of 5 (no verdict); false alarms: 0 in 1 clean run, " \
        "1 in 1 legitimate state" in text


def test_a_gate_run_that_did_not_run_is_no_verdict(tmp_path, monkeypatch):
    """Class: a gate run that never ran taken for a verdict. ``pytest --pyargs deploytests.suite
    --deploytests-faults`` handed each gate run the name as a path: pytest found no such file (exit 4), every
    host's tests were absent, the last line holding "deploytests:" (the run's header) was read as a session stop,
    and the campaign printed 143/143 caught (100%). Only a stop of ours (``Exit: deploytests: ...``) is a catch of
    a host that never ran; anything else is no verdict, for faults and controls alike."""
    import subprocess

    from deploytests.faults import run as R
    from deploytests.faults.plugin import arg_path

    assert arg_path("deploytests.suite", True) == str(R.SUITE)
    c = campaign(tmp_path)
    c.workdir, c.target_keys, c.gate_paths, c.app, c.gate_options, c.cwd = tmp_path, "", [], tmp_path, [], tmp_path
    server = SimpleNamespace(user="u", host="127.0.0.1", port=22, base_url="http://127.0.0.1:80")
    fleet = SimpleNamespace(run_id="r1", servers=[server, server], key=SimpleNamespace(path="k"), known_hosts="kh")
    for out, stopped in ((b"deploytests: rights: deploy=no\nERROR: file or directory not found: x\n", False),
                         (b"deploytests: rights: deploy=no\n!!! _pytest.outcomes.Exit: deploytests: "
                          b"ssh://u@127.0.0.1:22: could not log in !!!\n", True)):
        monkeypatch.setattr(R.subprocess, "run", lambda *a, out=out, **k: subprocess.CompletedProcess(a, 4, out))
        fault, clean = Item("f", "fault", fault=FAULTS[1]), Item("clean-1", "clean")
        c.gate([fault, clean], SimpleNamespace(**{**vars(fleet), "run_id": f"r{stopped}"}))
        report = Report([fault, clean], 1.0, 1, {})
        if stopped:
            assert fault.caught and fault.failed == ["session stop: deploytests: ssh://u@127.0.0.1:22: could not log "
                                                     "in"]
            assert clean.problem.startswith("the gate run stopped: deploytests: ssh://u@127.0.0.1:22")
        else:
            assert not fault.caught and report.sensitivity == 0 and not report.ok
            assert fault.problem == clean.problem == "the gate run did not run (exit 4): ERROR: file or directory " \
                "not found: x"
    # another member: a stop that names no host of the run (the runner's own setting: a config file others may
    # write) stopped every host alike: no verdict, never a catch (was "session stop: ...", 3/3 caught)
    monkeypatch.setattr(R.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 4, b"!!! _pytest.outcomes.Exit: deploytests: refused: app.cfg may be changed by others (0664) !!!\n"))
    fault = Item("f", "fault", fault=FAULTS[1])
    c.gate([fault], SimpleNamespace(**{**vars(fleet), "run_id": "setting", "servers": [server]}))
    assert not fault.caught and fault.problem.startswith("the gate run stopped: deploytests: refused: app.cfg")
    # another member: a run that crashed with no line of ours at all (was "session stop: the gate run ended with
    # exit 3", a catch)
    monkeypatch.setattr(R.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 3, b"INTERNALERROR> Traceback (most recent call last):\nINTERNALERROR> KeyError: 'x'\n"))
    fault = Item("f", "fault", fault=FAULTS[1])
    c.gate([fault], SimpleNamespace(**{**vars(fleet), "run_id": "crash", "servers": [server]}))
    assert not fault.caught and fault.problem == "the gate run did not run (exit 3): INTERNALERROR> KeyError: 'x'"


def test_variant_is_the_same_code_under_another_manifest(tmp_path):
    src = tmp_path / "a.tar"
    with tarfile.open(src, "w") as tar:
        for name, data in {"manifest.json": json.dumps({"name": "x"}).encode(), "tree/app.tar": b"code"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    art = SimpleNamespace(path=src, app="x", name="x", version="1.0", python_version="3.11", manifest={"name": "x"},
                          sha256=hashlib.sha256(src.read_bytes()).hexdigest())
    v = variant(art, 2, tmp_path)
    with tarfile.open(v.path) as tar:
        assert json.loads(tar.extractfile("manifest.json").read()) == {"name": "x", "variant": 2}
        assert tar.extractfile("tree/app.tar").read() == b"code"
    assert v.sha256 != art.sha256 and v.manifest == {"name": "x", "variant": 2}
    assert v.sha256 == hashlib.sha256(v.path.read_bytes()).hexdigest()


def test_the_hosts_get_the_host_timeout_to_answer_on_ssh(tmp_path):
    """A fault run on a loaded machine stopped at its first batch ('timed out after 30s waiting for the SSH banner.
    Hint: ... give the containers longer with --host-timeout'): the campaign's hosts had a fixed 30 s. They get the
    host timeout the run was given (a whole init's boot: at least 180 s)."""
    import shutil

    from deploytests.config import load_config
    from deploytests.examples import APPS

    cfg = load_config(APPS / "yourapplication")
    made = [Campaign(APPS / "yourapplication", cfg, ready_timeout=300.0), Campaign(APPS / "yourapplication", cfg),
            Campaign(APPS / "yourapplication", cfg, boot=("image", {"init": False}), ready_timeout=60.0)]
    for c in made:
        shutil.rmtree(c.workdir)
    assert [c.ready for c in made] == [300.0, 30.0, 180.0]


@pytest.mark.parametrize("name, text, parse", [
    ("app.json", '{"greeting": "hello", "api_token": "tok-0123456789abcdef"}\n', "json"),
    ("app.cfg", 'SECRET_KEY = "k"\nDEBUG = False', "python"),
    ("app.ini", "[app:main]\nuse = egg:myproj\n", "ini"),
    ("app.toml", 'title = "x"\n', "toml"),
])
def test_the_config_change_state_keeps_the_config_readable_in_its_format(tmp_path, monkeypatch, name, text, parse):
    """Class: a change made to a config in the syntax of one format whatever its format. The campaign's
    after-config-change state appended a `# changed by the campaign` comment: a plain WSGI app's JSON config no
    longer parsed (`JSONDecodeError: Extra data`), its deploy was refused and the state was NOT RUN. Members:
    JSON, Python without a last newline, INI, TOML: the change is one more newline, which every format ignores."""
    import configparser
    import dataclasses
    import json
    import tomllib
    from types import SimpleNamespace

    from deploytests.faults import run

    config = tmp_path / name
    config.write_text(text)
    seen: list[bytes] = []

    def deploy(conn, cfg, artifact):
        seen.append(Path(cfg.config_file).read_bytes())
        return SimpleNamespace(changed=True)

    monkeypatch.setattr(run.pipeline, "deploy", deploy)

    @dataclasses.dataclass(frozen=True)
    class Cfg:
        config_file: Path

    campaign = SimpleNamespace(workdir=tmp_path, cfg=Cfg(config), artifact=None)
    run.after_config_change(campaign, SimpleNamespace(label="docker://fault-1", connection=lambda: None), None)
    changed = seen[0].decode()
    assert seen[0] != config.read_bytes() and seen[1] == config.read_bytes()
    if parse == "json":
        assert json.loads(changed) == json.loads(text)
    elif parse == "python":
        compile(changed, name, "exec")
    elif parse == "ini":
        configparser.ConfigParser().read_string(changed)
    else:
        assert tomllib.loads(changed) == tomllib.loads(text)
