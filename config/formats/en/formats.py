"""English dates as the site's readers (lawyers in Russia and at the ECHR) write them: day, month, year.

Only what differs from Django's own English formats is set here (FORMAT_MODULE_PATH); the rest, input formats
included, come from Django."""
DATE_FORMAT = "j M Y"  # 4 Dec 2026
DATETIME_FORMAT = "j M Y, H:i"  # 4 Dec 2026, 08:42
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"  # 4 Dec
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
