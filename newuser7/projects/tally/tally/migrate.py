"""python -m tally.migrate: create the tables (keeps data)."""
import os

from . import settings, store

if __name__ == "__main__":
    conf = settings.load()
    os.makedirs(os.path.dirname(conf["db"]) or ".", exist_ok=True)
    store.connect(conf["db"]).close()
    print("tally schema ready:", conf["db"])
