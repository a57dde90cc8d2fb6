"""Atelier's HMI: `streamlit run hmi/app.py`. Signs people in and builds their role's pages.

Only the pages of the signed-in user's role are given to `st.navigation`, so any other page does
not exist for that session: a URL or a replayed request for it falls back to the role's home.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit runs this file as a script; make the repository's packages importable like the CLI.
_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

import streamlit as st  # noqa: E402
from streamlit.navigation.page import StreamlitPage  # noqa: E402

from core.errors import AtelierError  # noqa: E402
from hmi.login import render_login  # noqa: E402
from hmi.roles import PAGES, pages_for  # noqa: E402
from hmi.session import SignedIn, refresh_from_store, sign_out, sign_out_if_idle, touch  # noqa: E402
from hmi.settings import load_settings  # noqa: E402
from hmi.style import apply_style  # noqa: E402


def _signed_in_navigation(user: SignedIn) -> StreamlitPage:
    pages = [
        st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.key)
        for spec in pages_for(user.role)
    ]

    def home() -> None:
        st.switch_page(pages[0])

    # A hidden home at "/" sends people to their role's first page, so every page keeps its path.
    landing = st.Page(home, title="Home", url_path="home", default=True, visibility="hidden")
    nav = st.navigation([landing, *pages], position="sidebar")
    with st.sidebar:
        st.markdown(f"**{user.name}** · {user.role.value}")
        st.button("Sign out", key="sign_out", on_click=sign_out, width="stretch")
    return nav


def main() -> None:
    st.set_page_config(page_title="Atelier", layout="wide")
    apply_style()
    try:
        settings = load_settings()
        sign_out_if_idle(settings.idle_timeout_s)
        user = refresh_from_store()
    except AtelierError as exc:
        st.error(f"Atelier HMI cannot start: {exc}")
        st.stop()
    if user is None:
        login = st.Page(render_login, title="Sign in", url_path="login", default=True)
        # A bookmarked page URL also shows the sign-in, then opens that page if the role has it.
        bookmarks = [
            st.Page(render_login, title=spec.title, url_path=spec.key, visibility="hidden")
            for spec in PAGES.values()
        ]
        nav = st.navigation([login, *bookmarks], position="hidden")
    else:
        touch()
        nav = _signed_in_navigation(user)
    nav.run()


main()
