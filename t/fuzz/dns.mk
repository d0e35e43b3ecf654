# t/fuzz/dns.mk - fuzz targets of src/dns (append to FUZZ_PROGS)
