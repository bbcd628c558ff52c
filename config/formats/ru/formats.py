"""Russian dates: Django's own formats ("4 декабря 2026 г."), except the day and month without a year, which
Django writes "4 Декабрь" (the nominative ``F``); a date takes the genitive, ``E``: "4 декабря"."""
MONTH_DAY_FORMAT = "j E"
