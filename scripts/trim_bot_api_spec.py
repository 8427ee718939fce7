"""Write the sandbox's copy of the Bot API methods (names, fields, types, required) from the full spec.

    python scripts/trim_bot_api_spec.py ../shared/telegram-bot-api/api.json

The full specification (Bot API 10.1 as data, from PaulSonOfLars/telegram-bot-api-spec) is
about 900 kB, mostly documentation; the emulator needs only what it checks requests against.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "bot" / "sandbox" / "bot_api_methods.json"


def trim(spec: dict) -> dict:  # type: ignore[type-arg]
    """Keep each method's fields with their types and whether they are required."""
    methods = {
        name: {
            "name": method["name"],
            "fields": [
                {"name": f["name"], "types": f["types"], "required": f["required"]}
                for f in method.get("fields", [])
            ],
        }
        for name, method in spec["methods"].items()
    }
    return {"version": spec.get("version"), "release_date": spec.get("release_date"), "methods": methods}


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/telegram-bot-api/api.json")
    TARGET.write_text(json.dumps(trim(json.loads(source.read_text())), indent=1, sort_keys=True) + "\n")
    print(f"wrote {TARGET} ({TARGET.stat().st_size // 1024} kB)")
