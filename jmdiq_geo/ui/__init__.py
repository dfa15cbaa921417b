"""The only package modules that import Streamlit: session helpers, caching, feedback."""
