"""ISA-101 look and touch sizes: grey screens, colour only for abnormal states, 48 px controls."""

from __future__ import annotations

import streamlit as st

# Colours of abnormal states only; everything normal stays in greys.
ABNORMAL = "#d9822b"  # offline / needs attention (amber)
ALARM = "#c62828"  # fault (red)

CSS = """
<style>
:root { --atelier-bg: #e4e4e4; --atelier-panel: #f2f2f2; --atelier-text: #202020; }
.stApp, [data-testid="stHeader"] { background: var(--atelier-bg); color: var(--atelier-text); }
[data-testid="stSidebar"] { background: #d2d2d2; }
html, body, .stApp { font-size: 18px; }
.stButton button, .stFormSubmitButton button, .stDownloadButton button,
[data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"] {
  min-height: 48px; min-width: 96px; font-size: 1.05rem;
  background: #bdbdbd; color: #111; border: 1px solid #8a8a8a;
}
.stTextInput input, .stNumberInput input, .stDateInput input, .stTextArea textarea,
[data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
[data-baseweb="select"] > div { min-height: 48px; font-size: 1.05rem; }
[data-testid="stAppDeployButton"] { display: none; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] {
  background-color: #9e9e9e !important; color: #111 !important; }
.react-aria-ComboBox > div { min-height: 48px; }
[data-testid="stSidebarNav"] a { min-height: 48px; display: flex; align-items: center; }
</style>
"""


def apply_style() -> None:
    st.html(CSS)


def abnormal_row(is_abnormal: bool, width: int) -> list[str]:
    """Cell styles for one table row: amber only when the row is abnormal."""
    style = f"background-color: {ABNORMAL}; color: #000; font-weight: 600" if is_abnormal else ""
    return [style] * width
