"""One school year for every service: 1 July to 30 June."""

from datetime import date

from kulturbro_contracts.school_year import first_day_of_school_year, school_year_of


def test_a_summer_day_belongs_to_the_school_year_ahead() -> None:
    assert school_year_of(date(2027, 6, 30)) == 2026
    assert school_year_of(date(2027, 7, 1)) == 2027
    assert first_day_of_school_year(date(2027, 3, 15)) == date(2026, 7, 1)
    assert first_day_of_school_year(date(2027, 12, 1)) == date(2027, 7, 1)
