"""Page scripts run by ``st.navigation`` (a package only so that they ship with the wheel)."""
