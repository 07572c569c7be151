"""A Streamlit session without a browser: the websocket protocol the browser speaks, for the benchmarks.

A Session connects to /_stcore/stream, asks for a page run (BackMsg.rerun_script) as the browser does
when a page opens, a link is followed or a widget changes, and waits for the run to finish
(ForwardMsg.script_finished). Widgets are found by their key in the elements the run sent. Also
starts `streamlit run` on a free port, and reads a process's memory.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from harness import StreamlitServer, free_ports  # noqa: E402

FINISHED = 0  # ForwardMsg.script_finished: FINISHED_SUCCESSFULLY
EARLY_FOR_RERUN = 2  # st.rerun(): another run follows


class RunFailed(RuntimeError):
    """The page raised: its exception element was sent."""


@dataclass
class Session:
    """One browser tab's session, driven over the websocket."""

    url: str
    widgets: dict[str, str] = field(default_factory=dict)  # user key → widget id, from the last run
    texts: list[str] = field(default_factory=list)  # markdown and captions of the last run
    page_hash: str = ""
    _socket: object = None

    async def __aenter__(self) -> "Session":
        address = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self._socket = await websockets.connect(address, subprotocols=["streamlit"], max_size=None,
                                                ping_interval=None, open_timeout=60)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._socket.close()

    async def open(self, page: str = "", query: str = "") -> float:
        """Seconds until the page (its URL path, "" for the start page) has run, as when a tab opens it."""
        return await self.rerun(page_name=page, query=query)

    async def rerun(self, page_name: str | None = None, states: list[WidgetState] | None = None,
                    query: str = "") -> float:
        """Seconds until a run with these widget states (a widget change; none: a plain rerun) has finished."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        if page_name is not None:
            state.page_name = page_name
        else:
            state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend(states or [])
        began = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        await self._until_finished()
        return time.perf_counter() - began

    async def select(self, key: str, shown: str) -> float:
        """Seconds until the run after choosing `shown` (the option as displayed) in the selectbox `key`."""
        return await self.rerun(states=[WidgetState(id=self.widgets[key], string_value=shown)])

    async def _until_finished(self) -> None:
        self.widgets, self.texts, failed = {}, [], None
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self._socket.recv(), timeout=300))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = message.new_session.page_script_hash
            elif kind == "page_info_changed" or kind == "navigation":
                self.page_hash = getattr(message.navigation, "page_script_hash", "") or self.page_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                name = element.WhichOneof("type")
                proto = getattr(element, name)
                if name == "exception":
                    failed = f"{proto.type}: {proto.message}"
                elif name in ("markdown", "text"):
                    self.texts.append(proto.body)
                widget_id = getattr(proto, "id", "")
                if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                    self.widgets[widget_id.rsplit("-", 1)[-1] if "-" in widget_id else widget_id] = widget_id
            elif kind == "script_finished":
                if message.script_finished == FINISHED:
                    if failed:
                        raise RunFailed(failed)
                    return
                if message.script_finished != EARLY_FOR_RERUN:
                    raise RunFailed(f"script_finished = {message.script_finished}")


def start_server(script: Path, environment: dict[str, str] | None = None) -> StreamlitServer:
    """`streamlit run script` on a free port, healthy (the tests' harness, tests/harness.py); stop it with .stop()."""
    return StreamlitServer(free_ports(1)[0], Path(tempfile.mkdtemp(prefix="bench-")), environment=environment,
                           script=script).started()


def memory_mb(pid: int) -> float:
    """The process's resident memory now (VmRSS), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def bare_app(folder: Path, body: str) -> Path:
    """A bare Streamlit app (no Lägesbild) written to `folder`, for a peer measurement."""
    script = folder / "bare_app.py"
    script.write_text(body, encoding="utf-8")
    return script
