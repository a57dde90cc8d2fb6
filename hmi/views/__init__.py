"""One module per HMI page; each runs as a Streamlit page script registered by `hmi/app.py`.

Not named `pages/`: Streamlit would register every file of a `pages/` folder beside the
entrypoint for every session, before `st.navigation` limits them to the role's pages.
"""
