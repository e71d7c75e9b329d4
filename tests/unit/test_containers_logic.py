"""Pure logic of the container driver: image hashing, the sweep decision, key parsing, waits, error text."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace

import pytest

from deploytests import stacks
from deploytests.containers import images, keys
from deploytests.containers.sweep import L_HOST, L_KEEP, L_PID, L_START, owner_labels, should_sweep
from deploytests.errors import CommandFailed, DeployTestsError, EngineUnavailable, HostOutcome, HostsFailed, WaitTimeout
from deploytests.stacks import ImageSpec
from deploytests.testing import FakeClock
from deploytests.waiting import wait_until


@pytest.fixture
def dockerfiles(tmp_path):
    for name in ("role", "other", "common"):
        (tmp_path / name).mkdir()
    (tmp_path / "role" / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\n")
    (tmp_path / "other" / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\n")
    (tmp_path / "common" / "entrypoint.sh").write_text("#!/bin/sh\n")
    return tmp_path


SPEC = ImageSpec(name="img", dockerfile="role", base="debian:bookworm-slim", suite="bookworm")


def tag(spec: ImageSpec, root) -> str:
    return images.image_tag(spec, root=root)


class TestImageHash:
    def test_same_inputs_same_tag(self, dockerfiles):
        assert tag(SPEC, dockerfiles) == tag(replace(SPEC), dockerfiles)
        # extra build args in another order are the same inputs
        a = replace(SPEC, args=(("PY", "3"), ("X", "1")))
        assert tag(a, dockerfiles) == tag(replace(a, args=(("X", "1"), ("PY", "3"))), dockerfiles)

    def test_tag_shape(self, dockerfiles):
        repo, digest = tag(SPEC, dockerfiles).split(":")
        assert repo == "deploytests/img" and len(digest) == 12

    def test_the_name_is_the_repository_the_inputs_are_the_hash(self, dockerfiles):
        other = tag(replace(SPEC, name="img2"), dockerfiles)
        assert other.split(":")[0] == "deploytests/img2" and other.split(":")[1] == tag(SPEC, dockerfiles).split(":")[1]

    @pytest.mark.parametrize("edit", ["dockerfile", "common", "new_file", "mode", "role"])
    def test_any_file_change_gives_new_tag(self, dockerfiles, edit):
        before, spec = tag(SPEC, dockerfiles), SPEC
        if edit == "dockerfile":
            (dockerfiles / "role" / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\nRUN true\n")
        elif edit == "common":
            (dockerfiles / "common" / "entrypoint.sh").write_text("#!/bin/sh\necho\n")
        elif edit == "new_file":
            (dockerfiles / "role" / "extra.conf").write_text("x")
        elif edit == "mode":
            os.chmod(dockerfiles / "common" / "entrypoint.sh", 0o755)
        else:  # another role folder with the very same bytes: still another Dockerfile
            spec = replace(SPEC, dockerfile="other")
        assert tag(spec, dockerfiles) != before

    @pytest.mark.parametrize("change", [{"base": "debian:trixie-slim"}, {"args": (("PY", "3.13"),)},
                                        {"args": (("BASE2", "debian:bookworm-slim"),)}])
    def test_build_args_change_the_tag(self, dockerfiles, change):
        assert tag(replace(SPEC, **change), dockerfiles) != tag(SPEC, dockerfiles)
        with_arg = replace(SPEC, args=(("PY", "3.11"),))
        assert tag(with_arg, dockerfiles) != tag(replace(with_arg, args=(("PY", "3.13"),)), dockerfiles)

    def test_base_is_always_the_stacks_base(self):
        assert replace(SPEC, args=(("BASE", "evil:latest"), ("PY", "3"))).build_args() == {
            "PY": "3", "BASE": "debian:bookworm-slim"}

    def test_other_folders_do_not_matter(self, dockerfiles):
        before = tag(SPEC, dockerfiles)
        (dockerfiles / "other" / "Dockerfile").write_text("FROM z\n")
        assert tag(SPEC, dockerfiles) == before

    def test_missing_dockerfile_folder_lists_the_known_ones(self, dockerfiles):
        with pytest.raises(DeployTestsError, match=r"image 'img' names the Dockerfile folder 'nope', which has no "
                                                   r"Dockerfile.*choose one of: other, role"):
            tag(replace(SPEC, dockerfile="nope"), dockerfiles)

    def test_unknown_image_name_lists_the_stacks_images(self):
        with pytest.raises(DeployTestsError, match=r"unknown image 'debian14-bare'.*choose one of: "
                                                   r"debian-apache-wsgi, debian-bare, debian13-apache-wsgi, "
                                                   r"debian13-bare"):
            images.image_tag("debian14-bare")

    def test_a_base_other_than_the_images_own_is_refused(self):
        assert images.image_spec("debian13-bare", base="debian:trixie-slim").base == "debian:trixie-slim"
        with pytest.raises(DeployTestsError, match=r"image 'debian13-bare' is built FROM debian:trixie-slim, "
                                                   r"not debian:bookworm-slim"):
            images.image_tag("debian13-bare", base="debian:bookworm-slim")

    def test_the_shipped_images(self):
        """One Dockerfile per role, the platform as BASE: four images, four names, four different hashes."""
        specs = images.image_specs()
        assert {n: (s.dockerfile, s.base, s.suite) for n, s in specs.items()} == {
            "debian-apache-wsgi": ("apache-wsgi", "debian:bookworm-slim", "bookworm"),
            "debian-bare": ("bare", "debian:bookworm-slim", "bookworm"),
            "debian13-apache-wsgi": ("apache-wsgi", "debian:trixie-slim", "trixie"),
            "debian13-bare": ("bare", "debian:trixie-slim", "trixie")}
        tags = [images.image_tag(name) for name in specs]
        assert [t.split(":")[0] for t in tags] == [f"deploytests/{n}" for n in specs]
        assert len({t.split(":")[1] for t in tags}) == 4, tags
        for spec in specs.values():
            text = (images.DOCKERFILES / spec.dockerfile / "Dockerfile").read_text()
            assert "ARG BASE\nFROM ${BASE}\n" in text and "ARG BASE=" not in text  # no hidden default

    def test_one_image_name_with_two_sets_of_inputs_is_refused(self):
        d12, d13 = stacks.get("debian12-apache-wsgi"), stacks.get("debian13-apache-wsgi")
        assert list(images.image_specs([d12, d12])) == ["debian-apache-wsgi", "debian-bare"]  # same inputs: one
        with pytest.raises(DeployTestsError, match=r"image 'debian-bare' is named twice with different inputs"):
            images.image_specs([d12, replace(d13, bare_image="debian-bare")])


class FakeImages:
    """``client.images`` of the Docker SDK: which refs exist, what was pulled and built."""

    def __init__(self, present=(), pull_fails=False):
        self.present, self.pull_fails, self.built, self.pulled = set(present), pull_fails, [], []

    def get(self, ref):
        import docker

        if ref not in self.present:
            raise docker.errors.ImageNotFound(ref)
        return ref

    def pull(self, repo, tag):
        if self.pull_fails:
            raise ConnectionError("no registry")
        self.pulled.append(f"{repo}:{tag}")
        self.present.add(f"{repo}:{tag}")

    def build(self, **kw):
        self.built.append(kw)
        self.present.add(kw["tag"])


class TestEnsureImage:
    def test_builds_the_roles_dockerfile_with_the_stacks_build_args_once(self, monkeypatch, tmp_path):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        client = SimpleNamespace(images=FakeImages(present={"debian:trixie-slim"}))
        tag1 = images.ensure_image(client, "debian13-bare", progress=lambda m: None)
        assert tag1 == images.image_tag("debian13-bare")
        (build,) = client.images.built
        assert (build["dockerfile"], build["buildargs"], build["tag"]) == (
            "bare/Dockerfile", {"BASE": "debian:trixie-slim"}, tag1)
        assert images.ensure_image(client, "debian13-bare", progress=lambda m: None) == tag1
        assert len(client.images.built) == 1  # warm: the tag exists, nothing is built

    def test_a_base_that_cannot_be_pulled_is_debootstrapped_with_the_stacks_suite(self, monkeypatch, tmp_path):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        made = []
        monkeypatch.setattr(images, "debootstrap_import",
                            lambda client, base, suite, mirror, progress: made.append((base, suite, mirror)))
        client = SimpleNamespace(images=FakeImages(pull_fails=True))
        spec = replace(stacks.get("debian13-apache-wsgi").images()[1], mirror="http://mirror.example/debian")
        assert images.ensure_base(client, spec, progress=lambda m: None) == "debian:trixie-slim"
        assert made == [("debian:trixie-slim", "trixie", "http://mirror.example/debian")]


class TestSweepDecision:
    HOST = "runner"

    def labels(self, **over):
        base = {L_HOST: self.HOST, L_PID: "4242", L_START: "1000", L_KEEP: "0"}
        base.update(over)
        return base

    def test_dead_owner_is_swept(self):
        sweep, why = should_sweep(self.labels(), this_host=self.HOST, start_of=lambda pid: None)
        assert sweep and "4242 is gone" in why

    def test_live_owner_is_kept(self):
        sweep, why = should_sweep(self.labels(), this_host=self.HOST, start_of=lambda pid: "1000")
        assert not sweep and "still runs" in why

    def test_reused_pid_is_swept(self):
        sweep, why = should_sweep(self.labels(), this_host=self.HOST, start_of=lambda pid: "2000")
        assert sweep and "another process" in why

    def test_keep_is_kept_even_if_owner_dead(self):
        sweep, why = should_sweep(self.labels(**{L_KEEP: "1"}), this_host=self.HOST, start_of=lambda pid: None)
        assert not sweep and "keep-containers" in why

    def test_other_machine_is_kept(self):
        sweep, why = should_sweep(self.labels(**{L_HOST: "ci-9"}), this_host=self.HOST, start_of=lambda p: None)
        assert not sweep and "another machine" in why

    def test_garbage_pid_is_swept(self):
        assert should_sweep(self.labels(**{L_PID: "x"}), this_host=self.HOST)[0]

    def test_own_labels_are_not_swept(self):
        import socket

        assert should_sweep(owner_labels("r1"), this_host=socket.gethostname()) == (
            False, f"owner pid {os.getpid()} still runs")


class TestKeys:
    def test_parse_host_key(self):
        log = "noise\nDEPLOYTESTS-HOSTKEY ssh-ed25519 AAAAC3Nz root@abc\nDEPLOYTESTS-READY\n"
        assert keys.parse_host_key(log) == "ssh-ed25519 AAAAC3Nz"

    def test_parse_host_key_absent(self):
        assert keys.parse_host_key("DEPLOYTESTS-HOSTKEY\n") is None

    def test_client_key_is_private(self, tmp_path):
        key = keys.ClientKey.generate(tmp_path)
        assert oct(key.path.stat().st_mode & 0o777) == "0o600"
        assert key.public.startswith("ssh-ed25519 ")
        assert key.path.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")

    def test_pin_replaces_old_line(self, tmp_path):
        kh = tmp_path / "known_hosts"
        keys.pin(kh, "127.0.0.1", 2222, "ssh-ed25519 AAAA1")
        keys.pin(kh, "127.0.0.1", 2223, "ssh-ed25519 BBBB")
        keys.pin(kh, "127.0.0.1", 2222, "ssh-ed25519 AAAA2")
        assert sorted(kh.read_text().splitlines()) == [
            "[127.0.0.1]:2222 ssh-ed25519 AAAA2", "[127.0.0.1]:2223 ssh-ed25519 BBBB"]


def test_pin_from_many_threads_keeps_every_host(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    kh = tmp_path / "known_hosts"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda port: keys.pin(kh, "127.0.0.1", port, f"ssh-ed25519 KEY{port}"), range(2200, 2264)))
    assert sorted(kh.read_text().splitlines()) == sorted(f"[127.0.0.1]:{p} ssh-ed25519 KEY{p}"
                                                         for p in range(2200, 2264))
    assert oct(kh.stat().st_mode & 0o777) == "0o600" and [p.name for p in tmp_path.iterdir()] == ["known_hosts"]


class TestWaitUntil:
    def test_returns_first_truthy_value(self):
        answers = iter([None, 0, "ready"])
        clock = FakeClock()
        assert wait_until(lambda: next(answers), what="x", clock=clock, sleep=clock.sleep, interval=0.5) == "ready"
        assert clock.sleeps == [0.5, 0.5]

    def test_exceptions_mean_not_yet(self):
        calls = []

        def probe():
            calls.append(1)
            if len(calls) < 3:
                raise ConnectionRefusedError("refused")
            return True

        clock = FakeClock()
        assert wait_until(probe, what="x", clock=clock, sleep=clock.sleep)

    def test_timeout_names_what_where_last_error_and_detail(self):
        clock = FakeClock()

        def probe():
            raise ConnectionRefusedError("Connection refused")

        with pytest.raises(WaitTimeout) as info:
            wait_until(probe, what="the SSH banner", where="docker://web-1 (127.0.0.1:2222)", timeout=2,
                       interval=0.5, hint="read the log", detail=lambda: "LOG TAIL", clock=clock,
                       sleep=clock.sleep)
        msg = str(info.value)
        assert msg.startswith("docker://web-1 (127.0.0.1:2222): timed out after 2s (5 attempts) waiting for "
                              "the SSH banner; ConnectionRefusedError: Connection refused.")
        assert msg.endswith("Hint: read the log.")
        assert "\n" not in msg
        assert info.value.render().endswith("\nLOG TAIL")
        assert clock.now == 2.0

    def test_falsy_answer_quoted(self):
        clock = FakeClock()
        with pytest.raises(WaitTimeout, match=r"last answer: False"):
            wait_until(lambda: False, what="x", timeout=1, clock=clock, sleep=clock.sleep)


class TestErrorText:
    def test_command_failed_is_one_line_with_tail_in_detail(self):
        err = CommandFailed("docker://web-1", "apache2ctl configtest", 1, stderr="line1\nSyntax error on line 3\n",
                            what="configtest failed", hint="fix the vhost")
        assert str(err) == ("docker://web-1: configtest failed (exit 1): Syntax error on line 3. "
                            "Hint: fix the vhost.")
        assert "command: apache2ctl configtest" in err.render() and "line1" in err.render()

    def test_engine_unavailable_names_the_command(self, monkeypatch):
        from deploytests.containers import engine

        monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        with pytest.raises(EngineUnavailable) as info:
            engine.docker_client()
        assert str(info.value) == ("no Docker engine answers at unix:///nonexistent/docker.sock "
                                   "(FileNotFoundError). Hint: run `sudo apt-get install -y docker.io debootstrap` "
                                   "(or `deploytests engine up` as root, from an install of root's), or start dockerd "
                                   "/ set DOCKER_HOST.")

    def test_hosts_failed_lists_every_failed_host(self):
        outcomes = [HostOutcome("a", value=1), HostOutcome("b", error=DeployTestsError("gate refused")),
                    HostOutcome("c", error=ValueError("boom"))]
        err = HostsFailed("deploy", outcomes)
        assert str(err) == "deploy failed on 2 of 3 hosts: b: gate refused.; c: boom."
        assert "[b]" not in err.render() and "[c]\nValueError('boom')" in err.render()
        with_detail = HostsFailed("deploy", [HostOutcome("b", error=DeployTestsError("gate refused",
                                                                                      detail="error.log tail"))])
        assert with_detail.render().endswith("\n[b]\nerror.log tail")

    def test_hosts_failed_does_not_repeat_a_host_the_error_already_names(self):
        err = HostsFailed("rollback", [HostOutcome("docker://web-1", error=DeployTestsError(
            "no earlier release", where="docker://web-1"))])
        assert str(err) == "rollback failed on 1 of 1 host: docker://web-1: no earlier release."
        assert err.render() == str(err)  # no detail: nothing repeated under the line

    @pytest.mark.parametrize("docker_host", ["", "unix:///var/run/docker.sock", "tcp://127.0.0.1:2375",
                                             "tcp://localhost:2376", "tcp://[::1]:2375"])
    def test_local_engines_publish_on_loopback_only(self, docker_host):
        from deploytests.containers import engine

        address = engine.engine_address({"DOCKER_HOST": docker_host})
        assert (address.reach, address.bind, address.local) == ("127.0.0.1", "127.0.0.1", True)

    @pytest.mark.parametrize("docker_host, reach", [("tcp://10.0.0.5:2375", "10.0.0.5"),
                                                    ("ssh://root@10.0.0.6", "10.0.0.6"),
                                                    ("tcp://[fd00::5]:2376", "fd00::5")])
    def test_another_engine_is_reached_at_its_host_and_publishes_on_that_address(self, docker_host, reach):
        """As testcontainers does: DOCKER_HOST's host is where published ports are reached; they are published on
        that address only, not on every interface of the engine's machine."""
        from deploytests.containers import engine

        address = engine.engine_address({"DOCKER_HOST": docker_host})
        assert (address.reach, address.bind, address.local) == (reach, reach, False)
        assert address.source == "DOCKER_HOST environment variable"

    def test_a_host_name_is_reached_by_name_and_published_on_its_address(self):
        from deploytests.containers import engine

        address = engine.engine_address({"DOCKER_HOST": "tcp://localhost.localdomain.invalid:2375"}, resolve=lambda
                                        host, source: "192.0.2.7")
        assert (address.reach, address.bind) == ("localhost.localdomain.invalid", "192.0.2.7")

    def test_the_overrides_win_and_say_where_they_came_from(self):
        from deploytests.containers import engine

        env = {"DOCKER_HOST": "unix:///var/run/docker.sock", "DEPLOYTESTS_DOCKER_HOST_ADDRESS": "172.17.0.1"}
        address = engine.engine_address(env)
        assert (address.reach, address.bind) == ("172.17.0.1", "172.17.0.1")
        assert address.source == "DEPLOYTESTS_DOCKER_HOST_ADDRESS environment variable"
        env = {"DOCKER_HOST": "ssh://admin@203.0.113.9", "DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS": "10.1.2.3"}
        assert engine.engine_address(env).bind == "10.1.2.3"

    @pytest.mark.parametrize("env, message", [
        ({"DOCKER_HOST": "ftp://x"}, r"^DOCKER_HOST='ftp://x' \(environment variable\): not an engine address"),
        ({"DOCKER_HOST": "tcp://:2375"}, r"^DOCKER_HOST='tcp://:2375' \(environment variable\): not an engine address"),
        ({"DEPLOYTESTS_DOCKER_HOST_ADDRESS": "tcp://10.0.0.5:2375"},
         r"^DEPLOYTESTS_DOCKER_HOST_ADDRESS='tcp://10.0.0.5:2375' \(environment variable\): expected a host name"),
        ({"DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS": "10.0.0.5:80"},
         r"^DEPLOYTESTS_DOCKER_PUBLISH_ADDRESS='10.0.0.5:80' \(environment variable\): expected a host name")])
    def test_a_bad_address_is_one_line_naming_its_variable(self, env, message):
        from deploytests.containers import engine
        from deploytests.errors import ConfigError

        with pytest.raises(ConfigError, match=message) as info:
            engine.engine_address(env)
        assert "\n" not in str(info.value) and "environment variable" in str(info.value)


def test_process_start_reads_proc_stat_without_leaking_the_file():
    """A project with ``filterwarnings = error`` failed its first test on the ResourceWarning of an unclosed
    /proc/<pid>/stat (this repository's own tests run with ``filterwarnings = ["error"]`` too)."""
    import gc
    import os
    import warnings

    from deploytests.containers.sweep import process_start

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        start = process_start(os.getpid())
        gc.collect()
    assert start is not None and start.isdigit()
    assert process_start(2**22 + 12345) is None  # above pid_max: no such process


def test_workdirs_of_dead_runs_are_swept_and_others_kept(tmp_path):
    """A run's temp dir is removed when its owner is gone; a live, kept or foreign one, a link, and a dir
    without owner file stay."""
    import socket

    from deploytests.containers.sweep import sweep_workdirs, write_owner

    def run_dir(name, **labels):
        path = tmp_path / f"deploytests-{name}-x1"
        path.mkdir()
        (path / "id_ed25519").write_text("key")
        write_owner(path, {**owner_labels(name), **labels})
        return path

    dead = run_dir("dead", **{L_PID: "4242"})
    alive = run_dir("alive", **{L_PID: "1"})
    kept = run_dir("kept", **{L_PID: "4242", L_KEEP: "1"})
    foreign = run_dir("foreign", **{L_PID: "4242", L_HOST: "ci-9"})
    bare = tmp_path / "deploytests-bare-x1"
    bare.mkdir()
    target = run_dir("target", **{L_PID: "4242"})
    link = tmp_path / "deploytests-link-x1"
    link.symlink_to(target)
    target.rename(tmp_path / "elsewhere")

    removed = sweep_workdirs(this_host=socket.gethostname(), tmp=tmp_path,
                             start_of=lambda pid: owner_labels("x")[L_START] if pid == 1 else None)
    assert removed == [dead]
    assert not dead.exists() and alive.exists() and kept.exists() and foreign.exists() and bare.exists()
    assert link.is_symlink() and (tmp_path / "elsewhere" / "id_ed25519").exists()


class TestScenarioSnapshots:
    """The lifecycle scenarios' snapshot kept between runs (deploytests.suite.lab): its key, the sweep, eviction."""

    def test_the_key_follows_the_image_the_artifact_and_the_config(self, tmp_path):
        from deploytests.suite.lab import snapshot_key

        stack = stacks.get("debian12-apache-wsgi")
        client = SimpleNamespace(images=FakeImages(present={images.image_tag(stack.image)}))
        config = tmp_path / "app.cfg"
        config.write_text("SECRET = 'a'\n")
        key = lambda sha, cfg=config: snapshot_key(client, stack, cfg, SimpleNamespace(sha256=sha))  # noqa: E731
        first = key("a" * 64)
        assert key("a" * 64) == first  # the same code, image, artifact and config: the same snapshot
        assert key("b" * 64) != first  # another artifact (the app or its dependencies changed)
        assert key("a" * 64, None) != first
        assert snapshot_key(client, stack, config, SimpleNamespace(sha256="a" * 64), processes=2) != first  # daemons
        config.write_text("SECRET = 'b'\n")
        assert key("a" * 64) != first

    def test_a_kept_snapshot_survives_the_sweep_of_its_dead_run(self):
        labels = {**owner_labels("run1"), L_KEEP: "1", L_PID: "999999999", L_START: "1"}
        assert should_sweep(labels, this_host=labels[L_HOST], start_of=lambda pid: None) == \
            (False, "kept on request (--keep-containers)")

    def test_eviction_keeps_the_newest_and_those_in_use(self):
        import docker

        from deploytests.suite.lab import L_SNAPSHOT, evict_snapshots

        class Images:
            def __init__(self):
                self.kept = {f"img{i}": 1796493600 + 60 * i for i in range(7)}
                self.in_use, self.removed, self.filters = {"img0"}, [], []
                self.gone = {"img3"}  # removed by another run after the listing: not a failure

            def images(self, filters):  # the engine's listing: no inspection per image
                self.filters.append(filters)
                return [{"Id": i, "Created": c, "Labels": {}} for i, c in self.kept.items()]

            def remove(self, image_id):
                if image_id in self.in_use:
                    raise docker.errors.APIError("conflict: image is being used by a container")
                if image_id in self.gone:
                    raise docker.errors.NotFound("No such image")
                self.removed.append(image_id)

        images = Images()
        client = SimpleNamespace(images=images, api=images)
        evict_snapshots(client, keep=3, now=1796493600 + 420 + 300)  # img0..img6 made 300-720 s ago: all young
        assert images.removed == []  # another run may have just made one, and not yet hold it
        evict_snapshots(client, keep=3, now=1796493600 + 3600)
        assert images.filters == [{"label": L_SNAPSHOT}] * 2
        assert sorted(images.removed) == ["img1", "img2"]  # img6..img4 newest; img3 gone meanwhile; img0 in use


def test_a_snapshot_in_use_is_held_by_a_created_container_of_the_run_until_close():
    """Another run's eviction (or anyone's ``docker rmi``) may remove a listed snapshot before this run's last
    scenario starts from it: a created container of this run holds it (the engine refuses to remove an image a
    container uses), labelled so the sweep removes it if the run dies, and removed at close."""
    import docker

    from deploytests.containers.sweep import L_RUN, LABEL
    from deploytests.suite.lab import Scenarios

    class Container:
        def __init__(self, name, labels):
            self.name, self.labels, self.removed = name, labels, False

        def remove(self, force=False):
            self.removed = force

    class Containers:
        def __init__(self):
            self.made = []

        def create(self, image, name, labels):
            if image == "gone":
                raise docker.errors.ImageNotFound("No such image: gone")
            self.made.append(Container(name, labels))
            return self.made[-1]

    runner = Scenarios(workers=1)
    runner._client = SimpleNamespace(containers=Containers())
    assert runner._hold("sha256:abc") and not runner._hold("gone") and runner._hold("sha256:def")
    first, second = runner._client.containers.made
    assert first.labels[LABEL] == "server" and first.labels[L_RUN] == runner.run_id  # what the sweep removes
    assert first.name != second.name  # names unique whatever thread holds which snapshot (a count was not)
    runner.close()
    assert first.removed and second.removed and runner.holders == []



def test_a_session_stopped_before_the_scenarios_teardown_removes_the_holders_without_a_traceback():
    # A session stopped by pytest.exit while the session's containers start (a refused first deploy) runs
    # pytest_sessionfinish (Scenarios.finish) before the scenarios fixture's teardown (close): close then submitted
    # to the shut-down removal pool, and the one line of the stop was followed by "RuntimeError: cannot schedule
    # new futures after shutdown" and pytest's traceback. Either order removes every holder, once, quietly.
    from deploytests.suite.lab import Scenarios

    for order in (("finish", "close"), ("close", "finish"), ("finish", "finish")):
        removed = []
        runner = Scenarios(workers=1, snapshot=False)
        runner.holders = [SimpleNamespace(remove=lambda force, n=n, into=removed: into.append(n)) for n in ("h1", "h2")]
        for step in order:
            runner.close(wait=False) if step == "close" else runner.finish()
        assert sorted(removed) == ["h1", "h2"] and runner.holders == [], order


def test_scenario_slots_follow_the_cores_and_how_busy_the_machine_is_at_the_start():
    """3 scenarios per core unless the machine is busy at the start (load average 4 per core or more: a run
    right after another sees that one's load), then 2 per core (see scenario_slots)."""
    from deploytests.suite.lab import scenario_slots

    assert scenario_slots(2, 0.4) == 6 and scenario_slots(2, 5.5) == 6 and scenario_slots(2, 7.99) == 6
    assert scenario_slots(2, 8.0) == 4 and scenario_slots(2, 30.0) == 4
    assert scenario_slots(1, 0.0) == 3 and scenario_slots(8, 9.0) == 24 and scenario_slots(8, 32.0) == 16


def test_a_busy_machine_is_the_one_the_slots_run_2_per_core_on():
    """The suite starts the scenarios beside the session's containers unless the machine is busy (then after them,
    fewer containers starting at once): the same threshold as the slots'."""
    from deploytests.suite.lab import busy, scenario_slots

    assert not busy(2, 7.99) and busy(2, 8.0) and busy(1, 4.0) and not busy(8, 31.9)
    for cores in (1, 2, 8):
        for load in (0.0, 3.9, 4.0, 7.99, 8.0, 31.9, 32.0, 80.0):
            assert scenario_slots(cores, load) == (2 if busy(cores, load) else 3) * cores


def test_a_scenarios_container_is_removed_off_its_slot_and_close_waits_for_the_removal():
    """The slot's next scenario starts while the container of the one before is removed; close() returns only once
    every container is removed; the summary counts the removal apart from the slot."""
    import threading

    from deploytests.suite.lab import Scenarios

    removing, release = threading.Event(), threading.Event()
    removed: list[str] = []

    class Fleet:
        def __init__(self, **kwargs):
            self.times, self.containers, self.client = {"container start": 0.01}, [SimpleNamespace(id="c")], None

        def __enter__(self):
            return self

        def stop(self):
            removing.set()
            release.wait(10)
            removed.append("c")

    runner = Scenarios(workers=1, snapshot=False)
    runner._fleet = Fleet
    runner._lab = lambda fleet, processes: SimpleNamespace(close=lambda: None, bootstrap=lambda: None, steps={})
    stack = SimpleNamespace(image="img", base_image=None)
    first = runner.submit("a", "a", stack, lambda lab: None, {})
    first.result(10)
    assert removing.wait(10) and not removed  # the first one's container is being removed ...
    second = runner.submit("b", "b", stack, lambda lab: None, {})
    second.result(10)  # ... while the second scenario ran in the same (only) slot
    assert not removed
    release.set()
    runner.close()
    assert removed == ["c", "c"] and "removal" in first.times
    assert runner.figures()["slots"]["busy"] == sum(r.times.get(p, 0.0) for r in runner.runs.values()
                                                   for p in Scenarios.SLOT)


def test_close_without_waiting_leaves_the_last_removals_going_and_finish_waits_for_them():
    """The run's tail: the scenarios' last removals and the holders' go on while the session's own containers are
    removed (the caller's teardown), then finish() waits for them all."""
    import threading

    from deploytests.suite.lab import Scenarios

    release, removed = threading.Event(), []

    class Fleet:
        def __init__(self, **kwargs):
            self.times, self.containers, self.client = {}, [SimpleNamespace(id="c")], None

        def __enter__(self):
            return self

        def stop(self):
            release.wait(10)
            removed.append("c")

    runner = Scenarios(workers=1, snapshot=False)
    runner._fleet = Fleet
    runner._lab = lambda fleet, processes: SimpleNamespace(close=lambda: None, bootstrap=lambda: None, steps={})
    holder = SimpleNamespace(remove=lambda force: removed.append("holder"))
    runner.holders.append(holder)
    runner.submit("a", "a", SimpleNamespace(image="img", base_image=None), lambda lab: None, {}).result(10)
    runner.close(wait=False)
    assert "c" not in removed and runner.holders == []  # returned with the container's removal still going
    release.set()
    runner.finish()
    assert sorted(removed) == ["c", "holder"]


def test_a_fleet_told_not_to_sweep_leaves_killed_runs_leftovers_to_the_fleet_that_does(monkeypatch, tmp_path):
    """The lifecycle scenarios' fleets do not sweep (an engine listing and an owner check per scenario): the run's
    session fleet does, once. A fleet sweeps unless told not to."""
    from deploytests.containers import driver

    class Stop(Exception):
        pass

    def stop_here(*args, **kwargs):
        raise Stop

    swept: list[int] = []
    monkeypatch.setattr(driver.sweep, "sweep", lambda *args, **kwargs: swept.append(1))
    monkeypatch.setattr(driver.engine, "engine_address",
                        lambda: SimpleNamespace(reach="127.0.0.1", bind="127.0.0.1", local=True))
    monkeypatch.setattr(driver.keys.ClientKey, "generate", stop_here)  # the step after the sweep and the image
    for sweeps, want in ((True, [1]), (False, [])):
        swept.clear()
        fleet = driver.Fleet(count=1, client=object(), image_tag="img", workdir=tmp_path, progress=lambda m: None,
                             **({} if sweeps else {"sweep": False}))
        with pytest.raises(Stop):
            fleet.start()
        assert swept == want, (sweeps, swept)


def test_the_scenarios_fleets_do_not_sweep():
    """Scenarios start their containers with ``sweep=False`` (see the test above)."""
    from deploytests.suite.lab import Scenarios

    seen: list[dict] = []

    class Fleet:
        def __init__(self, **kwargs):
            seen.append(kwargs)
            self.times, self.containers, self.client = {}, [SimpleNamespace(id="c")], None

        def __enter__(self):
            return self

        def stop(self):
            pass

    runner = Scenarios(workers=1, snapshot=False)
    runner._fleet = Fleet
    runner._lab = lambda fleet, processes: SimpleNamespace(close=lambda: None, bootstrap=lambda: None, steps={})
    runner.submit("a", "a", SimpleNamespace(image="img", base_image=None), lambda lab: None, {}).result(10)
    runner.close()
    assert seen and all(kwargs.get("sweep") is False for kwargs in seen), seen


def test_the_scenarios_take_the_targets_config_only_for_the_example_app(tmp_path):
    """newuser12: a Django project's `[targets.docker] config_file = "config/docker.env"` (its env file, as
    README's keep-the-gate's-config advice says) was uploaded as the config of the scenarios' example app: every
    lifecycle scenario failed on `SyntaxError ... (application.cfg, line 8)`, hinted "fix the app". Class: a
    setting of the user's app applied to the suite's own example app. The target's config goes to the example
    only when the example is the app under test (the repository's demo); members: the docker target's
    config_file, a --config FILE."""
    from deploytests.suite.lab import scenario_config

    cfg = tmp_path / "docker.env"
    assert scenario_config(cfg, "mysite") is None
    assert scenario_config(cfg, "yourapplication") == cfg
    assert scenario_config(None, "yourapplication") is None


@pytest.mark.parametrize("grants", [False, True])
def test_an_engines_answer_to_sys_ptrace_is_learned_once_not_per_container(grants, monkeypatch):
    """Class: a per-engine fact rediscovered per container. A Docker-in-Docker engine refuses cap_add=SYS_PTRACE;
    each of a fleet's creates was tried with it, refused (its container made, then removed: on vfs storage a
    copy of the whole image each time) and made again without it. Now the first create of an engine answers
    for the rest: 6 containers started at once on a refusing engine make 1 refused create, not 6."""
    import threading

    import docker

    from deploytests.containers import driver

    monkeypatch.setattr(driver, "PTRACE", {})
    calls, discards, lock = [], [], threading.Lock()

    def run(options):
        with lock:
            calls.append("cap" if "cap_add" in options else "plain")
        time.sleep(0.05)  # (the others ask meanwhile)
        if "cap_add" in options and not grants:
            raise docker.errors.APIError("operation not permitted")
        return options

    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(lambda _: driver.with_ptrace("tcp://10.0.0.9:2375", run, {}, lambda: discards.append(1)),
                            range(6)))
    if grants:
        assert calls == ["cap"] * 6 and all(g == {"cap_add": ["SYS_PTRACE"]} for g in got)
    else:
        assert sorted(calls) == ["cap"] + ["plain"] * 6 and discards == [1] and got == [{}] * 6, (calls, discards)
    assert driver.PTRACE == {"tcp://10.0.0.9:2375": grants}


@pytest.mark.parametrize("layout, text, seconds", [
    ("cpuacct/docker/{id}/cpuacct.usage", "2500000000\n", 2.5),  # cgroup v1
    ("system.slice/docker-{id}.scope/cpu.stat", "usage_usec 1250000\nuser_usec 1000000\n", 1.25),  # cgroup v2
])
def test_a_containers_cpu_is_read_from_its_cgroup_here_before_the_engine_is_asked(tmp_path, layout, text, seconds):
    """The engine answers a stats request on its collector's 1-second tick (a request within a second of another
    waited ~1 s): a container of an engine on this machine is read from its cgroup's counter, the engine's stats
    only for one whose cgroup is not here (an engine elsewhere), and an engine without stats is no figure."""
    from deploytests.suite.lab import container_cpu

    asked = []

    def stats(container_id, **kwargs):
        asked.append(container_id)
        return {"cpu_stats": {"cpu_usage": {"total_usage": 7_000_000_000}}}

    client = SimpleNamespace(api=SimpleNamespace(stats=stats))
    here, elsewhere = "a" * 64, "b" * 64
    path = tmp_path / layout.format(id=here)
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert container_cpu(client, here, cgroups=tmp_path) == seconds and asked == []
    assert container_cpu(client, elsewhere, cgroups=tmp_path) == 7.0 and asked == [elsewhere]

    def refused(container_id, **kwargs):
        raise RuntimeError("no stats here")

    assert container_cpu(SimpleNamespace(api=SimpleNamespace(stats=refused)), elsewhere, cgroups=tmp_path) is None


def test_containers_kept_after_a_failed_start_are_named_with_how_to_remove_them(monkeypatch, tmp_path):
    """Seen as a user: `--keep-containers` and the SSH banner wait timed out: the session stopped with that line,
    the two containers stayed up (kept, as asked) and nothing named them: found later with `docker ps`. Class: a
    thing the run leaves behind that no line names. Other member: without --keep-containers nothing is kept and
    nothing is said (removed)."""
    from deploytests.containers import driver

    removed: list[str] = []

    def start(fleet):
        fleet.containers = [SimpleNamespace(id="3f9b8f4291520000", short_id="3f9b8f429152"),
                            SimpleNamespace(id="34ea125397c70000", short_id="34ea125397c7")]
        raise TimeoutError("timed out after 30s waiting for the SSH banner")

    monkeypatch.setattr(driver.Fleet, "start", start)
    monkeypatch.setattr(driver, "_remove", lambda c: removed.append(c.short_id))
    for keep in (True, False):
        said: list[str] = []
        fleet = driver.Fleet(count=2, keep=keep, workdir=tmp_path, progress=said.append)
        with pytest.raises(TimeoutError):
            fleet.__enter__()
        if keep:
            assert said == ["the containers of this failed start are kept (--keep-containers): docker logs, docker "
                            "exec to look; remove them when done: docker rm -f 3f9b8f429152 34ea125397c7"]
            assert removed == []
        else:
            assert said == [] and removed == ["3f9b8f429152", "34ea125397c7"]


def test_the_scenarios_load_waits_for_an_answer_as_long_as_the_deploy_does():
    """Class: a client's wall-clock bound taken as the server's failure. The zero-downtime scenario's load gave
    each GET 10 s; on a busy 2-core runner (load 15) one GET during the daemons' restart took longer and the
    scenario failed a deploy that served every request. The load waits as long as the deploy waits for the new
    release to answer (``health_timeout``, 30 s by default): a slower answer is a failure of the deploy's own
    bound too. Members: the three scenarios that use the load (redeploy, broken releases, interrupted deploys)."""
    from types import SimpleNamespace

    from deploytests.suite.test_lifecycle import health_load

    for bound in (30, 75):
        cfg = SimpleNamespace(health_path="/health", health_timeout=bound)
        lab = SimpleNamespace(config=lambda cfg=cfg: cfg, url=lambda path: "http://127.0.0.1:1" + path,
                              headers=lambda: {})
        assert health_load(lab).timeout == bound


def test_the_scenarios_wait_for_answers_as_long_as_the_load_waits_for_one():
    """The same class, its other member: the scenarios waited a fixed 10 s for the load's next answers after a
    deploy (`timed out after 10s ... waiting for 10 answers after the deploy` at load 200 on 2 cores); they wait
    the load's own bound."""
    from types import SimpleNamespace

    from deploytests.errors import DeployTestsError
    from deploytests.suite.test_lifecycle import answers

    with pytest.raises(DeployTestsError, match=r"after 0\.3s .*5 answers after the deploy"):
        answers(SimpleNamespace(samples=[], timeout=0.3), 5, "after the deploy")
    answers(SimpleNamespace(samples=[1] * 3, timeout=0.3), 0, "now")
