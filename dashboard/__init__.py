"""The mande dashboard (Streamlit). Pages lay out widgets and call `mande`; nothing computes here."""
