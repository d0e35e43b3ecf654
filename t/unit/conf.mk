# t/unit/conf.mk - unit tests of src/conf
