"""Summaries for scripts/demo.sh, run by the Meltano virtualenv's Python (stdlib only).

  demo-report.py fetched LOG   records the tap sent per stream, from its log lines in Meltano's log
  demo-report.py tables DB     rows per table of the SQLite file
  demo-report.py quality LOG   the wms-quality summary lines (one per check) in Meltano's log
"""

import json
import re
import sqlite3
import sys

# Meltano relays each line of a plugin's stderr after its own prefix (Meltano 3 also appended
# " cmd_type=..."); the tap's JSON log line is what sits between.
TAP_LINE = re.compile(r'(\{"level".*\})(?:\s+cmd_type=.*)?\s*$')
QUALITY_LINE = re.compile(r"wms-quality: (\w+ (?:pass|warn|fail|skipped|error): .*?)(?:\s+cmd_type=.*)?\s*$")


def fetched(log_path: str) -> None:
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            match = TAP_LINE.search(line)
            if not match:
                continue
            entry = json.loads(match.group(1))
            if entry.get("name") == "tap-oracle-wms" and "records" in entry and "stream" in entry:
                print(f"    {entry['stream']:<12} {entry['records']:>7} records fetched ({entry.get('method', '?')})")


def quality(log_path: str) -> None:
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            match = QUALITY_LINE.search(line.rstrip("\n"))
            if match:
                print(f"    {match.group(1)}")


def tables(db_path: str) -> None:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for name in names:
            quoted = name.replace('"', '""')
            (count,) = db.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()
            print(f"    {name:<12} {count:>7} rows")
    finally:
        db.close()


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    {"fetched": fetched, "tables": tables, "quality": quality}[command](path)
