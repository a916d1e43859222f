"""`python -m rar_protocol.sample`: write the fictional sample district's tables."""

import sys

from rar_protocol.sample.write import main

sys.exit(main())
