# t/tools/local.mk - helper programs used by tests
