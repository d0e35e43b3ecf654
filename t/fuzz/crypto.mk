# t/fuzz/crypto.mk - fuzz targets of src/crypto (append to FUZZ_PROGS)
