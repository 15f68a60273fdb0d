"""Puts the web UI's browser files into the wheel, so that an installed `ozg-kg serve` has its editor
and graph view: `npm ci` from the pinned package-lock.json (when node_modules/ is not already that
install), then each file of `server/ozgkg/web/vendor.json` goes to `ozgkg/web/vendor/` in the wheel.
Nothing of it is committed; an editable install serves the same files from node_modules/."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STAMP = "node_modules/.ozg-kg-lock.sha256"  # written by server/dev.sh as well: same format


class VendorFilesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        self._install(root)
        listed = json.loads((root / "server/ozgkg/web/vendor.json").read_text(encoding="utf-8"))["files"]
        for name, relative in listed.items():
            source = root / "node_modules" / relative
            if not source.is_file():
                raise RuntimeError(
                    f"{source} is missing after npm ci: package-lock.json and vendor.json disagree"
                )
            build_data["force_include"][str(source)] = f"ozgkg/web/vendor/{name}"

    @staticmethod
    def _install(root: Path) -> None:
        lock = (root / "package-lock.json").read_bytes()
        stamp = root / STAMP
        expected = f"{hashlib.sha256(lock).hexdigest()}  package-lock.json\n"
        if stamp.is_file() and stamp.read_text() == expected:
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("building the wheel needs npm (Node.js 20) for the web UI's browser files")
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=root,
            check=True,
        )
        stamp.write_text(expected)
