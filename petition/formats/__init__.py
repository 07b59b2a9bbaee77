"""Number formats Django's own locale data leaves out (settings.FORMAT_MODULE_PATH).

Django groups digits only where a language's formats set NUMBER_GROUPING, and
for Bulgarian, Estonian and Irish they do not, while Maltese has no formats at
all: counts and goals there were written 1000000, and then the page's script
(static/js/count.js, with the browser's Intl.NumberFormat) rewrote the count as
1 000 000 or 1,000,000 beside a goal still written 1000000. These modules give
those four languages the grouping the browser uses. Everything else about
them still comes from Django.
"""
