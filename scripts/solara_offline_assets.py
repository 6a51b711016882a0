"""Put the front-end files Solara loads from a CDN into Solara's local CDN cache.

Solara (1.64.1) serves the page's JavaScript/CSS through its own proxy at
``/_solara/cdn/<path>``: it first looks for ``<proxy_cache_dir>/<path>`` and only
otherwise fetches ``https://cdn.jsdelivr.net/npm/<path>`` (solara/server/cdn_helper.py,
``get_path``).  ``proxy_cache_dir`` is ``<sys.prefix>/share/solara/cdn`` (setting
``solara.server.settings.assets.proxy_cache_dir``, env ``SOLARA_ASSETS_PROXY_CACHE_DIR``).
Without internet the CDN fetch fails ("Could not load URL" in the server log) and the page
stays blank, so we unpack the npm packages the page asks for into that directory, one
folder per ``<package>@<version as written in the URL>``.  The npm registry is used
through ``npm pack``.

The browser tests' accessibility check (axe-core) is fetched into the same folder (``TEST_PACKAGES``).

Run it with the project's venv python (scripts/bootstrap.sh does); it is idempotent.
    python scripts/solara_offline_assets.py           # fetch what is missing
    python scripts/solara_offline_assets.py --check   # only report, exit 1 if incomplete
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# npm spec exactly as it appears in solara's URLs -> files the browser requests from it
# (ipywidgets 8, so the "...8" bundles; a range like "vega@5" is kept as the folder name,
# since that is the URL, and npm resolves it to the newest 5.x as jsdelivr would).
PACKAGES: dict[str, list[str]] = {
    # page shell, solara/server/templates/solara.html.j2 (ipyvuetify 1.x -> vuetify 2 app)
    "@widgetti/solara-vuetify-app@10.1.1": [
        "dist/main8.css",
        "dist/fonts.css",
        "dist/solara-vuetify-app8.js",
        "dist/solara-vuetify-app8.min.js",
    ],
    "requirejs@2.3.6": ["require.js"],
    # settings.assets.fontawesome_path
    "font-awesome@4.5.0": ["css/font-awesome.min.css", "fonts/fontawesome-webfont.woff2"],
    # solara.GridDraggable (Mesa's SolaraViz layout), solara/widgets/vue/gridlayout.vue
    "@widgetti/vue-grid-layout@2.3.13-alpha.2": ["dist/vue-grid-layout.umd.js"],
    # solara.FigureAltair (Altair charts, Mesa's altair plots), solara/widgets/vue/vegalite.vue
    "vega@5": ["build/vega.min.js"],
    "vega-lite@5": ["build/vega-lite.min.js"],
    "vega-embed@6": ["build/vega-embed.min.js"],
    # solara.Markdown always loads both, solara/components/markdown.py
    "katex@0.16.9": ["dist/katex.min.js", "dist/katex.min.css", "dist/contrib/auto-render.min.js"],
    "mermaid@10.8.0": ["dist/mermaid.min.js"],
}

# Not asked for by the page: the browser tests inject axe-core (accessibility checks) from here.
TEST_PACKAGES: dict[str, list[str]] = {"axe-core@4.14.1": ["axe.min.js"]}
PACKAGES.update(TEST_PACKAGES)

# CDN packages that only specific solara components use (not this project's app):
# FigureEcharts, SqlCode, MarkdownEditor, and the vuetify-3 shell (ipyvuetify 3.x).
NOT_NEEDED = {"echarts", "codemirror", "@widgetti/solara-milkdown", "@widgetti/solara-vuetify3-app"}


def cache_dir() -> Path:
    """The directory solara's CDN proxy reads from (same setting the server uses)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def split_spec(spec: str) -> tuple[str, str]:
    name, _, version = spec.rpartition("@")
    return name, version


def missing_files(root: Path, spec: str) -> list[str]:
    # package.json marks a whole unpacked package: the proxy, when online, caches single files
    # (and never package.json), so a folder it made is fetched again as a whole
    folder = root / spec
    return [f for f in ["package.json", *PACKAGES[spec]] if not (folder / f).is_file()]


def unlisted_cdn_specs() -> set[str]:
    """name@version CDN URLs in solara's source that PACKAGES does not cover (e.g. after an upgrade)."""
    import solara

    url = re.compile(r"(?:cdn\s*\}\}|getCdn\(\)\}|fontawesome_path: str = \")/((?:@[\w.-]+/)?[\w.-]+)@([\w.${}-]+)/")
    found = set()
    for path in Path(solara.__file__).parent.rglob("*"):
        if path.suffix in {".py", ".vue", ".j2", ".html", ".js"} and "website" not in path.parts:
            found.update(url.findall(path.read_text(errors="ignore")))
    listed = {split_spec(s)[0] for s in PACKAGES}
    return {
        f"{name}@{version}"
        for name, version in found
        if f"{name}@{version}" not in PACKAGES
        and name not in NOT_NEEDED
        and not (name in listed and "$" in version)  # version filled in at run time
    }


def npm_pack(specs: list[str], dest: Path) -> dict[str, Path]:
    """`npm pack` all specs into dest; returns {spec: tarball}."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("error: npm not found; install nodejs/npm (e.g. apt-get install -y npm) and re-run")
    proc = subprocess.run(
        [npm, "pack", "--json", "--loglevel=error", "--pack-destination", str(dest), *specs],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"error: npm pack {' '.join(specs)} failed (exit {proc.returncode}); is the npm "
                 f"registry reachable?\n{proc.stderr.strip()[-2000:]}")
    by_name = {entry["name"]: entry for entry in json.loads(proc.stdout)}
    result = {}
    for spec in specs:
        entry = by_name[split_spec(spec)[0]]
        print(f"  {spec}: npm {entry['name']}@{entry['version']}")
        result[spec] = dest / entry["filename"]
    return result


def unpack(tarball: Path, target: Path, tmp: Path) -> None:
    """Unpack the tarball's single top folder (normally package/) as `target`, atomically."""
    staging = Path(tempfile.mkdtemp(dir=tmp))
    with tarfile.open(tarball) as tar:
        tar.extractall(staging, filter="data")
    (top,) = staging.iterdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.move(str(top), partial)
    shutil.rmtree(target, ignore_errors=True)  # an incomplete earlier copy
    partial.rename(target)


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    root = cache_dir()
    todo = [spec for spec in PACKAGES if missing_files(root, spec)]
    extra = unlisted_cdn_specs()
    if extra:
        print(f"warning: solara also loads {sorted(extra)} from its CDN; add them to PACKAGES "
              f"in {Path(__file__).name} if the app uses them", file=sys.stderr)
    if not todo:
        print(f"solara offline assets: all {len(PACKAGES)} packages present in {root}")
        return 0
    if check_only:
        print(f"solara offline assets missing in {root}: {', '.join(todo)}")
        return 1
    print(f"solara offline assets: fetching {len(todo)} package(s) into {root}")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".npm-pack-") as tmp:
        for spec, tarball in npm_pack(todo, Path(tmp)).items():
            unpack(tarball, root / spec, Path(tmp))
    still = {spec: missing_files(root, spec) for spec in todo}
    still = {spec: files for spec, files in still.items() if files}
    if still:
        print(f"error: packages unpacked but files solara requests are missing: {still}", file=sys.stderr)
        return 1
    print("solara offline assets: done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
