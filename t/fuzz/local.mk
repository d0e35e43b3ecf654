# t/fuzz/local.mk - libFuzzer targets. Normally each is linked with
# replay.c and `make check` replays its seed corpus (t/fuzz/corpus/NAME/);
# with --enable-fuzzing (clang) they are real libFuzzer binaries.
# `make fuzz` builds them in ./fuzz-build (needs an out-of-tree build).
if FUZZING
MXG_FUZZ_LIBS =
MXG_FUZZ_LINK = -fsanitize=fuzzer
else
check_LIBRARIES = t/fuzz/libfuzzreplay.a
t_fuzz_libfuzzreplay_a_SOURCES = t/fuzz/replay.c
MXG_FUZZ_LIBS = t/fuzz/libfuzzreplay.a
MXG_FUZZ_LINK =
endif
FUZZ_PROGS =
TESTS += t/fuzz/replay.sh
EXTRA_DIST += t/fuzz/replay.sh t/fuzz/run.sh

include t/fuzz/conf.mk
include t/fuzz/dns.mk
include t/fuzz/lists.mk
include t/fuzz/mail.mk
include t/fuzz/crypto.mk
include t/fuzz/rules.mk
include t/fuzz/pipeline.mk
include t/fuzz/spf.mk
include t/fuzz/dcc.mk
include t/fuzz/outbound.mk
include t/fuzz/outbound_pipe.mk
include t/fuzz/outbound_proxy.mk
include t/fuzz/outbound_rtls.mk
include t/fuzz/event.mk
include t/fuzz/dmarc.mk
include t/fuzz/metrics.mk
check_PROGRAMS += $(FUZZ_PROGS)

fuzz:
	@test "$(abs_top_srcdir)" != "$(abs_top_builddir)" || \
	  { echo "make fuzz: build out of tree (mkdir build && cd build && ../configure)"; exit 1; }
	mkdir -p fuzz-build
	cd fuzz-build && { test -f Makefile || \
	  $(abs_top_srcdir)/configure CC=clang --enable-fuzzing >/dev/null; } && \
	  $(MAKE) $(FUZZ_PROGS)
	@echo "fuzz binaries in fuzz-build/t/fuzz; run them with $(top_srcdir)/t/fuzz/run.sh"
