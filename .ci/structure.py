"""The shape of the code, checked in CI next to the import contracts (pyproject.toml, ``lint-imports``):

- no import cycle between two modules of the app, counting imports inside functions (grimp reads them all);
- no module over MAX_LINES lines (the app, the project, the benchmarks and the tests; migrations aside): a longer
  one is two subjects.

Exit 1 with what is wrong, else print a one-line summary. Run: ``.venv/bin/python .ci/structure.py``."""

import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "coverage"
MAX_LINES = 400


def cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    modules = sorted(graph.modules)

    def visit(root):
        # Iterative: the recursion of a textbook Tarjan would pass Python's limit on a long chain.
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                    break
                if target in on_stack:
                    low[module] = min(low[module], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def without_package_imports(graph):
    """A package's ``__init__`` that re-exports its modules is not a cycle with them: drop the edges from a package
    to its own descendants, keep every other."""
    for package in list(graph.modules):
        for imported in list(graph.find_modules_directly_imported_by(package)):
            if imported.startswith(package + "."):
                graph.remove_import(importer=package, imported=imported)
    return graph


def long_modules() -> list[tuple[int, str]]:
    found = []
    paths = [path for folder in (PACKAGE, "adminduk", "bench", "tests") for path in (ROOT / folder).rglob("*.py")]
    for path in sorted(paths):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append((lines, str(path.relative_to(ROOT))))
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    graph = without_package_imports(grimp.build_graph(PACKAGE))
    problems = []
    for component in cycles(graph):
        chain = graph.find_shortest_chain(importer=component[0], imported=component[1]) or ()
        back = graph.find_shortest_chain(importer=component[1], imported=component[0]) or ()
        problems.append(f"import cycle: {' -> '.join((*chain, *back[1:]))}")
    for lines, path in long_modules():
        problems.append(f"{path}: {lines} lines, over {MAX_LINES}: split it by subject")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"structure: {len(graph.modules)} modules, no import cycle, none over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
