from bureau.areas import AreaConfig, PersonFilePart


class PensionsConfig(AreaConfig):
    name = "pensions"
    verbose_name = "优待抚恤"
    order = 3
    report_section = "pensions.report.section"
    demo = "pensions.demo.seed"
    demo_this_year = "pensions.demo.seed_this_year"
    person_file = PersonFilePart(
        title="优待抚恤", template="pensions/person_file.html", context="pensions.person_file.context", order=30
    )
