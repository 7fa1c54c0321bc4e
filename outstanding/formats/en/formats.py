"""English for a Dutch product: day-month-year dates (never the American month-first), euro amounts
through outstanding.money. Django's own English formats otherwise."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "d-m-Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
MONTH_DAY_FORMAT = "j F"
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y"]
FIRST_DAY_OF_WEEK = 1  # Monday
