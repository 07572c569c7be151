import streamlit as st

import ui
from lagesbild import surveys
from lagesbild.charts import trend_chart
from lagesbild.formatting import number, percent
from lagesbild.stats import MISSING_REASONS, with_intervals

engine = ui.frame("Trender")
st.title("Trender i undersökningarna")

results = surveys.load_results(engine)
indicators = surveys.load_indicators(engine)
if results.empty:
    st.info("Inga undersökningsresultat finns ännu. Importera en fil på sidan Data.")
    st.stop()

survey_ids = [s.id for s in surveys.SURVEYS if s.id in set(results["survey"])]
left, middle, right = st.columns(3)
survey = left.selectbox("Undersökning", survey_ids, format_func=lambda s: surveys.SURVEY_BY_ID[s].name, key="trend_survey")
names = dict(zip(indicators.loc[indicators["survey"] == survey, "indicator"],
                 indicators.loc[indicators["survey"] == survey, "name"]))
indicator = middle.selectbox("Indikator", sorted(set(results.loc[results["survey"] == survey, "indicator"])),
                             format_func=lambda i: names.get(i, i), key="trend_indicator")
selected = results[(results["survey"] == survey) & (results["indicator"] == indicator)]
areas = sorted(set(selected["area"]) - {surveys.CITY})
area = right.selectbox("Område", areas, index=areas.index("Norrmalm") if "Norrmalm" in areas else 0, key="trend_area")
groups = sorted(set(selected["grp"]), key=lambda g: (g != surveys.ALL, g))
group = st.radio("Grupp", groups, horizontal=True, key="trend_group")

shown = with_intervals(selected[selected["area"].isin([area, surveys.CITY]) & (selected["grp"] == group)],
                       ui.settings().min_answers)
shown = shown.assign(series=shown["area"]).sort_values(["series", "year"])
st.altair_chart(trend_chart(shown, f"{names.get(indicator, indicator)} – {group}"), width="stretch")
st.caption("Skuggat band: 95 % konfidensintervall (Wilson). Grupper med färre än "
           f"{ui.settings().min_answers} svar visas som \"..\".")

table = shown.assign(
    År=shown["year"], Område=shown["area"], Andel=shown["share"].map(percent),
    Intervall=[".." if low != low else f"{percent(low)} – {percent(high)}" for low, high in zip(shown["low"], shown["high"])],
    **{"Antal svar": shown["n"].map(lambda n: ".." if n is None or n != n else number(n))},
    Anmärkning=shown["missing"].map(lambda m: MISSING_REASONS.get(m, "") if isinstance(m, str) else ""))
st.dataframe(table[["År", "Område", "Andel", "Intervall", "Antal svar", "Anmärkning"]], hide_index=True)

about = indicators[(indicators["survey"] == survey) & (indicators["indicator"] == indicator)]
if not about.empty:
    row = about.iloc[0]
    with st.expander("Om uppgifterna", expanded=True):
        st.markdown(f"**Fråga:** {row['question']}  \n**Svarsskala:** {row['scale']}  \n"
                    f"**Definition:** {row['definition']}  \n**Källa:** {row['source']}")
        if shown["is_example"].any():
            st.warning("Värdena är exempeldata, inte verkliga resultat.")
