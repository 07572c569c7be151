"""Lägesbild: the data layer of the safety council's dashboard (no Streamlit here)."""
