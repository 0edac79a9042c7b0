"""
A second test-only area app, added by declarations alone: one record type (`Stipend`,
a sum paid to a resident of a township) with its admin, Excel import, API, station
pages, history, route-matrix coverage and a report section. Nothing outside this
folder names it except the one line of `tests/settings.py` that installs it: the proof
that a sixth area needs no edit of the core, the boundary test or the route matrix.
`tests/kit_area_two/test_second_area.py` proves each part.
"""
