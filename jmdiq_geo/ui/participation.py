"""The participant page (issue 18): the one page reachable without login, by a session's link
``?p=<token>``. Phone-sized: the quarter's outline as a map, a few large category buttons, an
optional comment, once per person an age band and the newcomer question, in simple German,
English, Arabic (right to left), Ukrainian and Turkish.

It calls only the public functions of ``services.participation`` (``public_session``,
``join``, ``add_pin``): it reads the session's title, status, categories and outline, nothing
else. The participant token lives in the phone's session (and the page's address, so a reload
stays the same person); the pins shown are the ones this phone set in this visit.
"""
from __future__ import annotations

import html

import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_problems, markdown_safe, t
from jmdiq_geo.render.participation import participant_map
from jmdiq_geo.services.auth import act_as
from jmdiq_geo.services.participation import (AGE_BANDS, NEWCOMER, PAGE_LANGUAGES, PinLimiter, add_pin,
                                              has_joined, join, new_participant, public_session)
from jmdiq_geo.ui.state import workspace

RTL = {"ar"}
_LANG, _WHO, _POINT, _USED, _OWN, _FLASH, _COMMENT = ("pp_lang", "pp_who", "pp_point", "pp_used", "pp_own",
                                                      "pp_flash", "pp_comment")


def link_token() -> str | None:
    """The session token of a participant's link (``?p=…``), or None for staff pages."""
    token = st.query_params.get("p")
    return token if token else None


@st.cache_resource
def limiter() -> PinLimiter:
    """Pins per participant and session per minute: one counter for the whole app process."""
    return PinLimiter()


def _lang() -> str:
    code = st.session_state.get(_LANG) or st.query_params.get("l") or "de"
    return code if code in PAGE_LANGUAGES else "de"


def _say(text: str, *, tag: str = "p", lang: str) -> None:
    """Text in the page's direction (every value escaped)."""
    direction = "rtl" if lang in RTL else "ltr"
    st.markdown(f'<{tag} dir="{direction}" lang="{lang}" class="pp-text">{html.escape(text)}</{tag}>',
                unsafe_allow_html=True)


def _style(categories, rtl: bool) -> None:
    css = ['[data-testid="stToolbar"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] '
           '{display: none}', '.block-container {max-width: 560px; padding: 1rem 0.8rem 3rem}',
           '.st-key-pp_cats button {min-height: 3.6rem; width: 100%; border: 0}',
           '.st-key-pp_cats button p {font-size: 1.15rem; font-weight: 600; color: #ffffff}',
           '.st-key-pp_root label p {font-size: 1.05rem}', '.pp-text {margin: 0.2rem 0 0.4rem}']
    for c in categories:            # ids and colours are checked (a-z0-9_ and #rrggbb)
        css.append(f'.st-key-pp_cat_{c["id"]} button, .st-key-pp_cat_{c["id"]} button:hover, '
                   f'.st-key-pp_cat_{c["id"]} button:focus {{background: {c["colour"]} !important}}')
    if rtl:
        css.append('.st-key-pp_root {direction: rtl; text-align: right}')
    st.markdown("<style>" + "\n".join(css) + "</style>", unsafe_allow_html=True)


def _error(exc: JmdiqError, lang: str) -> None:
    for line in format_problems(exc.problems, lang):
        st.error(line)


def participant_page(token: str) -> None:
    """The whole page for the link's ``token``. Nobody acts here: the staff functions refuse."""
    act_as(None)
    lang = _lang()
    ws = workspace()
    st.session_state.setdefault(_LANG, lang)
    try:
        view = public_session(ws, token) if ws is not None else None
    except JmdiqError as exc:
        view = None
        problem = exc
    else:
        problem = None
    _style(view.categories if view else [], lang in RTL)
    with st.container(key="pp_root"):
        st.segmented_control(t("pp_language", lang), PAGE_LANGUAGES, key=_LANG,
                             format_func=lambda code: t("pp_language_name", code))
        if view is None:
            _error(problem, lang) if problem else st.error(t("err_participation_no_session", lang))
            return
        _say(view.title, tag="h2", lang=lang)
        if view.status != "open":
            st.warning(t(f"err_participation_{view.status}", lang))
            return
        who = st.session_state.get(_WHO) or st.query_params.get("u")
        if not who or not has_joined(ws, token, who):
            _questions(ws, token, lang)
        else:
            _pinning(ws, token, view, who, lang)


def _questions(ws, token: str, lang: str) -> None:
    _say(t("pp_intro", lang), lang=lang)
    _say(t("pp_privacy", lang), lang=lang)
    age = st.radio(t("pp_q_age", lang), [*AGE_BANDS, "na"], index=None, key="pp_age",
                   # an age band reads left to right also in Arabic (isolated: "12–14", not "14–12")
                   format_func=lambda v: t("pp_no_answer", lang) if v == "na"
                   else "\u2066" + v.replace("-", "–") + "\u2069")
    new = st.radio(t("pp_q_newcomer", lang), NEWCOMER, index=None, key="pp_newcomer",
                   format_func=lambda v: t(f"pp_answer_{v}", lang))
    if st.button(t("pp_start", lang), type="primary", key="pp_start", use_container_width=True):
        who = new_participant()
        try:
            join(ws, token, who, age_band=None if age in (None, "na") else age, newcomer=new)
        except JmdiqError as exc:
            _error(exc, lang)
            return
        st.session_state[_WHO] = who
        st.query_params["u"] = who
        st.rerun()


def _save(ws, token: str, who: str, category: str, lang: str) -> None:
    """A category button's callback: the pin at the place tapped last."""
    point = st.session_state.get(_POINT)
    if point is None:
        st.session_state[_FLASH] = ("warning", t("pp_tap_first", lang))
        return
    try:
        receipt = add_pin(ws, token, who, category=category, lon=point[1], lat=point[0],
                          comment=st.session_state.get(_COMMENT), limiter=limiter())
    except JmdiqError as exc:
        st.session_state[_FLASH] = ("error", " ".join(format_problems(exc.problems, lang)))
        return
    st.session_state[_USED] = point
    st.session_state[_POINT] = None
    st.session_state[_COMMENT] = ""
    st.session_state.setdefault(_OWN, []).append((point[0], point[1], category))
    text = t("pp_saved", lang) + (" " + t("pp_comment_held", lang) if receipt.comment_held else "")
    st.session_state[_FLASH] = ("success", text)


def _pinning(ws, token: str, view, who: str, lang: str) -> None:
    colours = {c["id"]: c["colour"] for c in view.categories}
    own = [(la, lo, colours.get(c, "#666666")) for la, lo, c in st.session_state.get(_OWN, [])]
    _say(t("pp_tap_map", lang), lang=lang)
    m = participant_map(view.outline_geojson, view.bounds, own_pins=own, attributions=list(view.attributions))
    state = st_folium(m, key="pp_map", height=360, use_container_width=True, returned_objects=["last_clicked"])
    clicked = (state or {}).get("last_clicked")
    if clicked:
        point = (round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6))
        if point != st.session_state.get(_USED):
            st.session_state[_POINT] = point
    if st.session_state.get(_POINT):
        _say(t("pp_place_chosen", lang), lang=lang)
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    st.text_input(t("pp_comment", lang), key=_COMMENT, max_chars=280)
    with st.container(key="pp_cats"):
        for c in view.categories:
            with st.container(key=f"pp_cat_{c['id']}"):
                st.button(markdown_safe(c.get(lang) or c["de"]), key=f"pp_btn_{c['id']}", use_container_width=True,
                          on_click=_save, args=(ws, token, who, c["id"], lang))
    _say(t("pp_count", lang, n=len(own)), lang=lang)
