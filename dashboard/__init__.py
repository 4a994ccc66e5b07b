"""The Streamlit dashboard and the ossdash command line."""
