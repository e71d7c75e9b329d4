import configparser
import os


def load():
    parser = configparser.ConfigParser()
    path = os.environ.get("TALLY_SETTINGS")
    if path:
        with open(path) as f:
            parser.read_file(f)
    section = parser["tally"] if parser.has_section("tally") else {}
    return {"title": section.get("title", "tally"), "token": section.get("api_token", ""),
            "db": section.get("database", os.path.join("data", "tally.db"))}
