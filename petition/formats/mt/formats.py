# Maltese: 1,000,000 and 2.5, as in Malta's English (Django has no Maltese formats).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
