"""The site's MkDocs run, incremental: only pages whose inputs changed are rendered again.

``mkdocs build`` renders every page of the site on every run (at 1,000 disclosures about
2,000 pages, most of a minute), and its ``--dirty`` mode is not safe to publish (it compares
modification times only, leaves removed pages in the site, and the hooks, such as the search
index, see only the pages it renders). This runner does what ``mkdocs.commands.build.build``
does, with MkDocs' own functions and in the same order of events, except that a page whose
*key* is unchanged since the last run is not read, rendered or written: its HTML is
hard-linked from the previous site, and what the hooks kept of it is given back to them.

A page's key is a hash of its Markdown file and the *site key*: the configuration files and
the values they resolve to (``site_url``, the working directory), the theme's own templates,
the hooks' code, this module, the versions of MkDocs, the theme and the Markdown libraries,
and the navigation (titles and addresses). A change to any of these renders every page.
A kept page must also find, as it did when it was rendered, every file its links were
resolved against (a link to a page since removed renders it again, so the strict run fails
as a clean one would), and its previous HTML byte for byte as written (the same file,
untouched since: its stat signature; else its sha256, which reads 135 MB of HTML at 1,000
disclosures). The navigation's
titles are on every page: a page in the navigation whose title is not given there is read
(not written) on every run, for its title.

What is kept per page (``<state>/pages/<key>.pickle``, plain data): the sha256 and the stat
signature of its HTML, the files its links looked up, its anchors and its links to anchors
(every page's links to anchors are validated on every run, against the anchors of every
page, as MkDocs does), and each hook's own state of the page (a hook module that defines
``page_state`` and ``restore_page_state``; ``builder.pages.search`` keeps each page's
index entry, so the index written is the one a clean run writes).

The pages to render are rendered in ``--jobs`` processes forked once the config, files,
navigation and static files are set up (``builder.siterun.mkdocs_workers``); each sends
back a page's record, which this process takes in as it takes a kept page's.

The result is the same bytes as a clean ``mkdocs build`` of the same docs (tested), for any
number of jobs, written into ``site_dir`` (a staging folder: the caller swaps it in only
when this succeeds).

    python -m builder.siterun.mkdocs_run CONFIG --state DIR [--previous SITE] [--jobs N]

prints what it did as JSON on its last line and exits 0, or prints the errors and exits 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import pickle
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from builder.siterun.listing import Listing, get_files, listing_key
from builder.siterun.mkdocs_workers import PageWorkers

STATE_INDEX = "site.json"
LISTING = "listing.pickle"  # the docs dir's folders and names (builder.siterun.listing)
VERSIONED = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "MarkupSafe")
_INHERIT = re.compile(r"^INHERIT:\s*(.+?)\s*$", re.MULTILINE)
log = logging.getLogger("mkdocs.incremental")


@dataclass
class Stats:
    """What a run did: pages rendered and kept, and its seconds (wall, CPU) by phase."""

    rendered: int = 0
    kept: int = 0
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def timed(self, phase: str) -> _Timer:
        return _Timer(self.seconds.setdefault(phase, [0.0, 0.0]))


class _Timer:
    def __init__(self, slot: list[float]) -> None:
        self.slot = slot

    def __enter__(self) -> None:
        self.start = (time.perf_counter(), time.process_time())

    def __exit__(self, *_: object) -> None:
        self.slot[0] += time.perf_counter() - self.start[0]
        self.slot[1] += time.process_time() - self.start[1]


def sha256_file(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def signature(path: str | Path) -> tuple[int, int, int, int] | None:
    """The file's device, inode, size and modification time: a kept page is hard-linked
    (the same inode), so its signature is the one recorded when it was written."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _unchanged(path: Path, record: dict[str, Any]) -> bool:
    """The previous site's HTML of a page is what was written: the same file, unmodified
    since (its :func:`signature`), or else the same bytes (its sha256)."""
    recorded = record.get("stat")
    if recorded is not None and signature(path) == tuple(recorded):
        return True
    html: str = record["html"]
    return sha256_file(path) == html


def _tree_digest(folder: str | None, digest: Any) -> None:
    if not folder:
        return
    for top, dirs, names in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            digest.update(os.path.relpath(path, folder).encode())
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())


def site_key(config: MkDocsConfig, nav: Navigation) -> str:
    """Everything every page's HTML depends on besides its own Markdown (see the module)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in VERSIONED:
        digest.update(f"{name} {metadata.version(name)}\n".encode())
    path: str | None = config.config_file_path
    while path:  # the config and the configs it inherits
        text = Path(path).read_text(encoding="utf-8")
        digest.update(text.encode())
        parent = _INHERIT.search(text)
        path = os.path.join(os.path.dirname(path), parent.group(1)) if parent else None
    values = [os.getcwd(), config.site_url, config.docs_dir, config.site_dir, config.theme.dirs]
    digest.update(json.dumps(values, default=str).encode())
    _tree_digest(config.theme.custom_dir, digest)
    for module in _hooks(config).values():
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(json.dumps(_nav_outline(nav.items), ensure_ascii=False).encode())
    return digest.hexdigest()


def _nav_outline(items: Iterable[Any]) -> list[object]:
    return [
        [item.title, getattr(item, "url", None), _nav_outline(item.children or [])]
        for item in items
    ]


def page_key(site: str, file: File) -> str:
    digest = hashlib.sha256(site.encode())
    digest.update(file.src_uri.encode())
    with open(file.abs_src_path or "", "rb") as handle:
        digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


@dataclass
class State:
    """The pages of the previous run: key by page, and each key's record (loaded lazily)."""

    folder: Path
    site: str = ""
    keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, site: str) -> State:
        try:
            data = json.loads((folder / STATE_INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder, site)
        if data.get("site") != site:
            return cls(folder, site)
        return cls(folder, site, dict(data.get("pages", {})))

    def path(self, key: str) -> Path:
        return self.folder / "pages" / f"{key}.pickle"

    def record(self, src_uri: str, key: str) -> dict[str, Any] | None:
        if self.keys.get(src_uri) != key:
            return None
        try:
            with self.path(key).open("rb") as handle:
                record: dict[str, Any] = pickle.load(handle)  # our own state, plain data
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        return record

    def store(self, key: str, record: dict[str, Any]) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}")
        temporary.write_bytes(pickle.dumps(record, protocol=5))
        temporary.replace(target)

    def save(self, keys: dict[str, str]) -> None:
        """Record this run's pages and delete the records no page uses any more."""
        data = json.dumps({"site": self.site, "pages": keys}, ensure_ascii=False)
        temporary = self.folder / f".{STATE_INDEX}.{os.getpid()}"
        temporary.write_text(data, encoding="utf-8")
        temporary.replace(self.folder / STATE_INDEX)
        wanted = {self.path(key).name for key in keys.values()}
        for path in (self.folder / "pages").glob("*.pickle"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)


class _Lookups:
    """Records the paths a page's links look up while it is rendered (``Files`` is asked
    through ``get_file_from_path``), with whether each was found."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.seen: dict[str, bool] = {}
        self.lookup = files.get_file_from_path

    def __enter__(self) -> _Lookups:
        def recording(path: str) -> File | None:
            found = self.lookup(path)
            self.seen[path] = found is not None
            return found

        self.files.get_file_from_path = recording  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        del self.files.get_file_from_path


def _hooks(config: MkDocsConfig) -> dict[str, ModuleType]:
    hooks: dict[str, ModuleType] = config["hooks"]  # loaded by MkDocs: name → module
    return hooks


def _hooks_with_state(config: MkDocsConfig) -> list[tuple[str, ModuleType]]:
    """The hooks that keep a state per page between runs (see the module)."""
    return [
        (name, module)
        for name, module in _hooks(config).items()
        if hasattr(module, "page_state") and hasattr(module, "restore_page_state")
    ]


def _link(source: Path, destination: str) -> None:
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    if os.path.lexists(destination):
        os.unlink(destination)
    try:
        os.link(source, destination)
    except OSError:  # another file system: a copy
        utils.copy_file(str(source), destination)


@dataclass
class _Site:
    """One run: the config, files, navigation and theme environment as MkDocs builds them,
    and what it keeps of each page (its anchors and links to anchors, by source path)."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Any
    pages: list[File]
    in_nav: set[str]
    early: dict[str, dict[str, bool]] = field(default_factory=dict)  # populated for titles
    anchors: dict[str, tuple[set[str], dict[str, dict[str, str]]]] = field(default_factory=dict)

    @classmethod
    def gather(cls, config: MkDocsConfig, listing: Listing) -> _Site:
        """``build()`` up to the pages: config, files (``get_files`` walking with the
        listing kept from the last run), navigation (hooks' events included)."""
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        files = get_files(config, listing)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        pages = list(files.documentation_pages(inclusion=InclusionLevel.is_included))
        for file in pages:
            if file.page is None and file.inclusion.is_not_in_nav():  # type: ignore[no-untyped-call]
                Page(None, file, config)
        in_nav = {page.file.src_uri for page in nav.pages}
        return cls(config, files, nav, env, pages, in_nav)

    def populate(self, file: File) -> dict[str, bool]:
        """Read and render one page (``_populate_page``); the paths its links looked up."""
        assert file.page is not None
        with _Lookups(self.files) as lookups:
            mkdocs_build._populate_page(file.page, self.config, self.files)
        return lookups.seen

    def static(self) -> None:
        """The static files (those a hook's ``linked_files`` says it put in the site dir
        already are not copied again), and the theme's and the config's templates."""
        config, files = self.config, self.files
        self.env = config.plugins.on_env(self.env, config=config, files=files)
        placed: set[str] = set()
        for module in _hooks(config).values():
            if hasattr(module, "linked_files"):
                placed |= module.linked_files(config=config)
        for file in files:  # files.copy_static_files, less the files already placed
            if (
                file.src_uri not in placed
                and not file.is_documentation_page()
                and file.inclusion.is_included()  # type: ignore[no-untyped-call]
            ):
                file.copy_file()
        for template in config.theme.static_templates:
            mkdocs_build._build_theme_template(template, self.env, files, config, self.nav)
        for template in config.extra_templates:
            mkdocs_build._build_extra_template(template, files, config, self.nav)

    def keep(self, file: File, record: dict[str, Any] | None, previous: Path | None) -> bool:
        """Keep the previous run's page if its links find what they found then, and its
        HTML in the previous site is what was written; False if it must be rendered."""
        if record is None or previous is None:
            return False
        lookup = self.files.get_file_from_path
        if any((lookup(path) is not None) != found for path, found in record["lookups"].items()):
            return False
        if not _unchanged(previous / file.dest_uri, record):
            return False
        _link(previous / file.dest_uri, file.abs_dest_path)
        self.adopt(file, record)
        return True

    def adopt(self, file: File, record: dict[str, Any]) -> None:
        """Take in what a page's record holds (kept or rendered, here or in a worker): its
        anchors and links to anchors, and each hook's state of it given back."""
        assert file.page is not None
        for name, module in _hooks_with_state(self.config):
            state = record["hooks"].get(name)
            module.restore_page_state(state, page=file.page, config=self.config)
        self.anchors[file.src_uri] = (set(record["anchors"]), record["links"])

    def render(self, file: File) -> dict[str, Any]:
        """Render and write one page; its record (for :meth:`adopt` and a later run). What
        the hooks kept of the page is in the record (``page_state``), no longer in them."""
        page = file.page
        assert page is not None
        early = self.early.pop(file.src_uri, None)
        lookups = self.populate(file) if early is None else early
        mkdocs_build._build_page(page, self.config, self.pages, self.nav, self.env)
        links = {
            target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()
        }
        hooks = _hooks_with_state(self.config)
        record = {
            "html": sha256_file(Path(file.abs_dest_path)),
            "stat": signature(file.abs_dest_path),
            "lookups": lookups,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": links,
            "hooks": {
                name: module.page_state(page=page, config=self.config) for name, module in hooks
            },
        }
        if file.src_uri not in self.in_nav:  # free what no other page needs
            page.markdown = page.content = None
            page.toc = []  # type: ignore[assignment]
        page.present_anchor_ids = page.links_to_anchors = None  # in the record
        return record

    def finish(self) -> None:
        """MkDocs' check of every link to an anchor (rendered and kept pages alike), then
        the hooks' ``post_build`` (the search index is written)."""
        files = self.files
        for file in self.pages:
            page = file.page
            assert page is not None
            present, links = self.anchors[file.src_uri]
            page.present_anchor_ids = present
            page.links_to_anchors = {
                target: found
                for uri, found in links.items()
                if (target := files.get_file_from_path(uri)) is not None
            }
        level = self.config.validation.links.anchors
        for file in self.pages:
            assert file.page is not None
            file.page.validate_anchor_links(files=files, log_level=level)
        self.config.plugins.on_post_build(config=self.config)


def build_incremental(
    config: MkDocsConfig, state_folder: Path, previous: Path | None, stats: Stats, jobs: int = 1
) -> None:
    """``mkdocs.commands.build.build(config)``, rendering only the pages that changed, in
    ``jobs`` processes (``builder.siterun.mkdocs_workers``)."""
    listing = Listing.load(state_folder / LISTING, listing_key(config))
    with stats.timed("config, files, nav"):
        site = _Site.gather(config, listing)
    with stats.timed("nav titles"):
        # A page in the navigation without a title there is read first: its title (its
        # first heading) is on every page.
        for file in site.pages:
            if file.src_uri in site.in_nav and "title" not in vars(file.page):
                site.early[file.src_uri] = site.populate(file)
        key = site_key(site.config, site.nav)
        state = State.load(state_folder, key)
    with stats.timed("static files, templates"):
        site.static()
    keys: dict[str, str] = {}
    changed: list[File] = []
    with stats.timed("keep pages"):
        for file in site.pages:
            keys[file.src_uri] = page_key(key, file)
            if site.keep(file, state.record(file.src_uri, keys[file.src_uri]), previous):
                stats.kept += 1
            else:
                changed.append(file)

    def render(file: File) -> dict[str, Any]:
        record = site.render(file)
        state.store(keys[file.src_uri], record)
        return record

    with stats.timed("render pages"):
        workers = PageWorkers(render, changed, jobs)
        for file, record in workers:
            site.adopt(file, record)
            stats.rendered += 1
    stats.seconds["render pages"][1] += workers.cpu  # the workers' CPU beside this one's
    with stats.timed("anchors, hooks' post_build"):
        site.finish()
    state.save(keys)
    listing.save(state_folder / LISTING)


class _Messages(logging.Handler):
    """The warnings and errors of the run (strict: any warning fails it)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def run(config_file: Path, state: Path, previous: Path | None, jobs: int = 1) -> Stats:
    """Build the site of ``config_file`` (strict) into its ``site_dir``, rendering pages in
    ``jobs`` processes; raise on failure."""
    stats = Stats()
    messages = _Messages()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(messages)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with stats.timed("load config"):
            config = load_config(str(config_file))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build_incremental(config, state, previous, stats, jobs)
        except Exception as error:
            config.plugins.on_build_error(error=error)
            raise
        finally:
            config.plugins.on_shutdown()
        if messages.lines and config.strict:
            raise Abort(f"Aborted with {len(messages.lines)} warnings in strict mode!")
    except (Abort, BuildError) as error:
        raise SiteError([*messages.lines, str(error)]) from error
    finally:
        logger.removeHandler(messages)
    return stats


class SiteError(Exception):
    """The run failed; ``lines`` say why (MkDocs' warnings and errors)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--previous", type=Path)
    parser.add_argument("--jobs", type=int, default=1, help="processes that render pages")
    args = parser.parse_args(argv)
    try:
        stats = run(args.config, args.state, args.previous, max(1, args.jobs))
    except SiteError as error:
        sys.stderr.write(str(error) + "\n")
        return 1
    print(json.dumps({"rendered": stats.rendered, "kept": stats.kept, "seconds": stats.seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
