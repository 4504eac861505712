"""Force performance figures: data.police.uk, Home Office recorded crime, population.

The briefing calls :func:`police_uk_figures` and :func:`recorded_crime_figures`;
the modules below them read one data source each:

``policeuk``         data.police.uk street-level and outcomes files (folder or zip), cached;
                     its parts: ``policeuk_source`` (finding the files), ``policeuk_parse``,
                     ``policeuk_count`` (the counting rule), ``policeuk_cache``
``recorded_crime``   Home Office police recorded crime open data tables; its parts:
                     ``recorded_crime_read`` (reading a table), ``recorded_crime_cache``
``population``       population by force area, for rates per 1,000 people
``figures``          the JSON-native dicts the briefing and ``figures.json`` use
"""

from toolkit.performance.figures import police_uk_figures, recorded_crime_figures, short_label
from toolkit.performance.policeuk import (
    CHARGE_OUTCOMES,
    NO_SUSPECT_OUTCOME,
    PeriodCounts,
    PoliceUkData,
    count_crimes,
)
from toolkit.performance.population import estimate_year, load_population, rate_per_1000
from toolkit.performance.recorded_crime import (
    HOME_OFFICE_NAMES,
    OFFENCES_FOR_CRIME_TYPE,
    load_recorded_crime,
)

__all__ = [
    "CHARGE_OUTCOMES",
    "HOME_OFFICE_NAMES",
    "NO_SUSPECT_OUTCOME",
    "OFFENCES_FOR_CRIME_TYPE",
    "PeriodCounts",
    "PoliceUkData",
    "count_crimes",
    "estimate_year",
    "load_population",
    "load_recorded_crime",
    "police_uk_figures",
    "rate_per_1000",
    "recorded_crime_figures",
    "short_label",
]
