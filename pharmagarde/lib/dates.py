"""Calendar arithmetic shared by the apps."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), the month's last day when it has none
    (31 January + 1 month: 28 or 29 February). The GDPR's « un mois » for answering a
    request is counted this way, as the restore tests' periods."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))
