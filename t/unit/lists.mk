# t/unit/lists.mk - unit tests of src/lists
