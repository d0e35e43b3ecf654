# t/fuzz/lists.mk - fuzz targets of src/policy/lists (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_list_entry
t_fuzz_fuzz_list_entry_SOURCES = t/fuzz/list_entry.c
t_fuzz_fuzz_list_entry_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_list_entry_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
