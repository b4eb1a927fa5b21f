"""Indonesia's national public holidays (hari libur nasional), as set by the joint decree of
the Ministers of Religious Affairs, Manpower and Administrative Reform (SKB 3 Menteri) for
each year. Collective leave days (cuti bersama) are not listed: the decree leaves them to
each employer, so a post that closes on one adds it as its own closure day in the admin.

2020: SKB 728/2019, 213/2019, 01/2019. 2026: SKB 1497/2025, 2/2025, 5/2025.
Add a year here (and run ``manage.py assistance_posts_load``) once its decree is out.
"""

from __future__ import annotations

from datetime import date

NATIONAL_HOLIDAYS: list[tuple[date, str]] = [
    (date(2020, 1, 1), "Tahun Baru 2020 Masehi"),
    (date(2020, 1, 25), "Tahun Baru Imlek 2571 Kongzili"),
    (date(2020, 3, 22), "Isra Mikraj Nabi Muhammad SAW"),
    (date(2020, 3, 25), "Hari Suci Nyepi Tahun Baru Saka 1942"),
    (date(2020, 4, 10), "Wafat Isa Al Masih"),
    (date(2020, 5, 1), "Hari Buruh Internasional"),
    (date(2020, 5, 7), "Hari Raya Waisak 2564"),
    (date(2020, 5, 21), "Kenaikan Isa Al Masih"),
    (date(2020, 5, 24), "Hari Raya Idul Fitri 1441 Hijriah"),
    (date(2020, 5, 25), "Hari Raya Idul Fitri 1441 Hijriah"),
    (date(2020, 6, 1), "Hari Lahir Pancasila"),
    (date(2020, 7, 31), "Hari Raya Idul Adha 1441 Hijriah"),
    (date(2020, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
    (date(2020, 8, 20), "Tahun Baru Islam 1442 Hijriah"),
    (date(2020, 10, 29), "Maulid Nabi Muhammad SAW"),
    (date(2020, 12, 25), "Hari Raya Natal"),
    (date(2026, 1, 1), "Tahun Baru 2026 Masehi"),
    (date(2026, 1, 16), "Isra Mikraj Nabi Muhammad SAW"),
    (date(2026, 2, 17), "Tahun Baru Imlek 2577 Kongzili"),
    (date(2026, 3, 19), "Hari Suci Nyepi Tahun Baru Saka 1948"),
    (date(2026, 3, 21), "Hari Raya Idul Fitri 1447 Hijriah"),
    (date(2026, 3, 22), "Hari Raya Idul Fitri 1447 Hijriah"),
    (date(2026, 4, 3), "Wafat Yesus Kristus"),
    (date(2026, 4, 5), "Kebangkitan Yesus Kristus (Paskah)"),
    (date(2026, 5, 1), "Hari Buruh Internasional"),
    (date(2026, 5, 14), "Kenaikan Yesus Kristus"),
    (date(2026, 5, 27), "Hari Raya Idul Adha 1447 Hijriah"),
    (date(2026, 5, 31), "Hari Raya Waisak 2570 BE"),
    (date(2026, 6, 1), "Hari Lahir Pancasila"),
    (date(2026, 6, 16), "Tahun Baru Islam 1448 Hijriah"),
    (date(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
    (date(2026, 8, 25), "Maulid Nabi Muhammad SAW"),
    (date(2026, 12, 25), "Hari Raya Natal"),
]
