# Irish: 1,000,000 (Django sets the comma as separator, but no grouping).
NUMBER_GROUPING = 3
