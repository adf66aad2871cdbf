import datetime, time, calendar
utc = datetime.timezone.utc
for ts in (0, 86399, 951782400, 1700000000, 2**31, -1, 4102444800.5):
    d = datetime.datetime.fromtimestamp(ts, tz=utc)
    print(ts, d.isoformat(), d.strftime("%A %d %B %Y %j %U %H:%M:%S %p"), d.weekday(), d.timestamp())
print(time.gmtime(1234567890), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(0)), calendar.timegm((2000, 2, 29, 12, 0, 0)))
a = datetime.datetime(2024, 2, 28, 23, 59, tzinfo=utc)
print(a + datetime.timedelta(minutes=2), (datetime.date(2025, 1, 1) - datetime.date(2000, 1, 1)).days, datetime.date(2024, 12, 30).isocalendar())
print(datetime.datetime.strptime("2021-03-04 05:06:07", "%Y-%m-%d %H:%M:%S"), datetime.timedelta(days=1.5, seconds=-1))
print(calendar.month(2024, 2), calendar.isleap(1900), calendar.isleap(2000))
tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
print(datetime.datetime.fromtimestamp(0, tz).isoformat(), datetime.datetime(2020, 1, 1, tzinfo=tz).astimezone(utc))
t0 = time.monotonic(); t1 = time.monotonic(); print(t1 >= t0, time.time() > 1.6e9)
