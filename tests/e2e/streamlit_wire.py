"""A minimal client of Streamlit's own websocket protocol (``/_stcore/stream``, protobuf
``BackMsg``/``ForwardMsg``), for tests that send what a browser never would: widget values for
widgets the page did not draw, pages the navigation did not offer. It speaks the protocol as
the browser does — a rerun with the client state, then the forward messages until the run has
finished — and reads the elements of the run (widgets with their ids and labels, texts)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass
class Run:
    """What one script run sent: its widgets (label → id), texts, and the pages offered."""
    widgets: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)       # url path → page script hash
    exceptions: list[str] = field(default_factory=list)       # tracebacks the run showed
    keys: dict[str, str] = field(default_factory=dict)        # a widget's user key → its id
    key_options: dict[str, list[str]] = field(default_factory=dict)   # user key → its options (as shown)
    components: list[str] = field(default_factory=list)       # ids of custom components (e.g. st_folium)
    alerts: list[tuple[str, str]] = field(default_factory=list)   # (format, text) of st.success/error/…

    def text(self) -> str:
        return "\n".join(self.texts)


def _read_element(element, run: Run) -> None:
    kind = element.WhichOneof("type")
    body = getattr(element, kind)
    if kind == "exception":
        run.exceptions.append(f"{body.type}: {body.message}")
    label = getattr(body, "label", None)
    widget_id = getattr(body, "id", None)
    if isinstance(widget_id, str) and widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
        run.keys[widget_id.split("-", 2)[2]] = widget_id
        if hasattr(body, "options"):
            run.key_options[widget_id.split("-", 2)[2]] = list(body.options)
    if kind == "component_instance" and widget_id:
        run.components.append(widget_id)
    if kind == "alert":
        run.alerts.append((body.Format.Name(body.format), body.body))
    if widget_id and label is not None:
        run.widgets[label] = widget_id
        run.kinds[label] = kind
        if hasattr(body, "default"):
            run.defaults[label] = body.default
        if hasattr(body, "options"):
            run.options[label] = list(body.options)
    for name in ("body", "label"):
        value = getattr(body, name, None)
        if isinstance(value, str) and value:
            run.texts.append(value)


class Session:
    """One websocket session (one browser tab): its widget states persist between runs."""

    def __init__(self, url: str, query: str = ""):
        self.url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.query = query              # the page's query string (without "?"), sent with every rerun
        self.ws = None
        self.page_hash = ""
        self.pages: dict[str, str] = {}

    async def __aenter__(self) -> "Session":
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=2 ** 26,
                                           open_timeout=30)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self, states: list[WidgetState] = (), *, page: str | None = None, page_hash: str | None = None,
                  timeout: float = 90) -> Run:
        """Rerun the script (on ``page``, a url path, when given; or on the page of
        ``page_hash``, even one this session was not offered) with ``states`` as the widget
        values; the elements it sent."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query
        if page is not None:
            self.page_hash = self.pages.get(page, "")
            client.page_name = page
        if page_hash is not None:
            self.page_hash = page_hash
        client.page_script_hash = self.page_hash
        client.widget_states.widgets.extend(states)
        await self.ws.send(msg.SerializeToString())
        run = Run(pages=self.pages)
        started = False
        async with asyncio.timeout(timeout):
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await self.ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "new_session":                # a run starts (again, after st.rerun)
                    started = True
                    run = Run(pages=self.pages)
                    self.page_hash = fwd.new_session.page_script_hash or self.page_hash
                elif kind == "navigation":
                    self.pages.update({p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages})
                    self.page_hash = fwd.navigation.page_script_hash or self.page_hash
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    _read_element(fwd.delta.new_element, run)
                elif kind == "script_finished" and started:
                    if fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        return run                        # (a rerun the script asked for follows)


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)



def json_value(widget_id: str, value: str) -> WidgetState:
    """A custom component's value (e.g. st_folium's ``{"last_clicked": …}``), as JSON text."""
    return WidgetState(id=widget_id, json_value=value)


def trigger(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)
