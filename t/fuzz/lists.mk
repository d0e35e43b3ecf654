# t/fuzz/lists.mk - fuzz targets of src/lists (append to FUZZ_PROGS)
