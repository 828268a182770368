"""The invented words the example generator (make_examples.py) draws from.

Kept apart from the councils and the generation so that each reads on its own. Every
document, finding, role and note here is illustrative; none describes a real council.
"""

from __future__ import annotations

DOCUMENTS = [
    "Annual performance report {period}",
    "Service plan {period}",
    "Cabinet report, {month} {year}",
    "Audit and governance committee minutes, {month} {year}",
    "Customer survey results, {month} {year}",
    "Internal audit report IA/{n:03d}",
    "Team meeting notes, {month} {year}",
    "Improvement plan progress report, {month} {year}",
]
MONTHS = ["January", "March", "May", "June", "September", "October", "November"]
EARLY_MONTHS = {"January", "February", "March"}
"""Months that fall in the second calendar year of a financial year (April to March)."""
SEEN = [
    "Reviewed on site",
    "Discussed at interview with the service manager",
    "Read before the site visit",
    "Checked against the case files sampled",
    "Confirmed in the focus group with service users",
    "Tested by reality checking a sample of cases",
]
STRENGTHS = {
    4: [
        "Consistently high performance, well above that of similar councils, sustained for three years.",
        "Users are involved in designing the service and can show how their views changed it.",
        "Innovative practice that others have visited to learn from.",
    ],
    3: [
        "Performance is above average and improving; targets are stretching and mostly met.",
        "Clear standards, published and monitored, with good results reported to members.",
        "Staff understand the priorities and can say how their work contributes.",
    ],
    2: [
        "Minimum requirements are met and performance is broadly stable.",
        "Some good practice in individual teams, not yet spread across the service.",
        "Recent improvements in response times, from a low base.",
    ],
    1: ["Staff are committed and aware of the weaknesses.", "A new manager has begun to gather reliable performance information."],
}
WEAKNESSES = {
    4: ["Keep the benefit of recent gains under review as budgets tighten.", ""],
    3: ["Extend the good practice of the best teams to the rest of the service.", "Make more use of comparative data to set targets.", ""],
    2: [
        "Set targets that are stretching and compare performance with the best councils.",
        "Use complaints and user feedback to change how the service is delivered, and show users what changed.",
        "Link the service plan to the budget so that priorities are funded.",
    ],
    1: [
        "Agree a recovery plan with clear milestones and report progress to members monthly.",
        "Reduce the backlog of cases and the time taken to process new claims.",
        "Put in place basic performance information that managers trust.",
    ],
}
CAA_POSITION = {
    4: "Performing strongly: arrangements are embedded and outcomes are among the best of comparable councils.",
    3: "Performing well: arrangements are effective and outcomes are improving.",
    2: "Adequate: arrangements meet minimum requirements; outcomes are mixed.",
    1: "Inadequate: arrangements do not meet minimum requirements.",
}

PLANS: dict[str, tuple[str, str, str]] = {
    # area for improvement -> (action, resources, measure of success)
    WEAKNESSES[4][0]: (
        "Add the service's key indicators to the quarterly budget monitoring report, so that any fall in performance after savings is seen at once.",
        "Within existing budgets: finance and performance officers' time.",
        "Quarterly reports to members show performance held at or above this year's level.",
    ),
    WEAKNESSES[3][0]: (
        "Each team spends a day with the best-performing team and adopts its case-handling checklist.",
        "Two training days per team; cover from the agency staff budget.",
        "Every team uses the checklist, and the gap between the fastest and slowest team's processing times has halved.",
    ),
    WEAKNESSES[3][1]: (
        "Join a benchmarking club and set next year's targets against the upper quartile of similar councils.",
        "Benchmarking club subscription (about £3,000 a year) and analyst time.",
        "Every target in the next service plan is set and reported against comparative data.",
    ),
    WEAKNESSES[2][0]: (
        "Reset the service plan's targets at the upper-quartile level of similar councils and report progress against them to members each quarter.",
        "Performance officer time.",
        "The revised plan's targets are at or above the upper quartile, and quarterly reports show progress against each.",
    ),
    WEAKNESSES[2][1]: (
        "Review complaints and survey results every quarter, agree one change to the service from each review, and publish 'you said, we did' on the website.",
        "A customer services officer, half a day a month.",
        "Four published changes in the year, and fewer repeat complaints on the same subject.",
    ),
    WEAKNESSES[2][2]: (
        "Cost each priority in the service plan and show its budget line in the plan that cabinet approves.",
        "Finance business partner time.",
        "Every priority in the approved plan has a named budget; none is reported unfunded at the year end.",
    ),
    WEAKNESSES[1][0]: (
        "Draft a recovery plan with dated milestones, have it approved by cabinet and report progress monthly to the scrutiny committee.",
        "An interim service manager for six months (about £45,000).",
        "The plan is approved and monthly reports show each milestone met by its date.",
    ),
    WEAKNESSES[1][1]: (
        "Clear the backlog with a dedicated team (overtime and agency staff), then hold new work to a daily throughput target.",
        "Overtime and agency staff budget of about £60,000.",
        "No case older than 30 days, and new claims processed within the published target time.",
    ),
    WEAKNESSES[1][2]: (
        "Define five key indicators with the staff who record them, check the data monthly and publish them to managers every week.",
        "Systems officer time and a report from the case-management system.",
        "Weekly indicators published for three months running with no corrections needed.",
    ),
}
OWNERS = {
    "ac-benefits": ["Benefits manager", "Head of revenues and benefits", "Benefits performance officer"],
    "ac-judgement2": ["Head of policy and performance", "Director of resources", "Service manager"],
    "caa-2009": ["Director of resources", "Head of performance and partnerships", "Chief finance officer"],
    "hi-prospects": ["Head of housing services", "Tenancy services manager", "Repairs and maintenance manager"],
    "wao-housing": ["Head of housing", "Housing services manager", "Tenant participation officer"],
}

MODERATION_NOTES = {
    "lead": "The second assessor had not seen '{reference}'; having read it together, both agreed the lead assessor's level (illustrative).",
    "second": "Testing both assessors' evidence against the descriptors statement by statement, both agreed the second assessor's "
    "level, which the evidence supports more closely (illustrative).",
    "between": "The two levels were two apart. Taking each piece of evidence in turn against the descriptors, the moderator agreed "
    "the level between them: more than the lower level describes, not yet all of the higher (illustrative).",
}
