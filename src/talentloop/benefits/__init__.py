"""Benefits: plans the company offers (supplementary medical insurance, enterprise annuity, meal and
transport allowances, commercial health insurance), who may join them, the open enrolment windows in
which people join or leave them on the phone, and the monthly contributions payroll reads with their
tax treatment (``selectors.benefit_contributions``).

The app sits below payroll: it knows nobody's salary, so a contribution set as a rate of the base
salary is worked out from the bases the caller passes in.
"""
