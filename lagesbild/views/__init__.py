"""The second floor: view models. Each module turns loaded data into what one page, slide or export shows —
dataclasses, frames and texts, still without Streamlit. Data modules below read, check, store and load; pages
above only lay out what a view returns."""
