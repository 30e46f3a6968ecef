"""Plugins use each other only through what they publish, and no plugin's modules import in a circle.

Read from the source with ``ast`` (nothing is imported), so a function-level import counts as
much as one at the top of a module:

- a plugin may import from another plugin only the modules that plugin publishes (``PUBLISHED``:
  ``public``, ``hookspecs``, ``models``, ``keyboards``), and no name starting with ``_`` from
  them (not by import, not as ``module._name``);
- the modules of one plugin import one another without a cycle (``a`` imports ``b`` imports
  ``a``), however deep the import sits in a function.

The README's "Writing a plugin" section states the same rule for plugin authors.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What a plugin offers other plugins: its documented public module, the hooks it publishes, its
# tables (for queries and foreign keys) and its callback data (to put its buttons on a message).
PUBLISHED = ("public", "hookspecs", "models", "keyboards")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    file: Path  # relative to the repository
    line: int
    text: str  # the import statement as written
    module: str  # the module imported, or the one the name is taken from
    name: str | None  # the name taken from ``module`` when it is not a module itself
    in_function: bool
    bound: str | None = None  # the local name a module is bound to (``public`` in ``from x import public``)


def plugin_packages(root: Path) -> dict[str, Path]:
    """Dotted package name → directory of every plugin: ``plugins/*`` and the example packages."""
    found = {f"plugins.{d.name}": d for d in sorted((root / "plugins").iterdir())
             if (d / "__init__.py").is_file()}
    for init in sorted((root / "examples").glob("*/*/__init__.py")):
        found[init.parent.name] = init.parent
    return found


def _modules(package: str, directory: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package (migrations included)."""
    out = {}
    for path in sorted(directory.rglob("*.py")):
        parts = list(path.relative_to(directory).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join([package, *parts])] = path
    return out


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str], file: Path):
        self.module, self.is_package, self.known, self.file = module, is_package, known, file
        self.depth = 0
        self.imports: list[Import] = []

    def _function(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, node, module: str, name: str | None, bound: str | None = None) -> None:
        self.imports.append(Import(self.module, self.file, node.lineno, ast.unparse(node), module, name,
                                   self.depth > 0, bound))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:  # ``import a.b`` binds ``a``: only ``import a.b as m`` binds the module
            self._add(node, alias.name, None, alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:  # relative: from the package this module is in (or is)
            package = self.module.split(".")
            if not self.is_package:
                package.pop()
            package = package[:len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in self.known:
                self._add(node, submodule, None, alias.asname or alias.name)
            else:
                self._add(node, base, alias.name)


def imports_of(package: str, root: Path) -> tuple[dict[str, Path], list[Import]]:
    """The modules of ``package`` (one of ``plugin_packages(root)``) and every import they make."""
    everything = {m: p for name, d in plugin_packages(root).items() for m, p in _modules(name, d).items()}
    modules = {m: p for m, p in everything.items() if m == package or m.startswith(package + ".")}
    found: list[Import] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        collector = _Collector(module, path.name == "__init__.py", set(everything), path.relative_to(root))
        collector.visit(tree)
        found += collector.imports
        found += _private_attributes(tree, collector.imports, module, package, path.relative_to(root))
    return modules, found


def _private_attributes(tree, imports: list[Import], module: str, package: str, file: Path) -> list[Import]:
    """``alias._name`` where ``alias`` is a module of another plugin imported into this file."""
    bound = {imp.bound: imp.module for imp in imports
             if imp.bound is not None and _plugin_of(imp.module) not in (None, package)}
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            out.append(Import(module, file, node.lineno, ast.unparse(node), bound[node.value.id], node.attr, False))
    return out


def _plugin_of(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "plugins" and len(parts) > 1 else None


def boundary_violations(package: str, imports: list[Import]) -> list[str]:
    """Imports of another plugin's unpublished module or private name, as readable lines."""
    out = []
    for imp in imports:
        other = _plugin_of(imp.module)
        if other is None or other == package:
            continue
        published = any(imp.module == f"{other}.{p}" or imp.module.startswith(f"{other}.{p}.") for p in PUBLISHED)
        private = imp.name is not None and imp.name.startswith("_")
        if not published:
            why = f"{imp.module} is not published by {other} (only {', '.join(PUBLISHED)})"
        elif private:
            why = f"{imp.name} is private to {other}"
        else:
            continue
        line = f"{imp.file}:{imp.line}: `{imp.text}`: {why}"
        if line not in out:  # one line per statement, however many names it takes
            out.append(line)
    return out


def import_cycles(modules: dict[str, Path], imports: list[Import]) -> list[str]:
    """Each cycle among the package's own modules, as the chain of imports that closes it."""
    edges: dict[str, dict[str, Import]] = {m: {} for m in modules}
    for imp in imports:
        if imp.module in modules and imp.module != imp.source:
            edges[imp.source].setdefault(imp.module, imp)
    cycles, reported = [], set()
    for start in sorted(edges):
        path = _cycle_from(start, edges)
        if path is None or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        steps = []
        for a, b in zip(path, path[1:] + path[:1]):
            imp = edges[a][b]
            where = "in a function" if imp.in_function else "at module level"
            steps.append(f"{imp.file}:{imp.line} `{imp.text}` ({where})")
        cycles.append(" → ".join(steps) + " → back to the first")
    return cycles


def _cycle_from(start: str, edges: dict[str, dict[str, Import]]) -> list[str] | None:
    """The shortest chain of modules from ``start`` back to itself, or None."""
    frontier, seen = [[start]], {start}
    while frontier:
        nxt = []
        for path in frontier:
            for target in sorted(edges[path[-1]]):
                if target == start:
                    return path
                if target not in seen:
                    seen.add(target)
                    nxt.append([*path, target])
        frontier = nxt
    return None


PACKAGES = plugin_packages(REPO)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_plugin_uses_other_plugins_only_through_what_they_publish(package):
    _modules_, imports = imports_of(package, REPO)
    bad = boundary_violations(package, imports)
    assert not bad, (f"{package} reaches into other plugins; use their {'/'.join(PUBLISHED)} modules "
                     f"(add what you need to their public.py):\n" + "\n".join(bad))


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_plugin_modules_import_without_cycles(package):
    modules, imports = imports_of(package, REPO)
    cycles = import_cycles(modules, imports)
    assert not cycles, f"{package}: import cycles among its own modules:\n" + "\n".join(cycles)


# --- the checks themselves catch what they are meant to ------------------------------------------

def _fake_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "examples").mkdir(exist_ok=True)
    return tmp_path


def test_the_check_names_an_unpublished_module_and_a_private_name(tmp_path):
    root = _fake_repo(tmp_path, {
        "plugins/a/__init__.py": "",
        "plugins/a/public.py": "def _hidden(): ...\ndef shown(): ...\n",
        "plugins/a/service.py": "",
        "plugins/b/__init__.py": "",
        "plugins/b/service.py": ("from plugins.a import public\nfrom plugins.a.public import shown\n"
                                 "def f():\n    from plugins.a import service\n    return public._hidden\n"),
    })
    _m, imports = imports_of("plugins.b", root)
    bad = boundary_violations("plugins.b", imports)
    assert len(bad) == 2, bad
    assert bad[0].startswith("plugins/b/service.py:4: `from plugins.a import service`")
    assert "plugins/b/service.py:5: `public._hidden`: _hidden is private to plugins.a" in bad[1]


def test_the_check_finds_a_cycle_through_a_function_level_import(tmp_path):
    root = _fake_repo(tmp_path, {
        "plugins/a/__init__.py": "",
        "plugins/a/one.py": "from plugins.a import two\n",
        "plugins/a/two.py": "def f():\n    from plugins.a.one import g\n",
        "plugins/a/three.py": "from plugins.a import one\n",
    })
    modules, imports = imports_of("plugins.a", root)
    cycles = import_cycles(modules, imports)
    assert cycles == ["plugins/a/one.py:1 `from plugins.a import two` (at module level) → "
                      "plugins/a/two.py:2 `from plugins.a.one import g` (in a function) → back to the first"]
