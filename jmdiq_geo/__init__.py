"""jmdiq-geo: Sozialraumanalyse for German cities (geo-processing package, no Streamlit)."""

__version__ = "0.1.0"
