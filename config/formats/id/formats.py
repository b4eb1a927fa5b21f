"""Indonesian dates written out, as a person reads them: 17 Agustus 1990, 17 Agustus 1990 14.30.

Django's own Indonesian formats abbreviate the month ("17 Agu. 1990"); everything else (the
thousands separator ".", the decimal ",", the input formats) comes from them.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
