"""The package's layering: the service layer never imports textual; no platform's
package (in api/ or sandbox/) imports another platform's; the shared machinery
imports no platform at all (it looks them up by name, in api/platforms.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gmtui

ROOT = Path(gmtui.__file__).parent
PLATFORMS = ("gomining", "webminepool", "mithril")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def platform_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "gmtui" and parts[1] in ("api", "sandbox") and parts[2] in PLATFORMS:
        return parts[2]
    return None


def test_no_platform_imports_another_platform():
    wrong = []
    for layer in ("api", "sandbox"):
        for name in PLATFORMS:
            for path in (ROOT / layer / name).rglob("*.py") if (ROOT / layer / name).exists() else ():
                for module in imports(path):
                    other = platform_of(module)
                    if other and other != name:
                        wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, wrong


def test_the_shared_machinery_imports_no_platform():
    shared = [p for p in (ROOT / "api").glob("*.py")] + [p for p in (ROOT / "sandbox").glob("*.py") if p.name != "__init__.py"]
    wrong = [f"{p.relative_to(ROOT)} imports {m}" for p in shared for m in imports(p) if platform_of(m)]
    assert not wrong, wrong


def test_the_service_layer_never_imports_textual():
    for path in (ROOT / "api").rglob("*.py"):
        assert not any(m.split(".")[0] == "textual" for m in imports(path)), path
    code = (
        "import sys, pkgutil, importlib, gmtui.api as api\n"
        "for m in pkgutil.walk_packages(api.__path__, 'gmtui.api.'): importlib.import_module(m.name)\n"
        "import gmtui.sandbox, gmtui.sandbox.serve, gmtui.config, gmtui.output, gmtui.session\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_layering_check_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from gmtui.api.webminepool import client\nimport gmtui.sandbox.gomining.state\n")
    assert {platform_of(m) for m in imports(bad)} >= {"webminepool", "gomining"}
