"""The SVG bar charts: each bar as long as its value is of the scale's end or of the highest."""

from web.charts import CHART_WIDTH, bars


def test_a_bar_is_as_long_as_its_value_is_of_the_scale_or_of_the_highest() -> None:
    scores = bars([("overall", 4.0), ("engagement", 5.0)], top=5)
    assert [bar.width for bar in scores.bars] == [CHART_WIDTH * 0.8, CHART_WIDTH]
    visits = bars([("A", 0.5), ("B", 2.0)])
    assert [bar.width for bar in visits.bars] == [CHART_WIDTH * 0.25, CHART_WIDTH]
    assert visits.height > 0 and bars([]).bars == []
