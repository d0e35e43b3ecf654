# t/unit/store.mk - unit tests of src/store
