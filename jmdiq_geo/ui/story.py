"""Presentation mode in the app: the "Zur Präsentation hinzufügen" control the map pages call
(one line each: ``add_to_story({...the view...})``) and the sections of the Präsentation page
(arrange the slides, download the story as one offline HTML file, show it full-screen).

Captions are the user's text: they reach the page as escaped HTML (``render.story.caption_html``)
or as widget values, never as Markdown."""
from __future__ import annotations

from datetime import date

import streamlit as st
import streamlit.components.v1 as components

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.render.story import caption_html
from jmdiq_geo.services.stories import (Slide, add_slide, create_story, delete_slide, delete_story, export_story,
                                        get_story, list_stories, move_slide, render_slide, set_caption)
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.maps import show_map, view_name
from jmdiq_geo.ui.slide_view import add_button
from jmdiq_geo.ui.state import lang, settings, tr, workspace

NEW = "__new__"
SHOW_KEY = "story_show"          # (story id, slide position) while a story is shown
EXPORT_KEY = "story_export"      # (story id, version, html) of the last export


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _story_choice(key: str) -> str:
    stories = list_stories(workspace())
    labels = dict(zip(stories["story_id"], stories["title"]))
    labels[NEW] = tr("story_new")
    return st.selectbox(tr("story_pick"), list(labels), format_func=labels.get, key=key)


def add_to_story(view: dict, *, view_key: str | None = None) -> None:
    """The control that adds the current view as a slide (made only when opened). ``view``: the
    ``Slide`` fields the page knows (dates may be ``date`` objects); ``view_key``: the name the
    page's map keeps its view under (``ui.maps.view_name``): the slide records the extent on screen."""
    ws, kind, key = workspace(), view["kind"], f"story_add_{view['kind']}"
    with st.expander(tr("story_add"), icon=":material/slideshow:", key=key + "_open", on_change="rerun") as box:
        if not box.open:
            return
        choice = _story_choice(key + "_story")
        title = st.text_input(tr("story_title_new"), key=key + "_title") if choice == NEW else ""
        fields = {k: _iso(v) for k, v in view.items()}
        if kind == "network":
            years = sorted({int(y) for y in _tie_years()}, reverse=True)
            if not years:
                st.info(tr("story_network_none"))
                return
            fields["year"] = st.selectbox(tr("projects_year"), years, key=key + "_year")
        highlight = []
        if kind != "network" and fields.get("level"):
            names = ws.area_names(fields["level"])
            labels = dict(zip(names["area_id"], names["name"]))
            highlight = st.multiselect(tr("story_highlight"), list(labels), key=key + "_highlight",
                                       format_func=lambda a: f"{labels[a]} ({a})", placeholder=tr("ui_choose"))
        if highlight or fields.get("bounds") is None:
            fields.pop("bounds", None)      # the slide opens on its highlights, else on the whole level
        caption = st.text_area(tr("story_caption"), key=key + "_caption", max_chars=2000)
        clicked, on_screen = add_button(key + "_go", view_key)
        if on_screen is not None:
            fields["bounds"] = on_screen     # what the user looks at wins over highlights and "zoom to"
        if clicked:
            try:
                if choice == NEW:
                    story_id, version = create_story(ws, title)
                else:
                    story_id, version = choice, get_story(ws, choice).version
                add_slide(ws, story_id, Slide.from_dict({**fields, "caption": caption, "highlight": highlight}),
                          expected_version=version)
            except JmdiqError as exc:
                show_error(exc)
            else:
                # the title is the user's text: not into the toast, which renders Markdown
                st.toast(tr("story_added", n=len(get_story(ws, story_id).slides)), icon=":material/slideshow:")


def add_access_to_story() -> None:
    """The control under the Zugang page's result: its nominal map of the chosen measure."""
    stored = st.session_state.get("access_result")          # ui.access_run.RESULT_KEY
    if not stored:
        return
    request, nominal, _ = stored
    report = nominal.result.report
    # the slide is the nominal map: its extent on screen when that map is the one shown
    nominal_shown = st.session_state.get("acc_view", "nominal") == "nominal"
    add_to_story({"kind": "access_map", "category": report["category"], "level": report["level"],
                  "measure": st.session_state.get("acc_measure", "share_beyond"), "access_settings": request[3]},
                 view_key=view_name("acc_map_nominal") if nominal_shown else None)


def _tie_years() -> list[int]:
    from jmdiq_geo.services.projects import records
    ties = records(workspace(), "tie")
    return ties["year"].dropna().astype(int).unique().tolist() if len(ties) else []


def _slide_label(n: int, slide: Slide) -> str:
    what = tr(f"story_kind_{slide.kind}")
    detail = slide.title or slide.indicator_id or slide.index_key or slide.category or slide.area_id or slide.year or ""
    return f"{n}. {what} – {detail}"


def _apply(change, *args, **kwargs) -> None:
    try:
        change(workspace(), *args, **kwargs)
    except JmdiqError as exc:
        show_error(exc)
    else:
        st.rerun()


def arrange_section() -> None:
    """Choose a story, reorder its slides, edit their captions, delete them; show or download it."""
    ws = workspace()
    if list_stories(ws).empty:
        st.info(tr("story_none"))
        return
    story_id = _story_choice("story_arrange")
    if story_id == NEW:
        title = st.text_input(tr("story_title_new"), key="story_arrange_title")
        if st.button(tr("story_create"), key="story_create"):
            _apply(create_story, title)
        return
    story = get_story(ws, story_id)
    if not story.slides:
        st.info(tr("story_empty_hint"))
        return
    c1, c2 = st.columns([1, 3])
    if c1.button(tr("story_show"), icon=":material/slideshow:", type="primary", key="story_start"):
        st.session_state[SHOW_KEY] = (story_id, 0)
        st.rerun()
    with c2:
        _download(story)
    for i, slide in enumerate(story.slides):
        with st.container(border=True):
            a, b, c, d = st.columns([6, 0.6, 0.6, 0.6])
            a.text(_slide_label(i + 1, slide))
            if b.button("↑", key=f"story_up_{i}", disabled=i == 0, help=tr("story_up")):
                _apply(move_slide, story_id, i, -1, expected_version=story.version)
            if c.button("↓", key=f"story_down_{i}", disabled=i == len(story.slides) - 1, help=tr("story_down")):
                _apply(move_slide, story_id, i, 1, expected_version=story.version)
            if d.button("✕", key=f"story_del_{i}", help=tr("story_delete")):
                _apply(delete_slide, story_id, i, expected_version=story.version)
            text = st.text_area(tr("story_caption"), value=slide.caption, max_chars=2000,
                                key=f"story_cap_{story_id}_{i}_{story.version}")
            if text != slide.caption and st.button(tr("story_caption_save"), key=f"story_cap_save_{i}"):
                _apply(set_caption, story_id, i, text, expected_version=story.version)
    if st.button(tr("story_delete_story"), icon=":material/delete:", key="story_delete_story"):
        _apply(delete_story, story_id, expected_version=story.version)


def _download(story) -> None:
    """Build the standalone HTML on request (it takes seconds), then offer it."""
    built = st.session_state.get(EXPORT_KEY)
    if built and built[:2] == (story.story_id, story.version):
        st.download_button(tr("story_download"), built[2], file_name=f"praesentation_{story.story_id}.html",
                           mime="text/html", icon=":material/download:", key="story_download")
    elif st.button(tr("story_build"), icon=":material/html:", key="story_build"):
        with st.spinner(tr("story_building")):
            try:
                html = export_story(workspace(), story.story_id, settings=settings(), lang=lang())
            except JmdiqError as exc:
                show_error(exc)
                return
        st.session_state[EXPORT_KEY] = (story.story_id, story.version, html)
        st.rerun()


_SHOW_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding-top: 0.8rem !important; max-width: 100% !important;}
.story-caption {font-size: 1.25rem; line-height: 1.45}
.story-sources {color: #555; font-size: 0.8rem}
table.profile {border-collapse: collapse; font-size: 1rem}
table.profile th, table.profile td {border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right}
table.profile th:first-child, table.profile td:first-child {text-align: left}
</style>"""


#: arrow keys / Page Up/Down step the show: a listener on the app's page (once per browser tab) that
#: clicks the show's ← / → buttons; typing in a field is left alone
_KEYS_JS = """<script>
const doc = window.parent.document;
if (!doc.jmdiqStoryKeys) {
  doc.jmdiqStoryKeys = true;
  doc.addEventListener('keydown', e => {
    const label = {ArrowRight: '→', PageDown: '→', ArrowLeft: '←', PageUp: '←'}[e.key];
    if (!label || ['INPUT', 'TEXTAREA'].includes((e.target.tagName || '').toUpperCase())) return;
    const button = Array.from(doc.querySelectorAll('button')).find(b => b.innerText.trim() === label);
    if (button && !button.disabled) { button.click(); e.preventDefault(); }
  });
}
</script>"""


def show_section() -> bool:
    """The story full-screen, one slide at a time (sidebar and widgets hidden); False when no
    story is being shown."""
    current = st.session_state.get(SHOW_KEY)
    if not current:
        return False
    story_id, position = current
    try:
        story = get_story(workspace(), story_id)
    except JmdiqError as exc:
        st.session_state.pop(SHOW_KEY, None)
        show_error(exc)
        return False
    position = min(max(position, 0), len(story.slides) - 1)
    st.html(_SHOW_CSS)
    components.html(_KEYS_JS, height=0)
    c0, c1, c2, c3 = st.columns([8, 1, 1.2, 1])
    c0.html(f"<h2 style='margin:0'>{caption_html(story.title)}</h2>")
    if c1.button("←", key="story_prev", disabled=position == 0, help=tr("story_prev"), width="stretch"):
        st.session_state[SHOW_KEY] = (story_id, position - 1)
        st.rerun()
    c2.markdown(f"<div style='text-align:center;padding-top:6px'>{position + 1} / {len(story.slides)}</div>",
                unsafe_allow_html=True)
    if c3.button("→", key="story_next", disabled=position == len(story.slides) - 1, help=tr("story_next"),
                 width="stretch"):
        st.session_state[SHOW_KEY] = (story_id, position + 1)
        st.rerun()
    slide = story.slides[position]
    try:
        drawn = render_slide(workspace(), slide, settings=settings(), lang=lang(), asset_base="/app/static/vendor")
    except JmdiqError as exc:
        show_error(exc)
    else:
        st.html(f"<h3 style='margin:0'>{caption_html(drawn.title)}</h3>")
        if drawn.map is not None:
            show_map(drawn.map, key=f"story_map_{story_id}_{position}", height=620)
        elif drawn.svg is not None:
            st.image(drawn.svg, width=640)
        else:
            st.html(drawn.table_html)
        st.html(f"<div class='story-caption'>{caption_html(drawn.caption)}</div>"
                + (f"<div class='story-sources'>{caption_html(tr('story_sources'))}: "
                   + " · ".join(caption_html(a) for a in drawn.attributions) + "</div>" if drawn.attributions else ""))
    if st.button(tr("story_end"), key="story_end", icon=":material/close:"):
        st.session_state.pop(SHOW_KEY, None)
        st.rerun()
    return True
