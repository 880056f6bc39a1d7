"""The built graph over HTTP: ``kg serve`` (a read-only SPARQL endpoint) and ``kg push``.

``kg serve`` runs the Oxigraph server (the ``oxigraph`` package on PyPI, a kg
dependency) in read-only mode on the live version of the build's store
(:func:`kg.store.store_path`), or, for a build without a store, on a temporary store
loaded from the build's RDF. It speaks the SPARQL 1.1 Protocol at ``/query``, refuses
every update, and, like ``kg sparql``, lets queries see every named graph as the
default graph.

``kg push`` loads the build into any SPARQL 1.1 Graph Store Protocol server (Oxigraph
server, Apache Jena Fuseki, GraphDB) with nothing but what the protocol guarantees:
one HTTP PUT of N-Triples per graph, each named graph of ``graph.trig`` at
``?graph=IRI`` and the default graph at ``?default``.

>>> gsp_url("http://127.0.0.1:3030/kg/data", None)
'http://127.0.0.1:3030/kg/data?default'
>>> gsp_url("http://127.0.0.1:3030/kg/data", "https://w3id.org/kg-ww2/id/article/93ce")
'http://127.0.0.1:3030/kg/data?graph=https%3A%2F%2Fw3id.org%2Fkg-ww2%2Fid%2Farticle%2F93ce'
"""
from __future__ import annotations

import base64
import http.client
import itertools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .errors import KgError
from .store import RDF_FILES, NoStoreError, store_path

log = logging.getLogger(__name__)

READY_SECONDS = 20.0
STOP_SECONDS = 10.0
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"
GSP_URLS = ("Oxigraph http://HOST:7878/store, Fuseki http://HOST:3030/DATASET/data, "
            "GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service")


def rdf_file(out_dir: str | os.PathLike) -> tuple[Path, ox.RdfFormat]:
    """The build's richest RDF file in ``out_dir`` and its format (named graphs first,
    as :data:`kg.store.RDF_FILES` says)."""
    out = Path(out_dir)
    for name, fmt in RDF_FILES:
        if (out / name).is_file():
            return out / name, fmt
    raise KgError(f"no build in {out}/ (no {', '.join(n for n, _ in RDF_FILES)}): "
                  f"run kg build ARTICLES --out {out}")


def oxigraph_command() -> str:
    """The ``oxigraph`` program: beside this Python first (a venv not activated), then on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("oxigraph", path=path)
    if not found:
        raise KgError("the Oxigraph server is not installed: pip install oxigraph "
                      "(it comes with kg's dependencies: pip install -e .)")
    return found


# --- kg serve -----------------------------------------------------------------------

@dataclass
class Server:
    """A running Oxigraph server: its process, its base URL and what it serves."""

    process: subprocess.Popen
    url: str
    source: str

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol endpoint."""
        return self.url + "/query"

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Terminate the server, then kill it if it has not exited within ``timeout`` s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


def serve(out_dir: str | os.PathLike, host: str = "127.0.0.1", port: int = 7878, *,
          on_ready: Callable[[Server], None] | None = None) -> None:
    """Serve the build in ``out_dir`` read-only until interrupted (``KeyboardInterrupt``).

    The live version of the build's store is served as it is, never written (a later
    build makes a new version and leaves this one alone: restart to serve the new
    one); without a store, the build's RDF is loaded into a temporary store that is
    removed on the way out. ``port`` 0 picks a free port. ``on_ready`` is called once
    the server answers.
    """
    with ExitStack() as stack:
        try:
            store = store_path(out_dir)
            source = f"{store} (read-only)"
        except NoStoreError:
            path, fmt = rdf_file(out_dir)
            store = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kg-serve-")))
            load_store(store, path, fmt)
            source = f"{path} (in a temporary store)"
        server = stack.enter_context(oxigraph_server(
            store, host, port, union_default_graph=True, source=source))
        if on_ready:
            on_ready(server)
        code = server.process.wait()
        if code in (-signal.SIGINT, -signal.SIGTERM):  # Ctrl-C reached the server first
            raise KeyboardInterrupt
        raise KgError(f"the Oxigraph server stopped by itself (exit status {code})")


def load_store(location: Path, path: Path, fmt: ox.RdfFormat) -> None:
    """Load an RDF file into the Oxigraph store folder ``location`` (``oxigraph load``)."""
    log.info("loading %s into %s", path, location)
    proc = subprocess.run([oxigraph_command(), "load", "--location", str(location), "--file", str(path),
                           "--format", fmt.file_extension], check=False, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise KgError(f"{path}: oxigraph load failed: {_tail(proc.stderr)}")


@contextmanager
def oxigraph_server(location: Path, host: str = "127.0.0.1", port: int = 0, *, read_only: bool = True,
                    union_default_graph: bool = False, wait: float = READY_SECONDS,
                    source: str | None = None) -> Iterator[Server]:
    """Run the Oxigraph server on the store folder ``location``; stop it on leaving the block.

    Waits at most ``wait`` seconds for the port to open; raises ``KgError`` with the
    server's own message when it exits or does not answer by then.
    """
    port = port or free_port(host)
    _check_port_free(host, port)
    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("listening on %s: whoever reaches this machine can query the graph", host)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    command = [oxigraph_command(), "serve-read-only" if read_only else "serve",
               "--location", str(location), "--bind", bind]
    if union_default_graph:
        command.append("--union-default-graph")
    with tempfile.TemporaryFile() as errors:
        log.info("starting %s", " ".join(command))
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors)
        server = Server(process, f"http://{bind}", source or str(location))
        try:
            _wait_until_listening(server, host, port, wait, errors)
            yield server
        finally:
            server.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no owner
        try:
            s.bind((host, port))
        except OSError as e:
            raise KgError(f"cannot listen on {host} port {port} ({e.strerror}): "
                          "choose another with --port") from None


def _wait_until_listening(server: Server, host: str, port: int, wait: float, errors) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            errors.seek(0)
            message = _tail(errors.read().decode("utf-8", "replace"))
            raise KgError(f"the Oxigraph server did not start on {server.source}: {message}")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise KgError(f"the Oxigraph server did not answer on {server.url} within {wait:.0f} s")


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:]) or "no message"


# --- kg push ------------------------------------------------------------------------

@dataclass(frozen=True)
class Pushed:
    """One graph sent: ``graph`` is its IRI, ``None`` for the default graph."""

    graph: str | None
    triples: int
    method: str
    status: int


def gsp_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of one graph: ``?default``, or ``?graph=`` the IRI encoded."""
    parts = urlsplit(endpoint)
    target = "default" if graph is None else urlencode({"graph": graph})
    return urlunsplit(parts._replace(query=f"{parts.query}&{target}" if parts.query else target))


def push(out_dir: str | os.PathLike, endpoint: str, graph: str | None = None, *,
         default_graph: bool = False, append: bool = False, timeout: float = 300.0) -> list[Pushed]:
    """Load the build in ``out_dir`` into the Graph Store Protocol server at ``endpoint``.

    Each graph is replaced (HTTP PUT), or added to with ``append`` (HTTP POST): each
    named graph of a dataset file (``graph.trig``: one per article) at its own IRI,
    and the default graph. With ``graph``, every triple goes into that one named
    graph; with ``default_graph``, into the default graph. The body is N-Triples,
    which every such server reads. Credentials may stand in the URL
    (``http://USER:PASSWORD@HOST/...``, or only the user with the password in
    ``$KG_PUSH_PASSWORD``); they are sent as HTTP Basic and never shown.
    """
    path, fmt = rdf_file(out_dir)
    url, headers = _endpoint(endpoint)
    if graph is not None and default_graph:
        raise KgError("one graph or the other: --graph IRI or --default-graph, not both")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as e:
            raise KgError(f"--graph {graph!r} is not an absolute IRI: {e}") from None
    pushed: list[Pushed] = []
    seen: set[str | None] = set()
    try:
        quads = ox.parse(path=str(path), format=fmt)
        flat = graph is not None or default_graph
        for target, run in itertools.groupby(quads, key=lambda q: graph if flat else _graph_name(q)):
            method = "POST" if append or target in seen else "PUT"
            with tempfile.SpooledTemporaryFile(max_size=16 << 20) as body:
                counted = _Counter(q.triple for q in run)
                ox.serialize(counted, body, ox.RdfFormat.N_TRIPLES)
                size = body.tell()
                body.seek(0)
                status = _send(method, gsp_url(url, target), body, size, headers, timeout, len(pushed))
            seen.add(target)
            pushed.append(Pushed(target, counted.n, method, status))
            log.info("%s %s: %d triples, HTTP %d", method, target or "default graph", counted.n, status)
    except SyntaxError as e:
        raise KgError(f"{path}: not valid RDF: {e}") from None
    return pushed


class _Counter:
    """An iterator that counts what passes through it."""

    def __init__(self, items):
        self.items, self.n = iter(items), 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self.items)
        self.n += 1
        return item


def _graph_name(quad: ox.Quad) -> str | None:
    name = quad.graph_name
    if isinstance(name, ox.DefaultGraph):
        return None
    if isinstance(name, ox.NamedNode):
        return name.value
    raise KgError(f"a graph named by a blank node ({name}) has no IRI to push it to")


def _endpoint(endpoint: str) -> tuple[str, dict[str, str]]:
    """The URL without its credentials, and the headers (with Basic auth if it had some)."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"--endpoint {endpoint!r} is not an http(s) URL; the Graph Store URL is, "
                      f"for example, {GSP_URLS}")
    if any(p.split("=")[0] in ("default", "graph") for p in parts.query.split("&")):
        raise KgError("give --endpoint without ?default or ?graph=: kg push adds them (--graph IRI)")
    netloc = parts.netloc.rpartition("@")[2]
    clean = urlunsplit(parts._replace(netloc=netloc))
    headers = {"Content-Type": "application/n-triples"}
    if parts.username:
        password = (unquote(parts.password) if parts.password is not None
                    else os.environ.get(PASSWORD_VARIABLE, ""))
        token = base64.b64encode(f"{unquote(parts.username)}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return clean, headers


def _send(method: str, url: str, body, size: int, headers: dict[str, str],
          timeout: float, done: int) -> int:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={**headers, "Content-Length": str(size)})
    after = f" (after {done} graph{'s' if done != 1 else ''} pushed)" if done else ""
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        detail = _tail(e.read(2000).decode("utf-8", "replace"), 3) if e.fp else "no message"
        raise KgError(f"{method} {url}: HTTP {e.code} {e.reason}: {detail}{after}{_hint(e.code)}") from None
    except urllib.error.URLError as e:
        server = urlunsplit(urlsplit(url)._replace(path="", query=""))
        reason = getattr(e.reason, "strerror", None) or e.reason
        raise KgError(f"cannot reach {server} ({reason}){after}") from None
    except (OSError, http.client.HTTPException) as e:
        raise KgError(f"{method} {url}: {e or type(e).__name__}{after}") from None


def _opener(url: str) -> urllib.request.OpenerDirector:
    """urllib's opener; a store on this machine is never reached through a proxy."""
    if urlsplit(url).hostname in ("127.0.0.1", "::1", "localhost"):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _hint(code: int) -> str:
    if code == 404:
        return f"; is this the Graph Store Protocol URL? For example {GSP_URLS}"
    if code in (401, 403):
        return (f"; the server wants credentials (http://USER@HOST/... and ${PASSWORD_VARIABLE}) "
                "or does not accept writes there")
    if code == 405:
        return "; the server does not accept writes at this URL (a read-only endpoint?)"
    if code == 413:
        return "; the server refuses a body this large: raise its upload limit or use its bulk loader"
    return ""
