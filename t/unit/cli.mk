# t/unit/cli.mk - tests of the mxguard commands that have no module of their own
TESTS += t/unit/cli_keygen.sh
EXTRA_DIST += t/unit/cli_keygen.sh
