"""axe-core for the accessibility tests: fetched from the npm registry, never committed.

The version and its sha512 integrity are pinned here. ``axe_script()`` returns the path of
``axe.min.js``, fetching it with ``npm pack`` into a git-ignored cache folder the first time
(``.cache/npm/`` in the repository, or ``LMS_AXE_DIR``). The tarball's hash is checked against
the pinned integrity before anything is unpacked, so a changed or corrupted package fails
loudly. ``.ci/run`` calls ``python -m tests.e2e.axe`` before the suite, so that a missing npm
shows at once; the site itself never loads axe.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76A"
                 "SyFNNtuFooJpZe37OgudVGtQ==")
REPO = Path(__file__).resolve().parents[2]


class AxeUnavailable(RuntimeError):
    """axe-core is not in the cache and cannot be fetched (no npm, no registry)."""


def cache_dir() -> Path:
    return Path(os.environ.get("LMS_AXE_DIR") or REPO / ".cache" / "npm")


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _fetch(target: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable("npm is not installed (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp, "--json",
             "--silent"],
            capture_output=True, text=True, cwd=tmp, timeout=300, check=False)
        if done.returncode != 0:
            raise AxeUnavailable(f"npm pack axe-core@{AXE_VERSION} failed: "
                                 f"{(done.stderr or done.stdout).strip()[-500:]}")
        [packed] = json.loads(done.stdout)
        data = (Path(tmp) / packed["filename"]).read_bytes()
    if _integrity(data) != AXE_INTEGRITY:
        raise AxeUnavailable(f"axe-core@{AXE_VERSION} from npm does not match the pinned "
                             f"integrity (got {_integrity(data)})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        if member is None:
            raise AxeUnavailable(f"axe-core@{AXE_VERSION} has no axe.min.js")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written under another name first: a run cut short never leaves half a file behind.
    partial = target.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(target)


def axe_script() -> Path:
    """The path of the pinned ``axe.min.js``, fetched from npm if it is not cached yet."""
    target = cache_dir() / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if not target.exists():
        _fetch(target)
    return target


if __name__ == "__main__":
    try:
        print(axe_script())
    except AxeUnavailable as exc:
        sys.exit(f"axe-core: {exc}")
