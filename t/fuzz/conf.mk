# t/fuzz/conf.mk - fuzz targets of src/conf (append to FUZZ_PROGS)
