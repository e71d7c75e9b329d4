"""blind13: the Campaign with an optional deploy login without sudo (BLIND_DEPLOYER), and the example app."""
import os
from pathlib import Path

from deploytests.faults.run import Campaign
from deploytests.suite.lab import APPS


class C(Campaign):
    def snapshot(self):
        """Campaign.snapshot, but with BLIND_DEPLOYER: deploys log in as cfg.deploy_user (``deployer``, no sudo)."""
        if not os.environ.get("BLIND_DEPLOYER"):
            return super().snapshot()
        from deploytests import pipeline
        from deploytests.containers import Fleet
        from deploytests.faults.catalogue import values_for
        from deploytests.stacks import get
        with Fleet(count=1, name_prefix="faults-base", image=self.stack.image, base=self.stack.base_image,
                   progress=lambda m: None) as fleet:
            server, container = fleet.servers[0], fleet.containers[0]
            boot = pipeline.bootstrap(server.connection(), self.cfg)
            self.stack = get(boot.stack)
            self.python_version = boot.python_version
            self.artifact = pipeline.pack(self.app, self.cfg, python_version=boot.python_version)
            d = server.new_connection(user=self.cfg.deploy_user)
            prev = pipeline.deploy(d, self.cfg, self.variant(1)).release_id
            live = pipeline.deploy(d, self.cfg, self.artifact).release_id
            d.close()
            self.values = values_for(self.cfg, login=server.user, deploy_user=self.cfg.deploy_user, live=live,
                                     prev=prev, python_version=boot.python_version, artifact=self.artifact,
                                     stack=self.stack)
            container.exec_run(["rm", "-f", self.stack.apache.pid_file], user="root")
            image = container.commit(repository="deploytests/faults-snapshot", tag=fleet.run_id)
            self.client = fleet.client
        self.image = image
        self.base = {"live": live, "previous": prev}
        return image.tags[0]

    def make(self, item, server, container):
        f = item.fault
        res = container.exec_run(["bash", "-c", f.command], user="root")
        if res.exit_code != 0:
            item.problem = f"injection exited {res.exit_code}: {res.output.decode(errors='replace').strip()[-300:]}"



def app_path():
    APP = APPS / "yourapplication"
    if os.environ.get("BLIND_DEPLOYER"):  # a copy of the example whose deploy.toml names a deploy login without sudo
        import shutil
        import tempfile
        tmp = Path(tempfile.mkdtemp(prefix="blind13-app-")) / "yourapplication"
        shutil.copytree(APP, tmp)
        toml = (tmp / "deploy.toml").read_text()
        toml = toml.replace('config_file = "../../config/docker.cfg"', f'config_file = "{(APP / "../../config/docker.cfg").resolve()}"')
        (tmp / "deploy.toml").write_text(toml + 'deploy_user = "deployer"\n')
        APP = tmp
    return APP
