# Estonian: 1 000 000 (Django sets the no-break space as separator, but no grouping).
NUMBER_GROUPING = 3
